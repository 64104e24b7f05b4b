import Core
import Crypto
import Foundation
import Logging
import Store

/// A variant version becomes a use case's stable variant only once `gatehouse eval` has passed the
/// contract's gates on it, on the contract's own dataset. The store remembers which version each use
/// case serves; a start or a reload that would serve another one checks for a passing evaluation of
/// it and is refused otherwise, naming the command to run. The first stable variant a store ever sees
/// is accepted (a new deployment has nothing to compare with), as is any change in a use case whose
/// contract has no gates.
public enum PromotionGate {
    public struct Refusal: Error, CustomStringConvertible {
        public var useCase: String
        public var variant: String
        public var version: String
        public var reason: String
        public var description: String {
            "use case '\(useCase)': variant \(variant)@\(version) cannot become stable: \(reason); run `gatehouse eval \(useCase) --variant \(variant)` and fix what fails"
        }
    }

    /// Checks every use case, then records the promotions (none if any is refused).
    static func apply(configuration: GatewayConfiguration, store: SQLiteStore, actor: String, logger: Logger) async throws {
        var promotions: [(StableVariantRecord, StableVariantRecord?)] = []
        var refusals: [Refusal] = []
        for useCase in configuration.useCases {
            guard let stable = useCase.variant(named: useCase.stableVariant) else { continue }
            let current = try await store.stableVariant(useCase: useCase.id)
            if let current, current.variant == stable.name, current.version == stable.version { continue }
            var record = StableVariantRecord(useCase: useCase.id, variant: stable.name, version: stable.version, evaluationID: nil, since: Date())
            guard current != nil, let evaluation = useCase.evaluation, !evaluation.gates.isEmpty else {
                if current != nil {
                    logger.warning("stable variant changed without evaluation gates", metadata: ["use_case": "\(useCase.id)", "variant": "\(stable.name)@\(stable.version)"])
                }
                promotions.append((record, current))
                continue
            }
            guard let digest = datasetDigest(path: evaluation.dataset) else {
                refusals.append(Refusal(useCase: useCase.id, variant: stable.name, version: stable.version, reason: "its evaluation dataset \(evaluation.dataset) cannot be read"))
                continue
            }
            let latest = try await store.latestEvaluation(useCase: useCase.id, variant: stable.name, version: stable.version, datasetDigest: digest)
            guard let latest, latest.passed else {
                let reason = latest == nil
                    ? "this version has not been evaluated on the contract's dataset"
                    : "its latest evaluation (\(latest!.id)) did not pass the gates"
                refusals.append(Refusal(useCase: useCase.id, variant: stable.name, version: stable.version, reason: reason))
                continue
            }
            record.evaluationID = latest.id
            promotions.append((record, current))
        }
        if let first = refusals.first { throw first }
        for (record, previous) in promotions {
            try await store.promoteStableVariant(record, actor: actor, previous: previous)
            logger.notice(
                previous == nil ? "stable variant recorded" : "stable variant promoted",
                metadata: ["use_case": "\(record.useCase)", "variant": "\(record.variant)@\(record.version)", "evaluation": "\(record.evaluationID ?? "none")"])
        }
    }

    /// SHA-256 (hex) of a dataset file.
    static func datasetDigest(path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return Hex.encode(SHA256.hash(data: data))
    }
}

extension GatewayRuntime {
    /// SHA-256 (hex) of an evaluation dataset, as recorded with each evaluation.
    public static func datasetDigest(path: String) -> String? { PromotionGate.datasetDigest(path: path) }
}
