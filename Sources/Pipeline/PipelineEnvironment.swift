import Core
import Guards

/// The ports and the configuration snapshot one invocation runs against.
///
/// The configuration is a value: a reload builds a new environment, requests already running keep theirs.
public struct PipelineEnvironment: Sendable {
    public var configuration: GatewayConfiguration
    public var authenticator: any CallerAuthenticator
    public var router: any ModelRouter
    public var ledger: any LedgerStore
    public var digester: any PayloadDigester
    public var guards: GuardSet
    public var governance: GovernanceSet
    /// Where escalated invocations wait for a human; `nil`: no review queue (tools, tests).
    public var reviews: (any ReviewStore)? = nil

    public init(
        configuration: GatewayConfiguration, authenticator: any CallerAuthenticator, router: any ModelRouter,
        ledger: any LedgerStore, digester: any PayloadDigester, guards: GuardSet = GuardSet(), governance: GovernanceSet = GovernanceSet()
    ) {
        self.guards = guards
        self.governance = governance
        self.configuration = configuration
        self.authenticator = authenticator
        self.router = router
        self.ledger = ledger
        self.digester = digester
    }
}

/// The detectors the guard stages use.
public struct GuardSet: Sendable {
    public var pii: PIIDetector
    public var injection: InjectionDetector

    public init(pii: PIIDetector = PIIDetector(), injection: InjectionDetector = InjectionDetector()) {
        self.pii = pii
        self.injection = injection
    }
}

/// One step of the request flow. A stage reads and writes the invocation context and throws a
/// `GatewayError` to stop the flow; the pipeline records whatever happened.
public protocol InvocationStage: Sendable {
    var name: String { get }
    func run(_ context: inout InvocationContext, _ environment: PipelineEnvironment) async throws(GatewayError)
}
