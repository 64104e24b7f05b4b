import Foundation
import GatehouseTesting
import Testing

/// Right to erasure and retention, checked on the raw bytes of the database files.
@Suite struct ErasureTests {
    /// The demo with full payload logging, so payloads are really stored.
    static func scratch() throws -> URL {
        let scratch = try CLI.scratchDemo()
        let contract = scratch.appendingPathComponent("usecases/ticket-triage/usecase.yaml")
        let text = try String(contentsOf: contract, encoding: .utf8)
        try text.replacingOccurrences(of: "payload_logging: hashed", with: "payload_logging: full").write(to: contract, atomically: true, encoding: .utf8)
        return scratch
    }

    static func databaseBytes(_ scratch: URL) throws -> Data {
        var bytes = Data()
        for suffix in ["", "-wal", "-shm"] {
            let url = scratch.appendingPathComponent("data/gatehouse.sqlite" + suffix)
            if FileManager.default.fileExists(atPath: url.path) { bytes.append(try Data(contentsOf: url)) }
        }
        return bytes
    }

    @Test func eraseSubjectLeavesNoneOfItsPayloadBytesInTheDatabaseFiles() async throws {
        let scratch = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let key = "gh-erasure-test-key"
        let environment = ["GATEHOUSE_DEMO_KEY": key]
        let markerA = "Aurelie-Marchetti-\(UUID().uuidString.prefix(8))"
        let markerB = "Bjorn-Halvorsen-\(UUID().uuidString.prefix(8))"
        let server = try CLI.Server(["--config", scratch.path], environment: environment)
        for (subject, marker) in [("customer-A", markerA), ("customer-B", markerB), ("customer-A", markerA)] {
            let body = #"{"input": {"subject": "Refund for \#(marker)", "body": "My name is \#(marker), I was charged twice for order NL-48213."}, "context": {"data_subject": "\#(subject)"}}"#
            let response = try await TestHTTP.send(.POST, server.baseURL + "/v1/usecases/ticket-triage/invoke", body: body, bearer: key)
            #expect(response.status == 200)
        }
        #expect(server.stop() == 0)

        // Both subjects' payloads are stored before the erasure (else the check below proves nothing).
        let before = try Self.databaseBytes(scratch)
        #expect(before.range(of: Data(markerA.utf8)) != nil)
        #expect(before.range(of: Data(markerB.utf8)) != nil)

        let erase = try CLI.run(["erase", "--config", scratch.path, "--subject", "customer-A"], environment: environment)
        #expect(erase.status == 0, "\(erase.stderr)")
        #expect(erase.stdout.contains("Erased the payloads of 2 invocation(s)"), "\(erase.stdout)")

        let after = try Self.databaseBytes(scratch)
        #expect(after.range(of: Data(markerA.utf8)) == nil, "the erased subject's data is still in the database files")
        #expect(after.range(of: Data(markerB.utf8)) != nil, "another subject's payloads must stay")
        #expect(after.range(of: Data("customer-A".utf8)) == nil, "the subject reference itself is never stored")

        // The erasure is audited, without the data, and the chain is intact.
        let export = try CLI.run(["audit", "export", "--config", scratch.path], environment: environment)
        let erasure = try #require(export.stdout.split(separator: "\n").first { $0.contains(#""action":"erasure""#) })
        #expect(erasure.contains(#""rows":2"#))
        #expect(!export.stdout.contains(markerA) && !export.stdout.contains("customer-A"))
        #expect(try CLI.run(["audit", "verify", "--config", scratch.path], environment: environment).status == 0)
        // Rows keep their metadata.
        let again = try CLI.run(["erase", "--config", scratch.path, "--subject", "customer-A"], environment: environment)
        #expect(again.stdout.contains("Erased the payloads of 0 invocation(s)"))
    }
}
