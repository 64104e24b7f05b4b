import Core
import Crypto
import Foundation
import Store

/// HMAC-SHA256 of payloads under a server key kept outside the database, for `payload_logging: hashed`.
///
/// A keyed hash lets equal payloads be matched across rows without letting anyone with the database
/// confirm a guessed payload (a plain hash of a short ticket would be easy to brute-force).
public struct HMACPayloadDigester: PayloadDigester {
    /// The keyed HMAC state, made once (`SymmetricKey` is not `Sendable`).
    let hmac: PreparedHMAC

    public init(key: SymmetricKey) {
        self.hmac = PreparedHMAC(key: key.withUnsafeBytes { Array($0) })
    }

    /// Uses `GATEHOUSE_PAYLOAD_KEY` when set, else a key file in the data directory (created with mode 0600).
    public static func load(dataDirectory: String, environment: [String: String]) throws -> HMACPayloadDigester {
        let key = try ServerKeyFile.load(
            environmentVariable: "GATEHOUSE_PAYLOAD_KEY", fileName: "payload-hmac.key", dataDirectory: dataDirectory,
            environment: environment)
        return HMACPayloadDigester(key: SymmetricKey(data: key))
    }

    /// The digest a data-subject reference is stored under, so erasure can find the rows without the
    /// database holding the reference itself.
    public func subjectDigest(_ reference: String) -> String {
        digest("data-subject:" + reference)
    }

    public func digest(_ text: String) -> String {
        "hmac-sha256:" + hmac.code(text).withUnsafeBytes { Hex.encode(buffer: $0) }
    }
}
