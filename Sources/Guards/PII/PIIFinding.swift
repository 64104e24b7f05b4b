/// The kinds of personal data the PII guard finds.
public enum PIIType: String, Sendable, Hashable, CaseIterable, Codable, Comparable {
    case email = "EMAIL"
    case phone = "PHONE"
    case creditCard = "CREDIT_CARD"
    case iban = "IBAN"
    case usSSN = "US_SSN"
    case ipAddress = "IP_ADDRESS"
    case dateOfBirth = "DATE_OF_BIRTH"
    case person = "PERSON"
    case streetAddress = "STREET_ADDRESS"

    public static func < (lhs: PIIType, rhs: PIIType) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One finding: a span in Unicode scalar (code point) offsets, `end` exclusive, its type and a score
/// in 0...1 (how sure the detector is; structured types with a checksum score highest).
public struct PIIFinding: Sendable, Hashable, Codable {
    public var start: Int
    public var end: Int
    public var type: PIIType
    public var score: Double

    public init(start: Int, end: Int, type: PIIType, score: Double) {
        self.start = start
        self.end = end
        self.type = type
        self.score = score
    }

    public func overlaps(_ other: PIIFinding) -> Bool { start < other.end && other.start < end }
}
