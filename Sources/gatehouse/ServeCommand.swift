import ArgumentParser
import Contract
import Core
import Foundation
import Gateway
import Logging

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve a configuration (or the bundled demo) over HTTP.")

    @Option(name: .long, help: "Configuration folder or gatehouse.yaml file.")
    var config: String = "."

    @Option(name: .long, help: "Listen address HOST:PORT, overriding the configuration.")
    var listen: String?

    @Flag(name: .long, help: "Serve the bundled demo (examples/): support-ticket triage on the local engine, no keys, no network.")
    var demo = false

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String?

    func run() async throws {
        var environment = ProcessInfo.processInfo.environment
        var configPath = config
        var demoKey: String?
        if demo {
            configPath = try DemoLocator.examplesDirectory()
            if (environment["GATEHOUSE_DEMO_KEY"] ?? "").isEmpty {
                let key = DemoLocator.newDemoKey()
                environment["GATEHOUSE_DEMO_KEY"] = key
            }
            demoKey = environment["GATEHOUSE_DEMO_KEY"]
        }
        let loaded: GatewayConfiguration
        do {
            loaded = try ConfigurationLoader.load(path: configPath, environment: environment)
        } catch {
            printError(error.description)
            printError("gatehouse: the configuration has \(error.diagnostics.count) error(s); not starting.")
            throw ExitCode(1)
        }
        var settings = loaded
        if let listen {
            guard let (host, port) = ListenAddress.parse(listen) else {
                printError("gatehouse: --listen must be HOST:PORT, e.g. 127.0.0.1:8080")
                throw ExitCode(2)
            }
            settings.server.host = host
            settings.server.port = port
        }
        let logger = LogSetup.bootstrap(level: logLevel ?? settings.server.logLevel)
        let runtime: GatewayRuntime
        do {
            runtime = try await GatewayRuntime.start(
                configuration: settings, processEnvironment: environment, configurationPath: configPath, logger: logger)
        } catch let refusal as PromotionGate.Refusal {
            printError("gatehouse: \(refusal); not starting.")
            throw ExitCode(1)
        }
        let server = GatewayServer(runtime: runtime)
        let useCase = settings.useCases.first?.id ?? "ticket-triage"
        let host = settings.server.host
        let useCaseCount = settings.useCases.count
        let printedKey = demoKey
        do {
            try await server.runUntilSignalled { port in
                let base = "http://\(host.contains(":") ? "[\(host)]" : host):\(port)"
                var banner = "Gatehouse is serving \(useCaseCount) use case(s) on \(base)\n"
                if let demoKey = printedKey {
                    banner += """
                        Demo API key: \(demoKey)
                        Try it:
                        curl -s \(base)/v1/usecases/\(useCase)/invoke \\
                          -H 'Authorization: Bearer \(demoKey)' -H 'Content-Type: application/json' \\
                          -d '{"input": {"subject": "Charged twice for order #NL-48213", "body": "Hello, my card was debited two times for the same order yesterday. Please refund one of the payments."}}'

                        """
                }
                FileHandle.standardOutput.write(Data((banner + "\n").utf8))
            }
        } catch {
            try? await runtime.shutdown()
            throw error
        }
        try await runtime.shutdown()
    }
}

enum DemoLocator {
    /// The bundled demo: `examples/` in the working directory or above the executable (a checkout).
    static func examplesDirectory() throws -> String {
        let fileManager = FileManager.default
        var candidates = [fileManager.currentDirectoryPath + "/examples"]
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(directory.appendingPathComponent("examples").path)
            directory = directory.deletingLastPathComponent()
        }
        for candidate in candidates where fileManager.fileExists(atPath: candidate + "/gatehouse.yaml") {
            return candidate
        }
        printError("gatehouse: the demo needs the examples/ folder of a Gatehouse checkout; run from the repository root.")
        throw ExitCode(2)
    }

    static func newDemoKey() -> String {
        var generator = SystemRandomNumberGenerator()
        let parts = (0..<2).map { _ in String(generator.next() as UInt64, radix: 16) }
        return "gh_demo_" + parts.joined()
    }
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
