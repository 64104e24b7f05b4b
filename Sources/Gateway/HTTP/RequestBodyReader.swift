import Core
import Hummingbird

/// Reads a JSON request body within the configured size limit.
enum RequestBodyReader {
    /// Throws 415 for a non-JSON content type and 413 past `limit` (checked on Content-Length first,
    /// then while reading, so a lying or absent length cannot make the server buffer more).
    static func readJSONBody(_ request: Request, limit: Int) async throws(GatewayError) -> [UInt8] {
        if let contentType = request.headers[.contentType] {
            let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
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
