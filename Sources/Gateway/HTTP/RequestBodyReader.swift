import Core
import Hummingbird

/// Reads a JSON request body within the configured size limit.
enum RequestBodyReader {
    /// Throws 415 for a non-JSON content type and 413 past `limit` (checked on Content-Length first,
    /// then while reading, so a lying or absent length cannot make the server buffer more).
    static func readJSONBody(_ request: Request, limit: Int) async throws(GatewayError) -> [UInt8] {
        if let contentType = request.headers[.contentType] {
            let mediaType = Self.mediaType(contentType)
            if mediaType != "application/json" {
                throw GatewayError(
                    status: 415, code: .unsupportedMediaType,
                    message: "Content-Type must be application/json, not '\(mediaType.prefix(80))'.")
            }
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw tooLarge(limit)
        }
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch {
            throw tooLarge(limit)
        }
    }

    /// The media type of a Content-Type value: before any parameter, without surrounding blanks, in
    /// lower case (`Application/JSON ; charset=utf-8` -> `application/json`). On bytes: the Foundation
    /// version (split, trim, lowercase) cost about a microsecond a request.
    static func mediaType(_ contentType: String) -> String {
        var contentType = contentType
        return contentType.withUTF8 { bytes in
            func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
            var end = bytes.firstIndex(of: UInt8(ascii: ";")) ?? bytes.count
            var start = 0
            while start < end, isBlank(bytes[start]) { start += 1 }
            while end > start, isBlank(bytes[end - 1]) { end -= 1 }
            let lowered = bytes[start..<end].map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 | 0x20 : $0 }
            return String(decoding: lowered, as: UTF8.self)
        }
    }

    static func tooLarge(_ limit: Int) -> GatewayError {
        GatewayError(status: 413, code: .bodyTooLarge, message: "Request body is larger than the limit of \(limit) bytes.")
    }

    static func bearerToken(_ request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        // On UTF-8 bytes: Foundation's `trimmingCharacters(in:)` cost more than the rest of authentication.
        let bytes = Array(header.utf8)
        guard bytes.count > 7, bytes[6] == UInt8(ascii: " "),
            zip(bytes[0..<6], "bearer".utf8).allSatisfy({ $0 | 0x20 == $1 })
        else { return nil }
        func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        var start = 7
        var end = bytes.count
        while start < end, isBlank(bytes[start]) { start += 1 }
        while end > start, isBlank(bytes[end - 1]) { end -= 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}
