/// The error every request-path failure becomes: an HTTP status, an OpenAI-style type and code,
/// a message safe to show the caller, and the JSON path of the offending parameter when there is one.
///
/// Messages never contain secrets, payload values or internal details; those go nowhere.
public struct GatewayError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable machine-readable code, e.g. `invalid_input`. Open set: new codes do not break callers.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let malformedJSON = Code(rawValue: "malformed_json")
        public static let invalidInput = Code(rawValue: "invalid_input")
        public static let invalidRequest = Code(rawValue: "invalid_request")
        public static let missingAPIKey = Code(rawValue: "missing_api_key")
        public static let invalidAPIKey = Code(rawValue: "invalid_api_key")
        public static let forbidden = Code(rawValue: "forbidden")
        public static let unknownUseCase = Code(rawValue: "unknown_use_case")
        public static let unknownModel = Code(rawValue: "model_not_found")
        public static let notFound = Code(rawValue: "not_found")
        public static let methodNotAllowed = Code(rawValue: "method_not_allowed")
        public static let bodyTooLarge = Code(rawValue: "body_too_large")
        public static let unsupportedMediaType = Code(rawValue: "unsupported_media_type")
        public static let rateLimited = Code(rawValue: "rate_limit_exceeded")
        public static let budgetExceeded = Code(rawValue: "budget_exceeded")
        public static let badUpstreamResponse = Code(rawValue: "bad_upstream_response")
        public static let invalidModelOutput = Code(rawValue: "invalid_model_output")
        public static let upstreamError = Code(rawValue: "upstream_error")
        public static let providerUnavailable = Code(rawValue: "provider_unavailable")
        public static let deadlineExceeded = Code(rawValue: "deadline_exceeded")
        public static let dataPolicyViolation = Code(rawValue: "data_policy_violation")
        public static let internalError = Code(rawValue: "internal_error")
    }

    public var status: Int
    public var code: Code
    public var message: String
    /// JSON path or parameter name the error is about.
    public var param: String?
    /// Seconds after which a retry may succeed (429/503).
    public var retryAfterSeconds: Int?

    public init(status: Int, code: Code, message: String, param: String? = nil, retryAfterSeconds: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.param = param
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// OpenAI's `error.type` for this status.
    public var type: String {
        switch status {
        case 400, 404, 405, 409, 413, 415, 422, 431: return "invalid_request_error"
        case 401: return "authentication_error"
        case 403: return "permission_error"
        case 429: return "rate_limit_error"
        case 502, 503, 504: return "upstream_error"
        default: return "server_error"
        }
    }

    public var description: String { "\(status) \(code): \(message)" }

    public static func malformedJSON(_ reason: String) -> GatewayError {
        GatewayError(status: 400, code: .malformedJSON, message: reason)
    }

    public static func invalidInput(_ message: String, path: String) -> GatewayError {
        GatewayError(status: 400, code: .invalidInput, message: message, param: path)
    }

    public static func invalidRequest(_ message: String, param: String? = nil) -> GatewayError {
        GatewayError(status: 400, code: .invalidRequest, message: message, param: param)
    }

    public static let missingAPIKey = GatewayError(
        status: 401, code: .missingAPIKey,
        message: "Missing API key. Send it as 'Authorization: Bearer <key>'.")
    public static let invalidAPIKey = GatewayError(
        status: 401, code: .invalidAPIKey, message: "Invalid API key.")

    public static func forbidden(_ message: String) -> GatewayError {
        GatewayError(status: 403, code: .forbidden, message: message)
    }

    public static func unknownUseCase(_ id: String) -> GatewayError {
        GatewayError(status: 404, code: .unknownUseCase, message: "Unknown use case '\(id)'.", param: "use_case")
    }

    public static func unknownModel(_ model: String) -> GatewayError {
        GatewayError(status: 404, code: .unknownModel, message: "The model '\(model)' does not exist. Use 'usecase/<id>' or '<provider>/<model>'; GET /v1/models lists them.", param: "model")
    }

    public static func upstream(_ status: Int, _ code: Code, _ message: String) -> GatewayError {
        GatewayError(status: status, code: code, message: message)
    }

    public static func internalError() -> GatewayError {
        GatewayError(status: 500, code: .internalError, message: "Internal error. The request was recorded; see the ledger for its invocation id.")
    }
}
