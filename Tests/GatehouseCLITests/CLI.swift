import Foundation
import Synchronization
import Testing

/// Runs the real `gatehouse` binary, as an operator would, and scratch copies of the demo configuration.
enum CLI {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let binary = root.appendingPathComponent(".build/debug/gatehouse").path

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        #expect(FileManager.default.isExecutableFile(atPath: binary), "build the gatehouse product first (swift build)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// A copy of `examples/` in a fresh folder whose data folder is inside it (`data/`). The trained
    /// model cache is shared between copies so the classifier trains once per test run.
    static func scratchDemo(editConfiguration: (String) -> String = { $0 }) throws -> URL {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-cli-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: root.appendingPathComponent("examples"), to: scratch)
        let configuration = scratch.appendingPathComponent("gatehouse.yaml")
        let yaml = try String(contentsOf: configuration, encoding: .utf8)
        let datasets = root.appendingPathComponent("datasets").path
        try editConfiguration(
            yaml.replacingOccurrences(of: "data_dir: ../.gatehouse/demo", with: "data_dir: data")
                .replacingOccurrences(of: "../datasets/", with: datasets + "/"))
            .write(to: configuration, atomically: true, encoding: .utf8)
        let shared = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-cli-model-cache")
        try FileManager.default.createDirectory(at: shared, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: scratch.appendingPathComponent("data"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: scratch.appendingPathComponent("data/models"), withDestinationURL: shared)
        return scratch
    }

    final class Buffer: Sendable {
        let data = Mutex(Data())
        func append(_ more: Data) { data.withLock { $0.append(more) } }
        var text: String { data.withLock { String(decoding: $0, as: UTF8.self) } }
    }

    /// `gatehouse serve` as a child process on an ephemeral port; everything it prints is kept.
    final class Server: Sendable {
        let process: Process
        let output = Buffer()
        let errors = Buffer()
        let baseURL: String

        init(_ arguments: [String], environment: [String: String]) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CLI.binary)
            process.arguments = ["serve"] + arguments + ["--listen", "127.0.0.1:0"]
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            let output = self.output, errors = self.errors
            out.fileHandleForReading.readabilityHandler = { output.append($0.availableData) }
            err.fileHandleForReading.readabilityHandler = { errors.append($0.availableData) }
            try process.run()
            var base: String?
            for _ in 0..<1200 where base == nil {
                if let range = output.text.range(of: #"http://127\.0\.0\.1:\d+"#, options: .regularExpression) {
                    base = String(output.text[range])
                } else if !process.isRunning {
                    break
                } else {
                    Thread.sleep(forTimeInterval: 0.05)
                }
            }
            self.process = process
            guard let base else {
                process.terminate()
                throw ServerError.didNotStart(errors.text)
            }
            self.baseURL = base
        }

        /// SIGTERM, then waits: the server drains its ledger queue before exiting.
        func stop() -> Int32 {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            Thread.sleep(forTimeInterval: 0.2)
            return process.terminationStatus
        }

        var stdout: String { output.text }
        var stderr: String { errors.text }
    }

    enum ServerError: Error { case didNotStart(String) }

    /// The token line printed by `keys create` / `keys bootstrap`.
    static func token(in output: String) -> String? {
        output.split(separator: "\n").map(String.init).first { $0.hasPrefix("ghk_") }
    }
}
