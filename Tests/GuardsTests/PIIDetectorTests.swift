import Testing

@testable import Guards

@Suite struct PIIDetectorTests {
    let detector = PIIDetector()

    func found(_ text: String) -> [(PIIType, String)] {
        let scalars = Array(text.unicodeScalars)
        return detector.detect(text).map { finding in
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[finding.start..<finding.end])
            return (finding.type, String(view))
        }
    }

    @Test(arguments: [
        ("Write to anna.schmidt+orders@example.co.uk please", PIIType.email, "anna.schmidt+orders@example.co.uk"),
        ("Call me at +44 20 7946 0958 tomorrow", .phone, "+44 20 7946 0958"),
        ("my number is (415) 555-0132.", .phone, "(415) 555-0132"),
        ("Tel: 06 12 34 56 78", .phone, "06 12 34 56 78"),
        ("Handy 0151 23456789", .phone, "0151 23456789"),
        ("llámame al 612 345 678", .phone, "612 345 678"),
        ("card 4111 1111 1111 1111 exp 12/27", .creditCard, "4111 1111 1111 1111"),
        ("IBAN DE89 3704 0044 0532 0130 00 for the refund", .iban, "DE89 3704 0044 0532 0130 00"),
        ("SSN 123-45-6789", .usSSN, "123-45-6789"),
        ("The SSN you entered (123-45-6789) does not match", .usSSN, "123-45-6789"),
        ("login from 192.168.10.4 failed", .ipAddress, "192.168.10.4"),
        ("client 2001:db8::8a2e:370:7334 connected", .ipAddress, "2001:db8::8a2e:370:7334"),
        ("I was born on 12 March 1985 in Lyon", .dateOfBirth, "12 March 1985"),
        ("Geburtsdatum: 03.07.1979", .dateOfBirth, "03.07.1979"),
        ("Dear Anna Schmidt,\nthe parcel", .person, "Anna Schmidt"),
        ("Best regards,\nMaria Lopez", .person, "Maria Lopez"),
        ("je m'appelle Jean Dupuis et", .person, "Jean Dupuis"),
        ("ship to 221B Baker Street, London", .streetAddress, "221B Baker Street"),
        ("livrer au 12 rue de la Paix, Paris", .streetAddress, "12 rue de la Paix"),
        ("Lieferadresse: Berliner Str. 5a, 10115 Berlin", .streetAddress, "Berliner Str. 5a"),
        ("enviar a Calle Mayor 12, Madrid", .streetAddress, "Calle Mayor 12"),
    ])
    func findsEachType(text: String, type: PIIType, value: String) {
        let results = found(text)
        #expect(results.contains { $0.0 == type && $0.1 == value }, "\(results)")
    }

    @Test(arguments: [
        "Order #NL-48213 shipped",
        "tracking 1Z999AA10123456784",
        "card number 4111 1111 1111 1112 was declined",
        "ISBN 978-3-16-148410-0",
        "total €1,299.00 incl. VAT",
        "meeting at 14:05:22",
        "version 10.2.0.1 build",
        "SKU KT-2231-BLU",
        "invoice INV-2024-000123",
        "delivery on 12/03/2025",
        "Dear Customer,",
        "a born leader",
        "2024-05-01T10:22:31Z INFO request id=9f2c1a port :8080",
    ])
    func hardNegativesDoNotFire(text: String) {
        #expect(found(text).isEmpty, "\(found(text))")
    }

    @Test func offsetsAreUnicodeScalars() {
        let text = "Café ☕️ — écrivez à zoé@exemple.fr"
        let finding = detector.detect(text).first
        let expected = Array(text.unicodeScalars).count - "zoé@exemple.fr".unicodeScalars.count
        #expect(finding?.start == expected)
    }
}
