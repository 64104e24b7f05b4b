import Core
import HTTPTypes
import Hummingbird
import NIOCore
import Logging

/// Turns every error into an OpenAI-shaped JSON response. Unknown errors become a bare 500 with
/// nothing internal in the body; the detail goes to the log only.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    /// Paths served, with their methods, so an unmatched method on a known path is a 405, not a 404.
    let knownRoutes: [(pattern: [Substring], methods: [HTTPRequest.Method])]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPGatewayError {
            return error.response
        } catch let error as HTTPError {
            return translate(error, request: request).httpResponse
        } catch is NIOTooManyBytesError {
            return GatewayError(status: 413, code: .bodyTooLarge, message: "Request body too large.").httpResponse
        } catch {
            context.logger.error("unhandled error", metadata: ["error.type": "\(type(of: error))"])
            return GatewayError.internalError().httpResponse
        }
    }

    private func translate(_ error: HTTPError, request: Request) -> GatewayError {
        switch error.status.code {
        case 404:
            let allowed = allowedMethods(for: request.uri.path)
            if !allowed.isEmpty && !allowed.contains(request.method) {
                return GatewayError(
                    status: 405, code: .methodNotAllowed,
                    message: "Method \(request.method.rawValue) is not allowed here; use \(allowed.map(\.rawValue).joined(separator: ", ")).")
            }
            return GatewayError(status: 404, code: .notFound, message: "No route for \(request.method.rawValue) \(request.uri.path).")
        case 413:
            return GatewayError(status: 413, code: .bodyTooLarge, message: "Request body too large.")
        default:
            return GatewayError(status: Int(error.status.code), code: .invalidRequest, message: error.body ?? error.status.reasonPhrase)
        }
    }

    private func allowedMethods(for path: String) -> [HTTPRequest.Method] {
        let parts = path.split(separator: "/")
        return knownRoutes.filter { route in
            route.pattern.count == parts.count
                && zip(route.pattern, parts).allSatisfy { pattern, part in pattern.hasPrefix(":") || pattern == part }
        }.flatMap(\.methods)
    }
}
