import Core
import Crypto
import Foundation
import Yams

/// Loads and validates a configuration folder into a `GatewayConfiguration`, reporting every error
/// with file, line and field path.
public enum ConfigurationLoader {
    /// `path` is a folder holding `gatehouse.yaml` or the file itself; use cases live in `usecases/<id>/usecase.yaml`.
    public static func load(
        path: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigurationErrors) -> GatewayConfiguration {
        var isDirectory: ObjCBool = false
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory) else {
            throw ConfigurationErrors(diagnostics: [ConfigDiagnostic(file: path, line: 1, path: "", message: "no such file or folder")])
        }
        let directory = isDirectory.boolValue ? absolute : (absolute as NSString).deletingLastPathComponent
        let mainFile = isDirectory.boolValue ? (absolute as NSString).appendingPathComponent("gatehouse.yaml") : absolute
        let sink = DiagnosticSink()
        var loader = Loader(directory: directory, sink: sink)
        let configuration = loader.load(mainFile: mainFile)
        if !sink.diagnostics.isEmpty || configuration == nil {
            throw ConfigurationErrors(diagnostics: sink.diagnostics)
        }
        return configuration!
    }
}

struct Loader {
    let directory: String
    let sink: DiagnosticSink

    init(directory: String, sink: DiagnosticSink) {
        self.directory = directory
        self.sink = sink
    }

    func relative(_ path: String) -> String {
        path.hasPrefix(directory + "/") ? String(path.dropFirst(directory.count + 1)) : path
    }

    /// Parses a YAML file; syntax errors are reported with their line.
    func parse(_ path: String) -> YAMLReader? {
        let name = relative(path)
        guard let data = FileManager.default.contents(atPath: path) else {
            sink.add(name, 1, "", "cannot read the file")
            return nil
        }
        guard let text = String(data: data, encoding: .utf8) else {
            sink.add(name, 1, "", "the file is not valid UTF-8")
            return nil
        }
        do {
            guard let node = try Yams.compose(yaml: text) else {
                sink.add(name, 1, "", "the file is empty")
                return nil
            }
            return YAMLReader(node: node, path: "", file: name, sink: sink)
        } catch let error as YamlError {
            let (line, problem) = Self.describe(error)
            sink.add(name, line, "", "YAML syntax error: \(problem)")
            return nil
        } catch {
            sink.add(name, 1, "", "YAML syntax error")
            return nil
        }
    }

    static func describe(_ error: YamlError) -> (Int, String) {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            return (mark.line, [problem, context?.text].compactMap { $0 }.joined(separator: " "))
        case .duplicatedKeysInMapping(let duplicates, let context):
            return (context.mark.line, "duplicate key(s) \(duplicates.sorted().joined(separator: ", "))")
        default:
            return (1, "\(error)")
        }
    }

    mutating func load(mainFile: String) -> GatewayConfiguration? {
        guard let root = parse(mainFile), let fields = root.mapping(allowed: ["server", "providers", "api_keys", "guards", "budgets"]) else { return nil }
        let server = fields["server"].map(readServer) ?? ServerSettings(dataDirectory: absolutePath(".gatehouse", base: directory))
        var providers: [ProviderConfiguration] = []
        if let list = fields["providers"]?.sequence {
            for item in list {
                if let provider = readProvider(item) {
                    if providers.contains(where: { $0.name == provider.name }) {
                        item.error("duplicate provider name '\(provider.name)'")
                    } else {
                        providers.append(provider)
                    }
                }
            }
        }
        var declaredUseCaseIDs: [String] = []
        let useCases = loadUseCases(providers: providers, declaredUseCaseIDs: &declaredUseCaseIDs)
        var keys: [APIKeyConfiguration] = []
        if let list = fields["api_keys"]?.sequence {
            for item in list {
                guard let key = readKey(item, useCases: declaredUseCaseIDs, providers: providers.map(\.name)) else { continue }
                if keys.contains(where: { $0.id == key.id }) {
                    item.error("duplicate API key id '\(key.id)'")
                } else {
                    keys.append(key)
                }
            }
        }
        var configuration = GatewayConfiguration(server: server, providers: providers, apiKeys: keys, useCases: useCases, baseDirectory: directory)
        for item in fields["budgets"]?.sequence ?? [] {
            guard let entry = item.mapping(allowed: ["team", "key", "daily_usd", "monthly_usd", "on_exceed", "alert_thresholds", "time_zone"]) else { continue }
            let team = entry["team"]?.nonEmptyString
            let key = entry["key"]?.nonEmptyString
            guard (team == nil) != (key == nil) else {
                item.error("a budget names exactly one of 'team' or 'key'")
                continue
            }
            if let key, !keys.contains(where: { $0.id == key }) && !key.hasPrefix("key_") {
                entry["key"]?.fail("unknown API key '\(key)' (a configured key id, or a managed key id key_…)")
            }
            var budgetFields = entry
            budgetFields["team"] = nil
            budgetFields["key"] = nil
            guard let policy = readBudgetFields(budgetFields, in: item) else { continue }
            configuration.budgets.append(PrincipalBudget(scope: team.map { "team:\($0)" } ?? "key:\(key!)", budget: policy))
        }
        if let guards = fields["guards"], let settings = guards.mapping(allowed: ["injection_training_data", "stream_holdback"]) {
            if let reader = settings["injection_training_data"] {
                // One file or a list: the bundled examples plus a team's own.
                let entries: [YAMLReader]
                if case .sequence = reader.node { entries = reader.sequence ?? [] } else { entries = [reader] }
                for entry in entries {
                    guard let path = entry.nonEmptyString else { continue }
                    let absolute = absolutePath(path, base: directory)
                    if FileManager.default.fileExists(atPath: absolute) {
                        configuration.guards.injectionTrainingData.append(absolute)
                    } else {
                        entry.fail("file not found: \(absolute)")
                    }
                }
            }
            if let holdback = settings["stream_holdback"]?.int(min: 16) { configuration.guards.streamHoldback = holdback }
        }
        return configuration
    }

    // MARK: gatehouse.yaml

    func readServer(_ reader: YAMLReader) -> ServerSettings {
        var settings = ServerSettings(dataDirectory: absolutePath(".gatehouse", base: directory))
        guard let fields = reader.mapping(allowed: [
            "listen", "data_dir", "max_body_bytes", "request_deadline_ms", "log_level", "max_header_bytes", "max_header_count",
            "request_read_timeout_ms", "idle_timeout_ms", "cors_allowed_origins", "tls", "retention_purge_interval_s", "key_rpm", "key_tpm", "review_check_interval_s",
            "tracing",
        ]) else {
            return settings
        }
        if let listen = fields["listen"], let text = listen.string {
            if let (host, port) = ListenAddress.parse(text) {
                settings.host = host
                settings.port = port
            } else {
                listen.fail("expected HOST:PORT, e.g. 127.0.0.1:8080, got '\(text)'")
            }
        }
        if let dataDirectory = fields["data_dir"]?.nonEmptyString {
            settings.dataDirectory = absolutePath(dataDirectory, base: directory)
        }
        if let value = fields["max_body_bytes"]?.int(min: 1024) { settings.maxBodyBytes = value }
        if let value = fields["request_deadline_ms"]?.int(min: 1) { settings.requestDeadlineMilliseconds = value }
        if let value = fields["max_header_bytes"]?.int(min: 1024) { settings.maxHeaderBytes = value }
        if let value = fields["max_header_count"]?.int(min: 8) { settings.maxHeaderCount = value }
        if let value = fields["request_read_timeout_ms"]?.int(min: 100) { settings.requestReadTimeoutMilliseconds = value }
        if let value = fields["idle_timeout_ms"]?.int(min: 100) { settings.idleTimeoutMilliseconds = value }
        if let value = fields["retention_purge_interval_s"]?.int(min: 1) { settings.retentionPurgeIntervalSeconds = value }
        if let value = fields["key_rpm"]?.int(min: 1) { settings.keyRequestsPerMinute = value }
        if let value = fields["review_check_interval_s"]?.int(min: 1) { settings.reviewCheckIntervalSeconds = value }
        if let value = fields["key_tpm"]?.int(min: 1) { settings.keyTokensPerMinute = value }
        if let origins = fields["cors_allowed_origins"], let list = origins.stringList {
            for (index, origin) in list.enumerated() where origin != "*" && !(origin.hasPrefix("https://") || origin.hasPrefix("http://")) {
                sink.add(origins.file, origins.reportLine, "\(origins.path)[\(index)]", "expected an origin such as https://app.example.com, got '\(origin)'")
            }
            settings.corsAllowedOrigins = list
        }
        if let tls = fields["tls"], let tlsFields = tls.mapping(allowed: ["certificate_file", "key_file"]) {
            let certificate = required(tlsFields, "certificate_file", in: tls)?.nonEmptyString
            let key = required(tlsFields, "key_file", in: tls)?.nonEmptyString
            if let certificate, let key {
                let settingsTLS = TLSSettings(certificateFile: absolutePath(certificate, base: directory), keyFile: absolutePath(key, base: directory))
                for (field, path) in [("certificate_file", settingsTLS.certificateFile), ("key_file", settingsTLS.keyFile)]
                where !FileManager.default.fileExists(atPath: path) {
                    tlsFields[field]?.fail("file not found: \(path)")
                }
                settings.tls = settingsTLS
            }
        }
        if let tracing = fields["tracing"], let tracingFields = tracing.mapping(allowed: ["otlp_endpoint", "sample_ratio", "service_name", "max_queued_spans"]) {
            if let endpoint = required(tracingFields, "otlp_endpoint", in: tracing)?.nonEmptyString {
                if endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://") {
                    var settingsTracing = TracingSettings(otlpEndpoint: endpoint)
                    if let ratio = tracingFields["sample_ratio"]?.double(min: 0, max: 1) { settingsTracing.sampleRatio = ratio }
                    if let name = tracingFields["service_name"]?.nonEmptyString { settingsTracing.serviceName = name }
                    if let queued = tracingFields["max_queued_spans"]?.int(min: 1) { settingsTracing.maxQueuedSpans = queued }
                    settings.tracing = settingsTracing
                } else {
                    tracingFields["otlp_endpoint"]?.fail("expected an http:// or https:// URL such as http://127.0.0.1:4318, got '\(endpoint)'")
                }
            }
        }
        if let level = fields["log_level"], let text = level.string {
            let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
            if levels.contains(text) {
                settings.logLevel = text
            } else {
                level.fail("'\(text)' is not one of \(levels.joined(separator: ", "))", suggestion: suggestion(for: text, among: levels))
            }
        }
        return settings
    }

    func readSecretReference(_ reader: YAMLReader) -> SecretReference? {
        guard let text = reader.string else { return nil }
        if text.hasPrefix("env:"), text.count > 4 {
            let name = String(text.dropFirst(4))
            if name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) { return .environment(name) }
            reader.fail("'env:' must be followed by an environment variable name")
            return nil
        }
        if text.hasPrefix("file:"), text.count > 5 {
            return .file(absolutePath(String(text.dropFirst(5)), base: directory))
        }
        // Never echo the value: it may be a pasted secret.
        reader.fail("credentials must be a reference (env:NAME or file:PATH), never inline")
        return nil
    }

    func readProvider(_ reader: YAMLReader) -> ProviderConfiguration? {
        guard let fields = reader.mapping(allowed: [
            "name", "kind", "base_url", "credential", "region", "data_classes", "prices", "model_prices", "timeout_ms",
            "max_concurrency", "queue_size", "queue_timeout_ms", "retry", "circuit_breaker", "stream_stall_ms", "headers", "pii_action",
        ]) else { return nil }
        guard let name = required(fields, "name", in: reader)?.nonEmptyString else { return nil }
        guard let kind = required(fields, "kind", in: reader)?.oneOf(ProviderConfiguration.Kind.self) else { return nil }
        var provider = ProviderConfiguration(name: name, kind: kind)
        if let url = fields["base_url"], let text = url.string {
            if let parsed = URL(string: text), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil {
                provider.baseURL = text.hasSuffix("/") ? String(text.dropLast()) : text
            } else {
                url.fail("expected an http or https URL, got '\(text)'")
            }
        } else if kind != .local {
            reader.error("'base_url' is required for a \(kind.rawValue) provider")
        }
        if let credential = fields["credential"] { provider.credential = readSecretReference(credential) }
        if let region = fields["region"]?.string { provider.region = region }
        if let classes = fields["data_classes"]?.sequence {
            provider.dataClasses = classes.compactMap { $0.oneOf(DataClass.self) }
        } else if kind != .local {
            provider.dataClasses = [.public]
        }
        if let action = fields["pii_action"]?.oneOf(DataPolicy.PIIAction.self) { provider.piiAction = action }
        if let size = fields["queue_size"]?.int(min: 0) { provider.queueSize = size }
        if let timeout = fields["queue_timeout_ms"]?.int(min: 0) { provider.queueTimeoutMilliseconds = timeout }
        if let prices = fields["prices"] { provider.prices = readPrices(prices) ?? .free }
        if let modelPrices = fields["model_prices"], case .mapping(let mapping) = modelPrices.node {
            for (key, value) in mapping {
                let model = key.scalar?.string ?? ""
                if let prices = readPrices(YAMLReader(node: value, path: modelPrices.child(model), file: modelPrices.file, sink: sink)) {
                    provider.modelPrices[model] = prices
                }
            }
        } else if let modelPrices = fields["model_prices"] {
            modelPrices.fail("expected a mapping of model name to prices")
        }
        if let value = fields["timeout_ms"]?.int(min: 1) { provider.timeoutMilliseconds = value }
        if let value = fields["max_concurrency"]?.int(min: 1) { provider.maxConcurrency = value }
        if let value = fields["stream_stall_ms"]?.int(min: 1) { provider.streamStallMilliseconds = value }
        if let retry = fields["retry"], let retryFields = retry.mapping(allowed: ["max_attempts", "base_delay_ms", "max_delay_ms"]) {
            if let value = retryFields["max_attempts"]?.int(min: 1) { provider.retry.maxAttempts = value }
            if let value = retryFields["base_delay_ms"]?.int(min: 0) { provider.retry.baseDelayMilliseconds = value }
            if let value = retryFields["max_delay_ms"]?.int(min: 0) { provider.retry.maxDelayMilliseconds = value }
        }
        if let breaker = fields["circuit_breaker"], let breakerFields = breaker.mapping(allowed: ["failure_threshold", "open_ms"]) {
            if let value = breakerFields["failure_threshold"]?.int(min: 1) { provider.circuitBreaker.failureThreshold = value }
            if let value = breakerFields["open_ms"]?.int(min: 1) { provider.circuitBreaker.openMilliseconds = value }
        }
        if let headers = fields["headers"] {
            if case .mapping(let mapping) = headers.node {
                for (key, value) in mapping {
                    let name = key.scalar?.string ?? ""
                    if ["authorization", "x-api-key", "api-key"].contains(name.lowercased()) {
                        headers.fail("header '\(name)' carries credentials; use 'credential' with a reference instead")
                    } else if let text = value.scalar?.string {
                        provider.headers[name] = text
                    }
                }
            } else {
                headers.fail("expected a mapping of header name to value")
            }
        }
        return provider
    }

    func readPrices(_ reader: YAMLReader) -> Prices? {
        guard let fields = reader.mapping(allowed: ["input_per_million", "output_per_million", "cached_input_per_million"]) else { return nil }
        let input = fields["input_per_million"]?.double(min: 0) ?? 0
        let output = fields["output_per_million"]?.double(min: 0) ?? 0
        return Prices(inputPerMillion: input, outputPerMillion: output, cachedInputPerMillion: fields["cached_input_per_million"]?.double(min: 0))
    }

    func readKey(_ reader: YAMLReader, useCases: [String], providers: [String]) -> APIKeyConfiguration? {
        guard let fields = reader.mapping(allowed: ["id", "secret", "use_cases", "providers", "role", "team", "clearance"]) else { return nil }
        guard let id = required(fields, "id", in: reader)?.nonEmptyString,
            let secret = required(fields, "secret", in: reader).flatMap(readSecretReference)
        else { return nil }
        var key = APIKeyConfiguration(id: id, secret: secret)
        if let role = fields["role"]?.oneOf(Role.self) { key.role = role }
        if let team = fields["team"]?.nonEmptyString { key.team = team }
        if let clearance = fields["clearance"]?.oneOf(DataClass.self) { key.clearance = clearance }
        if let scope = fields["use_cases"], let ids = scope.stringList {
            for (index, value) in ids.enumerated() where !useCases.contains(value) {
                sink.add(scope.file, scope.reportLine, "\(scope.path)[\(index)]", "unknown use case '\(value)'", suggestion: suggestion(for: value, among: useCases))
            }
            key.useCases = ids
        }
        if let scope = fields["providers"], let names = scope.stringList {
            for (index, value) in names.enumerated() where !providers.contains(value) {
                sink.add(scope.file, scope.reportLine, "\(scope.path)[\(index)]", "unknown provider '\(value)'", suggestion: suggestion(for: value, among: providers))
            }
            key.providers = names
        }
        return key
    }

    // MARK: helpers

    func required(_ fields: [String: YAMLReader], _ key: String, in parent: YAMLReader) -> YAMLReader? {
        if let value = fields[key] { return value }
        sink.add(parent.file, parent.line, parent.child(key), "missing required field '\(key)'")
        return nil
    }

    func absolutePath(_ path: String, base: String) -> String {
        let joined = path.hasPrefix("/") ? path : (base as NSString).appendingPathComponent(path)
        return URL(fileURLWithPath: joined).standardizedFileURL.path
    }

    static func sha256Hex(_ data: Data) -> String {
        Hex.encode(SHA256.hash(data: data))
    }
}
