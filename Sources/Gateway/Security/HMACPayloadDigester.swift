import Core
import Crypto
import Foundation

/// HMAC-SHA256 of payloads under a server key kept outside the database, for `payload_logging: hashed`.
///
/// A keyed hash lets equal payloads be matched across rows without letting anyone with the database
/// confirm a guessed payload (a plain hash of a short ticket would be easy to brute-force).
public struct HMACPayloadDigester: PayloadDigester {
    /// Raw key bytes; `SymmetricKey` is not `Sendable`, so one is made per digest (cheap).
    let keyBytes: [UInt8]

    public init(key: SymmetricKey) {
        self.keyBytes = key.withUnsafeBytes { Array($0) }
    }

    /// Uses `GATEHOUSE_PAYLOAD_KEY` when set, else a key file in the data directory (created with mode 0600).
    public static func load(dataDirectory: String, environment: [String: String]) throws -> HMACPayloadDigester {
        if let value = environment["GATEHOUSE_PAYLOAD_KEY"], !value.isEmpty {
            return HMACPayloadDigester(key: SymmetricKey(data: SHA256.hash(data: Data(value.utf8))))
        }
        let path = (dataDirectory as NSString).appendingPathComponent("payload-hmac.key")
        if let existing = FileManager.default.contents(atPath: path), existing.count == 32 {
            return HMACPayloadDigester(key: SymmetricKey(data: existing))
        }
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let key = SymmetricKey(size: .bits256)
        let data = key.withUnsafeBytes { Data($0) }
        guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        return HMACPayloadDigester(key: key)
    }

    public func digest(_ text: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: SymmetricKey(data: keyBytes))
        return "hmac-sha256:" + mac.map { String(format: "%02x", $0) }.joined()
    }
}
