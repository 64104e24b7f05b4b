import Hummingbird

/// The one request context of the gateway. Body size is enforced by the routes themselves (they
/// read the configured limit), so the framework's own decoding limit is only a backstop.
public struct GatewayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage

    public init(source: Source) {
        self.coreContext = .init(source: source)
    }
}
