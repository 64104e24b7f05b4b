import Testing

@testable import Core

// MARK: - Helpers

private func schema(_ json: String) throws -> JSONSchema {
    try JSONSchema(JSONValue.parse(json))
}

/// Violations as "path: message" lines.
private func violations(_ schema: JSONSchema, _ instance: JSONValue) -> [String] {
    schema.validate(instance).map(\.description)
}

private func violations(_ json: String, _ instance: JSONValue) throws -> [String] {
    violations(try schema(json), instance)
}

private func violations(_ json: String, json instance: String) throws -> [String] {
    violations(try schema(json), try JSONValue.parse(instance))
}

/// The error thrown for a malformed schema, or `nil` if it compiled.
private func schemaError(_ json: String) throws -> JSONSchemaError? {
    let value = try JSONValue.parse(json)
    do {
        _ = try JSONSchema(value)
        return nil
    } catch {
        return error
    }
}

// MARK: - type

@Suite("JSONSchema type")
struct JSONSchemaTypeTests {
    @Test func singleTypes() throws {
        let cases: [(type: String, valid: JSONValue, invalid: JSONValue, got: String)] = [
            ("string", "hi", 5, "integer"),
            ("integer", 3, 3.5, "number"),
            ("number", 3.5, "3.5", "string"),
            ("boolean", true, 0, "integer"),
            ("null", nil, false, "boolean"),
            ("object", ["a": 1], [1], "array"),
            ("array", [1, 2], ["a": 1], "object"),
        ]
        for item in cases {
            let s = try JSONSchema(["type": .string(item.type)])
            #expect(s.validate(item.valid).isEmpty, "\(item.type) should accept \(item.valid)")
            #expect(violations(s, item.invalid) == ["$: expected \(item.type), got \(item.got)"])
        }
    }

    @Test func integerMeansIntegralNumber() throws {
        let s = try JSONSchema(["type": "integer"])
        #expect(s.validate(3.0).isEmpty)
        #expect(s.validate(-7).isEmpty)
        #expect(s.validate(1e20).isEmpty)
        #expect(violations(s, 0.5) == ["$: expected integer, got number"])
        // number accepts integers too
        #expect(try JSONSchema(["type": "number"]).validate(4).isEmpty)
    }

    @Test func typeArray() throws {
        let s = try JSONSchema(["type": ["string", "null"]])
        #expect(s.validate("x").isEmpty)
        #expect(s.validate(nil).isEmpty)
        #expect(violations(s, 5) == ["$: expected string or null, got integer"])
        let three = try JSONSchema(["type": ["string", "number", "null"]])
        #expect(violations(three, true) == ["$: expected string, number or null, got boolean"])
    }

    @Test func typeMismatchSuppressesOtherKeywordsAtThatLocation() throws {
        let s = try JSONSchema(["type": "string", "minLength": 3, "enum": ["abc"]])
        #expect(violations(s, 5) == ["$: expected string, got integer"])
    }

    @Test func keywordsForOtherTypesDoNotApply() throws {
        // Without "type", string keywords ignore numbers and vice versa.
        let s = try JSONSchema(["minLength": 3, "minimum": 10, "required": ["a"], "minItems": 2])
        #expect(s.validate(50).isEmpty)
        #expect(s.validate("long").isEmpty)
        #expect(s.validate(["a": 1]).isEmpty)
        #expect(s.validate([1, 2]).isEmpty)
        #expect(s.validate(nil).isEmpty)
    }
}

// MARK: - objects

@Suite("JSONSchema objects")
struct JSONSchemaObjectTests {
    let ticket: JSONSchema

    init() throws {
        ticket = try JSONSchema([
            "type": "object",
            "required": ["subject", "body"],
            "additionalProperties": false,
            "properties": [
                "subject": ["type": "string"],
                "body": ["type": "string", "minLength": 1],
                "priority": ["type": "integer", "minimum": 1, "maximum": 5],
            ],
        ])
    }

    @Test func validObject() {
        #expect(ticket.validate(["subject": "Hi", "body": "Help", "priority": 2]).isEmpty)
        #expect(ticket.validate(["subject": "Hi", "body": "Help"]).isEmpty)
    }

    @Test func missingRequired() {
        #expect(violations(ticket, ["body": "x"]) == ["$: missing required property 'subject'"])
        #expect(violations(ticket, [:]) == [
            "$: missing required property 'subject'",
            "$: missing required property 'body'",
        ])
    }

    @Test func additionalPropertiesFalse() {
        #expect(violations(ticket, ["subject": "a", "body": "b", "extra": 1]) == ["$.extra: property 'extra' is not allowed"])
    }

    @Test func additionalPropertiesSchema() throws {
        let s = try JSONSchema(["properties": ["id": ["type": "string"]], "additionalProperties": ["type": "integer"]])
        #expect(s.validate(["id": "x", "count": 3]).isEmpty)
        #expect(violations(s, ["id": "x", "count": "3"]) == ["$.count: expected integer, got string"])
    }

    @Test func additionalPropertiesTrueOrAbsentAllowsAnything() throws {
        #expect(try JSONSchema(["properties": ["a": true]]).validate(["b": 1]).isEmpty)
        #expect(try JSONSchema(["additionalProperties": true]).validate(["b": 1]).isEmpty)
    }

    @Test func collectsEveryViolationInKeyOrder() {
        let result = violations(ticket, ["priority": 9, "body": "", "zeta": true, "alpha": nil])
        #expect(result == [
            "$: missing required property 'subject'",
            "$.alpha: property 'alpha' is not allowed",
            "$.body: string has 0 characters, fewer than the minimum of 1",
            "$.priority: 9 is greater than the maximum of 5",
            "$.zeta: property 'zeta' is not allowed",
        ])
    }

    @Test func nestedPaths() throws {
        let s = try JSONSchema([
            "type": "object",
            "properties": [
                "items": [
                    "type": "array",
                    "items": [
                        "type": "object",
                        "required": ["sku"],
                        "properties": ["priority": ["type": "string", "enum": ["low", "high"]], "sku": ["type": "string"]],
                    ],
                ],
            ],
        ])
        let instance: JSONValue = [
            "items": [
                ["sku": "a", "priority": "low"],
                ["sku": "b"],
                ["sku": 3, "priority": "urgent"],
                ["priority": 1],
            ],
        ]
        #expect(violations(s, instance) == [
            "$.items[2].priority: value 'urgent' is not one of [\"low\", \"high\"]",
            "$.items[2].sku: expected string, got integer",
            "$.items[3]: missing required property 'sku'",
            "$.items[3].priority: expected string, got integer",
        ])
    }

    @Test func oddPropertyNamesAreQuotedInPaths() throws {
        let s = try JSONSchema(["properties": ["first name": ["type": "string"], "a\"b": ["type": "string"], "x-id": ["type": "string"]]])
        #expect(violations(s, ["first name": 1, "a\"b": 2, "x-id": 3]) == [
            "$[\"a\\\"b\"]: expected string, got integer",
            "$[\"first name\"]: expected string, got integer",
            "$.x-id: expected string, got integer",
        ])
    }

    @Test func patternProperties() throws {
        let s = try JSONSchema([
            "patternProperties": ["^x-": ["type": "string"]],
            "additionalProperties": false,
        ])
        #expect(s.validate(["x-trace": "abc"]).isEmpty)
        #expect(violations(s, ["x-trace": 1, "other": 2]) == [
            "$.other: property 'other' is not allowed",
            "$.x-trace: expected string, got integer",
        ])
    }

    @Test func propertyNames() throws {
        let s = try JSONSchema(["propertyNames": ["pattern": "^[a-z]+$", "maxLength": 5]])
        #expect(s.validate(["abc": 1]).isEmpty)
        #expect(violations(s, ["Abc": 1, "toolong": 2]) == [
            "$.Abc: invalid property name 'Abc': string 'Abc' does not match pattern '^[a-z]+$'",
            "$.toolong: invalid property name 'toolong': string has 7 characters, more than the maximum of 5",
        ])
    }

    @Test func propertyCounts() throws {
        let s = try JSONSchema(["minProperties": 1, "maxProperties": 2])
        #expect(s.validate(["a": 1]).isEmpty)
        #expect(violations(s, [:]) == ["$: object has 0 properties, fewer than the minimum of 1"])
        #expect(violations(s, ["a": 1, "b": 2, "c": 3]) == ["$: object has 3 properties, more than the maximum of 2"])
    }

    @Test func dependentRequired() throws {
        let s = try JSONSchema(["dependentRequired": ["card": ["expiry", "cvc"]]])
        #expect(s.validate(["name": "x"]).isEmpty)
        #expect(s.validate(["card": "1", "expiry": "2", "cvc": "3"]).isEmpty)
        #expect(violations(s, ["card": "1", "cvc": "3"]) == ["$: missing property 'expiry', required when 'card' is present"])
    }

    @Test func topLevelProperties() throws {
        #expect(ticket.topLevelProperties == ["body", "priority", "subject"])
        #expect(try JSONSchema(["type": "string"]).topLevelProperties == [])
        #expect(try JSONSchema(true).topLevelProperties == [])
    }
}

// MARK: - enum and const

@Suite("JSONSchema enum and const")
struct JSONSchemaEnumConstTests {
    @Test func enumStrings() throws {
        let s = try JSONSchema(["enum": ["billing", "shipping"]])
        #expect(s.validate("billing").isEmpty)
        #expect(violations(s, "foo") == ["$: value 'foo' is not one of [\"billing\", \"shipping\"]"])
    }

    @Test func enumMixedValues() throws {
        let s = try JSONSchema(["enum": [1, 2.5, nil, ["a": [1, true]]]])
        #expect(s.validate(1.0).isEmpty)
        #expect(s.validate(nil).isEmpty)
        #expect(s.validate(["a": [1, true]]).isEmpty)
        #expect(violations(s, 3) == ["$: value 3 is not one of [1, 2.5, null, {\"a\":[1,true]}]"])
        #expect(violations(s, true) == ["$: value true is not one of [1, 2.5, null, {\"a\":[1,true]}]"])
    }

    @Test func longEnumListsAreShortened() throws {
        let s = try JSONSchema(["enum": .array((1...12).map { .number(Double($0)) })])
        #expect(violations(s, 13) == ["$: value 13 is not one of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, … (2 more)]"])
    }

    @Test func const() throws {
        let s = try JSONSchema(["const": "v1"])
        #expect(s.validate("v1").isEmpty)
        #expect(violations(s, "v2") == ["$: value 'v2' is not the constant \"v1\""])
        let null = try JSONSchema(["const": nil])
        #expect(null.validate(nil).isEmpty)
        #expect(violations(null, 0) == ["$: value 0 is not the constant null"])
        let object = try JSONSchema(["const": ["a": 1, "b": 2]])
        #expect(object.validate(["b": 2, "a": 1]).isEmpty)
        #expect(violations(object, ["a": 1]) == ["$: value {\"a\":1} is not the constant {\"a\":1,\"b\":2}"])
    }
}

// MARK: - arrays

@Suite("JSONSchema arrays")
struct JSONSchemaArrayTests {
    @Test func items() throws {
        let s = try JSONSchema(["type": "array", "items": ["type": "integer"]])
        #expect(s.validate([1, 2, 3]).isEmpty)
        #expect(s.validate([]).isEmpty)
        #expect(violations(s, [1, "two", 3, 4.5]) == [
            "$[1]: expected integer, got string",
            "$[3]: expected integer, got number",
        ])
    }

    @Test func prefixItems() throws {
        let s = try JSONSchema(["prefixItems": [["type": "string"], ["type": "integer"]], "items": false])
        #expect(s.validate(["a", 1]).isEmpty)
        #expect(s.validate(["a"]).isEmpty)
        #expect(violations(s, [1, "a", nil]) == [
            "$[0]: expected string, got integer",
            "$[1]: expected integer, got string",
            "$[2]: no value is allowed here",
        ])
        // Without "items", extra entries are unconstrained.
        #expect(try JSONSchema(["prefixItems": [["type": "string"]]]).validate(["a", 1, nil]).isEmpty)
    }

    @Test func legacyTupleItems() throws {
        let s = try JSONSchema(["items": [["type": "string"]], "additionalItems": ["type": "boolean"]])
        #expect(s.validate(["a", true, false]).isEmpty)
        #expect(violations(s, ["a", 1]) == ["$[1]: expected boolean, got integer"])
    }

    @Test func itemCounts() throws {
        let s = try JSONSchema(["minItems": 2, "maxItems": 3])
        #expect(s.validate([1, 2]).isEmpty)
        #expect(s.validate([1, 2, 3]).isEmpty)
        #expect(violations(s, [1]) == ["$: array has 1 item, fewer than the minimum of 2"])
        #expect(violations(s, [1, 2, 3, 4]) == ["$: array has 4 items, more than the maximum of 3"])
    }

    @Test func uniqueItems() throws {
        let s = try JSONSchema(["uniqueItems": true])
        #expect(s.validate([1, "1", true, nil, [1], ["a": 1]]).isEmpty)
        #expect(violations(s, [1, 2, 1.0]) == ["$: array items [0] and [2] are equal; items must be unique"])
        // Object equality ignores key order.
        #expect(violations(s, [["a": 1, "b": 2], ["b": 2, "a": 1]]) == ["$: array items [0] and [1] are equal; items must be unique"])
        #expect(try JSONSchema(["uniqueItems": false]).validate([1, 1]).isEmpty)
    }

    @Test func contains() throws {
        let s = try JSONSchema(["contains": ["type": "string"]])
        #expect(s.validate([1, "a"]).isEmpty)
        #expect(violations(s, [1, 2]) == ["$: array contains no item matching the 'contains' schema"])
        let counted = try JSONSchema(["contains": ["type": "string"], "minContains": 2, "maxContains": 3])
        #expect(counted.validate(["a", "b", 1]).isEmpty)
        #expect(violations(counted, ["a", 1]) == ["$: array contains 1 matching item, fewer than the minimum of 2"])
        #expect(violations(counted, ["a", "b", "c", "d"]) == ["$: array contains 4 matching items, more than the maximum of 3"])
    }
}

// MARK: - numbers

@Suite("JSONSchema numbers")
struct JSONSchemaNumberTests {
    @Test func inclusiveBounds() throws {
        let s = try JSONSchema(["minimum": 1, "maximum": 5])
        #expect(s.validate(1).isEmpty)
        #expect(s.validate(5).isEmpty)
        #expect(s.validate(2.5).isEmpty)
        #expect(violations(s, 0) == ["$: 0 is less than the minimum of 1"])
        #expect(violations(s, 5.5) == ["$: 5.5 is greater than the maximum of 5"])
    }

    @Test func exclusiveBounds() throws {
        let s = try JSONSchema(["exclusiveMinimum": 0, "exclusiveMaximum": 1])
        #expect(s.validate(0.5).isEmpty)
        #expect(violations(s, 0) == ["$: 0 must be greater than 0"])
        #expect(violations(s, 1) == ["$: 1 must be less than 1"])
        #expect(violations(s, -2) == ["$: -2 must be greater than 0"])
    }

    @Test func multipleOf() throws {
        let s = try JSONSchema(["multipleOf": 5])
        #expect(s.validate(0).isEmpty)
        #expect(s.validate(-15).isEmpty)
        #expect(violations(s, 7) == ["$: 7 is not a multiple of 5"])
        let cents = try JSONSchema(["multipleOf": 0.01])
        #expect(cents.validate(19.99).isEmpty)
        #expect(cents.validate(0.3).isEmpty)
        #expect(violations(cents, 0.005) == ["$: 0.005 is not a multiple of 0.01"])
        #expect(try JSONSchema(["multipleOf": 0.1]).validate(0.3).isEmpty)
    }

    @Test func severalNumberViolations() throws {
        let s = try JSONSchema(["type": "integer", "minimum": 10, "multipleOf": 4])
        #expect(violations(s, 3) == ["$: 3 is less than the minimum of 10", "$: 3 is not a multiple of 4"])
    }
}

// MARK: - strings

@Suite("JSONSchema strings")
struct JSONSchemaStringTests {
    @Test func lengths() throws {
        let s = try JSONSchema(["minLength": 2, "maxLength": 4])
        #expect(s.validate("ab").isEmpty)
        #expect(s.validate("abcd").isEmpty)
        #expect(violations(s, "a") == ["$: string has 1 character, fewer than the minimum of 2"])
        #expect(violations(s, "abcde") == ["$: string has 5 characters, more than the maximum of 4"])
    }

    @Test func lengthCountsUnicodeCodePoints() throws {
        let three = try JSONSchema(["maxLength": 3, "minLength": 3])
        #expect(three.validate("日本語").isEmpty)
        #expect(three.validate("💩💩💩").isEmpty)  // astral characters count once, not as UTF-16 pairs
        #expect(three.validate("ñañ").isEmpty)
        #expect(violations(three, "日本語です") == ["$: string has 5 characters, more than the maximum of 3"])
        // A decomposed "é" is two code points, as JSON Schema counts them.
        #expect(violations(try JSONSchema(["maxLength": 1]), "e\u{301}") == ["$: string has 2 characters, more than the maximum of 1"])
    }

    @Test func patternIsUnanchoredSearch() throws {
        #expect(try JSONSchema(["pattern": "b"]).validate("abc").isEmpty)
        let s = try JSONSchema(["pattern": "^[A-Z]{3}-\\d+$"])
        #expect(s.validate("ABC-123").isEmpty)
        #expect(s.validate("日本").isEmpty == false)
        #expect(violations(s, "abc-123") == ["$: string 'abc-123' does not match pattern '^[A-Z]{3}-\\d+$'"])
        #expect(try JSONSchema(["pattern": "^.{2}$"]).validate("💩é").isEmpty)
    }

    @Test func longStringsAreShortenedInMessages() throws {
        let s = try JSONSchema(["pattern": "^x"])
        let long = String(repeating: "a", count: 100)
        #expect(violations(s, .string(long)) == ["$: string '\(String(repeating: "a", count: 60))…' does not match pattern '^x'"])
    }

    @Test func emailFormat() throws {
        let s = try JSONSchema(["format": "email"])
        for good in ["a@b.co", "first.last+tag@example.org"] {
            #expect(s.validate(.string(good)).isEmpty, "\(good)")
        }
        for bad in ["plain", "@example.org", "a@b", "a@@b.co", "a b@c.de", "a@b..c", "a@.b"] {
            #expect(violations(s, .string(bad)) == ["$: '\(bad)' is not a valid email address"], "\(bad)")
        }
    }

    @Test func dateFormat() throws {
        let s = try JSONSchema(["format": "date"])
        for good in ["2024-05-01", "2024-02-29", "2000-02-29", "1999-12-31"] {
            #expect(s.validate(.string(good)).isEmpty, "\(good)")
        }
        for bad in ["2023-02-29", "1900-02-29", "2024-13-01", "2024-04-31", "2024-5-1", "20240501", "2024-05-01T00:00:00Z", "2024-00-10"] {
            #expect(violations(s, .string(bad)) == ["$: '\(bad)' is not a valid date (expected YYYY-MM-DD)"], "\(bad)")
        }
    }

    @Test func dateTimeFormat() throws {
        let s = try JSONSchema(["format": "date-time"])
        for good in ["2024-05-01T12:30:00Z", "2024-05-01t12:30:00z", "2024-05-01T12:30:00.123+02:00", "2024-12-31T23:59:60-08:00"] {
            #expect(s.validate(.string(good)).isEmpty, "\(good)")
        }
        for bad in [
            "2024-05-01", "2024-05-01T12:30:00", "2024-05-01 12:30:00Z", "2024-05-01T24:00:00Z", "2024-05-01T12:60:00Z",
            "2024-05-01T12:30:00.Z", "2024-05-01T12:30:00+0200", "2024-02-30T00:00:00Z", "2024-05-01T12:30:00+24:00",
        ] {
            #expect(violations(s, .string(bad)) == ["$: '\(bad)' is not a valid date-time (expected RFC 3339, e.g. 2024-05-01T12:30:00Z)"], "\(bad)")
        }
    }

    @Test func otherFormatsAreAnnotationsOnly() throws {
        let s = try JSONSchema(["format": "uuid"])
        #expect(s.validate("not a uuid").isEmpty)
        // Formats apply to strings only.
        #expect(try JSONSchema(["format": "email"]).validate(5).isEmpty)
    }
}

// MARK: - combinators

@Suite("JSONSchema combinators")
struct JSONSchemaCombinatorTests {
    @Test func anyOf() throws {
        let s = try schema(##"{"anyOf": [{"type": "string", "maxLength": 3}, {"type": "string", "pattern": "^[0-9]+$"}]}"##)
        #expect(s.validate("ab").isEmpty)
        #expect(s.validate("12345").isEmpty)
        #expect(violations(s, "abcd") == [
            "$: value does not match any of the anyOf alternatives: [0] string has 4 characters, more than the maximum of 3; "
                + "[1] string 'abcd' does not match pattern '^[0-9]+$'",
        ])
    }

    @Test func anyOfReportsTheOnlyAlternativeOfTheRightType() throws {
        // When the other alternatives want another type, the one that fits explains the failure directly.
        let s = try schema(##"{"anyOf": [{"type": "string", "maxLength": 3}, {"type": "integer", "minimum": 0}]}"##)
        #expect(s.validate(4).isEmpty)
        #expect(violations(s, "abcd") == ["$: string has 4 characters, more than the maximum of 3"])
        #expect(violations(s, -1) == ["$: -1 is less than the minimum of 0"])
    }

    @Test func optionalObjectReportsNestedViolations() throws {
        let s = try schema(##"""
            {"properties": {"customer": {"anyOf": [{"$ref": "#/$defs/customer"}, {"type": "null"}]}},
             "$defs": {"customer": {"type": "object", "required": ["email"], "properties": {"email": {"type": "string", "format": "email"}}}}}
            """##)
        #expect(s.validate(["customer": nil]).isEmpty)
        #expect(s.validate(["customer": ["email": "a@b.co"]]).isEmpty)
        #expect(violations(s, ["customer": ["email": "nope"]]) == ["$.customer.email: 'nope' is not a valid email address"])
        #expect(violations(s, ["customer": "x"]) == ["$.customer: expected object or null, got string"])
    }

    @Test func anyOfMatchingSeveralIsFine() throws {
        let s = try schema(##"{"anyOf": [{"type": "number"}, {"type": "integer"}]}"##)
        #expect(s.validate(3).isEmpty)
    }

    @Test func anyOfTypeAlternativesReadAsOneTypeError() throws {
        let s = try schema(##"{"properties": {"note": {"anyOf": [{"type": "string"}, {"type": "null"}]}}}"##)
        #expect(s.validate(["note": nil]).isEmpty)
        #expect(violations(s, ["note": 5]) == ["$.note: expected string or null, got integer"])
    }

    @Test func anyOfReasonsKeepNestedPaths() throws {
        let s = try schema(##"""
            {"anyOf": [
                {"required": ["id"], "properties": {"id": {"type": "string"}}},
                {"required": ["name"]}
            ]}
            """##)
        #expect(violations(s, ["id": 1]) == [
            "$: value does not match any of the anyOf alternatives: [0] $.id: expected string, got integer; [1] missing required property 'name'",
        ])
    }

    @Test func oneOf() throws {
        let s = try schema(##"{"oneOf": [{"type": "integer"}, {"type": "number", "minimum": 10}]}"##)
        #expect(s.validate(5).isEmpty)  // integer only
        #expect(s.validate(10.5).isEmpty)  // second only
        #expect(violations(s, 12) == ["$: value matches 2 oneOf alternatives ([0], [1]); expected exactly one"])
        #expect(violations(s, 2.5) == ["$: 2.5 is less than the minimum of 10"])
        let strings = try schema(##"{"oneOf": [{"type": "string", "minLength": 5}, {"type": "string", "pattern": "^a"}]}"##)
        #expect(violations(strings, "bcd") == [
            "$: value does not match any of the oneOf alternatives: [0] string has 3 characters, fewer than the minimum of 5; "
                + "[1] string 'bcd' does not match pattern '^a'",
        ])
        #expect(violations(s, "x") == ["$: expected integer or number, got string"])
    }

    @Test func allOfCollectsFromEveryBranch() throws {
        let s = try schema(##"""
            {"allOf": [
                {"type": "object", "required": ["a"]},
                {"required": ["b"], "properties": {"c": {"type": "string"}}}
            ]}
            """##)
        #expect(s.validate(["a": 1, "b": 2]).isEmpty)
        #expect(violations(s, ["c": 1]) == [
            "$: missing required property 'a'",
            "$: missing required property 'b'",
            "$.c: expected string, got integer",
        ])
    }

    @Test func not() throws {
        let s = try schema(##"{"not": {"type": "string"}}"##)
        #expect(s.validate(1).isEmpty)
        #expect(violations(s, "x") == ["$: value must not match the 'not' schema"])
    }

    @Test func ifThenElse() throws {
        let s = try schema(##"""
            {"if": {"properties": {"kind": {"const": "refund"}}, "required": ["kind"]},
             "then": {"required": ["amount"]},
             "else": {"properties": {"amount": false}}}
            """##)
        #expect(s.validate(["kind": "refund", "amount": 5]).isEmpty)
        #expect(s.validate(["kind": "question"]).isEmpty)
        #expect(violations(s, ["kind": "refund"]) == ["$: missing required property 'amount'"])
        #expect(violations(s, ["kind": "question", "amount": 5]) == ["$.amount: no value is allowed here"])
    }

    @Test func duplicateViolationsAreReportedOnce() throws {
        let s = try schema(##"{"required": ["a"], "allOf": [{"required": ["a"]}, {"required": ["a"]}]}"##)
        #expect(violations(s, [:]) == ["$: missing required property 'a'"])
    }
}

// MARK: - $ref

@Suite("JSONSchema $ref")
struct JSONSchemaRefTests {
    @Test func defsReference() throws {
        let s = try schema(##"""
            {"type": "object",
             "properties": {"shipping": {"$ref": "#/$defs/address"}, "billing": {"$ref": "#/$defs/address"}},
             "$defs": {"address": {"type": "object", "required": ["city"], "properties": {"city": {"type": "string"}}}}}
            """##)
        #expect(s.validate(["shipping": ["city": "Oslo"]]).isEmpty)
        #expect(violations(s, ["shipping": ["city": 1], "billing": [:]]) == [
            "$.billing: missing required property 'city'",
            "$.shipping.city: expected string, got integer",
        ])
    }

    @Test func definitionsReference() throws {
        let s = try schema(##"{"items": {"$ref": "#/definitions/id"}, "definitions": {"id": {"type": "string", "pattern": "^T-"}}}"##)
        #expect(s.validate(["T-1"]).isEmpty)
        #expect(violations(s, ["T-1", "X"]) == ["$[1]: string 'X' does not match pattern '^T-'"])
    }

    @Test func refAppliesAlongsideSiblingKeywords() throws {
        let s = try schema(##"{"$ref": "#/$defs/s", "maxLength": 2, "$defs": {"s": {"type": "string"}}}"##)
        #expect(violations(s, 5) == ["$: expected string, got integer"])
        #expect(violations(s, "abc") == ["$: string has 3 characters, more than the maximum of 2"])
    }

    @Test func recursiveSchema() throws {
        let s = try schema(##"""
            {"$ref": "#/$defs/node",
             "$defs": {"node": {"type": "object", "required": ["name"],
                                "properties": {"name": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}}}}}
            """##)
        let valid = try JSONValue.parse(##"{"name": "root", "children": [{"name": "a", "children": [{"name": "b"}]}, {"name": "c"}]}"##)
        #expect(s.validate(valid).isEmpty)
        let invalid = try JSONValue.parse(##"{"name": "root", "children": [{"name": "a", "children": [{"name": 2}, {}]}]}"##)
        #expect(violations(s, invalid) == [
            "$.children[0].children[0].name: expected string, got integer",
            "$.children[0].children[1]: missing required property 'name'",
        ])
    }

    @Test func rootReference() throws {
        let s = try schema(##"{"type": "array", "items": {"anyOf": [{"type": "integer"}, {"$ref": "#"}]}}"##)
        #expect(s.validate([1, [2, [3]]]).isEmpty)
        #expect(violations(s, [1, ["x"]]) == ["$[1][0]: expected integer or array, got string"])
    }

    @Test func pointerEscapesAndOtherLocations() throws {
        let s = try schema(##"""
            {"properties": {"a": {"$ref": "#/$defs/a~1b"}, "b": {"$ref": "#/$defs/with%20space"}, "c": {"$ref": "#/components/schemas/C"},
                            "d": {"$ref": "#/properties/a"}, "e": {"$ref": "#/$defs/list/anyOf/1"}},
             "components": {"schemas": {"C": {"type": "boolean"}}},
             "$defs": {"a/b": {"type": "string"}, "with space": {"type": "integer"}, "list": {"anyOf": [{"type": "null"}, {"minimum": 3}]}}}
            """##)
        #expect(s.validate(["a": "x", "b": 1, "c": true, "d": "y", "e": 4]).isEmpty)
        #expect(violations(s, ["a": 1, "b": "x", "c": 1, "d": 2, "e": 1]) == [
            "$.a: expected string, got integer",
            "$.b: expected integer, got string",
            "$.c: expected boolean, got integer",
            "$.d: expected string, got integer",
            "$.e: 1 is less than the minimum of 3",
        ])
    }

    @Test func deepRecursiveValuesAreCapped() throws {
        let s = try schema(##"{"anyOf": [{"type": "null"}, {"type": "object", "properties": {"next": {"$ref": "#"}}}]}"##)
        var shallow: JSONValue = nil
        for _ in 0..<30 { shallow = ["next": shallow] }
        #expect(s.validate(shallow).isEmpty)
        var deep: JSONValue = nil
        for _ in 0..<100 { deep = ["next": deep] }
        let deepPath = "$" + String(repeating: ".next", count: 65)
        #expect(violations(s, deep) == ["\(deepPath): value is nested more than 64 levels deep"])
    }
}

// MARK: - boolean schemas

@Suite("JSONSchema boolean schemas")
struct JSONSchemaBooleanTests {
    @Test func trueAcceptsEverything() throws {
        let s = try JSONSchema(true)
        for value: JSONValue in [nil, true, 1, 1.5, "x", [1], ["a": 1]] {
            #expect(s.validate(value).isEmpty)
        }
        #expect(try JSONSchema([:]).validate(["anything": [1, 2]]).isEmpty)
    }

    @Test func falseRejectsEverything() throws {
        let s = try JSONSchema(false)
        for value: JSONValue in [nil, true, 1, "x", [], [:]] {
            #expect(violations(s, value) == ["$: no value is allowed here"])
        }
    }

    @Test func booleanSubschemas() throws {
        let s = try JSONSchema(["properties": ["legacy": false, "free": true], "items": false])
        #expect(s.validate(["free": [1, 2]]).isEmpty)
        #expect(violations(s, ["legacy": 1]) == ["$.legacy: no value is allowed here"])
        #expect(violations(s, [1]) == ["$[0]: no value is allowed here"])
        #expect(try JSONSchema(["anyOf": [false, true]]).validate(1).isEmpty)
        #expect(violations(try JSONSchema(["not": true]), 1) == ["$: value must not match the 'not' schema"])
    }
}

// MARK: - invalid schemas

@Suite("JSONSchema invalid schemas")
struct JSONSchemaInvalidTests {
    @Test(arguments: [
        (##"{"type": 5}"##, "$.type", "'type' must be a type name or a non-empty array of type names"),
        (##"{"type": []}"##, "$.type", "'type' must be a type name or a non-empty array of type names"),
        (##"{"type": "text"}"##, "$.type", "unknown type \"text\"; expected one of array, boolean, integer, null, number, object, string"),
        (##"{"type": ["string", 1]}"##, "$.type", "unknown type 1; expected one of array, boolean, integer, null, number, object, string"),
        (##"{"type": ["string", "string"]}"##, "$.type", "type \"string\" is listed twice"),
        (##"{"required": "a"}"##, "$.required", "'required' must be an array of strings"),
        (##"{"required": ["a", 2]}"##, "$.required[1]", "'required' must be an array of strings, got integer"),
        (##"{"enum": "a"}"##, "$.enum", "'enum' must be an array"),
        (##"{"pattern": "([a-z"}"##, "$.pattern", "'pattern' is not a valid regular expression: ([a-z"),
        (##"{"pattern": 5}"##, "$.pattern", "'pattern' must be a string"),
        (##"{"minimum": "1"}"##, "$.minimum", "'minimum' must be a number, got string"),
        (##"{"exclusiveMaximum": true}"##, "$.exclusiveMaximum", "'exclusiveMaximum' must be a number, got boolean"),
        (##"{"multipleOf": 0}"##, "$.multipleOf", "'multipleOf' must be greater than 0"),
        (##"{"minLength": -1}"##, "$.minLength", "'minLength' must be a non-negative integer"),
        (##"{"maxItems": 1.5}"##, "$.maxItems", "'maxItems' must be a non-negative integer"),
        (##"{"uniqueItems": "yes"}"##, "$.uniqueItems", "'uniqueItems' must be a boolean"),
        (##"{"format": 1}"##, "$.format", "'format' must be a string"),
        (##"{"properties": []}"##, "$.properties", "'properties' must be an object of schemas"),
        (##"{"properties": {"a": 5}}"##, "$.properties.a", "a schema must be an object or a boolean, got integer"),
        (##"{"items": "string"}"##, "$.items", "a schema must be an object or a boolean, got string"),
        (##"{"anyOf": []}"##, "$.anyOf", "'anyOf' must be a non-empty array of schemas"),
        (##"{"oneOf": {}}"##, "$.oneOf", "'oneOf' must be a non-empty array of schemas"),
        (##"{"allOf": [{"type": "string"}, {"type": "bogus"}]}"##, "$.allOf[1].type",
         "unknown type \"bogus\"; expected one of array, boolean, integer, null, number, object, string"),
        (##"{"not": 1}"##, "$.not", "a schema must be an object or a boolean, got integer"),
        (##"{"$defs": []}"##, "$.$defs", "'$defs' must be an object of schemas"),
        (##"{"$defs": {"x": {"minimum": null}}}"##, "$.$defs.x.minimum", "'minimum' must be a number, got null"),
        (##"{"patternProperties": {"(": {}}}"##, "$.patternProperties", "\"(\" is not a valid regular expression"),
        (##"{"prefixItems": [], "items": true}"##, "$.prefixItems", "'prefixItems' must be a non-empty array of schemas"),
        (##"{"prefixItems": [true], "items": [true]}"##, "$.items", "'items' must be a schema when 'prefixItems' is present"),
        (##"{"dependentRequired": {"a": [1]}}"##, "$.dependentRequired.a", "'dependentRequired' entries must be arrays of strings"),
        ("5", "$", "a schema must be an object or a boolean, got integer"),
    ])
    func rejected(json: String, path: String, message: String) throws {
        #expect(try schemaError(json) == .invalidSchema(path: path, message: message))
    }

    @Test func nestedSchemaErrorsNameTheirPath() throws {
        let error = try schemaError(##"{"type": "object", "properties": {"priority": {"type": "int"}}}"##)
        #expect(error?.path == "$.properties.priority.type")
        #expect(error?.message == "unknown type \"int\"; expected one of array, boolean, integer, null, number, object, string")
        #expect(error?.description == "invalid JSON Schema at $.properties.priority.type: " + (error?.message ?? ""))
        let quoted = try schemaError(##"{"properties": {"first name": {"items": {"minItems": "2"}}}}"##)
        #expect(quoted?.path == "$.properties[\"first name\"].items.minItems")
    }

    @Test func unknownReferences() throws {
        #expect(try schemaError(##"{"$ref": "#/$defs/missing", "$defs": {}}"##) == .invalidSchema(
            path: "$.$ref", message: "unresolvable $ref '#/$defs/missing': nothing exists at that location in this schema"))
        #expect(try schemaError(##"{"properties": {"a": {"$ref": "#/definitions/nope"}}}"##)?.path == "$.properties.a.$ref")
        #expect(try schemaError(##"{"$ref": "https://example.com/schema.json"}"##) == .invalidSchema(
            path: "$.$ref",
            message: "unsupported $ref 'https://example.com/schema.json': only references within this schema, like '#/$defs/Name', are supported"))
        #expect(try schemaError(##"{"$ref": "#item"}"##) == .invalidSchema(
            path: "$.$ref", message: "unsupported $ref '#item': anchors are not supported; use a JSON pointer like '#/$defs/Name'"))
        #expect(try schemaError(##"{"$ref": 5}"##) == .invalidSchema(path: "$.$ref", message: "'$ref' must be a string"))
        // A reference to something that is not a schema.
        #expect(try schemaError(##"{"$ref": "#/$defs/x/type", "$defs": {"x": {"type": "string"}}}"##) == .invalidSchema(
            path: "$.$defs.x.type", message: "a schema must be an object or a boolean, got string"))
    }

    @Test func circularReferencesThatNeverDescendAreRejected() throws {
        #expect(try schemaError(##"{"$ref": "#"}"##) == .invalidSchema(
            path: "$.$ref",
            message: "circular $ref '#': it leads back to the same schema without descending into a property or item, so validation would never end"))
        let mutual = try schemaError(##"{"$ref": "#/$defs/a", "$defs": {"a": {"anyOf": [{"$ref": "#/$defs/b"}]}, "b": {"allOf": [{"$ref": "#/$defs/a"}]}}}"##)
        #expect(mutual?.path == "$.$defs.a.anyOf[0].$ref")
        // Recursion through a property is fine.
        #expect(try schemaError(##"{"properties": {"child": {"$ref": "#"}}}"##) == nil)
    }

    @Test func deeplyNestedSchemaIsRejected() throws {
        var nested: JSONValue = ["type": "string"]
        for _ in 0..<70 { nested = ["items": nested] }
        #expect(throws: JSONSchemaError.self) { try JSONSchema(nested) }
        var fine: JSONValue = ["type": "string"]
        for _ in 0..<20 { fine = ["items": fine] }
        #expect(throws: Never.self) { try JSONSchema(fine) }
    }

    @Test func annotationsAndUnknownKeywordsAreIgnored() throws {
        let s = try schema(##"""
            {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "urn:x", "$comment": "c",
             "title": 5, "description": ["any"], "default": {}, "examples": [1], "x-vendor": {"type": "bogus"},
             "deprecated": true, "readOnly": true, "nullable": true, "type": "string"}
            """##)
        #expect(s.validate("ok").isEmpty)
        #expect(violations(s, 1) == ["$: expected string, got integer"])
    }
}

// MARK: - value semantics

@Suite("JSONSchema value semantics")
struct JSONSchemaValueTests {
    @Test func equalityFollowsTheDocument() throws {
        let a = try JSONSchema(["type": "string", "pattern": "^a"])
        let b = try JSONSchema(["pattern": "^a", "type": "string"])
        let c = try JSONSchema(["type": "string"])
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(a != c)
        #expect(Set([a, b, c]).count == 2)
        #expect(a.root == ["type": "string", "pattern": "^a"])
    }

    @Test func violationDescription() {
        let violation = JSONSchemaViolation(path: "$.a", message: "expected string, got integer")
        #expect(violation.description == "$.a: expected string, got integer")
        #expect(JSONSchemaError.invalidSchema(path: "$.type", message: "bad").description == "invalid JSON Schema at $.type: bad")
    }

    @Test func isValid() throws {
        let s = try JSONSchema(["type": "string"])
        #expect(s.isValid("x"))
        #expect(!s.isValid(1))
    }

    @Test func usableAcrossTasks() async throws {
        let s = try JSONSchema(["type": "object", "properties": ["code": ["type": "string", "pattern": "^[A-Z]+$"]]])
        let results = await withTaskGroup(of: Int.self) { group in
            for index in 0..<16 {
                group.addTask {
                    s.validate(["code": index.isMultiple(of: 2) ? "ABC" : "abc"]).count
                }
            }
            var total = 0
            for await count in group { total += count }
            return total
        }
        #expect(results == 8)
    }

    @Test func validationIsDeterministic() throws {
        let s = try JSONSchema(["additionalProperties": ["type": "string"]])
        var members: [String: JSONValue] = [:]
        for index in 0..<50 { members["k\(index)"] = .number(Double(index)) }
        let first = s.validate(.object(members))
        #expect(first.count == 50)
        #expect(first.map(\.path) == members.keys.sorted().map { "$.\($0)" })
        for _ in 0..<5 { #expect(s.validate(.object(members)) == first) }
    }
}
