/// What a key is for. Each role grants a fixed set of permissions (`Role.permissions`): the one table
/// the HTTP routes and the command-line tools consult.
public enum Role: String, Sendable, Hashable, CaseIterable, Codable {
    /// Invokes the use cases in its scope and sends feedback on its own invocations.
    case app
    /// Works the review queue of its use cases (needs payloads to judge them).
    case reviewer
    /// Reads metrics, ledger summaries and reports; never payloads.
    case viewer
    /// Runs evaluations against a live gateway: invokes its use cases, pinning the variant to measure.
    case evaluator
    /// Everything: keys, configuration reload, rollouts, audit, erasure.
    case admin

    public var permissions: Set<Permission> {
        switch self {
        case .app: [.invoke, .callModel, .listModels, .sendFeedback, .readOwnInvocations]
        case .reviewer: [.review, .readInvocations, .readPayloads]
        case .viewer: [.readInvocations, .readSummaries, .readMetrics]
        case .evaluator: [.invoke, .pinVariant, .listModels, .readOwnInvocations]
        case .admin: Set(Permission.allCases)
        }
    }
}

/// One thing a request may do. Scope (which use cases, which providers) is checked separately.
public enum Permission: String, Sendable, Hashable, CaseIterable {
    case invoke
    /// Names the variant that answers (`"variant"` in the invoke body) instead of the rollout's choice.
    case pinVariant
    /// Passthrough chat completions to `<provider>/<model>`.
    case callModel
    case listModels
    case sendFeedback
    case review
    /// The invocations this key made itself (status, decision; no payloads).
    case readOwnInvocations
    /// Any invocation of a use case in scope.
    case readInvocations
    case readPayloads
    case readSummaries
    case readMetrics
    case manageKeys
    case reloadConfiguration
    case manageRollouts
    case readAudit
    case erase
}

extension Principal {
    public func has(_ permission: Permission) -> Bool {
        role.permissions.contains(permission)
    }

    /// Throws 403 unless the role grants `permission` and, when a use case is named, it is in scope.
    ///
    /// The message names neither the use case nor whether it exists, so a key cannot map what lies outside its scope.
    public func authorize(_ permission: Permission, useCase: String? = nil) throws(GatewayError) {
        guard has(permission) else {
            throw GatewayError.forbidden("This API key's role (\(role.rawValue)) does not allow this operation.")
        }
        if let useCase, !mayInvoke(useCase: useCase) {
            throw GatewayError.forbidden("This API key is not scoped for this resource.")
        }
    }

    /// Throws 403 unless the key's clearance covers data of `dataClass`.
    public func authorize(dataClass: DataClass) throws(GatewayError) {
        guard dataClass <= clearance else {
            throw GatewayError.forbidden("This API key's clearance (\(clearance.rawValue)) is below the data class of this resource.")
        }
    }
}
