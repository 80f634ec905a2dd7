import FarmDomain
import FarmIntake
import FarmStore
import Foundation

/// Preflight of an intent: every line item's model (analysed if it was not yet) against every registered printer
/// and the item's material; the verdicts are recorded on the intent, and a failure sends it to review.
public struct IntentPreflighting: Sendable {
    let store: Store
    let analyst: ModelAnalyst
    let inspector = PreflightInspector()

    public init(store: Store, analyst: ModelAnalyst) {
        self.store = store
        self.analyst = analyst
    }

    /// The intent to preflight does not exist.
    public struct NotFound: Error, Sendable, Equatable {
        public let intentID: String
    }

    public func run(intentID: String, context: CommandContext, correlationID: String?) async throws -> CommandOutcome<
        IntentDecider
    > {
        guard let intent = try await store.intents.get(id: intentID)?.model else {
            throw NotFound(intentID: intentID)
        }
        let printers = try await store.printers.all().map {
            PreflightPrinter(name: $0.name, capabilities: $0.capabilities)
        }
        var items: [LineItemPreflight] = []
        for item in intent.lineItems {
            items.append(
                LineItemPreflight(
                    lineItemID: item.id, artifact: item.modelArtifact,
                    verdict: try await verdict(
                        for: item, printers: printers, context: context, correlationID: correlationID)))
        }
        let outcome: PreflightOutcome =
            items.contains { $0.verdict.outcome == .fail }
            ? .fail : items.contains { $0.verdict.outcome == .warn } ? .warn : .pass
        // The reasons a person reads on the intent: each line item's problems, in order.
        let findings = items.enumerated().flatMap { index, item in
            item.verdict.findings.filter { $0.severity != .info }.map { "line item \(index + 1): \($0.message)" }
        }
        var context = context
        context.reason = outcome == .fail ? .preflightFailed : outcome == .warn ? .preflightWarned : .preflightPassed
        return try await store.intents.execute(
            .recordPreflight(outcome, findings: findings, lineItems: items), id: intentID, context: context,
            correlationID: correlationID)
    }

    private func verdict(
        for item: LineItem, printers: [PreflightPrinter], context: CommandContext, correlationID: String?
    ) async throws -> PreflightVerdict {
        guard let sha = item.modelArtifact else {
            return .unreadable(
                code: "model.missing", message: "the line item has no model yet; upload one and attach it",
                material: item.material)
        }
        guard let artifact = try await store.artifacts.get(id: sha)?.model else {
            return .unreadable(
                code: "model.notFound", message: "the model \(sha.prefix(12))… is not stored here; upload it again",
                material: item.material)
        }
        let analysed = try await analyst.analysed(artifact, context: context, correlationID: correlationID)
        if let facts = analysed.analysis {
            return inspector.inspect(facts, material: item.material, printers: printers)
        }
        let failure =
            analysed.analysisFailure
            ?? PreflightFinding(code: "model.unreadable", severity: .fail, message: "the model could not be read")
        return .unreadable(code: failure.code, message: failure.message, material: item.material)
    }
}
