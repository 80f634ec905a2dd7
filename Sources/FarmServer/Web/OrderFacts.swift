import FarmDomain
import FarmStore
import Foundation

/// An order with what serves it: its plans, the runs that printed them, and its SLA slack — the time to spare
/// before the due date once its remaining copies are printed, estimated as the production loop does (the slicer's
/// print time once a revision is sliced, else the model's volume, else an hour a copy).
struct OrderFacts: Sendable {
    var intent: Intent
    var version: Int
    var plans: [(model: Plan, version: Int)]
    var runs: [(model: Run, version: Int)]
    var slack: TimeInterval?

    /// Orders that are still open (work to do or to ship): their slack is worth showing.
    static let openStatuses: [IntentStatus] = [
        .received, .preflighted, .needsReview, .accepted, .inProduction, .readyToShip,
    ]

    static func load(_ intent: Intent, version: Int, store: Store, planner: ProductionPlanner, now: Date) async throws
        -> OrderFacts
    {
        let plans = try await store.plans.allVersioned(ref: intent.id.description)
        var runs: [RunID: (model: Run, version: Int)] = [:]
        for (plan, _) in plans {
            for (run, version) in try await store.runs.allVersioned(linkedTo: plan.id.description) {
                runs[run.id] = (run, version)
            }
        }
        var slack: TimeInterval?
        if openStatuses.contains(intent.status) {
            var models: [String: ModelFacts] = [:]
            for sha in Set(intent.lineItems.compactMap(\.modelArtifact)) {
                if let facts = try await store.artifacts.get(id: sha)?.model.analysis { models[sha] = facts }
            }
            let farm = FarmSnapshot(
                now: now, intents: [intent], plans: plans.map(\.model), runs: runs.values.map(\.model), printers: [],
                models: models, profiles: [:],
                gcode: try await sliced(plans.map(\.model), of: intent, store: store))
            slack = planner.slack(intent, farm)
        }
        return OrderFacts(
            intent: intent, version: version, plans: plans, runs: runs.values.sorted { $0.model.id < $1.model.id },
            slack: slack)
    }

    /// The G-code the loop made for each plan's current revision — the line item's model alone with the revision's
    /// profile — so slack counts the slicer's print time, as the loop does, once there is one.
    static func sliced(_ plans: [Plan], of intent: Intent, store: Store) async throws -> [PlanRevisionKey: SlicedGCode]
    {
        var gcode: [PlanRevisionKey: SlicedGCode] = [:]
        for plan in plans {
            guard let revision = plan.currentRevision,
                let model = intent.lineItems.first(where: { $0.id == plan.lineItemID })?.modelArtifact
            else { continue }
            let slices = try await store.slices.allVersioned(ref: model).map(\.model)
                .filter {
                    $0.inputs.profile == revision.spec.profile && $0.inputs.plate == nil && $0.inputs.copies == 1
                        && ($0.inputs.recipe ?? SliceRecipe()) == SliceRecipe(revision.spec)
                }
            if let newest = slices.max(by: { $0.at < $1.at }) {
                gcode[PlanRevisionKey(plan: plan.id, revision: revision.number)] = SlicedGCode(
                    artifact: newest.gcode, printSeconds: newest.facts.estimatedSeconds.map(Double.init))
            }
        }
        return gcode
    }
}
