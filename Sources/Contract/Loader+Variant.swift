import Core
import Foundation

extension Loader {
    func readVariant(
        _ reader: YAMLReader, directory: String, providers: [ProviderConfiguration], task: TaskSpecification, dataPolicy: DataPolicy?
    ) -> Variant? {
        guard let fields = reader.mapping(allowed: [
            "name", "provider", "model", "system_prompt", "prompt", "params", "failover", "local",
        ]) else { return nil }
        guard let name = required(fields, "name", in: reader)?.nonEmptyString,
            let providerReader = required(fields, "provider", in: reader), let providerName = providerReader.string
        else { return nil }
        let providerNames = providers.map(\.name)
        guard let provider = providers.first(where: { $0.name == providerName }) else {
            providerReader.fail("unknown provider '\(providerName)'", suggestion: suggestion(for: providerName, among: providerNames))
            return nil
        }
        if let dataPolicy, !provider.mayReceive(dataPolicy.inputClassification) {
            providerReader.fail(
                "provider '\(providerName)' may not receive \(dataPolicy.inputClassification.rawValue) data (its data_classes: \(provider.dataClasses.map(\.rawValue).joined(separator: ", ")))")
        }
        var hash = VersionHasher()
        hash.add("provider", providerName)
        if provider.kind == .local {
            for key in ["model", "system_prompt", "prompt", "params", "failover"] where fields[key] != nil {
                sink.add(reader.file, fields[key]!.reportLine, fields[key]!.path, "'\(key)' does not apply to a local variant; use the 'local' block")
            }
            guard let localReader = fields["local"] else {
                reader.error("a variant on a local provider needs a 'local' block (model, training_data, text_fields)")
                return nil
            }
            guard let local = readLocal(localReader, directory: directory, task: task, hash: &hash) else { return nil }
            return Variant(name: name, version: hash.finish(), provider: providerName, engine: .local(local))
        }
        if let local = fields["local"] {
            local.fail("a 'local' block needs a provider of kind local")
        }
        guard let model = required(fields, "model", in: reader)?.nonEmptyString,
            let promptReader = required(fields, "prompt", in: reader)
        else { return nil }
        hash.add("model", model)
        let inputFields = task.inputSchema.topLevelProperties
        guard let prompt = readTemplate(promptReader, directory: directory, inputFields: inputFields, hash: &hash, label: "prompt") else { return nil }
        var system: PromptTemplate?
        if let systemReader = fields["system_prompt"] {
            guard let template = readTemplate(systemReader, directory: directory, inputFields: inputFields, hash: &hash, label: "system") else { return nil }
            system = template
        }
        let parameters = fields["params"].map { readParameters($0, hash: &hash) } ?? ModelParameters()
        var failover: [ProviderTarget] = []
        for item in fields["failover"]?.sequence ?? [] {
            guard let entry = item.mapping(allowed: ["provider", "model"]),
                let targetProviderReader = required(entry, "provider", in: item), let targetProvider = targetProviderReader.string,
                let targetModel = required(entry, "model", in: item)?.nonEmptyString
            else { continue }
            guard let target = providers.first(where: { $0.name == targetProvider }) else {
                targetProviderReader.fail("unknown provider '\(targetProvider)'", suggestion: suggestion(for: targetProvider, among: providerNames))
                continue
            }
            if target.kind == .local {
                targetProviderReader.fail("failover targets are model providers; the local engine is a fallback_variant")
            }
            if let dataPolicy, !target.mayReceive(dataPolicy.inputClassification) {
                targetProviderReader.fail("provider '\(targetProvider)' may not receive \(dataPolicy.inputClassification.rawValue) data")
            }
            hash.add("failover", "\(targetProvider)/\(targetModel)")
            failover.append(ProviderTarget(provider: targetProvider, model: targetModel))
        }
        return Variant(
            name: name, version: hash.finish(), provider: providerName,
            engine: .model(ModelVariant(model: model, systemPrompt: system, prompt: prompt, parameters: parameters, failover: failover)))
    }

    func readTemplate(_ reader: YAMLReader, directory: String, inputFields: [String], hash: inout VersionHasher, label: String) -> PromptTemplate? {
        guard let path = existingFile(reader, directory: directory) else { return nil }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            reader.fail("cannot read '\(relative(path))' as UTF-8 text")
            return nil
        }
        let template = PromptTemplate(source: text)
        let name = reader.string ?? ""
        for placeholder in template.placeholders where placeholder != "input" && !inputFields.contains(placeholder) {
            reader.fail(
                "prompt template \(name) uses {{\(placeholder)}}, which is not a field of the input schema",
                suggestion: suggestion(for: placeholder, among: inputFields))
        }
        hash.add(label, text)
        return template
    }

    func readParameters(_ reader: YAMLReader, hash: inout VersionHasher) -> ModelParameters {
        var parameters = ModelParameters()
        guard let fields = reader.mapping(allowed: ["temperature", "top_p", "max_tokens", "stop", "response_format"]) else { return parameters }
        parameters.temperature = fields["temperature"]?.double(min: 0, max: 2)
        parameters.topP = fields["top_p"]?.double(min: 0, max: 1)
        parameters.maxTokens = fields["max_tokens"]?.int(min: 1)
        if let stop = fields["stop"] {
            if case .scalar = stop.node { parameters.stop = stop.string.map { [$0] } ?? [] } else { parameters.stop = stop.stringList ?? [] }
        }
        if let format = fields["response_format"], let text = format.string {
            let allowed = ["json_object", "json_schema", "text"]
            if allowed.contains(text) {
                parameters.responseFormat = text == "text" ? nil : text
            } else {
                format.fail("'\(text)' is not one of \(allowed.joined(separator: ", "))", suggestion: suggestion(for: text, among: allowed))
            }
        }
        hash.add("params", reader.json.compactJSONString())
        return parameters
    }

    func readLocal(_ reader: YAMLReader, directory: String, task: TaskSpecification, hash: inout VersionHasher) -> LocalVariant? {
        guard let fields = reader.mapping(allowed: ["model", "training_data", "text_fields", "epochs", "corrections", "corrections_weight"]) else { return nil }
        let modelReader = required(fields, "model", in: reader)
        let model = modelReader?.string
        if let model, model != "classifier" {
            modelReader?.fail("unknown local model '\(model)'; available: classifier", suggestion: suggestion(for: model, among: ["classifier"]))
        }
        let training = required(fields, "training_data", in: reader).flatMap { existingFile($0, directory: directory) }
        let inputFields = task.inputSchema.topLevelProperties
        var textFields = inputFields.filter { task.inputSchema.root["properties"]?[$0]?["type"]?.stringValue == "string" }
        if let reader = fields["text_fields"], let names = reader.stringList {
            for (index, name) in names.enumerated() where !inputFields.contains(name) {
                sink.add(reader.file, reader.reportLine, "\(reader.path)[\(index)]", "'\(name)' is not a field of the input schema", suggestion: suggestion(for: name, among: inputFields))
            }
            textFields = names
        }
        if task.labels.isEmpty {
            reader.error("the local classifier needs task.labels to know which output fields to predict")
        }
        let epochs = fields["epochs"]?.int(min: 1) ?? 12
        guard let model, model == "classifier", let training else { return nil }
        hash.add("model", model)
        hash.add("training_data", (try? Data(contentsOf: URL(fileURLWithPath: training))).map(Loader.sha256Hex) ?? "")
        hash.add("text_fields", textFields.joined(separator: ","))
        hash.add("epochs", String(epochs))
        var local = LocalVariant(model: model, trainingData: training, textFields: textFields, epochs: epochs)
        if let corrections = fields["corrections"] {
            let readers = corrections.sequence ?? [corrections]
            for item in readers {
                guard let path = existingFile(item, directory: directory) else { continue }
                local.corrections.append(path)
                // The corrections are part of the version: new corrections, new variant version.
                hash.add("corrections", (try? Data(contentsOf: URL(fileURLWithPath: path))).map(Loader.sha256Hex) ?? "")
            }
        }
        if let weight = fields["corrections_weight"]?.int(min: 1) {
            local.correctionsWeight = weight
            hash.add("corrections_weight", String(weight))
        }
        return local
    }
}

/// Accumulates everything that affects a variant's answers; its hash is the variant's version.
struct VersionHasher {
    private var parts: [String] = []

    mutating func add(_ label: String, _ value: String) {
        parts.append("\(label)=\(value.utf8.count):\(value)")
    }

    func finish() -> String {
        String(Loader.sha256Hex(Data(parts.joined(separator: "\n").utf8)).prefix(12))
    }
}
