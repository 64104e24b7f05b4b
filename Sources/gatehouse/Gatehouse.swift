import ArgumentParser

@main
struct Gatehouse: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gatehouse",
        abstract: "A production gateway for AI use cases: contracts, gates and figures for every request.",
        subcommands: [ServeCommand.self, CheckCommand.self, TrainCommand.self, ScanCommand.self, EvalCommand.self, DatasetCommand.self, ReportCommand.self, ReviewCommand.self, KeysCommand.self, AuditCommand.self, EraseCommand.self, SpendCommand.self])
}
