import AsyncHTTPClient
import Core
import Foundation
import GatehouseTesting
import NIOCore
import NIOPosix
import NIOSSL
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Limits on headers and read time, security headers, CORS and TLS, over real connections.
@Suite(.serialized) struct HardeningEndToEndTests {
    func withGateway(serverExtra: String = "", _ body: @escaping @Sendable (TestGateway) async throws -> Void) async throws {
        let folder = try TestConfigurations.folder(serverExtra: serverExtra)
        try await TestGateway.run(configurationFolder: folder, environment: TestConfigurations.environment, body)
    }

    @Test func everyResponseCarriesSecurityHeadersAndNoInternals() async throws {
        try await withGateway { gateway in
            let responses = [
                try await gateway.send(.GET, "/healthz"),
                try await gateway.send(.GET, "/no-such-path"),
                try await gateway.send(.POST, "/v1/usecases/ticket-triage/invoke", body: "{", bearer: TestConfigurations.appKey),
                try await gateway.send(.POST, "/v1/usecases/ticket-triage/invoke", body: "{}", bearer: "wrong"),
                try await gateway.send(.DELETE, "/v1/models", bearer: TestConfigurations.appKey),
            ]
            for response in responses {
                #expect(response.header("x-content-type-options") == "nosniff", "\(response.status)")
                #expect(response.header("x-frame-options") == "DENY")
                #expect(response.header("content-security-policy")?.contains("default-src 'none'") == true)
                #expect(response.header("referrer-policy") == "no-referrer")
                #expect(response.header("cache-control") != nil)
                // No CORS unless configured.
                #expect(response.header("access-control-allow-origin") == nil)
                // No stack traces or source paths.
                #expect(!response.body.contains(".swift") && !response.body.contains("/Sources/") && !response.body.contains("Fatal"))
            }
        }
    }

    @Test func corsOnlyForConfiguredOrigins() async throws {
        try await withGateway(serverExtra: "  cors_allowed_origins: [https://helpdesk.example.com]") { gateway in
            let preflight = try await gateway.send(
                .OPTIONS, "/v1/usecases/ticket-triage/invoke",
                headers: [("Origin", "https://helpdesk.example.com"), ("Access-Control-Request-Method", "POST")], contentType: nil)
            #expect(preflight.status == 204)
            #expect(preflight.header("access-control-allow-origin") == "https://helpdesk.example.com")
            #expect(preflight.header("access-control-allow-headers")?.contains("authorization") == true)
            let allowed = try await gateway.send(.GET, "/healthz", headers: [("Origin", "https://helpdesk.example.com")])
            #expect(allowed.header("access-control-allow-origin") == "https://helpdesk.example.com")
            let other = try await gateway.send(.GET, "/healthz", headers: [("Origin", "https://evil.example.net")])
            #expect(other.header("access-control-allow-origin") == nil)
            let otherPreflight = try await gateway.send(
                .OPTIONS, "/v1/usecases/ticket-triage/invoke",
                headers: [("Origin", "https://evil.example.net"), ("Access-Control-Request-Method", "POST")], contentType: nil)
            #expect(otherPreflight.header("access-control-allow-origin") == nil && otherPreflight.status != 204)
        }
    }

    @Test func oversizedOrTooManyHeadersGet431AndTheServerKeepsServing() async throws {
        try await withGateway(serverExtra: "  max_header_bytes: 8192\n  max_header_count: 40") { gateway in
            let many = (0..<60).map { ("x-filler-\($0)", "v") }
            let tooMany = try await gateway.send(.GET, "/healthz", headers: many)
            #expect(tooMany.status == 431)
            #expect(tooMany.errorCode == "request_header_fields_too_large")
            let big = try await gateway.send(.GET, "/healthz", headers: [("x-big", String(repeating: "a", count: 10_000))])
            #expect(big.status == 431)
            // Far past the limit, the HTTP decoder itself refuses the request instead of buffering it:
            // the connection is dropped or answered with a 4xx, never served.
            let huge = try? await gateway.send(.GET, "/healthz", headers: [("x-huge", String(repeating: "a", count: 40_000))])
            #expect(huge == nil || (400..<500).contains(huge!.status), "\(huge?.status ?? 0)")
            #expect(try await gateway.send(.GET, "/healthz").status == 200)
        }
    }

    /// A client that sends its request head one byte every 100 ms never finishes it; the server must
    /// drop it after the read timeout even though bytes keep arriving.
    @Test func slowClientIsDisconnectedAfterTheReadTimeout() async throws {
        try await withGateway(serverExtra: "  request_read_timeout_ms: 600") { gateway in
            let port = Int(gateway.baseURL.split(separator: ":").last!)!
            let started = ContinuousClock.now
            let closedAfter = try await Task.detached { () throws -> Duration? in
                let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                defer { close(descriptor) }
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_port = in_port_t(UInt16(port).bigEndian)
                address.sin_addr.s_addr = inet_addr("127.0.0.1")
                let connected = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
                guard connected == 0 else { return nil }
                var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
                setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                let request = Array("GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ".utf8) + Array(repeating: UInt8(ascii: "a"), count: 200)
                for byte in request {
                    var one = byte
                    if send(descriptor, &one, 1, Int32(MSG_NOSIGNAL)) < 0 { return ContinuousClock.now - started }
                    var buffer = [UInt8](repeating: 0, count: 64)
                    let received = recv(descriptor, &buffer, 64, 0)
                    if received == 0 { return ContinuousClock.now - started }  // closed by the server
                }
                return nil
            }.value
            let elapsed = try #require(closedAfter, "the server kept a dribbling connection open for 20 s")
            #expect(elapsed >= .milliseconds(500) && elapsed < .milliseconds(3000), "\(elapsed)")
            #expect(try await gateway.send(.GET, "/healthz").status == 200)
        }
    }

    /// A kept-alive connection that sends a request every 200 ms stays open across several read and
    /// idle timeouts (each request moves the deadline); once it falls silent it is closed after the
    /// idle timeout.
    @Test func keptAliveConnectionLivesWhileUsedAndClosesWhenIdle() async throws {
        try await withGateway(serverExtra: "  request_read_timeout_ms: 400\n  idle_timeout_ms: 500") { gateway in
            let port = Int(gateway.baseURL.split(separator: ":").last!)!
            let outcome = try await Task.detached { () throws -> (answered: Int, closedAfterIdle: Duration?) in
                let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                defer { close(descriptor) }
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_port = in_port_t(UInt16(port).bigEndian)
                address.sin_addr.s_addr = inet_addr("127.0.0.1")
                let connected = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
                guard connected == 0 else { return (0, nil) }
                // Generous: a loaded CI machine can take well over 100 ms to answer; a close still returns at once.
                var timeout = timeval(tv_sec: 1, tv_usec: 0)
                setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                var answered = 0
                let request = Array("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8)
                for _ in 0..<10 {  // 2 s of traffic: five idle timeouts long
                    guard send(descriptor, request, request.count, Int32(MSG_NOSIGNAL)) == request.count else { return (answered, nil) }
                    var buffer = [UInt8](repeating: 0, count: 4096)
                    let received = recv(descriptor, &buffer, buffer.count, 0)
                    guard received > 0, String(decoding: buffer[..<received], as: UTF8.self).hasPrefix("HTTP/1.1 200") else { return (answered, nil) }
                    answered += 1
                    usleep(200_000)
                }
                let silent = ContinuousClock.now
                while ContinuousClock.now - silent < .seconds(5) {
                    var buffer = [UInt8](repeating: 0, count: 64)
                    if recv(descriptor, &buffer, 64, 0) == 0 { return (answered, ContinuousClock.now - silent) }
                }
                return (answered, nil)
            }.value
            #expect(outcome.answered == 10, "the connection was closed while in use")
            let closed = try #require(outcome.closedAfterIdle, "an idle connection stayed open for 5 s")
            #expect(closed >= .milliseconds(250) && closed < .milliseconds(2000), "\(closed)")
        }
    }

    @Test func servesHTTPSFromCertificateFiles() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        openssl.arguments = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", directory.appendingPathComponent("key.pem").path,
            "-out", directory.appendingPathComponent("cert.pem").path, "-days", "1", "-subj", "/CN=localhost",
        ]
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        try #require(openssl.terminationStatus == 0, "openssl is needed to make a test certificate")
        let extra = "  tls: {certificate_file: \(directory.path)/cert.pem, key_file: \(directory.path)/key.pem}"
        try await withGateway(serverExtra: extra) { gateway in
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.certificateVerification = .none
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
            let https = gateway.baseURL.replacingOccurrences(of: "http://", with: "https://")
            do {
                let response = try await TestHTTP.send(.GET, https + "/healthz", client: client)
                #expect(response.status == 200)
                // Plain HTTP to the TLS port gets no HTTP answer.
                await #expect(throws: (any Error).self) {
                    _ = try await TestHTTP.send(.GET, gateway.baseURL + "/healthz", timeout: .seconds(3))
                }
            } catch {
                try? await client.shutdown()
                throw error
            }
            try await client.shutdown()
        }
    }
}
