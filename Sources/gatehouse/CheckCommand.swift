import ArgumentParser
import Contract
import Core
import Foundation

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a configuration and its use cases; print every error with file, line and field path.")

    @Argument(help: "Configuration folder (holding gatehouse.yaml) or the gatehouse.yaml file.")
    var directory: String = "."

    func run() throws {
        do {
            let configuration = try ConfigurationLoader.load(path: directory)
            print("OK: \(configuration.providers.count) provider(s), \(configuration.useCases.count) use case(s), \(configuration.apiKeys.count) API key reference(s).")
            for useCase in configuration.useCases {
                let variants = useCase.variants.map { "\($0.name)@\($0.version)" }.joined(separator: ", ")
                print("  \(useCase.id): stable \(useCase.stableVariant); variants \(variants)")
            }
        } catch {
            print(error.description)
            print("\(error.diagnostics.count) error(s).")
            throw ExitCode(1)
        }
    }
}
