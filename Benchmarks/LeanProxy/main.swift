// The bare proxy with Gatehouse's pooled upstream client (`UpstreamConnectionPool`) in place of
// AsyncHTTPClient: the same Hummingbird server and route, so the two side by side show what the
// upstream client costs per request. Not part of `load.sh`; BENCHMARKS.md has the figures.
//
//   lean-proxy PORT UPSTREAM_BASE_URL      e.g. lean-proxy 8091 http://127.0.0.1:8080
//   LEAN_NIO_EXECUTOR=1 lean-proxy ...     runs Swift tasks on the event loops, as `gatehouse serve` does
import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1
@_spi(Benchmark) import Providers

#if canImport(Glibc)
import Glibc
#endif

let arguments = CommandLine.arguments
guard arguments.count == 3, let port = Int(arguments[1]) else {
    print("usage: lean-proxy PORT UPSTREAM_BASE_URL")
    exit(2)
}
import NIOPosix
if ProcessInfo.processInfo.environment["LEAN_NIO_EXECUTOR"] == "1" { _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor() }
let upstream = arguments[2] + "/v1/chat/completions"
let pool = UpstreamConnectionPool()

let router = Router()
router.post("/v1/chat/completions") { request, _ -> Response in
    let body = try await request.body.collect(upTo: 1 << 20)
    let answer = try await pool.benchmarkPost(url: upstream, body: body)
    return Response(
        status: .init(code: answer.status),
        headers: [.contentType: answer.contentType ?? "application/json"],
        body: .init(byteBuffer: answer.body))
}
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
try await app.runService()
