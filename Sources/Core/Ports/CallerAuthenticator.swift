/// Turns a presented bearer token into a principal. The configured-keys implementation lives in the
/// Gateway (it hashes with swift-crypto); the managed key store replaces it later.
public protocol CallerAuthenticator: Sendable {
    /// `nil` when the token matches no active key.
    func authenticate(bearerToken: String) -> Principal?
}
