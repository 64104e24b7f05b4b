// The reference point for the load benchmark: the smallest useful Hummingbird + AsyncHTTPClient proxy.
//
// It forwards `POST /v1/chat/completions` to one upstream and returns the answer, with no
// authentication, guards, ledger, metrics or logs. Issue 7 measures Gatehouse against "a minimal
// Hummingbird + AsyncHTTPClient proxy"; running this one in the same load run shows how much of
// Gatehouse's overhead is the HTTP stack itself and how much is its own work.
//
//   bare-proxy PORT UPSTREAM_BASE_URL      e.g. bare-proxy 8090 http://127.0.0.1:8080
import AsyncHTTPClient
import Hummingbird
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

let arguments = CommandLine.arguments
guard arguments.count == 3, let port = Int(arguments[1]) else {
    print("usage: bare-proxy PORT UPSTREAM_BASE_URL")
    exit(2)
}
let upstream = arguments[2] + "/v1/chat/completions"
// The same client set-up as the gateway's: the shared event loop group, a pooled HTTP/1.1 client.
let client = HTTPClient(eventLoopGroupProvider: .singleton)

let router = Router()
router.post("/v1/chat/completions") { request, _ -> Response in
    let body = try await request.body.collect(upTo: 1 << 20)
    var outbound = HTTPClientRequest(url: upstream)
    outbound.method = .POST
    outbound.headers.add(name: "content-type", value: "application/json")
    outbound.body = .bytes(body)
    let answer = try await client.execute(outbound, timeout: .seconds(30))
    let answerBody = try await answer.body.collect(upTo: 32 << 20)
    return Response(
        status: .init(code: Int(answer.status.code)),
        headers: [.contentType: answer.headers.first(name: "content-type") ?? "application/json"],
        body: .init(byteBuffer: answerBody))
}
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
try await app.runService()
try await client.shutdown().get()
