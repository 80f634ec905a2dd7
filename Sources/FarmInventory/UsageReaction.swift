import FarmArtifacts
import FarmDomain
import FarmReactions
import FarmStore
import Foundation
import Logging
import Slicing

/// When a run ends (completed, failed, cancelled or interrupted), the filament it used is taken off the spool loaded
/// on its printer: its plate's G-code says the grams of each object and of the rest, the run's end and progress how
/// much of it was printed, its exclusions where each excluded object stopped. A reaction to the run's end, so every
/// way a run ends gets it; a run is counted once (the spool remembers its runs).
public struct UsageReaction: EventReaction {
    let store: Store
    let artifacts: ArtifactStore
    let now: @Sendable () -> Date
    public let logger: Logger
    public let follower: EventFollower

    static let endings = ["completed", "failed", "cancelled", "interrupted"]

    public init(store: Store, artifacts: ArtifactStore, now: @escaping @Sendable () -> Date, logger: Logger) {
        self.store = store
        self.artifacts = artifacts
        self.now = now
        self.logger = logger
        self.follower = EventFollower(
            store: store, name: "usage",
            types: Set(Self.endings.map { EventTypeName.make(aggregate: RunEvent.aggregate, name: $0) }))
    }

    public func handle(_ event: StoredEvent) async throws {
        let runID = streamID(event, aggregate: RunEvent.aggregate)
        guard let run = try await store.runs.get(id: runID)?.model, run.startedAt != nil,
            let printer = try await store.printers.get(id: run.printerID.description)?.model,
            let spoolID = printer.loadedMaterial?.spool,
            let spool = try await store.spools.get(id: spoolID.description)?.model, !spool.runs.contains(run.id),
            let plate = try await store.plates.get(id: run.plateID.description)?.model,
            let gcode = plate.gcodeArtifact
        else { return }
        let facts: GCodeFacts
        do {
            facts = try GCodeFacts.read(path: artifacts.path(of: gcode))
        } catch {
            logger.warning("cannot read the G-code of run \(run.id) to count its filament: \(error)")
            return
        }
        let share = run.status == .completed ? 1 : (run.progress?.fraction ?? 0)
        let usage = PrintUsage.compute(
            total: facts.totalGrams ?? 0, objects: facts.usageObjects(plans: plate.items.map(\.planID)),
            items: plate.items, share: share, excludedAt: try await exclusionShares(run))
        let context = CommandContext(
            actor: EventActor(.system, "usage"), reason: .materialUsed,
            note: "\(run.status.rawValue) run \(run.id) on \(printer.name)", time: now())
        _ = try await store.spools.execute(
            .use(
                SpoolUsed(
                    run: run.id, printer: printer.id, outcome: run.status.rawValue, share: usage.share,
                    grams: usage.grams, parts: usage.parts, at: run.endedAt ?? context.time)),
            id: spoolID.description, context: context, correlationID: event.correlationID ?? event.id,
            causationID: event.id)
        logger.info("run \(run.id) used \(usage.grams) g of spool \(spoolID)")
    }

    /// The share of the file printed when each excluded object was excluded: the run's last progress before it.
    private func exclusionShares(_ run: Run) async throws -> [String: Double] {
        guard let excluded = run.excluded, !excluded.isEmpty else { return [:] }
        let decoder = StoreCoding.decoder()
        var progress: [(at: Date, fraction: Double)] = []
        for event in try await store.events.read(stream: RunDecider.stream(run.id))
        where event.type == EventTypeName.make(aggregate: RunEvent.aggregate, name: "progressed") {
            let step = try decoder.decode(RunProgressed.self, from: event.data)
            progress.append((step.at, step.progress.fraction))
        }
        return Dictionary(
            excluded.map { exclusion in
                (exclusion.name, progress.last { $0.at <= exclusion.at }?.fraction ?? 0)
            }, uniquingKeysWith: max)
    }
}
