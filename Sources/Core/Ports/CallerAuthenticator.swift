/// Turns a presented bearer token into a principal. Implementations live in the Gateway: configured
/// keys, and managed keys looked up in the store.
public protocol CallerAuthenticator: Sendable {
    /// `nil` when the token matches no active key; throws only when the check itself cannot run (store down).
    func authenticate(bearerToken: String) async throws(GatewayError) -> Principal?
}
