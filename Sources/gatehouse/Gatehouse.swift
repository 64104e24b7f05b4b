import ArgumentParser
import Foundation
import NIOCore
import NIOPosix

@main
struct Gatehouse: AsyncParsableCommand {
    /// With `GATEHOUSE_NIO_EXECUTOR=1`, `serve` runs Swift concurrency on NIO's event loop threads
    /// (the ones that already do the network I/O), so a request no longer hops between two thread
    /// pools. Measured with `Benchmarks/load.sh`: about 12% more requests per second at saturation
    /// on the full pipeline, but a worse p99 both unloaded and saturated (the guards' CPU work then
    /// delays network I/O on the same threads), so it is off by default. It must be installed from
    /// the main thread before any task runs.
    static func main() async {
        if CommandLine.arguments.dropFirst().first == "serve", ProcessInfo.processInfo.environment["GATEHOUSE_NIO_EXECUTOR"] == "1" {
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
