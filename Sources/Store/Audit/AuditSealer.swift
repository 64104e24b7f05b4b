import Core
import Crypto
import Foundation

/// Hashes and MACs audit events. The key lives outside the database (environment or a file beside
/// it), so someone who can write the database file can delete or edit events but cannot forge the
/// MAC of a replacement.
public struct AuditSealer: Sendable {
    public static let genesisHash = String(repeating: "0", count: 64)
    private let keyBytes: [UInt8]
    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }
    private let prepared: PreparedHMAC

    public init(key: [UInt8]) {
        self.keyBytes = key
        self.prepared = PreparedHMAC(key: key)
    }

    /// SHA-256 over the previous event's hash and this event's canonical content.
    public func hash(previous: String, content: String) -> String {
        var hasher = SHA256()
        var previous = previous
        var content = content
        previous.withUTF8 { hasher.update(data: UnsafeRawBufferPointer($0)) }
        hasher.update(data: [0x0A] as [UInt8])
        content.withUTF8 { hasher.update(data: UnsafeRawBufferPointer($0)) }
        return hasher.finalize().withUnsafeBytes { Hex.encode(buffer: $0) }
    }

    public func mac(_ text: String) -> String {
        prepared.code(text).withUnsafeBytes { Hex.encode(buffer: $0) }
    }

    /// Constant-time check of a stored MAC.
    public func isValid(mac: String, for text: String) -> Bool {
        guard let bytes = Self.bytes(hex: mac) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(bytes, authenticating: Data(text.utf8), using: key)
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        Hex.encode(bytes)
    }

    static func bytes(hex: String) -> [UInt8]? {
        guard hex.count % 2 == 0 else { return nil }
        var result: [UInt8] = []
        result.reserveCapacity(hex.count / 2)
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            result.append(byte)
            index = next
        }
        return result
    }
}
