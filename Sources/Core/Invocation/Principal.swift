/// Who calls: an authenticated API key and what it may reach.
public struct Principal: Sendable, Hashable {
    public var keyID: String
    /// Use cases in scope; `nil` means all.
    public var useCases: Set<String>?
    /// Providers callable through passthrough; `nil` means all.
    public var providers: Set<String>?

    public init(keyID: String, useCases: Set<String>?, providers: Set<String>?) {
        self.keyID = keyID
        self.useCases = useCases
        self.providers = providers
    }

    public func mayInvoke(useCase id: String) -> Bool {
        useCases?.contains(id) ?? true
    }

    public func mayCall(provider name: String) -> Bool {
        providers?.contains(name) ?? true
    }
}
