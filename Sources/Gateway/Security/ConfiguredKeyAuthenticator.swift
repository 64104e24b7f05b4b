import Core
import Crypto
import Foundation

/// Authenticates against the API keys listed in the configuration.
///
/// Only SHA-256 digests of the secrets are kept; a presented token is hashed and compared digest to
/// digest in constant time, so neither timing nor memory dumps reveal key material.
public struct ConfiguredKeyAuthenticator: CallerAuthenticator {
    struct Entry: Sendable {
        var digest: [UInt8]
        var principal: Principal
    }

    let entries: [Entry]

    public init(keys: [APIKeyConfiguration], resolver: SecretResolver) {
        entries = keys.compactMap { key in
            guard let secret = resolver.resolve(key.secret) else { return nil }
            return Entry(
                digest: Array(SHA256.hash(data: Data(secret.utf8))),
                principal: Principal(
                    keyID: key.id, role: key.role, useCases: key.useCases.map(Set.init), providers: key.providers.map(Set.init),
                    team: key.team, clearance: key.clearance))
        }
    }

    /// Keys whose secret reference resolved; the others cannot authenticate anyone.
    public var activeKeyIDs: [String] { entries.map(\.principal.keyID) }

    public func authenticate(bearerToken: String) async throws(GatewayError) -> Principal? {
        authenticateConfigured(bearerToken: bearerToken)
    }

    func authenticateConfigured(bearerToken: String) -> Principal? {
        let presented = Array(SHA256.hash(data: Data(bearerToken.utf8)))
        var match: Principal?
        for entry in entries where Self.constantTimeEquals(entry.digest, presented) {
            match = entry.principal
        }
        return match
    }

    static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}
