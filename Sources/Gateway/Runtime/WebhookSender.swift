import AsyncHTTPClient
import Core
import NIOCore

/// POSTs a JSON body to a webhook, retried with exponential backoff until a 2xx answer. One
/// implementation for budget alerts, review SLA alerts and review callbacks.
enum WebhookSender {
    /// Returns whether the receiver accepted it and how many attempts it took.
    static func post(
        _ body: JSONValue, to url: String, client: HTTPClient, attempts: Int = 5, baseDelay: Duration = .milliseconds(200)
    ) async -> (delivered: Bool, attempts: Int) {
        var delay = baseDelay
        for attempt in 1...max(1, attempts) {
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: Array(body.compactJSONData())))
            if let response = try? await client.execute(request, timeout: .seconds(5)), (200..<300).contains(response.status.code) {
                return (true, attempt)
            }
            if attempt < attempts {
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(30))
            }
        }
        return (false, attempts)
    }
}
