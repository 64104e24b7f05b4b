import ArgumentParser
import Foundation
import NIOCore
import NIOPosix

@main
struct Gatehouse: AsyncParsableCommand {
    /// `serve` runs Swift concurrency on NIO's event loop threads, the ones that already do the
    /// network I/O, so a request no longer hops between two thread pools. Measured with
    /// `Benchmarks/load.sh` on this build: 10% more requests per second on passthrough, 30% on the
    /// full pipeline, and a lower unloaded p99 on both. Blocking or long work (reloads that train
    /// models) goes to Dispatch threads (`Offload`). `GATEHOUSE_NIO_EXECUTOR=0` keeps Swift's default
    /// executor. It must be installed from the main thread before any task runs.
    static func main() async {
        if CommandLine.arguments.dropFirst().first == "serve", ProcessInfo.processInfo.environment["GATEHOUSE_NIO_EXECUTOR"] != "0" {
            NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        }
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }

    static let configuration = CommandConfiguration(
        commandName: "gatehouse",
        abstract: "A production gateway for AI use cases: contracts, gates and figures for every request.",
        subcommands: [ServeCommand.self, CheckCommand.self, TrainCommand.self, ScanCommand.self, EvalCommand.self, DatasetCommand.self, ReportCommand.self, ReviewCommand.self, KeysCommand.self, AuditCommand.self, EraseCommand.self, SpendCommand.self])
}
