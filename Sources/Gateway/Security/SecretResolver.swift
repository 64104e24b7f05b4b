import Core
import Foundation

/// Reads secret values from their references (`env:NAME`, `file:PATH`). The values live only in memory,
/// inside the adapters that need them, and never in configuration values, errors or logs.
public struct SecretResolver: Sendable {
    public var environment: [String: String]
    public var baseDirectory: String

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, baseDirectory: String) {
        self.environment = environment
        self.baseDirectory = baseDirectory
    }

    /// The secret, or `nil` when the variable is unset/empty or the file is missing/empty.
    public func resolve(_ reference: SecretReference) -> String? {
        let value: String?
        switch reference {
        case .environment(let name):
            value = environment[name]
        case .file(let path):
            let absolute = path.hasPrefix("/") ? path : (baseDirectory as NSString).appendingPathComponent(path)
            value = (try? String(contentsOfFile: absolute, encoding: .utf8))
        }
        guard let trimmed = value?.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else { return nil }
        return trimmed
    }
}
