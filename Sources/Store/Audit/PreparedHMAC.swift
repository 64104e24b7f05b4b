import Crypto
import Foundation

/// HMAC-SHA256 under one key, with the key schedule (the padded key hashed into the inner state)
/// done once: each code copies the keyed state and hashes only the message. Making a key and an
/// HMAC per message cost more than hashing a ledger row's payload.
public final class PreparedHMAC: @unchecked Sendable {
    // @unchecked: `prototype` is never mutated after init; each use works on its own copy (the
    // digest state underneath is copy-on-write), so sharing it across threads is safe.
    private let prototype: HMAC<SHA256>

    public init(key: [UInt8]) {
        prototype = HMAC<SHA256>(key: SymmetricKey(data: key))
    }

    public func code(_ text: String) -> HMAC<SHA256>.MAC {
        var hmac = prototype
        var text = text
        text.withUTF8 { hmac.update(data: UnsafeRawBufferPointer($0)) }
        return hmac.finalize()
    }
}
