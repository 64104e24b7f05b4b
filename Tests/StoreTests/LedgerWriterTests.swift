import Core
import Crypto
import Foundation
import GRDB
import Logging
import ServiceLifecycle
import Store
import Testing

@Suite struct LedgerWriterTests {
    func entry(_ id: String) -> LedgerEntry {
        LedgerEntry(
            id: id, createdAt: Date(), keyID: "k", route: .invoke, useCase: "u", variant: "v", variantVersion: "1", provider: "p",
            model: "m", decision: .answered, httpStatus: 200, errorCode: nil, latencyMilliseconds: 1, stageTimings: [:], attempts: [],
            inputTokens: 1, outputTokens: 1, tokensEstimated: false, costUSD: 0, confidence: nil, escalationReasons: [],
            streamed: false, streamOutcome: nil, payloadMode: "none", inputPayload: nil, outputPayload: nil, traceID: nil)
    }

    func store() throws -> SQLiteStore {
        try SQLiteStore(path: FileManager.default.temporaryDirectory.appendingPathComponent("writer-\(UUID().uuidString)/g.sqlite").path)
    }

    @Test func writesThroughWhenTheServiceIsNotRunning() async throws {
        let store = try store()
        let writer = LedgerWriter(store: store, logger: Logger(label: "test"))
        try await writer.record(entry("direct"))
        #expect(try await store.entry(id: "direct") != nil)
    }

    @Test func queuedRowsAreReadableAtOnceAndAllLandBeforeShutdownEnds() async throws {
        let store = try store()
        let writer = LedgerWriter(store: store, capacity: 64, logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await writer.run() }
            try await Task.sleep(for: .milliseconds(20))  // let run() start
            try await withThrowingTaskGroup(of: Void.self) { writers in
                for i in 0..<1000 {
                    writers.addTask { try await writer.record(entry("row-\(i)")) }
                }
                try await writers.waitForAll()
            }
            #expect(try await writer.entry(id: "row-999") != nil, "readable while queued or written")
            group.cancelAll()  // shutdown: the queue must be drained before run() returns
            try await group.waitForAll()
        }
        let rows = try await store.recentEntries(limit: 5000)
        #expect(rows.filter { $0.id.hasPrefix("row-") }.count == 1000)
        #expect(writer.queueDepth == 0)
    }

    @Test func aDuplicateRowDoesNotBlockTheOthers() async throws {
        let store = try store()
        let writer = LedgerWriter(store: store, logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await writer.run() }
            try await Task.sleep(for: .milliseconds(20))
            for id in ["a", "dup", "dup", "b"] { try await writer.record(entry(id)) }
            await writer.flush()
            group.cancelAll()
        }
        #expect(try await store.entry(id: "a") != nil)
        #expect(try await store.entry(id: "b") != nil)
        #expect(try await store.recentEntries(limit: 10).count == 3)
    }

    @Test func flushWaitsForTheDatabase() async throws {
        let store = try store()
        let writer = LedgerWriter(store: store, logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await writer.run() }
            try await Task.sleep(for: .milliseconds(20))
            for i in 0..<50 { try await writer.record(entry("f-\(i)")) }
            await writer.flush()
            #expect(try await store.entry(id: "f-49") != nil)
            group.cancelAll()
        }
    }

    /// Rows queued within the linger window wait for it and are written together; they are readable
    /// through the writer meanwhile, and a flush writes them.
    @Test func rowsLingerThenLandTogether() async throws {
        let store = try store()
        let writer = LedgerWriter(store: store, linger: .milliseconds(400), logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await writer.run() }
            try await Task.sleep(for: .milliseconds(20))
            for i in 0..<3 { try await writer.record(entry("linger-\(i)")) }
            try await Task.sleep(for: .milliseconds(50))
            for i in 0..<3 {
                #expect(try await store.entry(id: "linger-\(i)") == nil, "written before the linger ended")
                #expect(try await writer.entry(id: "linger-\(i)") != nil, "not readable while queued")
            }
            await writer.flush()
            for i in 0..<3 { #expect(try await store.entry(id: "linger-\(i)") != nil) }
            group.cancelAll()
        }
    }

    /// Rows of unauthenticated rejections are kept only while the queue is under half full, without
    /// waiting; the other half is for authenticated traffic, which waits rather than lose a row.
    @Test func recordIfRoomDropsWhenTheQueueIsHalfFullAndNeverWaits() async throws {
        let store = try store()
        // No linger: the first row must be taken into a batch at once, so the queue starts empty.
        let writer = LedgerWriter(store: store, capacity: 8, linger: .zero, logger: Logger(label: "test"))
        // Another connection holds the write lock, so the writer's batch waits and the queue fills.
        let blocker = try DatabaseBlocker(path: store.path)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await writer.run() }
            try await Task.sleep(for: .milliseconds(20))
            try await writer.record(entry("taken-by-the-writer"))
            try await Task.sleep(for: .milliseconds(50))
            var kept: [Bool] = []
            let started = ContinuousClock.now
            for i in 0..<10 { kept.append(await writer.recordIfRoom(entry("reject-\(i)"))) }
            #expect(ContinuousClock.now - started < .milliseconds(500), "recordIfRoom never waits")
            #expect(kept == Array(repeating: true, count: 4) + Array(repeating: false, count: 6), "\(kept)")
            blocker.release()
            await writer.flush()
            #expect(try await store.entry(id: "reject-3") != nil)
            #expect(try await store.entry(id: "reject-4") == nil)
            group.cancelAll()
        }
    }
}

/// Holds SQLite's write lock on a database file from a second connection until released.
final class DatabaseBlocker: @unchecked Sendable {
    let queue: DatabaseQueue

    init(path: String) throws {
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.writeWithoutTransaction { try $0.execute(sql: "BEGIN IMMEDIATE") }
    }

    func release() {
        try? queue.writeWithoutTransaction { try $0.execute(sql: "ROLLBACK") }
    }
}

@Suite struct PreparedHMACTests {
    @Test func matchesTheOneShotHMACAcrossInterleavedAndConcurrentUses() async throws {
        let key = Array("a key of some length, longer than nothing".utf8)
        let prepared = PreparedHMAC(key: key)
        let messages = ["", "hello", String(repeating: "x", count: 200), "accents é ü and emoji 👩‍💻", "hello"]
        func expected(_ text: String) -> [UInt8] {
            Array(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: SymmetricKey(data: key)))
        }
        for message in messages + messages.reversed() {
            #expect(Array(prepared.code(message)) == expected(message))
        }
        await withTaskGroup(of: Bool.self) { group in
            for index in 0..<64 {
                group.addTask {
                    let message = "message \(index) " + String(repeating: "y", count: index * 7)
                    return Array(prepared.code(message)) == expected(message)
                }
            }
            for await matched in group { #expect(matched) }
        }
    }
}
