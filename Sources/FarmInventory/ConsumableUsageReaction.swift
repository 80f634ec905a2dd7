import FarmDomain
import FarmReactions
import FarmStore
import Foundation
import Logging

/// When a run ends, each nozzle and sheet fitted to its printer counts the print: its hours (started to ended) and
/// the grams its plate took (the share printed, for a run that did not complete). A reaction, so every way a run ends
/// gets it; each consumable counts a run once.
public struct ConsumableUsageReaction: EventReaction {
    let store: Store
    let now: @Sendable () -> Date
    public let logger: Logger
    public let follower: EventFollower

    public init(store: Store, now: @escaping @Sendable () -> Date, logger: Logger) {
        self.store = store
        self.now = now
        self.logger = logger
        self.follower = EventFollower(
            store: store, name: "consumable-usage",
            types: Set(UsageReaction.endings.map { EventTypeName.make(aggregate: RunEvent.aggregate, name: $0) }))
    }

    public func handle(_ event: StoredEvent) async throws {
        let runID = String(event.stream.dropFirst(RunEvent.aggregate.count + 1))
        guard let run = try await store.runs.get(id: runID)?.model, let started = run.startedAt else { return }
        let fitted = try await store.consumables.allVersioned(ref: run.printerID.description)
            .map(\.model).filter { !$0.runs.contains(run.id) }
        guard !fitted.isEmpty else { return }
        let plate = try await store.plates.get(id: run.plateID.description)?.model
        let share = run.status == .completed ? 1 : (run.progress?.fraction ?? 0)
        let ended = run.endedAt ?? now()
        let used = ConsumableUsed(
            run: run.id, printer: run.printerID, hours: max(0, ended.timeIntervalSince(started)) / 3600,
            grams: (plate?.filamentGrams ?? 0) * share, at: ended)
        let context = CommandContext(
            actor: EventActor(.system, "consumable-usage"), reason: .materialUsed,
            note: "\(run.status.rawValue) run \(run.id)", time: now())
        for consumable in fitted {
            _ = try await store.consumables.execute(
                .use(used), id: consumable.id.description, context: context,
                correlationID: event.correlationID ?? event.id, causationID: event.id)
        }
    }
}
