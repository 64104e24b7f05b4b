import ArgumentParser
import Contract
import Core
import Foundation
import Gateway
import Store

/// `--config` / `--demo`, shared by the commands that read a configuration.
struct ConfigurationOptions: ParsableArguments {
    @Option(name: .long, help: "Configuration folder or gatehouse.yaml file.")
    var config: String = "."

    @Flag(name: .long, help: "Use the bundled demo configuration (examples/).")
    var demo = false

    /// Loads and validates the configuration; prints every error and exits 2 on an invalid one.
    func loadConfiguration() throws -> GatewayConfiguration {
        let path = demo ? try DemoLocator.examplesDirectory() : config
        do {
            return try ConfigurationLoader.load(path: path)
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
    }
}

/// The configuration and its store, for the commands that read or change the store.
struct StoreOptions: ParsableArguments {
    @OptionGroup var source: ConfigurationOptions

    func load() throws -> (GatewayConfiguration, SQLiteStore) {
        let configuration = try source.loadConfiguration()
        do {
            let store = try GatewayRuntime.openStore(
                dataDirectory: configuration.server.dataDirectory, environment: ProcessInfo.processInfo.environment)
            return (configuration, store)
        } catch {
            printError("gatehouse: cannot open the store in \(configuration.server.dataDirectory): \(error)")
            throw ExitCode(2)
        }
    }
}

/// Runs an operation that reports a `GatewayError`, printing its message and exiting 1 on failure.
func runOperation<T>(_ body: () async throws(GatewayError) -> T) async throws -> T {
    do {
        return try await body()
    } catch {
        printError("gatehouse: \(error.message)")
        throw ExitCode(1)
    }
}

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Create, list, rotate and revoke managed API keys.",
        subcommands: [Create.self, List.self, Rotate.self, Revoke.self, Bootstrap.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a key and print its secret once.",
            discussion: "Example: gatehouse keys create --role app --use-case ticket-triage --team support --clearance internal --expires 90d --name helpdesk-prod")

        @OptionGroup var store: StoreOptions
        @Option(help: "A unique name, e.g. helpdesk-prod.") var name: String
        @Option(help: "app | reviewer | viewer | evaluator | admin.") var role: String
        @Option(name: .customLong("use-case"), help: "A use case in scope (repeatable; '*' for all). Required except for admin.")
        var useCases: [String] = []
        @Option(name: .customLong("provider"), help: "A provider this key may call directly through passthrough (repeatable; '*' for all).")
        var providers: [String] = []
        @Option(help: "The owning team (reports and budgets group by it).") var team: String?
        @Option(help: "public | internal | confidential | restricted: the most sensitive data the key may send.")
        var clearance: String = "internal"
        @Option(help: "Lifetime: 90d, 12h, 30m, or never.") var expires: String = "90d"

        func run() async throws {
            let (configuration, sqlite) = try store.load()
            guard let role = Role(rawValue: role) else {
                printError("gatehouse: --role must be one of app, reviewer, viewer, evaluator, admin")
                throw ExitCode(2)
            }
            guard let clearance = DataClass(rawValue: clearance) else {
                printError("gatehouse: --clearance must be one of public, internal, confidential, restricted")
                throw ExitCode(2)
            }
            guard let lifetime = DurationText.parse(expires) else {
                printError("gatehouse: --expires must be a duration such as 90d, 12h, 30m, or never")
                throw ExitCode(2)
            }
            let request = KeyService.CreateRequest(
                name: name, role: role, useCases: useCases.contains("*") ? nil : useCases,
                providers: providers.contains("*") ? nil : providers, team: team, clearance: clearance, expiresIn: lifetime)
            let service = KeyService(store: sqlite, configuration: configuration)
            let issued = try await runOperation { () async throws(GatewayError) in
                try await service.create(request, actor: .commandLine())
            }
            printIssued(issued, verb: "Created")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (never their secrets).")
        @OptionGroup var store: StoreOptions
        @Flag(help: "Print JSON instead of a table.") var json = false

        func run() async throws {
            let (configuration, sqlite) = try store.load()
            let keys = try await runOperation { () async throws(GatewayError) in
                try await KeyService(store: sqlite, configuration: configuration).list()
            }
            if json {
                print(JSONValue.array(keys.map { .object($0.summary) }).compactJSONString())
                return
            }
            print(["ID", "NAME", "ROLE", "STATUS", "TEAM", "CLEARANCE", "USE CASES", "EXPIRES"].map(pad).joined())
            for key in keys {
                let scope = key.useCases?.joined(separator: ",") ?? "*"
                let expiry = key.expiresAt.map { $0.formatted(.iso8601.year().month().day()) } ?? "never"
                print([key.id, key.name, key.role.rawValue, key.status(at: Date()).rawValue, key.team ?? "-", key.clearance.rawValue, scope, expiry].map(pad).joined())
            }
        }

        func pad(_ text: String) -> String { text.count >= 22 ? text + " " : text + String(repeating: " ", count: 22 - text.count) }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give a key a new secret; the old one works until the grace period ends.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Key id (key_...).") var id: String
        @Option(help: "How long the old secret keeps working: 0s, 1h, 7d.") var grace: String = "24h"

        func run() async throws {
            let (configuration, sqlite) = try store.load()
            guard let parsed = DurationText.parse(grace), let seconds = parsed else {
                printError("gatehouse: --grace must be a duration such as 0s, 1h or 7d")
                throw ExitCode(2)
            }
            let issued = try await runOperation { () async throws(GatewayError) in
                try await KeyService(store: sqlite, configuration: configuration).rotate(id: id, grace: seconds, actor: .commandLine())
            }
            printIssued(issued, verb: "Rotated")
            if let until = issued.key.previousSecretValidUntil {
                print("The previous secret works until \(until.formatted(.iso8601)).")
            } else {
                print("The previous secret no longer works.")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key; effective on the next request.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Key id (key_...).") var id: String

        func run() async throws {
            let (configuration, sqlite) = try store.load()
            let key = try await runOperation { () async throws(GatewayError) in
                try await KeyService(store: sqlite, configuration: configuration).revoke(id: id, actor: .commandLine())
            }
            print("Revoked \(key.id) (\(key.name)).")
        }
    }

    struct Bootstrap: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create the first admin key of a fresh store (refused once an active admin key exists).")
        @OptionGroup var store: StoreOptions
        @Option(help: "Name of the admin key.") var name: String = "bootstrap-admin"

        func run() async throws {
            let (configuration, sqlite) = try store.load()
            let issued = try await runOperation { () async throws(GatewayError) in
                try await KeyService(store: sqlite, configuration: configuration).bootstrapAdmin(name: name, actor: .commandLine())
            }
            printIssued(issued, verb: "Created admin key")
        }
    }
}

func printIssued(_ issued: KeyService.Issued, verb: String) {
    let key = issued.key
    print("\(verb) \(key.id) (\(key.name)): role \(key.role.rawValue), use cases \(key.useCases?.joined(separator: ", ") ?? "*"), clearance \(key.clearance.rawValue), expires \(key.expiresAt.map { $0.formatted(.iso8601) } ?? "never").")
    print("Secret (shown once, store it now):")
    print(issued.token)
}

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Verify and export the tamper-evident audit log.", subcommands: [Verify.self, Export.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the whole hash chain and its MACs; name the first event altered, deleted, inserted or reordered. Exit 1 if any.")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let (_, sqlite) = try store.load()
            let result: AuditVerification
            do {
                result = try await sqlite.verifyAudit()
            } catch {
                printError("gatehouse: \(error)")
                throw ExitCode(2)
            }
            if let problem = result.problem {
                print("audit log TAMPERED: \(problem)")
                print("checked \(result.eventCount) event(s)")
                throw ExitCode(1)
            }
            print("audit log intact: \(result.eventCount) event(s)\(result.headSequence.map { ", head #\($0)" } ?? "")")
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write audit events as JSON Lines (for a SIEM).")
        @OptionGroup var store: StoreOptions
        @Option(help: "Only events at or after this time: an ISO 8601 date or time, or a duration back from now such as 24h.")
        var since: String?
        @Option(help: "Only events before this ISO 8601 date or time.") var until: String?
        @Option(name: .shortAndLong, help: "Output file (default: standard output).") var output: String?

        func run() async throws {
            let (_, sqlite) = try store.load()
            let from = try since.map { try parseTime($0, option: "--since") }
            let to = try until.map { try parseTime($0, option: "--until") }
            let events = try await sqlite.auditEvents(since: from, until: to)
            let text = events.map { $0.exportJSON.compactJSONString() + "\n" }.joined()
            if let output {
                try Data(text.utf8).write(to: URL(fileURLWithPath: output))
                printError("wrote \(events.count) event(s) to \(output)")
            } else {
                FileHandle.standardOutput.write(Data(text.utf8))
            }
        }
    }
}

func parseTime(_ text: String, option: String) throws -> Date {
    if let parsed = DurationText.parse(text), let seconds = parsed { return Date().addingTimeInterval(-seconds) }
    if let date = try? Date(text, strategy: .iso8601) { return date }
    if let day = try? Date(text, strategy: .iso8601.year().month().day()) { return day }
    printError("gatehouse: \(option) must be an ISO 8601 date (2026-11-01), date-time (2026-11-01T09:00:00Z) or a duration (24h)")
    throw ExitCode(2)
}

struct EraseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "erase",
        abstract: "Delete every stored payload linked to a data subject (right to erasure); the erasure is audited without the data.")
    @OptionGroup var store: StoreOptions
    @Option(help: "The data-subject reference callers sent as context.data_subject (or the x-gatehouse-data-subject header).")
    var subject: String

    func run() async throws {
        let (configuration, sqlite) = try store.load()
        guard !subject.isEmpty else {
            printError("gatehouse: --subject must not be empty")
            throw ExitCode(2)
        }
        let digester = try HMACPayloadDigester.load(
            dataDirectory: configuration.server.dataDirectory, environment: ProcessInfo.processInfo.environment)
        let digest = digester.subjectDigest(subject)
        let actor = AuditActor.commandLine()
        let rows = try await sqlite.erasePayloads(
            subjectDigest: digest, audit: AuditEventDraft(actor: actor.id, action: "erasure", target: digest))
        print("Erased the payloads of \(rows) invocation(s) linked to the subject; the erasure is in the audit log.")
    }
}
