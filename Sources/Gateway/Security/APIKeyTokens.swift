import Core
import Crypto
import Foundation

/// The managed key token: `ghk_<key id>_<secret>`. The prefix makes a leaked key easy to recognise
/// (secret scanners, log reviews); the key id finds the row without a scan; the secret is 256 random
/// bits in base64url. The store keeps HMAC-SHA256(salt, secret) only.
enum APIKeyTokens {
    static let prefix = "ghk_"

    struct Parsed {
        var keyID: String
        var secret: String
    }

    static func newKeyID() -> String {
        "key_" + Hex.encode(randomBytes(8))
    }

    static func newSecret() -> String {
        Data(randomBytes(32)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func token(keyID: String, secret: String) -> String {
        prefix + keyID + "_" + secret
    }

    /// `nil` for anything that is not shaped like a managed token (configured keys are tried then).
    static func parse(_ token: String) -> Parsed? {
        guard token.hasPrefix(prefix + "key_") else { return nil }
        let rest = token.dropFirst(prefix.count)
        // key_<16 hex>_<secret>
        let idLength = 4 + 16
        guard rest.count > idLength + 1 else { return nil }
        let idEnd = rest.index(rest.startIndex, offsetBy: idLength)
        guard rest[idEnd] == "_" else { return nil }
        return Parsed(keyID: String(rest[..<idEnd]), secret: String(rest[rest.index(after: idEnd)...]))
    }

    static func digest(secret: String, salt: [UInt8]) -> SecretDigest {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(secret.utf8), using: SymmetricKey(data: salt))
        return SecretDigest(salt: salt, digest: Array(mac))
    }

    static func newDigest(secret: String) -> SecretDigest {
        digest(secret: secret, salt: randomBytes(16))
    }

    /// Constant-time comparison of the presented secret against a stored digest.
    static func matches(secret: String, _ stored: SecretDigest) -> Bool {
        let presented = digest(secret: secret, salt: stored.salt).digest
        return ConfiguredKeyAuthenticator.constantTimeEquals(presented, stored.digest)
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
}
