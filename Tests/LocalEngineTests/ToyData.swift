import Foundation

@testable import LocalEngine

/// A small multilingual, two-field toy set whose topics are separable by vocabulary.
enum ToyData {
    static let topics: [(category: String, texts: [String])] = [
        ("billing", [
            "I was charged twice for my order", "refund not received on my credit card", "the invoice has the wrong VAT number",
            "payment taken but the order failed", "double charge on my card statement", "remboursement pas reçu sur ma carte bancaire",
            "facture avec un montant erroné", "doppelte Abbuchung auf der Kreditkarte", "Rechnung mit falschem Betrag", "cobro duplicado en mi tarjeta",
            "la factura tiene un importe incorrecto",
        ]),
        ("shipping", [
            "my parcel has not arrived yet", "the tracking number does not work", "the courier delivered to the wrong address",
            "package stuck in transit for a week", "delivery is late again", "mon colis n'est pas livré", "le suivi du colis ne marche pas",
            "das Paket ist nicht angekommen", "die Sendungsverfolgung zeigt nichts", "el paquete no ha llegado", "el repartidor no vino",
        ]),
        ("technical", [
            "the app crashes when I log in", "the coffee machine shows error E04", "the smart plug will not connect to wifi",
            "website checkout shows error 500", "bluetooth pairing of the speaker fails", "la machine à café affiche une erreur",
            "l'application plante au démarrage", "die App stürzt beim Start ab", "die Kaffeemaschine zeigt einen Fehler",
            "la aplicación se cierra sola", "la cafetera muestra un error",
        ]),
    ]

    /// Each text three times (as written, with a greeting, with a signature); priority high when
    /// the text mentions a crash or a double charge.
    static let examples: [LabelledExample] = {
        var rows: [LabelledExample] = []
        for (category, texts) in topics {
            for (i, text) in texts.enumerated() {
                let priority = ["twice", "crash", "doppelte", "plante", "stürzt", "duplicado"].contains { text.contains($0) } ? "high" : "normal"
                for (copy, variant) in [text, "Hello,\n\(text).", "\(text)\nThanks, Anna"].enumerated() {
                    rows.append(LabelledExample(id: "\(category)-\(i)-\(copy)", text: variant, labels: ["category": category, "priority": priority]))
                }
            }
        }
        return rows
    }()

    static func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("localengine-\(UUID().uuidString)-\(name)").path
    }
}
