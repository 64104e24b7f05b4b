import Foundation

/// A compiled JSON Schema: the subset of draft 2020-12 used for structured model outputs and API inputs.
///
/// The schema is checked and compiled once, when the contract loads, so a broken schema is a
/// configuration error rather than a request-time surprise. `validate` then reports every violation
/// with the JSON path of the offending value.
///
/// Supported keywords: `type`, `enum`, `const`; `properties`, `required`, `additionalProperties`,
/// `patternProperties`, `propertyNames`, `minProperties`, `maxProperties`, `dependentRequired`;
/// `items` (and the legacy array form with `additionalItems`), `prefixItems`, `minItems`, `maxItems`,
/// `uniqueItems`, `contains`, `minContains`, `maxContains`; `minimum`, `maximum`, `exclusiveMinimum`,
/// `exclusiveMaximum`, `multipleOf`; `minLength`, `maxLength` (counted in Unicode code points, as the
/// specification requires), `pattern` (unanchored, as in JSON Schema), `format` (`email`, `date` and
/// `date-time` are checked, other formats are accepted as annotations); `allOf`, `anyOf`, `oneOf`, `not`,
/// `if`/`then`/`else`; `$ref` to a location in the same document (`#`, `#/$defs/Name`,
/// `#/definitions/Name`, or any other JSON pointer), with `$defs`/`definitions`; boolean schemas.
/// Annotations (`title`, `description`, `default`, `examples`, `$schema`, `$id`, `$comment`, …) and
/// unknown keywords are ignored.
public struct JSONSchema: Sendable, Hashable {
    /// The schema document as written.
    public let root: JSONValue
    private let compiled: CompiledSchema

    /// How deeply subschemas may nest in the schema, and how deeply a value may nest when validated (a
    /// recursive `$ref` can describe unbounded nesting). `$ref` cycles that never descend into the value
    /// are rejected when the schema is compiled.
    public static let maximumDepth = 64

    /// Compiles and checks the schema itself.
    ///
    /// Throws ``JSONSchemaError/invalidSchema(path:message:)`` naming the offending keyword, e.g.
    /// `$.properties.priority.type: unknown type "text"; expected one of array, boolean, integer, null, number, object, string`.
    public init(_ schema: JSONValue) throws(JSONSchemaError) {
        var compiler = SchemaCompiler(document: schema)
        self.compiled = try compiler.compileDocument()
        self.root = schema
    }

    /// Every violation of the schema by `instance`, in a deterministic order (object members are visited
    /// in sorted key order). Empty when the instance is valid.
    public func validate(_ instance: JSONValue) -> [JSONSchemaViolation] {
        let validator = SchemaValidator(refs: compiled.refs)
        var issues: [SchemaIssue] = []
        validator.validate(instance, against: compiled.root, path: "$", depth: 0, into: &issues)
        var seen = Set<JSONSchemaViolation>()
        var violations: [JSONSchemaViolation] = []
        for issue in issues {
            let violation = JSONSchemaViolation(path: issue.path, message: issue.message)
            if seen.insert(violation).inserted { violations.append(violation) }
        }
        return violations
    }

    /// Whether `instance` satisfies the schema.
    public func isValid(_ instance: JSONValue) -> Bool {
        validate(instance).isEmpty
    }

    /// Property names declared under the top-level `properties` keyword, sorted.
    public var topLevelProperties: [String] {
        root["properties"]?.objectValue?.keys.sorted() ?? []
    }

    // The compiled form is derived from `root`, so identity is the schema document.
    public static func == (lhs: JSONSchema, rhs: JSONSchema) -> Bool { lhs.root == rhs.root }
    public func hash(into hasher: inout Hasher) { hasher.combine(root) }
}

/// One way in which a value fails a schema.
public struct JSONSchemaViolation: Sendable, Hashable, CustomStringConvertible {
    /// JSON path of the offending value, e.g. `$.items[2].priority`.
    public let path: String
    /// What is wrong, e.g. `expected string, got integer`.
    public let message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

/// The schema itself is malformed.
public enum JSONSchemaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `path` locates the offending keyword inside the schema, e.g. `$.properties.priority.type`.
    case invalidSchema(path: String, message: String)

    public var path: String {
        switch self {
        case .invalidSchema(let path, _): return path
        }
    }

    public var message: String {
        switch self {
        case .invalidSchema(_, let message): return message
        }
    }

    public var description: String {
        switch self {
        case .invalidSchema(let path, let message): return "invalid JSON Schema at \(path): \(message)"
        }
    }
}

// MARK: - Compiled form

/// A compiled regular expression.
///
/// `@unchecked Sendable` is sound here: the wrapper is immutable, and `NSRegularExpression` is documented
/// as immutable and thread-safe (swift-corelibs-foundation already declares it `Sendable`; the wrapper
/// only makes that explicit on every platform).
private struct CompiledPattern: @unchecked Sendable {
    let source: String
    let regex: NSRegularExpression

    init?(_ source: String) {
        guard let regex = try? NSRegularExpression(pattern: source) else { return nil }
        self.source = source
        self.regex = regex
    }

    /// JSON Schema patterns are not anchored: a match anywhere in the string counts.
    func matches(_ text: String) -> Bool {
        regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}

private final class CompiledSchema: Sendable {
    let root: SchemaNode
    /// `$ref` targets keyed by their canonical JSON pointer ("" is the document root).
    let refs: [String: SchemaNode]

    init(root: SchemaNode, refs: [String: SchemaNode]) {
        self.root = root
        self.refs = refs
    }
}

private final class SchemaNode: Sendable {
    enum Body: Sendable {
        case boolean(Bool)
        case keywords(Keywords)
    }

    let body: Body

    init(_ body: Body) { self.body = body }
}

private struct Keywords: Sendable {
    var types: [String]?
    var enumValues: [JSONValue]?
    var constValue: JSONValue?
    var ref: String?

    // Objects
    var properties: [String: SchemaNode] = [:]
    var patternProperties: [(pattern: CompiledPattern, schema: SchemaNode)] = []
    var additionalProperties: SchemaNode?
    var propertyNames: SchemaNode?
    var required: [String] = []
    var minProperties: Int?
    var maxProperties: Int?
    var dependentRequired: [(property: String, requires: [String])] = []

    // Arrays
    var prefixItems: [SchemaNode] = []
    var items: SchemaNode?
    var minItems: Int?
    var maxItems: Int?
    var uniqueItems = false
    var contains: SchemaNode?
    var minContains: Int?
    var maxContains: Int?

    // Numbers
    var minimum: Double?
    var maximum: Double?
    var exclusiveMinimum: Double?
    var exclusiveMaximum: Double?
    var multipleOf: Double?

    // Strings
    var minLength: Int?
    var maxLength: Int?
    var pattern: CompiledPattern?
    var format: String?

    // Applicators
    var allOf: [SchemaNode] = []
    var anyOf: [SchemaNode] = []
    var oneOf: [SchemaNode] = []
    var not: SchemaNode?
    var ifSchema: SchemaNode?
    var thenSchema: SchemaNode?
    var elseSchema: SchemaNode?
}

// MARK: - Compiler

/// A location inside the schema document: its JSON pointer tokens and its display path (`$.properties.a`).
private struct SchemaLocation {
    var tokens: [String]
    var display: String

    static let root = SchemaLocation(tokens: [], display: "$")

    var pointer: String { tokens.map { "/" + JSONPath.escapePointerToken($0) }.joined() }

    func member(_ name: String) -> SchemaLocation {
        SchemaLocation(tokens: tokens + [name], display: JSONPath.member(display, name))
    }

    func index(_ index: Int) -> SchemaLocation {
        SchemaLocation(tokens: tokens + [String(index)], display: "\(display)[\(index)]")
    }

    func keyword(_ name: String) -> String { JSONPath.member(display, name) }
}

private struct SchemaCompiler {
    let document: JSONValue
    /// Every compiled subschema by canonical pointer, so `$ref` targets are compiled once.
    private var nodes: [String: SchemaNode] = [:]
    /// Canonical pointers that some `$ref` names, in the order first seen.
    private var referenced: [String] = []
    /// Applications that do not descend into the instance (`$ref`, `allOf`, `anyOf`, `oneOf`, `not`,
    /// `if`/`then`/`else`), from schema pointer to schema pointers. A cycle here never terminates.
    private var inPlaceEdges: [String: [String]] = [:]
    /// For schemas holding a `$ref`: the keyword's display path and the reference as written.
    private var referenceSites: [String: (path: String, reference: String)] = [:]

    static let typeNames = ["array", "boolean", "integer", "null", "number", "object", "string"]

    /// Keywords whose values are non-negative integers.
    private static let countKeywords = [
        "minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties", "minContains", "maxContains",
    ]
    private static let numberKeywords = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"]

    init(document: JSONValue) {
        self.document = document
    }

    mutating func compileDocument() throws(JSONSchemaError) -> CompiledSchema {
        let root = try compile(document, at: .root, depth: 0)
        var refs: [String: SchemaNode] = [:]
        var next = 0
        // Targets outside the keyword tree (e.g. under an unknown keyword) are compiled here; compiling
        // them can reference further targets, so iterate until the list stops growing.
        while next < referenced.count {
            let pointer = referenced[next]
            next += 1
            if let node = nodes[pointer] {
                refs[pointer] = node
                continue
            }
            // Resolvability was checked where the `$ref` appeared.
            guard let tokens = Self.pointerTokens(pointer), let (value, location) = resolve(tokens) else { continue }
            refs[pointer] = try compile(value, at: location, depth: 0)
        }
        try rejectCircularReferences()
        return CompiledSchema(root: root, refs: refs)
    }

    /// A `$ref` cycle that never descends into a property or item would recurse forever on any value.
    private func rejectCircularReferences() throws(JSONSchemaError) {
        enum Mark { case visiting, done }
        var marks: [String: Mark] = [:]
        var stack: [String] = []

        func visit(_ pointer: String) -> [String]? {
            switch marks[pointer] {
            case .done: return nil
            case .visiting: return Array(stack[(stack.lastIndex(of: pointer) ?? 0)...])
            case nil: break
            }
            marks[pointer] = .visiting
            stack.append(pointer)
            for next in inPlaceEdges[pointer] ?? [] {
                if let cycle = visit(next) { return cycle }
            }
            stack.removeLast()
            marks[pointer] = .done
            return nil
        }

        for start in inPlaceEdges.keys.sorted() {
            guard let cycle = visit(start) else { continue }
            // Every cycle passes through a `$ref`, since the schema document itself is a tree.
            let site = cycle.lazy.compactMap { referenceSites[$0] }.first
            throw .invalidSchema(
                path: site?.path ?? "$",
                message: "circular $ref '\(site?.reference ?? "#")': it leads back to the same schema without "
                    + "descending into a property or item, so validation would never end")
        }
    }

    private mutating func compile(_ schema: JSONValue, at location: SchemaLocation, depth: Int) throws(JSONSchemaError) -> SchemaNode {
        let pointer = location.pointer
        if let existing = nodes[pointer] { return existing }
        if depth > JSONSchema.maximumDepth {
            throw .invalidSchema(path: location.display, message: "schema is nested more than \(JSONSchema.maximumDepth) levels deep")
        }
        let node: SchemaNode
        switch schema {
        case .bool(let value):
            node = SchemaNode(.boolean(value))
        case .object(let members):
            node = SchemaNode(.keywords(try compileKeywords(members, at: location, depth: depth)))
        default:
            throw .invalidSchema(path: location.display, message: "a schema must be an object or a boolean, got \(schema.typeName)")
        }
        nodes[pointer] = node
        return node
    }

    private mutating func compileKeywords(
        _ members: [String: JSONValue], at location: SchemaLocation, depth: Int
    ) throws(JSONSchemaError) -> Keywords {
        var k = Keywords()
        func fail(_ keyword: String, _ message: String) -> JSONSchemaError {
            .invalidSchema(path: location.keyword(keyword), message: message)
        }

        // Assertions on the instance itself.
        if let type = members["type"] {
            let names: [JSONValue]
            switch type {
            case .string: names = [type]
            case .array(let list) where !list.isEmpty: names = list
            default: throw fail("type", "'type' must be a type name or a non-empty array of type names")
            }
            var types: [String] = []
            for name in names {
                guard let text = name.stringValue, Self.typeNames.contains(text) else {
                    throw fail("type", "unknown type \(name.compactJSONString()); expected one of \(Self.typeNames.joined(separator: ", "))")
                }
                if types.contains(text) { throw fail("type", "type \"\(text)\" is listed twice") }
                types.append(text)
            }
            k.types = types
        }
        if let values = members["enum"] {
            guard let list = values.arrayValue else { throw fail("enum", "'enum' must be an array") }
            k.enumValues = list
        }
        k.constValue = members["const"]

        for keyword in Self.numberKeywords {
            guard let value = members[keyword] else { continue }
            guard let number = value.numberValue, number.isFinite else {
                throw fail(keyword, "'\(keyword)' must be a number, got \(value.typeName)")
            }
            switch keyword {
            case "minimum": k.minimum = number
            case "maximum": k.maximum = number
            case "exclusiveMinimum": k.exclusiveMinimum = number
            case "exclusiveMaximum": k.exclusiveMaximum = number
            default:
                guard number > 0 else { throw fail(keyword, "'multipleOf' must be greater than 0") }
                k.multipleOf = number
            }
        }
        for keyword in Self.countKeywords {
            guard let value = members[keyword] else { continue }
            guard let number = value.numberValue, number >= 0, number.rounded() == number, number < 1e15 else {
                throw fail(keyword, "'\(keyword)' must be a non-negative integer")
            }
            let count = Int(number)
            switch keyword {
            case "minLength": k.minLength = count
            case "maxLength": k.maxLength = count
            case "minItems": k.minItems = count
            case "maxItems": k.maxItems = count
            case "minProperties": k.minProperties = count
            case "maxProperties": k.maxProperties = count
            case "minContains": k.minContains = count
            default: k.maxContains = count
            }
        }
        if let value = members["uniqueItems"] {
            guard let flag = value.boolValue else { throw fail("uniqueItems", "'uniqueItems' must be a boolean") }
            k.uniqueItems = flag
        }
        if let value = members["pattern"] {
            guard let text = value.stringValue else { throw fail("pattern", "'pattern' must be a string") }
            guard let compiled = CompiledPattern(text) else {
                throw fail("pattern", "'pattern' is not a valid regular expression: \(text)")
            }
            k.pattern = compiled
        }
        if let value = members["format"] {
            guard let text = value.stringValue else { throw fail("format", "'format' must be a string") }
            k.format = text
        }
        if let value = members["required"] {
            guard let list = value.arrayValue else { throw fail("required", "'required' must be an array of strings") }
            for (index, item) in list.enumerated() {
                guard let name = item.stringValue else {
                    throw .invalidSchema(
                        path: "\(location.keyword("required"))[\(index)]",
                        message: "'required' must be an array of strings, got \(item.typeName)")
                }
                if !k.required.contains(name) { k.required.append(name) }
            }
        }
        if let value = members["dependentRequired"] {
            guard let map = value.objectValue else {
                throw fail("dependentRequired", "'dependentRequired' must be an object of string arrays")
            }
            for (name, list) in map.sorted(by: { $0.key < $1.key }) {
                guard let names = list.arrayValue?.compactMap(\.stringValue), names.count == list.arrayValue?.count else {
                    throw .invalidSchema(
                        path: location.member("dependentRequired").keyword(name),
                        message: "'dependentRequired' entries must be arrays of strings")
                }
                k.dependentRequired.append((name, names))
            }
        }

        // Subschemas, in a fixed order so the first error reported is deterministic.
        if let value = members["properties"] {
            guard let map = value.objectValue else { throw fail("properties", "'properties' must be an object of schemas") }
            let here = location.member("properties")
            for (name, sub) in map.sorted(by: { $0.key < $1.key }) {
                k.properties[name] = try compile(sub, at: here.member(name), depth: depth + 1)
            }
        }
        if let value = members["patternProperties"] {
            guard let map = value.objectValue else {
                throw fail("patternProperties", "'patternProperties' must be an object of schemas")
            }
            let here = location.member("patternProperties")
            for (source, sub) in map.sorted(by: { $0.key < $1.key }) {
                guard let pattern = CompiledPattern(source) else {
                    throw .invalidSchema(path: here.display, message: "\(JSONValue.string(source).compactJSONString()) is not a valid regular expression")
                }
                k.patternProperties.append((pattern, try compile(sub, at: here.member(source), depth: depth + 1)))
            }
        }
        k.additionalProperties = try compileOptional(members, "additionalProperties", at: location, depth: depth)
        k.propertyNames = try compileOptional(members, "propertyNames", at: location, depth: depth)

        if let value = members["prefixItems"] {
            k.prefixItems = try compileList(value, "prefixItems", at: location, depth: depth)
        }
        if let value = members["items"] {
            if case .array = value {
                // Draft 4–2019-09 tuple form: `items: [...]` plays the part of `prefixItems`, and
                // `additionalItems` the part of `items`.
                if members["prefixItems"] != nil {
                    throw fail("items", "'items' must be a schema when 'prefixItems' is present")
                }
                k.prefixItems = try compileList(value, "items", at: location, depth: depth)
                k.items = try compileOptional(members, "additionalItems", at: location, depth: depth)
            } else {
                k.items = try compile(value, at: location.member("items"), depth: depth + 1)
            }
        }
        k.contains = try compileOptional(members, "contains", at: location, depth: depth)

        if let value = members["allOf"] { k.allOf = try compileList(value, "allOf", at: location, depth: depth, inPlace: true) }
        if let value = members["anyOf"] { k.anyOf = try compileList(value, "anyOf", at: location, depth: depth, inPlace: true) }
        if let value = members["oneOf"] { k.oneOf = try compileList(value, "oneOf", at: location, depth: depth, inPlace: true) }
        k.not = try compileOptional(members, "not", at: location, depth: depth, inPlace: true)
        k.ifSchema = try compileOptional(members, "if", at: location, depth: depth, inPlace: true)
        k.thenSchema = try compileOptional(members, "then", at: location, depth: depth, inPlace: true)
        k.elseSchema = try compileOptional(members, "else", at: location, depth: depth, inPlace: true)

        for keyword in ["$defs", "definitions"] {
            guard let value = members[keyword] else { continue }
            guard let map = value.objectValue else { throw fail(keyword, "'\(keyword)' must be an object of schemas") }
            let here = location.member(keyword)
            for (name, sub) in map.sorted(by: { $0.key < $1.key }) {
                _ = try compile(sub, at: here.member(name), depth: depth + 1)
            }
        }

        if let value = members["$ref"] {
            guard let reference = value.stringValue else { throw fail("$ref", "'$ref' must be a string") }
            let tokens: [String]
            switch Self.referenceTokens(reference) {
            case .success(let parsed): tokens = parsed
            case .failure(let problem): throw fail("$ref", problem.message)
            }
            guard resolve(tokens) != nil else {
                throw fail("$ref", "unresolvable $ref '\(reference)': nothing exists at that location in this schema")
            }
            let pointer = SchemaLocation(tokens: tokens, display: "").pointer
            k.ref = pointer
            if !referenced.contains(pointer) { referenced.append(pointer) }
            inPlaceEdges[location.pointer, default: []].append(pointer)
            referenceSites[location.pointer] = (location.keyword("$ref"), reference)
        }
        return k
    }

    private mutating func compileOptional(
        _ members: [String: JSONValue], _ keyword: String, at location: SchemaLocation, depth: Int, inPlace: Bool = false
    ) throws(JSONSchemaError) -> SchemaNode? {
        guard let value = members[keyword] else { return nil }
        let child = location.member(keyword)
        if inPlace { inPlaceEdges[location.pointer, default: []].append(child.pointer) }
        return try compile(value, at: child, depth: depth + 1)
    }

    private mutating func compileList(
        _ value: JSONValue, _ keyword: String, at location: SchemaLocation, depth: Int, inPlace: Bool = false
    ) throws(JSONSchemaError) -> [SchemaNode] {
        guard let list = value.arrayValue, !list.isEmpty else {
            throw .invalidSchema(path: location.keyword(keyword), message: "'\(keyword)' must be a non-empty array of schemas")
        }
        let here = location.member(keyword)
        var nodes: [SchemaNode] = []
        for (index, sub) in list.enumerated() {
            let child = here.index(index)
            if inPlace { inPlaceEdges[location.pointer, default: []].append(child.pointer) }
            nodes.append(try compile(sub, at: child, depth: depth + 1))
        }
        return nodes
    }

    // MARK: References

    struct ReferenceProblem: Error {
        let message: String
    }

    /// JSON pointer tokens of a same-document reference such as `#/$defs/Name`.
    static func referenceTokens(_ reference: String) -> Result<[String], ReferenceProblem> {
        guard reference.hasPrefix("#") else {
            return .failure(ReferenceProblem(
                message: "unsupported $ref '\(reference)': only references within this schema, like '#/$defs/Name', are supported"))
        }
        let fragment = String(reference.dropFirst())
        guard let decoded = fragment.removingPercentEncoding else {
            return .failure(ReferenceProblem(message: "invalid $ref '\(reference)': bad percent-encoding"))
        }
        if decoded.isEmpty { return .success([]) }
        guard let tokens = pointerTokens(decoded) else {
            return .failure(ReferenceProblem(
                message: "unsupported $ref '\(reference)': anchors are not supported; use a JSON pointer like '#/$defs/Name'"))
        }
        return .success(tokens)
    }

    /// Tokens of a JSON pointer (RFC 6901); `nil` unless it is empty or starts with `/`.
    static func pointerTokens(_ pointer: String) -> [String]? {
        if pointer.isEmpty { return [] }
        guard pointer.hasPrefix("/") else { return nil }
        return pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    /// The value at `tokens` in the document, with its location.
    func resolve(_ tokens: [String]) -> (JSONValue, SchemaLocation)? {
        var current = document
        var location = SchemaLocation.root
        for token in tokens {
            switch current {
            case .object(let members):
                guard let next = members[token] else { return nil }
                current = next
                location = location.member(token)
            case .array(let items):
                guard let index = Int(token), index >= 0, index < items.count, String(index) == token else { return nil }
                current = items[index]
                location = location.index(index)
            default:
                return nil
            }
        }
        return (current, location)
    }
}

// MARK: - Validator

/// A violation plus, for plain type mismatches, the types that were expected (so that failed `anyOf`
/// alternatives that differ only in type read as "expected string or null, got integer").
private struct SchemaIssue {
    let path: String
    let message: String
    var expectedTypes: [String]? = nil
}

private struct SchemaValidator {
    let refs: [String: SchemaNode]

    /// `depth` counts levels of instance nesting. Applications that stay on the same value (`$ref`, `allOf`,
    /// `anyOf`, …) cannot loop, because the compiler rejects `$ref` cycles that never descend.
    func validate(_ instance: JSONValue, against node: SchemaNode, path: String, depth: Int, into issues: inout [SchemaIssue]) {
        if depth > JSONSchema.maximumDepth {
            issues.append(SchemaIssue(
                path: path,
                message: "value is nested more than \(JSONSchema.maximumDepth) levels deep"))
            return
        }
        let k: Keywords
        switch node.body {
        case .boolean(true): return
        case .boolean(false):
            issues.append(SchemaIssue(path: path, message: "no value is allowed here"))
            return
        case .keywords(let keywords): k = keywords
        }

        if let types = k.types, !types.contains(where: { Self.instance(instance, hasType: $0) }) {
            issues.append(SchemaIssue(
                path: path, message: "expected \(Self.alternatives(types)), got \(Self.typeName(of: instance))", expectedTypes: types))
            return  // the remaining keywords would only restate the mismatch
        }
        if let pointer = k.ref, let target = refs[pointer] {
            validate(instance, against: target, path: path, depth: depth, into: &issues)
        }
        if let options = k.enumValues, !options.contains(instance) {
            issues.append(SchemaIssue(path: path, message: "value \(Describe.value(instance)) is not one of \(Describe.list(options))"))
        }
        if let constant = k.constValue, constant != instance {
            issues.append(SchemaIssue(
                path: path, message: "value \(Describe.value(instance)) is not the constant \(Describe.json(constant))"))
        }

        switch instance {
        case .string(let text): validateString(text, k, path: path, into: &issues)
        case .number(let number): validateNumber(number, k, path: path, into: &issues)
        case .array(let items): validateArray(items, k, path: path, depth: depth, into: &issues)
        case .object(let members): validateObject(members, k, path: path, depth: depth, into: &issues)
        case .null, .bool: break
        }

        for sub in k.allOf {
            validate(instance, against: sub, path: path, depth: depth, into: &issues)
        }
        if !k.anyOf.isEmpty {
            let outcomes = k.anyOf.map { check(instance, against: $0, path: path, depth: depth) }
            if !outcomes.contains(where: \.isEmpty) {
                issues.append(contentsOf: noAlternativeMatched("anyOf", outcomes, instance: instance, path: path))
            }
        }
        if !k.oneOf.isEmpty {
            let outcomes = k.oneOf.map { check(instance, against: $0, path: path, depth: depth) }
            let matching = outcomes.indices.filter { outcomes[$0].isEmpty }
            if matching.isEmpty {
                issues.append(contentsOf: noAlternativeMatched("oneOf", outcomes, instance: instance, path: path))
            } else if matching.count > 1 {
                let which = matching.map { "[\($0)]" }.joined(separator: ", ")
                issues.append(SchemaIssue(
                    path: path, message: "value matches \(matching.count) oneOf alternatives (\(which)); expected exactly one"))
            }
        }
        if let not = k.not, check(instance, against: not, path: path, depth: depth).isEmpty {
            issues.append(SchemaIssue(path: path, message: "value must not match the 'not' schema"))
        }
        if let condition = k.ifSchema {
            if check(instance, against: condition, path: path, depth: depth).isEmpty {
                if let then = k.thenSchema { validate(instance, against: then, path: path, depth: depth, into: &issues) }
            } else if let otherwise = k.elseSchema {
                validate(instance, against: otherwise, path: path, depth: depth, into: &issues)
            }
        }
    }

    /// The violations of one subschema, kept apart (for `anyOf`, `oneOf`, `not`, `if`).
    private func check(_ instance: JSONValue, against node: SchemaNode, path: String, depth: Int) -> [SchemaIssue] {
        var issues: [SchemaIssue] = []
        validate(instance, against: node, path: path, depth: depth, into: &issues)
        return issues
    }

    /// Why no alternative of `anyOf`/`oneOf` matched, put as plainly as the outcomes allow.
    private func noAlternativeMatched(_ keyword: String, _ outcomes: [[SchemaIssue]], instance: JSONValue, path: String) -> [SchemaIssue] {
        let isTypeMismatch = { (issues: [SchemaIssue]) in issues.count == 1 && issues[0].path == path && issues[0].expectedTypes != nil }
        let relevant = outcomes.filter { !isTypeMismatch($0) }
        // Every alternative wanted another type: say which types would have done.
        if relevant.isEmpty {
            var types: [String] = []
            for outcome in outcomes {
                for type in outcome[0].expectedTypes ?? [] where !types.contains(type) { types.append(type) }
            }
            return [SchemaIssue(
                path: path, message: "expected \(Self.alternatives(types)), got \(Self.typeName(of: instance))", expectedTypes: types)]
        }
        // Only one alternative accepts this type (e.g. an object-or-null property): its violations are the real ones.
        if relevant.count == 1 { return relevant[0] }
        let reasons = outcomes.enumerated().map { index, issues in
            let first = issues[0]
            let reason = first.path == path ? first.message : "\(first.path): \(first.message)"
            return "[\(index)] " + Describe.truncated(reason, to: Self.maximumReasonLength)
        }
        return [SchemaIssue(
            path: path, message: "value does not match any of the \(keyword) alternatives: " + reasons.joined(separator: "; "))]
    }

    private static let maximumReasonLength = 200

    // MARK: Strings

    private func validateString(_ text: String, _ k: Keywords, path: String, into issues: inout [SchemaIssue]) {
        if k.minLength != nil || k.maxLength != nil {
            // JSON Schema counts characters as Unicode code points.
            let length = text.unicodeScalars.count
            if let minimum = k.minLength, length < minimum {
                issues.append(SchemaIssue(
                    path: path, message: "string has \(Describe.count(length, "character")), fewer than the minimum of \(minimum)"))
            }
            if let maximum = k.maxLength, length > maximum {
                issues.append(SchemaIssue(
                    path: path, message: "string has \(Describe.count(length, "character")), more than the maximum of \(maximum)"))
            }
        }
        if let pattern = k.pattern, !pattern.matches(text) {
            issues.append(SchemaIssue(
                path: path, message: "string \(Describe.value(.string(text))) does not match pattern '\(pattern.source)'"))
        }
        if let format = k.format, let expectation = Formats.problem(text, format: format) {
            issues.append(SchemaIssue(path: path, message: "\(Describe.value(.string(text))) is not a valid \(expectation)"))
        }
    }

    // MARK: Numbers

    private func validateNumber(_ number: Double, _ k: Keywords, path: String, into issues: inout [SchemaIssue]) {
        let shown = Describe.number(number)
        if let minimum = k.minimum, number < minimum {
            issues.append(SchemaIssue(path: path, message: "\(shown) is less than the minimum of \(Describe.number(minimum))"))
        }
        if let maximum = k.maximum, number > maximum {
            issues.append(SchemaIssue(path: path, message: "\(shown) is greater than the maximum of \(Describe.number(maximum))"))
        }
        if let minimum = k.exclusiveMinimum, number <= minimum {
            issues.append(SchemaIssue(path: path, message: "\(shown) must be greater than \(Describe.number(minimum))"))
        }
        if let maximum = k.exclusiveMaximum, number >= maximum {
            issues.append(SchemaIssue(path: path, message: "\(shown) must be less than \(Describe.number(maximum))"))
        }
        if let divisor = k.multipleOf, !Self.isMultiple(number, of: divisor) {
            issues.append(SchemaIssue(path: path, message: "\(shown) is not a multiple of \(Describe.number(divisor))"))
        }
    }

    /// Tolerates binary rounding, so that 0.3 counts as a multiple of 0.1.
    static func isMultiple(_ number: Double, of divisor: Double) -> Bool {
        if number.truncatingRemainder(dividingBy: divisor) == 0 { return true }
        let quotient = number / divisor
        guard quotient.isFinite else { return false }
        return abs(quotient - quotient.rounded()) <= 1e-9 * max(1, abs(quotient))
    }

    // MARK: Arrays

    private func validateArray(_ items: [JSONValue], _ k: Keywords, path: String, depth: Int, into issues: inout [SchemaIssue]) {
        if let minimum = k.minItems, items.count < minimum {
            issues.append(SchemaIssue(
                path: path, message: "array has \(Describe.count(items.count, "item")), fewer than the minimum of \(minimum)"))
        }
        if let maximum = k.maxItems, items.count > maximum {
            issues.append(SchemaIssue(
                path: path, message: "array has \(Describe.count(items.count, "item")), more than the maximum of \(maximum)"))
        }
        if k.uniqueItems {
            var firstIndex: [JSONValue: Int] = [:]
            for (index, item) in items.enumerated() {
                if let earlier = firstIndex[item] {
                    issues.append(SchemaIssue(
                        path: path, message: "array items [\(earlier)] and [\(index)] are equal; items must be unique"))
                    break
                }
                firstIndex[item] = index
            }
        }
        for (index, item) in items.enumerated() {
            let schema = index < k.prefixItems.count ? k.prefixItems[index] : k.items
            if let schema {
                validate(item, against: schema, path: "\(path)[\(index)]", depth: depth + 1, into: &issues)
            }
        }
        if let contains = k.contains {
            let matches = items.indices.filter { check(items[$0], against: contains, path: "\(path)[\($0)]", depth: depth + 1).isEmpty }.count
            let minimum = k.minContains ?? 1
            if matches < minimum {
                let message = minimum == 1
                    ? "array contains no item matching the 'contains' schema"
                    : "array contains \(Describe.count(matches, "matching item")), fewer than the minimum of \(minimum)"
                issues.append(SchemaIssue(path: path, message: message))
            }
            if let maximum = k.maxContains, matches > maximum {
                issues.append(SchemaIssue(
                    path: path, message: "array contains \(Describe.count(matches, "matching item")), more than the maximum of \(maximum)"))
            }
        }
    }

    // MARK: Objects

    private func validateObject(
        _ members: [String: JSONValue], _ k: Keywords, path: String, depth: Int, into issues: inout [SchemaIssue]
    ) {
        for name in k.required where members[name] == nil {
            issues.append(SchemaIssue(path: path, message: "missing required property '\(name)'"))
        }
        for (name, dependencies) in k.dependentRequired where members[name] != nil {
            for dependency in dependencies where members[dependency] == nil {
                issues.append(SchemaIssue(path: path, message: "missing property '\(dependency)', required when '\(name)' is present"))
            }
        }
        if let minimum = k.minProperties, members.count < minimum {
            issues.append(SchemaIssue(
                path: path, message: "object has \(Describe.count(members.count, "property")), fewer than the minimum of \(minimum)"))
        }
        if let maximum = k.maxProperties, members.count > maximum {
            issues.append(SchemaIssue(
                path: path, message: "object has \(Describe.count(members.count, "property")), more than the maximum of \(maximum)"))
        }
        for (name, value) in members.sorted(by: { $0.key < $1.key }) {
            let memberPath = JSONPath.member(path, name)
            if let names = k.propertyNames {
                for issue in check(.string(name), against: names, path: memberPath, depth: depth + 1) {
                    issues.append(SchemaIssue(path: issue.path, message: "invalid property name '\(name)': \(issue.message)"))
                }
            }
            var declared = false
            if let schema = k.properties[name] {
                declared = true
                validate(value, against: schema, path: memberPath, depth: depth + 1, into: &issues)
            }
            for entry in k.patternProperties where entry.pattern.matches(name) {
                declared = true
                validate(value, against: entry.schema, path: memberPath, depth: depth + 1, into: &issues)
            }
            if !declared, let additional = k.additionalProperties {
                if case .boolean(false) = additional.body {
                    issues.append(SchemaIssue(path: memberPath, message: "property '\(name)' is not allowed"))
                } else {
                    validate(value, against: additional, path: memberPath, depth: depth + 1, into: &issues)
                }
            }
        }
    }

    // MARK: Types

    static func instance(_ value: JSONValue, hasType type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object),
            ("number", .number):
            return true
        case ("integer", .number(let number)):
            return isIntegral(number)
        default:
            return false
        }
    }

    /// Like `JSONValue.typeName`, but consistent with the `integer` check above for very large numbers.
    static func typeName(of value: JSONValue) -> String {
        if case .number(let number) = value { return isIntegral(number) ? "integer" : "number" }
        return value.typeName
    }

    static func isIntegral(_ number: Double) -> Bool { number.isFinite && number.rounded() == number }

    /// "string", "string or null", "string, number or null".
    static func alternatives(_ names: [String]) -> String {
        guard names.count > 1 else { return names.first ?? "" }
        return names.dropLast().joined(separator: ", ") + " or " + names[names.count - 1]
    }
}

// MARK: - Formats

private enum Formats {
    /// What the string should have been, or `nil` when it is fine (or the format is not checked).
    static func problem(_ text: String, format: String) -> String? {
        switch format {
        case "email": return isEmail(text) ? nil : "email address"
        case "date": return isDate(Array(text.utf8)[...]) ? nil : "date (expected YYYY-MM-DD)"
        case "date-time": return isDateTime(text) ? nil : "date-time (expected RFC 3339, e.g. 2024-05-01T12:30:00Z)"
        default: return nil
        }
    }

    /// `local@domain.tld`: one `@`, no whitespace, a dotted domain without empty labels.
    static func isEmail(_ text: String) -> Bool {
        guard !text.unicodeScalars.contains(where: { $0.properties.isWhitespace }) else { return false }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty else { return false }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && labels.allSatisfy { !$0.isEmpty }
    }

    /// RFC 3339 `full-date`, with real month lengths.
    static func isDate(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard bytes.count == 10 else { return false }
        let b = Array(bytes)
        guard b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
            let year = number(b[0..<4]), let month = number(b[5..<7]), let day = number(b[8..<10]),
            (1...12).contains(month)
        else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return (1...days).contains(day)
    }

    /// RFC 3339 `date-time`: `full-date "T" HH:MM:SS[.frac] (Z | ±HH:MM)`, `T` and `Z` in either case.
    static func isDateTime(_ text: String) -> Bool {
        let b = Array(text.utf8)
        guard b.count >= 20, isDate(b[0..<10]), b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t") else { return false }
        guard b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
            let hour = number(b[11..<13]), let minute = number(b[14..<16]), let second = number(b[17..<19]),
            hour <= 23, minute <= 59, second <= 60
        else { return false }
        var index = 19
        if b[index] == UInt8(ascii: ".") {
            index += 1
            let start = index
            while index < b.count, isDigit(b[index]) { index += 1 }
            guard index > start else { return false }
        }
        guard index < b.count else { return false }
        let zone = b[index...]
        if zone.count == 1 { return zone.first == UInt8(ascii: "Z") || zone.first == UInt8(ascii: "z") }
        guard zone.count == 6, zone.first == UInt8(ascii: "+") || zone.first == UInt8(ascii: "-"),
            zone[index + 3] == UInt8(ascii: ":"),
            let offsetHour = number(zone[(index + 1)..<(index + 3)]), let offsetMinute = number(zone[(index + 4)..<(index + 6)])
        else { return false }
        return offsetHour <= 23 && offsetMinute <= 59
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    private static func number(_ digits: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for byte in digits {
            guard isDigit(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }
}

// MARK: - Paths and messages

private enum JSONPath {
    /// `$.name` for identifier-like names, `$["odd name"]` otherwise.
    static func member(_ base: String, _ name: String) -> String {
        isIdentifier(name) ? "\(base).\(name)" : "\(base)[\(JSONValue.string(name).compactJSONString())]"
    }

    private static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || first == "$" || isASCIILetter(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || $0 == "$" || $0 == "-" || isASCIILetter($0) || ("0"..."9").contains($0) }
    }

    private static func isASCIILetter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }

    static func escapePointerToken(_ token: String) -> String {
        token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }
}

private enum Describe {
    private static let maximumStringLength = 60
    private static let maximumJSONLength = 80
    private static let maximumListed = 10

    /// Strings in single quotes, numbers plainly, anything else as compact JSON; long values are cut short.
    static func value(_ value: JSONValue) -> String {
        switch value {
        case .string(let text):
            return "'" + truncated(text, to: maximumStringLength) + "'"
        case .number(let number):
            return self.number(number)
        default:
            return json(value)
        }
    }

    /// Compact JSON with sorted keys, cut short when long.
    static func json(_ value: JSONValue) -> String {
        if case .number(let number) = value { return self.number(number) }
        return truncated(value.compactJSONString(), to: maximumJSONLength)
    }

    /// `["billing", "shipping"]`, listing at most ten values.
    static func list(_ values: [JSONValue]) -> String {
        var shown = values.prefix(maximumListed).map(json)
        if values.count > maximumListed { shown.append("… (\(values.count - maximumListed) more)") }
        return "[" + shown.joined(separator: ", ") + "]"
    }

    static func number(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }

    static func count(_ count: Int, _ noun: String) -> String {
        if count == 1 { return "1 \(noun)" }
        if noun.hasSuffix("y") { return "\(count) \(noun.dropLast())ies" }
        return "\(count) \(noun)s"
    }

    static func truncated(_ text: String, to limit: Int) -> String {
        text.count > limit ? String(text.prefix(limit)) + "…" : text
    }
}
