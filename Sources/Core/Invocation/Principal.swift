/// Who calls: an authenticated API key, its role, and what it may reach.
public struct Principal: Sendable, Hashable {
    public var keyID: String
    public var role: Role
    /// Use cases in scope; `nil` means all.
    public var useCases: Set<String>?
    /// Providers callable through passthrough; `nil` means all.
    public var providers: Set<String>?
    /// The team the key belongs to (budgets and reports group by it).
    public var team: String?
    /// The most sensitive data class the key may send or read.
    public var clearance: DataClass

    public init(
        keyID: String, role: Role = .app, useCases: Set<String>?, providers: Set<String>?, team: String? = nil,
        clearance: DataClass = .internal
    ) {
        self.keyID = keyID
        self.role = role
        self.useCases = useCases
        self.providers = providers
        self.team = team
        self.clearance = clearance
    }

    public func mayInvoke(useCase id: String) -> Bool {
        role == .admin || (useCases?.contains(id) ?? true)
    }

    public func mayCall(provider name: String) -> Bool {
        role == .admin || (providers?.contains(name) ?? true)
    }
}
