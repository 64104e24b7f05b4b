import Foundation

/// An immutable configuration that can serve a use case. Its `version` is a hash of its content.
public struct Variant: Sendable, Hashable {
    public enum Engine: Sendable, Hashable {
        case model(ModelVariant)
        case local(LocalVariant)
    }

    public var name: String
    /// Content hash (hex prefix), changes whenever anything that affects answers changes.
    public var version: String
    public var provider: String
    public var engine: Engine

    public init(name: String, version: String, provider: String, engine: Engine) {
        self.name = name
        self.version = version
        self.provider = provider
        self.engine = engine
    }

    public var modelName: String {
        switch engine {
        case .model(let m): return m.model
        case .local(let l): return l.model
        }
    }
}

/// A hosted or self-hosted LLM behind a provider, driven by prompt templates.
public struct ModelVariant: Sendable, Hashable {
    public var model: String
    public var systemPrompt: PromptTemplate?
    public var prompt: PromptTemplate
    public var parameters: ModelParameters
    /// Further provider/model targets tried in order when the first cannot answer.
    public var failover: [ProviderTarget]

    public init(
        model: String, systemPrompt: PromptTemplate?, prompt: PromptTemplate, parameters: ModelParameters,
        failover: [ProviderTarget]
    ) {
        self.model = model
        self.systemPrompt = systemPrompt
        self.prompt = prompt
        self.parameters = parameters
        self.failover = failover
    }
}

public struct ProviderTarget: Sendable, Hashable {
    public var provider: String
    public var model: String
    public init(provider: String, model: String) {
        self.provider = provider
        self.model = model
    }
}

/// A model of the built-in engine and the data it is trained from.
public struct LocalVariant: Sendable, Hashable {
    public var model: String
    /// Absolute path of the JSON Lines training file.
    public var trainingData: String
    /// Input fields whose text the model reads.
    public var textFields: [String]
    public var epochs: Int
    /// Labelled JSON Lines of corrections (`gatehouse dataset export`) trained on top of the base
    /// data, each item repeated `correctionsWeight` times so a few corrections can move the model.
    public var corrections: [String] = []
    public var correctionsWeight: Int = 3

    public init(model: String, trainingData: String, textFields: [String], epochs: Int) {
        self.model = model
        self.trainingData = trainingData
        self.textFields = textFields
        self.epochs = epochs
    }
}

public struct ModelParameters: Sendable, Hashable {
    public var temperature: Double?
    public var topP: Double?
    public var maxTokens: Int?
    public var stop: [String]
    /// `json_object`, `json_schema` (the output schema is sent) or `nil` for plain text.
    public var responseFormat: String?

    public init(temperature: Double? = nil, topP: Double? = nil, maxTokens: Int? = nil, stop: [String] = [], responseFormat: String? = nil) {
        self.temperature = temperature
        self.topP = topP
        self.maxTokens = maxTokens
        self.stop = stop
        self.responseFormat = responseFormat
    }
}

/// A prompt with `{{name}}` placeholders filled from the use case's input.
public struct PromptTemplate: Sendable, Hashable {
    public enum Piece: Sendable, Hashable {
        case text(String)
        case placeholder(String)
    }

    public var source: String
    public var pieces: [Piece]

    public init(source: String) {
        self.source = source
        self.pieces = PromptTemplate.parse(source)
    }

    public var placeholders: [String] {
        pieces.compactMap { if case .placeholder(let name) = $0 { return name } else { return nil } }
    }

    /// Fills placeholders from the input object; `{{input}}` stands for the whole input as JSON.
    public func render(_ input: JSONValue) -> String {
        var out = ""
        out.reserveCapacity(source.utf8.count + 256)
        for piece in pieces {
            switch piece {
            case .text(let t): out += t
            case .placeholder("input"): out += input.compactJSONString()
            case .placeholder(let name): out += input[name]?.promptText ?? ""
            }
        }
        return out
    }

    static func parse(_ source: String) -> [Piece] {
        var pieces: [Piece] = []
        var rest = Substring(source)
        while let open = rest.range(of: "{{") {
            guard let close = rest[open.upperBound...].range(of: "}}") else { break }
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            if !rest[..<open.lowerBound].isEmpty { pieces.append(.text(String(rest[..<open.lowerBound]))) }
            pieces.append(.placeholder(name))
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { pieces.append(.text(String(rest))) }
        return pieces
    }
}

extension Substring {
    func trimmingCharacters(in set: CharacterSet) -> String {
        String(self).trimmingCharacters(in: set)
    }
}
