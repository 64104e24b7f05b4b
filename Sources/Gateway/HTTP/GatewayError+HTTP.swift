import Core
import Foundation
import Hummingbird

/// A `GatewayError` as an HTTP response: the right status and OpenAI's error body.
struct HTTPGatewayError: HTTPResponseError {
    var error: GatewayError

    init(_ error: GatewayError) { self.error = error }

    var status: HTTPResponse.Status { HTTPResponse.Status(code: error.status) }

    var headers: HTTPFields {
        var fields: HTTPFields = [.contentType: "application/json"]
        if let retryAfter = error.retryAfterSeconds { fields[.retryAfter] = String(retryAfter) }
        return fields
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
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

    var httpResponse: Response {
        let wrapped = HTTPGatewayError(self)
        return Response(status: wrapped.status, headers: wrapped.headers, body: .init(byteBuffer: ByteBuffer(data: jsonBody.compactJSONData())))
    }
}
