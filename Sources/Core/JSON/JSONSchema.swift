import Foundation

/// A compiled JSON Schema (the subset used for structured model outputs and API inputs).
///
/// Checked once when the contract loads so that a broken schema is a configuration error, not a
/// request-time surprise; `validate` then reports every violation with its JSON path.
public struct JSONSchema: Sendable, Hashable {
    public let root: JSONValue

    public init(_ schema: JSONValue) throws(JSONSchemaError) {
        self.root = schema
        try Self.check(schema, path: "$", root: schema, depth: 0)
    }

    public var topLevelProperties: [String] {
        root["properties"]?.objectValue.map { $0.keys.sorted() } ?? []
    }

    public func validate(_ instance: JSONValue) -> [JSONSchemaViolation] {
        var violations: [JSONSchemaViolation] = []
        Self.validate(instance, against: root, path: "$", root: root, depth: 0, into: &violations)
        return violations
    }

    static let typeNames: Set<String> = ["null", "boolean", "object", "array", "number", "string", "integer"]

    // MARK: Schema checks

    private static func check(_ schema: JSONValue, path: String, root: JSONValue, depth: Int) throws(JSONSchemaError) {
        if depth > 64 { throw .invalidSchema(path: path, message: "schema nested too deeply") }
        if case .bool = schema { return }
        guard case .object(let keywords) = schema else {
            throw .invalidSchema(path: path, message: "a schema must be an object or a boolean")
        }
        if let type = keywords["type"] {
            let names: [JSONValue]
            switch type {
            case .string: names = [type]
            case .array(let items): names = items
            default: throw .invalidSchema(path: path + ".type", message: "'type' must be a type name or an array of them")
            }
            for name in names {
                guard let text = name.stringValue, typeNames.contains(text) else {
                    throw .invalidSchema(path: path + ".type", message: "unknown type \(name.compactJSONString())")
                }
            }
        }
        if let required = keywords["required"] {
            guard let items = required.arrayValue, items.allSatisfy({ $0.stringValue != nil }) else {
                throw .invalidSchema(path: path + ".required", message: "'required' must be an array of strings")
            }
        }
        if let values = keywords["enum"], values.arrayValue == nil {
            throw .invalidSchema(path: path + ".enum", message: "'enum' must be an array")
        }
        for key in ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"] {
            if let value = keywords[key], value.numberValue == nil {
                throw .invalidSchema(path: path + "." + key, message: "'\(key)' must be a number")
            }
        }
        for key in ["minLength", "maxLength", "minItems", "maxItems"] {
            if let value = keywords[key] {
                guard let number = value.numberValue, number >= 0, number.rounded() == number else {
                    throw .invalidSchema(path: path + "." + key, message: "'\(key)' must be a non-negative integer")
                }
            }
        }
        if let pattern = keywords["pattern"] {
            guard let text = pattern.stringValue, (try? NSRegularExpression(pattern: text)) != nil else {
                throw .invalidSchema(path: path + ".pattern", message: "'pattern' must be a valid regular expression")
            }
        }
        if let properties = keywords["properties"] {
            guard let members = properties.objectValue else {
                throw .invalidSchema(path: path + ".properties", message: "'properties' must be an object")
            }
            for (name, sub) in members.sorted(by: { $0.key < $1.key }) {
                try check(sub, path: path + ".properties." + name, root: root, depth: depth + 1)
            }
        }
        for key in ["additionalProperties", "items", "not"] {
            if let sub = keywords[key] { try check(sub, path: path + "." + key, root: root, depth: depth + 1) }
        }
        for key in ["anyOf", "oneOf", "allOf", "prefixItems"] {
            if let list = keywords[key] {
                guard let items = list.arrayValue, !items.isEmpty else {
                    throw .invalidSchema(path: path + "." + key, message: "'\(key)' must be a non-empty array of schemas")
                }
                for (index, sub) in items.enumerated() {
                    try check(sub, path: "\(path).\(key)[\(index)]", root: root, depth: depth + 1)
                }
            }
        }
        for key in ["$defs", "definitions"] {
            if let definitions = keywords[key] {
                guard let members = definitions.objectValue else {
                    throw .invalidSchema(path: path + "." + key, message: "'\(key)' must be an object")
                }
                for (name, sub) in members.sorted(by: { $0.key < $1.key }) {
                    try check(sub, path: "\(path).\(key).\(name)", root: root, depth: depth + 1)
                }
            }
        }
        if let reference = keywords["$ref"] {
            guard let text = reference.stringValue, resolve(text, root: root) != nil else {
                throw .invalidSchema(path: path + ".$ref", message: "unresolvable $ref \(reference.compactJSONString())")
            }
        }
    }

    static func resolve(_ reference: String, root: JSONValue) -> JSONValue? {
        if reference == "#" { return root }
        guard reference.hasPrefix("#/") else { return nil }
        var current = root
        for part in reference.dropFirst(2).split(separator: "/") {
            let key = part.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            guard let next = current[key] else { return nil }
            current = next
        }
        return current
    }

    // MARK: Validation

    private static func validate(
        _ instance: JSONValue, against schema: JSONValue, path: String, root: JSONValue, depth: Int,
        into violations: inout [JSONSchemaViolation]
    ) {
        if depth > 64 {
            violations.append(.init(path: path, message: "schema recursion too deep"))
            return
        }
        switch schema {
        case .bool(true): return
        case .bool(false):
            violations.append(.init(path: path, message: "no value is allowed here"))
            return
        case .object: break
        default: return
        }
        if let reference = schema["$ref"]?.stringValue, let target = resolve(reference, root: root) {
            validate(instance, against: target, path: path, root: root, depth: depth + 1, into: &violations)
        }
        if let type = schema["type"] {
            let allowed = type.arrayValue?.compactMap(\.stringValue) ?? [type.stringValue ?? ""]
            if !allowed.contains(where: { matches(instance, type: $0) }) {
                let expected = allowed.count == 1 ? allowed[0] : "one of " + allowed.joined(separator: ", ")
                violations.append(.init(path: path, message: "expected \(expected), got \(instance.typeName)"))
                return
            }
        }
        if let options = schema["enum"]?.arrayValue, !options.contains(where: { equal($0, instance) }) {
            let list = options.map { $0.compactJSONString() }.joined(separator: ", ")
            violations.append(.init(path: path, message: "value \(instance.compactJSONString()) is not one of [\(list)]"))
        }
        if let constant = schema["const"], !equal(constant, instance) {
            violations.append(.init(path: path, message: "value must be \(constant.compactJSONString())"))
        }
        switch instance {
        case .string(let text): validateString(text, schema: schema, path: path, into: &violations)
        case .number(let number): validateNumber(number, schema: schema, path: path, into: &violations)
        case .array(let items): validateArray(items, schema: schema, path: path, root: root, depth: depth, into: &violations)
        case .object(let members): validateObject(members, schema: schema, path: path, root: root, depth: depth, into: &violations)
        default: break
        }
        if let all = schema["allOf"]?.arrayValue {
            for sub in all { validate(instance, against: sub, path: path, root: root, depth: depth + 1, into: &violations) }
        }
        if let any = schema["anyOf"]?.arrayValue {
            let matching = any.filter { isValid(instance, against: $0, root: root, depth: depth + 1) }
            if matching.isEmpty { violations.append(.init(path: path, message: "value matches none of the anyOf schemas")) }
        }
        if let one = schema["oneOf"]?.arrayValue {
            let count = one.filter { isValid(instance, against: $0, root: root, depth: depth + 1) }.count
            if count != 1 {
                violations.append(.init(path: path, message: "value matches \(count) of the oneOf schemas, expected exactly 1"))
            }
        }
        if let not = schema["not"], isValid(instance, against: not, root: root, depth: depth + 1) {
            violations.append(.init(path: path, message: "value must not match the 'not' schema"))
        }
    }

    private static func isValid(_ instance: JSONValue, against schema: JSONValue, root: JSONValue, depth: Int) -> Bool {
        var violations: [JSONSchemaViolation] = []
        validate(instance, against: schema, path: "$", root: root, depth: depth, into: &violations)
        return violations.isEmpty
    }

    private static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object), ("number", .number):
            return true
        case ("integer", .number(let n)): return n.rounded() == n && n.isFinite
        default: return false
        }
    }

    private static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool { a == b }

    private static func validateString(_ text: String, schema: JSONValue, path: String, into violations: inout [JSONSchemaViolation]) {
        let length = text.count
        if let minimum = schema["minLength"]?.numberValue, Double(length) < minimum {
            violations.append(.init(path: path, message: "string is shorter than \(Int(minimum)) characters"))
        }
        if let maximum = schema["maxLength"]?.numberValue, Double(length) > maximum {
            violations.append(.init(path: path, message: "string is longer than \(Int(maximum)) characters"))
        }
        if let pattern = schema["pattern"]?.stringValue, let regex = try? NSRegularExpression(pattern: pattern) {
            let range = NSRange(text.startIndex..., in: text)
            if regex.firstMatch(in: text, range: range) == nil {
                violations.append(.init(path: path, message: "string does not match pattern \(pattern)"))
            }
        }
        if let format = schema["format"]?.stringValue {
            let ok: Bool
            switch format {
            case "email": ok = text.wholeMatch(of: /[^@\s]+@[^@\s]+\.[^@\s]+/) != nil
            case "date": ok = text.wholeMatch(of: /\d{4}-\d{2}-\d{2}/) != nil
            case "date-time": ok = text.prefixMatch(of: /\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}/) != nil
            default: ok = true
            }
            if !ok { violations.append(.init(path: path, message: "string is not a valid \(format)")) }
        }
    }

    private static func validateNumber(_ number: Double, schema: JSONValue, path: String, into violations: inout [JSONSchemaViolation]) {
        if let minimum = schema["minimum"]?.numberValue, number < minimum {
            violations.append(.init(path: path, message: "\(format(number)) is less than the minimum \(format(minimum))"))
        }
        if let maximum = schema["maximum"]?.numberValue, number > maximum {
            violations.append(.init(path: path, message: "\(format(number)) is greater than the maximum \(format(maximum))"))
        }
        if let minimum = schema["exclusiveMinimum"]?.numberValue, number <= minimum {
            violations.append(.init(path: path, message: "\(format(number)) must be greater than \(format(minimum))"))
        }
        if let maximum = schema["exclusiveMaximum"]?.numberValue, number >= maximum {
            violations.append(.init(path: path, message: "\(format(number)) must be less than \(format(maximum))"))
        }
        if let divisor = schema["multipleOf"]?.numberValue, divisor > 0 {
            let quotient = number / divisor
            if abs(quotient - quotient.rounded()) > 1e-9 {
                violations.append(.init(path: path, message: "\(format(number)) is not a multiple of \(format(divisor))"))
            }
        }
    }

    private static func format(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }

    private static func validateArray(
        _ items: [JSONValue], schema: JSONValue, path: String, root: JSONValue, depth: Int, into violations: inout [JSONSchemaViolation]
    ) {
        if let minimum = schema["minItems"]?.numberValue, Double(items.count) < minimum {
            violations.append(.init(path: path, message: "array has fewer than \(Int(minimum)) items"))
        }
        if let maximum = schema["maxItems"]?.numberValue, Double(items.count) > maximum {
            violations.append(.init(path: path, message: "array has more than \(Int(maximum)) items"))
        }
        if schema["uniqueItems"]?.boolValue == true, Set(items).count != items.count {
            violations.append(.init(path: path, message: "array items are not unique"))
        }
        let prefix = schema["prefixItems"]?.arrayValue ?? []
        for (index, item) in items.enumerated() {
            if index < prefix.count {
                validate(item, against: prefix[index], path: "\(path)[\(index)]", root: root, depth: depth + 1, into: &violations)
            } else if let itemSchema = schema["items"] {
                validate(item, against: itemSchema, path: "\(path)[\(index)]", root: root, depth: depth + 1, into: &violations)
            }
        }
    }

    private static func validateObject(
        _ members: [String: JSONValue], schema: JSONValue, path: String, root: JSONValue, depth: Int,
        into violations: inout [JSONSchemaViolation]
    ) {
        for name in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where members[name] == nil {
            violations.append(.init(path: path, message: "missing required property '\(name)'"))
        }
        let properties = schema["properties"]?.objectValue ?? [:]
        for (name, value) in members.sorted(by: { $0.key < $1.key }) {
            let childPath = path + "." + name
            if let sub = properties[name] {
                validate(value, against: sub, path: childPath, root: root, depth: depth + 1, into: &violations)
            } else if let additional = schema["additionalProperties"] {
                if additional == .bool(false) {
                    violations.append(.init(path: childPath, message: "property '\(name)' is not allowed"))
                } else {
                    validate(value, against: additional, path: childPath, root: root, depth: depth + 1, into: &violations)
                }
            }
        }
    }
}

public struct JSONSchemaViolation: Sendable, Hashable, CustomStringConvertible {
    public let path: String
    public let message: String
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }
    public var description: String { "\(path): \(message)" }
}

public enum JSONSchemaError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidSchema(path: String, message: String)
    public var description: String {
        switch self {
        case .invalidSchema(let path, let message): return "\(path): \(message)"
        }
    }
}
