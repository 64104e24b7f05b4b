import Core
import Foundation
import HTTPTypes
import Hummingbird

/// A `GatewayError` as an HTTP response: the right status and OpenAI's error body.
struct HTTPGatewayError: HTTPResponseError {
    var error: GatewayError
    /// The ledger row of the failed invocation, so the caller can quote it.
    var invocationID: String?
    /// Further headers (rate-limit state).
    var extraHeaders: HTTPFields

    init(_ error: GatewayError, invocationID: String? = nil, extraHeaders: HTTPFields = [:]) {
        self.error = error
        self.invocationID = invocationID
        self.extraHeaders = extraHeaders
    }

    var status: HTTPResponse.Status { HTTPResponse.Status(code: error.status) }

    var headers: HTTPFields {
        var fields: HTTPFields = [.contentType: "application/json"]
        if let retryAfter = error.retryAfterSeconds { fields[.retryAfter] = String(retryAfter) }
        if let invocationID { fields[HTTPField.Name("x-gatehouse-invocation-id")!] = invocationID }
        for field in extraHeaders where fields[field.name] == nil { fields.append(field) }
        return fields
    }

    func response(from request: Request, context: some RequestContext) throws -> Response { response }

    var response: Response {
        Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(data: error.jsonBody.compactJSONData())))
    }
}

extension GatewayError {
    /// OpenAI's error shape: `{"error": {"message", "type", "param", "code"}}`.
    public var jsonBody: JSONValue {
        [
            "error": [
                "message": .string(message), "type": .string(type), "param": param.map(JSONValue.string) ?? .null,
                "code": .string(code.rawValue),
            ]
        ]
    }

    var httpResponse: Response { HTTPGatewayError(self).response }
}
