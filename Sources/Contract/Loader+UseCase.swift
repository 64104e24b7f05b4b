import Core
import Foundation

extension Loader {
    static let useCaseKeys = [
        "id", "title", "purpose", "owners", "risk_tier", "task", "usage", "data_policy", "guards", "cache", "variants", "stable_variant",
        "fallback_variant", "escalation", "slos", "budget", "limits", "kpis", "evaluation",
    ]

    func loadUseCases(providers: [ProviderConfiguration], declaredUseCaseIDs: inout [String]) -> [UseCase] {
        let folder = (directory as NSString).appendingPathComponent("usecases")
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        var useCases: [UseCase] = []
        var lines: [String: (String, Int)] = [:]
        for entry in entries.sorted() {
            let useCaseDirectory = (folder as NSString).appendingPathComponent(entry)
            let file = (useCaseDirectory as NSString).appendingPathComponent("usecase.yaml")
            guard FileManager.default.fileExists(atPath: file) else { continue }
            guard let root = parse(file) else { continue }
            if let declared = root.node.mapping?["id"]?.scalar?.string { declaredUseCaseIDs.append(declared) }
            guard let useCase = readUseCase(root, directory: useCaseDirectory, providers: providers) else { continue }
            if let (otherFile, _) = lines[useCase.id] {
                root.error("duplicate use case id '\(useCase.id)' (also in \(otherFile))")
                continue
            }
            lines[useCase.id] = (root.file, root.line)
            useCases.append(useCase)
        }
        return useCases
    }

    func readUseCase(_ root: YAMLReader, directory: String, providers: [ProviderConfiguration]) -> UseCase? {
        guard let fields = root.mapping(allowed: Self.useCaseKeys) else { return nil }
        let errorsBefore = sink.diagnostics.count
        let id = required(fields, "id", in: root)?.nonEmptyString ?? ""
        if let idReader = fields["id"], !id.isEmpty, id.wholeMatch(of: /[a-z0-9][a-z0-9-]*/) == nil {
            idReader.fail("use case ids are lowercase letters, digits and dashes, e.g. 'ticket-triage'")
        }
        let title = required(fields, "title", in: root)?.nonEmptyString ?? ""
        let purpose = required(fields, "purpose", in: root)?.nonEmptyString ?? ""
        let owners = required(fields, "owners", in: root).flatMap(readOwners) ?? Owners(business: "", technical: "", onCallWebhook: nil)
        let riskTier = required(fields, "risk_tier", in: root)?.oneOf(RiskTier.self) ?? .limited
        guard let task = required(fields, "task", in: root).flatMap(readTask) else { return nil }
        let usage = fields["usage"].map(readUsage) ?? UsagePolicy()
        let dataPolicy = required(fields, "data_policy", in: root).flatMap(readDataPolicy)
            ?? DataPolicy(inputClassification: .internal, piiAction: .allow, payloadLogging: .none, retentionDays: 30)
        var variants: [Variant] = []
        if let list = required(fields, "variants", in: root)?.sequence {
            if list.isEmpty { fields["variants"]?.fail("a use case needs at least one variant") }
            for item in list {
                guard let variant = readVariant(item, directory: directory, providers: providers, task: task, dataPolicy: dataPolicy) else { continue }
                if variants.contains(where: { $0.name == variant.name }) {
                    item.error("duplicate variant name '\(variant.name)'")
                } else {
                    variants.append(variant)
                }
            }
        }
        // Names declared, even by variants with errors, so one bad variant does not cascade into more errors.
        let names = (fields["variants"]?.node.sequence?.compactMap { $0.mapping?["name"]?.scalar?.string }) ?? variants.map(\.name)
        var stable = variants.first?.name ?? ""
        if let reader = fields["stable_variant"], let name = reader.string {
            if names.contains(name) { stable = name } else {
                reader.fail("unknown variant '\(name)'", suggestion: suggestion(for: name, among: names))
            }
        }
        var fallback: String?
        if let reader = fields["fallback_variant"], let name = reader.string {
            if names.contains(name) { fallback = name } else {
                reader.fail("unknown variant '\(name)'", suggestion: suggestion(for: name, among: names))
            }
        }
        let outputFields = task.outputSchema.topLevelProperties
        let escalation = fields["escalation"].map { readEscalation($0, outputFields: outputFields) } ?? EscalationPolicy()
        let slos = fields["slos"].map(readSLOs) ?? ServiceLevelObjectives()
        let budget = fields["budget"].flatMap(readBudget)
        let limits = fields["limits"].map(readLimits) ?? UsageLimits()
        let kpis = fields["kpis"]?.sequence?.compactMap(readKPI) ?? []
        let evaluation = fields["evaluation"].flatMap { readEvaluation($0, directory: directory) }
        let guards = fields["guards"].map(readGuards) ?? GuardPolicy()
        guard sink.diagnostics.count == errorsBefore else { return nil }
        var useCase = UseCase(
            id: id, title: title, purpose: purpose, owners: owners, riskTier: riskTier, task: task, usage: usage, dataPolicy: dataPolicy,
            variants: variants, stableVariant: stable, fallbackVariant: fallback, escalation: escalation, slos: slos, budget: budget,
            limits: limits, kpis: kpis, evaluation: evaluation, directory: directory)
        useCase.guards = guards
        if let cache = fields["cache"], let settings = cache.mapping(allowed: ["enabled", "ttl_s", "max_entries"]) {
            if settings["enabled"]?.bool ?? true {
                useCase.cache = CachePolicy(ttlSeconds: settings["ttl_s"]?.int(min: 1) ?? 3600, maxEntries: settings["max_entries"]?.int(min: 1) ?? 10_000)
            }
        }
        return useCase
    }

    func readOwners(_ reader: YAMLReader) -> Owners? {
        guard let fields = reader.mapping(allowed: ["business", "technical", "on_call_webhook"]) else { return nil }
        let business = required(fields, "business", in: reader)?.nonEmptyString ?? ""
        let technical = required(fields, "technical", in: reader)?.nonEmptyString ?? ""
        var webhook: String?
        if let hook = fields["on_call_webhook"], let text = hook.string {
            if let url = URL(string: text), ["http", "https"].contains(url.scheme ?? ""), url.host != nil {
                webhook = text
            } else {
                hook.fail("expected an http or https URL, got '\(text)'")
            }
        }
        return Owners(business: business, technical: technical, onCallWebhook: webhook)
    }

    func readSchema(_ reader: YAMLReader) -> JSONSchema? {
        do {
            return try JSONSchema(reader.json)
        } catch {
            switch error {
            case .invalidSchema(let path, let message):
                reader.fail("invalid JSON Schema at \(path): \(message)")
            }
            return nil
        }
    }

    func readTask(_ reader: YAMLReader) -> TaskSpecification? {
        guard let fields = reader.mapping(allowed: ["kind", "input_schema", "output_schema", "labels", "derived"]) else { return nil }
        let kind = required(fields, "kind", in: reader)?.oneOf(TaskSpecification.Kind.self)
        let input = required(fields, "input_schema", in: reader).flatMap(readSchema)
        let output = required(fields, "output_schema", in: reader).flatMap(readSchema)
        guard let kind, let input, let output else { return nil }
        let outputFields = output.topLevelProperties
        var labels: [String: [String]] = [:]
        if let labelsReader = fields["labels"] {
            if case .mapping(let mapping) = labelsReader.node {
                for (key, value) in mapping {
                    let field = key.scalar?.string ?? ""
                    let item = YAMLReader(node: value, path: labelsReader.child(field), file: labelsReader.file, sink: sink, keyLine: key.mark?.line)
                    if !outputFields.contains(field) {
                        item.fail("'\(field)' is not a property of the output schema", suggestion: suggestion(for: field, among: outputFields))
                    }
                    if let values = item.stringList {
                        if values.count < 2 { item.fail("a labelled field needs at least two labels") }
                        labels[field] = values
                    }
                }
            } else {
                labelsReader.fail("expected a mapping of output field to labels")
            }
        }
        if kind == .classify && labels.isEmpty {
            reader.error("a classify task needs 'labels' for at least one output field")
        }
        var derived: [DerivedField] = []
        for item in fields["derived"]?.sequence ?? [] {
            guard let entry = item.mapping(allowed: ["field", "from", "map"]) else { continue }
            guard let field = required(entry, "field", in: item)?.string, let from = required(entry, "from", in: item)?.string,
                let mapReader = required(entry, "map", in: item)
            else { continue }
            for (name, fieldReader) in [(field, entry["field"]!), (from, entry["from"]!)] where !outputFields.contains(name) {
                fieldReader.fail("'\(name)' is not a property of the output schema", suggestion: suggestion(for: name, among: outputFields))
            }
            guard case .object(let mapping) = mapReader.json else {
                mapReader.fail("expected a mapping of source value to derived value")
                continue
            }
            derived.append(DerivedField(field: field, from: from, map: mapping.compactMapValues(\.promptText)))
        }
        return TaskSpecification(kind: kind, inputSchema: input, outputSchema: output, labels: labels, derived: derived)
    }

    func readUsage(_ reader: YAMLReader) -> UsagePolicy {
        guard let fields = reader.mapping(allowed: ["allowed_topics", "forbidden_topics", "refusal_message", "actions"]) else { return UsagePolicy() }
        var policy = UsagePolicy()
        policy.allowedTopics = fields["allowed_topics"]?.stringList ?? []
        for item in fields["forbidden_topics"]?.sequence ?? [] {
            if case .scalar = item.node, let name = item.string {
                policy.forbiddenTopics.append(name)
                policy.topicKeywords[name] = [name]
            } else if let topic = item.mapping(allowed: ["name", "keywords"]), let name = required(topic, "name", in: item)?.nonEmptyString {
                policy.forbiddenTopics.append(name)
                let keywords = topic["keywords"]?.stringList ?? []
                policy.topicKeywords[name] = keywords.isEmpty ? [name] : keywords
            }
        }
        policy.refusalMessage = fields["refusal_message"]?.string
        for item in fields["actions"]?.sequence ?? [] {
            guard let action = item.mapping(allowed: ["name", "requires_approval"]), let name = required(action, "name", in: item)?.nonEmptyString else { continue }
            policy.actions.append(.init(name: name, requiresApproval: action["requires_approval"]?.bool ?? false))
        }
        return policy
    }

    func readGuards(_ reader: YAMLReader) -> GuardPolicy {
        var policy = GuardPolicy()
        guard let fields = reader.mapping(allowed: ["injection", "pii_leak_check"]) else { return policy }
        if let injection = fields["injection"], let settings = injection.mapping(allowed: ["threshold", "action", "scan_context"]) {
            if let threshold = settings["threshold"]?.double(min: 0, max: 1) { policy.injectionThreshold = threshold }
            if let action = settings["action"]?.oneOf(GuardPolicy.InjectionAction.self) { policy.injectionAction = action }
            if let scan = settings["scan_context"]?.bool { policy.scanContext = scan }
        }
        if let leak = fields["pii_leak_check"]?.bool { policy.piiLeakCheck = leak }
        return policy
    }

    func readDataPolicy(_ reader: YAMLReader) -> DataPolicy? {
        guard let fields = reader.mapping(allowed: ["input_classification", "pii_action", "payload_logging", "retention_days"]) else { return nil }
        let classification = required(fields, "input_classification", in: reader)?.oneOf(DataClass.self)
        let pii = fields["pii_action"]?.oneOf(DataPolicy.PIIAction.self) ?? .allow
        let logging = fields["payload_logging"]?.oneOf(DataPolicy.PayloadLogging.self) ?? .none
        let retention = fields["retention_days"]?.int(min: 1) ?? 30
        guard let classification else { return nil }
        return DataPolicy(inputClassification: classification, piiAction: pii, payloadLogging: logging, retentionDays: retention)
    }

    func readEscalation(_ reader: YAMLReader, outputFields: [String]) -> EscalationPolicy {
        guard let fields = reader.mapping(allowed: ["min_confidence", "always_review", "review_sla_s"]) else { return EscalationPolicy() }
        var policy = EscalationPolicy()
        policy.reviewSLASeconds = fields["review_sla_s"]?.int(min: 1)
        policy.minConfidence = fields["min_confidence"]?.double(min: 0, max: 1)
        for item in fields["always_review"]?.sequence ?? [] {
            guard let condition = item.mapping(allowed: ["field", "equals", "not_equals", "in"]),
                let fieldReader = required(condition, "field", in: item), let field = fieldReader.string
            else { continue }
            if !outputFields.contains(field) {
                fieldReader.fail("'\(field)' is not a property of the output schema", suggestion: suggestion(for: field, among: outputFields))
            }
            let tests = ["equals", "not_equals", "in"].filter { condition[$0] != nil }
            guard tests.count == 1 else {
                item.error("give exactly one of equals, not_equals, in")
                continue
            }
            switch tests[0] {
            case "equals": policy.alwaysReview.append(FieldCondition(field: field, test: .equals(condition["equals"]!.json)))
            case "not_equals": policy.alwaysReview.append(FieldCondition(field: field, test: .notEquals(condition["not_equals"]!.json)))
            default:
                guard case .array(let options) = condition["in"]!.json else {
                    condition["in"]!.fail("expected a list")
                    continue
                }
                policy.alwaysReview.append(FieldCondition(field: field, test: .oneOf(options)))
            }
        }
        return policy
    }

    func readSLOs(_ reader: YAMLReader) -> ServiceLevelObjectives {
        guard let fields = reader.mapping(allowed: ["latency_p95_ms", "error_rate", "quality_minimums", "cost_per_request_usd"]) else {
            return ServiceLevelObjectives()
        }
        var slos = ServiceLevelObjectives()
        slos.latencyP95Milliseconds = fields["latency_p95_ms"]?.int(min: 1)
        slos.errorRate = fields["error_rate"]?.double(min: 0, max: 1)
        slos.costPerRequestUSD = fields["cost_per_request_usd"]?.double(min: 0)
        if let minimums = fields["quality_minimums"] {
            if case .mapping(let mapping) = minimums.node {
                for (key, value) in mapping {
                    let metric = key.scalar?.string ?? ""
                    let item = YAMLReader(node: value, path: minimums.child(metric), file: minimums.file, sink: sink, keyLine: key.mark?.line)
                    if !EvaluationGate.knownMetrics.contains(metric) {
                        item.fail("unknown metric '\(metric)'", suggestion: suggestion(for: metric, among: EvaluationGate.knownMetrics))
                    }
                    if let number = item.double { slos.qualityMinimums[metric] = number }
                }
            } else {
                minimums.fail("expected a mapping of metric to minimum")
            }
        }
        return slos
    }

    func readBudget(_ reader: YAMLReader) -> BudgetPolicy? {
        guard let fields = reader.mapping(allowed: ["daily_usd", "monthly_usd", "on_exceed", "alert_thresholds", "time_zone"]) else { return nil }
        return readBudgetFields(fields, in: reader)
    }

    func readBudgetFields(_ fields: [String: YAMLReader], in reader: YAMLReader) -> BudgetPolicy? {
        let daily = fields["daily_usd"]?.double(min: 0)
        let monthly = fields["monthly_usd"]?.double(min: 0)
        if daily == nil && monthly == nil && fields["daily_usd"] == nil && fields["monthly_usd"] == nil {
            reader.error("a budget needs daily_usd or monthly_usd")
        }
        let onExceed = fields["on_exceed"]?.oneOf(BudgetPolicy.OnExceed.self) ?? .reject
        var thresholds: [Double] = [0.5, 0.8, 1.0]
        if let list = fields["alert_thresholds"]?.sequence {
            thresholds = list.compactMap { $0.double(min: 0.01, max: 1) }
        }
        var policy = BudgetPolicy(dailyUSD: daily, monthlyUSD: monthly, onExceed: onExceed, alertThresholds: thresholds)
        if let zone = fields["time_zone"], let name = zone.nonEmptyString {
            if TimeZone(identifier: name) == nil {
                zone.fail("unknown time zone '\(name)' (use an IANA name such as Europe/Paris)")
            } else {
                policy.timeZone = name
            }
        }
        return policy
    }

    func readLimits(_ reader: YAMLReader) -> UsageLimits {
        guard let fields = reader.mapping(allowed: ["rpm", "tpm", "burst", "concurrency", "queue_size", "queue_timeout_ms", "deadline_ms"]) else {
            return UsageLimits()
        }
        var limits = UsageLimits(
            requestsPerMinute: fields["rpm"]?.int(min: 1), tokensPerMinute: fields["tpm"]?.int(min: 1),
            concurrency: fields["concurrency"]?.int(min: 1), deadlineMilliseconds: fields["deadline_ms"]?.int(min: 1))
        limits.burst = fields["burst"]?.int(min: 1)
        limits.queueSize = fields["queue_size"]?.int(min: 0)
        limits.queueTimeoutMilliseconds = fields["queue_timeout_ms"]?.int(min: 1)
        return limits
    }

    func readKPI(_ reader: YAMLReader) -> KPI? {
        guard let fields = reader.mapping(allowed: ["name", "baseline", "target"]) else { return nil }
        guard let name = required(fields, "name", in: reader)?.nonEmptyString, let target = required(fields, "target", in: reader)?.double else { return nil }
        return KPI(name: name, baseline: fields["baseline"]?.double, target: target)
    }

    func readEvaluation(_ reader: YAMLReader, directory: String) -> EvaluationPolicy? {
        guard let fields = reader.mapping(allowed: ["dataset", "gates"]) else { return nil }
        guard let datasetReader = required(fields, "dataset", in: reader), let dataset = existingFile(datasetReader, directory: directory) else { return nil }
        var gates: [EvaluationGate] = []
        for item in fields["gates"]?.sequence ?? [] {
            guard let text = item.string else { continue }
            let parts = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard parts.count == 3, let comparison = EvaluationGate.Comparison(rawValue: parts[1]), let threshold = Double(parts[2]) else {
                item.fail("expected 'metric op number' such as 'accuracy >= 0.9', got '\(text)'")
                continue
            }
            if !EvaluationGate.knownMetrics.contains(parts[0]) {
                item.fail("unknown metric '\(parts[0])'", suggestion: suggestion(for: parts[0], among: EvaluationGate.knownMetrics))
                continue
            }
            gates.append(EvaluationGate(metric: parts[0], comparison: comparison, threshold: threshold))
        }
        return EvaluationPolicy(dataset: dataset, gates: gates)
    }

    /// Absolute path of a file named relative to the use case folder, or an error at the field's line.
    func existingFile(_ reader: YAMLReader, directory: String) -> String? {
        guard let name = reader.nonEmptyString else { return nil }
        let path = absolutePath(name, base: directory)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            reader.fail("file '\(name)' does not exist")
            return nil
        }
        return path
    }
}
