import Core
import Foundation
import Store

/// Authenticates managed keys (looked up in the store on every request, so a revocation or an expiry
/// takes effect on the very next request, in every process sharing the store) and, for tokens not
/// shaped like managed keys, the keys declared in the configuration.
public struct KeyAuthenticator: CallerAuthenticator {
    let store: any KeyStore
    let configured: ConfiguredKeyAuthenticator
    let now: @Sendable () -> Date

    public init(store: any KeyStore, configured: ConfiguredKeyAuthenticator, now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.configured = configured
        self.now = now
    }

    /// A digest to compare against when the key id is unknown, so an unknown id costs the same time as
    /// a wrong secret and the 401 reveals nothing about which ids exist.
    static let decoy = APIKeyTokens.newDigest(secret: APIKeyTokens.newSecret())

    public func authenticate(bearerToken: String) async throws(GatewayError) -> Principal? {
        guard let parsed = APIKeyTokens.parse(bearerToken) else {
            return configured.authenticateConfigured(bearerToken: bearerToken)
        }
        let key: ManagedKey?
        do {
            key = try await store.key(id: parsed.keyID)
        } catch {
            throw GatewayError(status: 503, code: .providerUnavailable, message: "The key store is unavailable; try again.", retryAfterSeconds: 1)
        }
        guard let key else {
            _ = APIKeyTokens.matches(secret: parsed.secret, Self.decoy)
            return nil
        }
        let at = now()
        let current = APIKeyTokens.matches(secret: parsed.secret, key.secret)
        let previous = key.previousSecret.map { APIKeyTokens.matches(secret: parsed.secret, $0) } ?? false
        guard key.status(at: at) == .active else { return nil }
        if current { return key.principal }
        if previous, let until = key.previousSecretValidUntil, at < until { return key.principal }
        return nil
    }
}
