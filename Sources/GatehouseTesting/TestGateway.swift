import AsyncHTTPClient
import Contract
import Core
import Foundation
import Gateway
import Logging
import NIOCore
import NIOHTTP1

/// Starts a real gateway on an ephemeral loopback port for end-to-end tests, from configuration files
/// written into a fresh temporary folder.
public struct TestGateway: Sendable {
    public let baseURL: String
    public let runtime: GatewayRuntime
    public let directory: String
    public let httpClient: HTTPClient

    /// The repository's `examples/` folder (the demo), found from this source file.
    public static var examplesDirectory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples").path
    }

    /// Makes a configuration folder: `gatehouse.yaml` from `configYAML`, the demo's use cases copied in,
    /// plus `extraFiles` (relative path -> content).
    public static func makeConfigurationFolder(configYAML: String, copyDemoUseCases: Bool = true, extraFiles: [String: String] = [:]) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if copyDemoUseCases {
            try FileManager.default.copyItem(atPath: examplesDirectory + "/usecases", toPath: directory + "/usecases")
            // Share one trained-model cache between tests so the classifier trains once per run.
            try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
            let shared = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-test-model-cache").path
            try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: directory + "/data/models", withDestinationPath: shared)
        }
        try configYAML.write(toFile: directory + "/gatehouse.yaml", atomically: true, encoding: .utf8)
        for (path, content) in extraFiles {
            let full = directory + "/" + path
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try content.write(toFile: full, atomically: true, encoding: .utf8)
        }
        return directory
    }

    /// Loads the folder, starts the server, runs `body`, then stops everything.
    public static func run<T: Sendable>(
        configurationFolder: String, environment: [String: String] = [:],
        _ body: @Sendable (TestGateway) async throws -> T
    ) async throws -> T {
        let configuration = try ConfigurationLoader.load(path: configurationFolder, environment: environment)
        let logger = {
            var logger = Logger(label: "gatehouse-test")
            logger.logLevel = .critical
            return logger
        }()
        // One start at a time: the first trains the local model into the shared cache, the others load it,
        // instead of every parallel test training at once and starving the timing-sensitive ones of CPU.
        let runtime = try await StartGate.shared.run {
            try await GatewayRuntime.start(
                configuration: configuration, processEnvironment: environment, configurationPath: configurationFolder, logger: logger)
        }
        let server = GatewayServer(runtime: runtime, host: "127.0.0.1", port: 0)
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let result: T = try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask {
                    try await server.run { port in portContinuation.yield(port) }
                    return nil
                }
                var iterator = portStream.makeAsyncIterator()
                guard let port = await iterator.next() else { throw CancellationError() }
                let gateway = TestGateway(baseURL: "http://127.0.0.1:\(port)", runtime: runtime, directory: configurationFolder, httpClient: client)
                let value = try await body(gateway)
                group.cancelAll()
                return value
            }!
            try await client.shutdown()
            try await runtime.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            try? await runtime.shutdown()
            throw error
        }
    }

    /// Sends a request and returns status, headers and the body as text.
    public func send(
        _ method: HTTPMethod, _ path: String, body: String? = nil, bytes: [UInt8]? = nil, headers: [(String, String)] = [],
        bearer: String? = nil, contentType: String? = "application/json", timeout: TimeAmount = .seconds(30)
    ) async throws -> TestResponse {
        try await TestHTTP.send(
            method, baseURL + path, client: httpClient, body: body, bytes: bytes, headers: headers, bearer: bearer, contentType: contentType,
            timeout: timeout)
    }
}

/// Plain HTTP requests for tests, against any server (a gateway started as a separate process too).
public enum TestHTTP {
    public static func send(
        _ method: HTTPMethod, _ url: String, client: HTTPClient = .shared, body: String? = nil, bytes: [UInt8]? = nil,
        headers: [(String, String)] = [], bearer: String? = nil, contentType: String? = "application/json",
        timeout: TimeAmount = .seconds(30)
    ) async throws -> TestResponse {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let bytes {
            request.body = .bytes(ByteBuffer(bytes: bytes))
        } else if let body {
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await client.execute(request, timeout: timeout)
        let buffer = try await response.body.collect(upTo: 64 << 20)
        return TestResponse(
            status: Int(response.status.code), headers: response.headers.map { ($0.name.lowercased(), $0.value) },
            body: String(buffer: buffer))
    }
}

public struct TestResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: String

    public init(status: Int, headers: [(String, String)], body: String) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public var json: JSONValue? { try? JSONValue.parse(body) }

    public func header(_ name: String) -> String? {
        headers.first { $0.0 == name.lowercased() }?.1
    }

    /// The `error.code` of an OpenAI-shaped error body.
    public var errorCode: String? { json?["error"]?["code"]?.stringValue }
}

/// Serialises gateway start-ups across concurrently running tests.
actor StartGate {
    static let shared = StartGate()
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        while busy {
            await withCheckedContinuation { waiters.append($0) }
        }
        busy = true
        defer {
            busy = false
            if !waiters.isEmpty { waiters.removeFirst().resume() }
        }
        return try await body()
    }
}
