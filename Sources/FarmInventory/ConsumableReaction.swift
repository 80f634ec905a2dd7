import FarmDomain
import FarmReactions
import FarmStore
import Foundation
import Logging

/// Nozzles and sheets follow what happens on printers. When a run ends, each one fitted to its printer counts the
/// print: its hours (started to ended) and the grams its plate took (the share printed, for a run that did not
/// complete); each counts a run once. When one is fitted, the one of its kind that was on that printer comes off.
/// Reactions, so every way a run ends or a part is fitted gets them.
public struct ConsumableReaction: EventReaction {
    let store: Store
    let now: @Sendable () -> Date
    public let logger: Logger
    public let follower: EventFollower

    public init(store: Store, now: @escaping @Sendable () -> Date, logger: Logger) {
        self.store = store
        self.now = now
        self.logger = logger
        self.follower = EventFollower(
            store: store, name: "consumables",
            types: Set(UsageReaction.endings.map { EventTypeName.make(aggregate: RunEvent.aggregate, name: $0) }).union(
                [Self.installed]))
    }

    static let installed = EventTypeName.make(aggregate: ConsumableEvent.aggregate, name: "installed")

    public func handle(_ event: StoredEvent) async throws {
        if event.type == Self.installed {
            try await takeOffOthers(event)
            return
        }
        let runID = streamID(event, aggregate: RunEvent.aggregate)
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
            actor: EventActor(.system, "consumables"), reason: .materialUsed,
            note: "\(run.status.rawValue) run \(run.id)", time: now())
        for consumable in fitted {
            _ = try await store.consumables.execute(
                .use(used), id: consumable.id.description, context: context,
                correlationID: event.correlationID ?? event.id, causationID: event.id)
        }
    }

    /// A printer holds one nozzle and one sheet: fitting one takes off the one of its kind fitted there before it.
    /// Judged by the fitting times, so a reaction reading the log late keeps the last one fitted, not the first.
    private func takeOffOthers(_ event: StoredEvent) async throws {
        let id = streamID(event, aggregate: ConsumableEvent.aggregate)
        let install = try StoreCoding.decoder().decode(ConsumableInstall.self, from: event.data)
        guard let fitted = try await store.consumables.get(id: id)?.model, fitted.installed == install else { return }
        let printer = install.printer
        let context = CommandContext(
            actor: EventActor(.system, "consumables"), reason: .operatorRequest,
            note: "\(fitted.spec.title) was fitted in its place", time: now())
        for other in try await store.consumables.allVersioned(ref: printer.description).map(\.model)
        where other.id != fitted.id && other.spec.kind == fitted.spec.kind
            && (other.installed.map { ($0.at, other.id.description) < (install.at, fitted.id.description) } ?? false)
        {
            _ = try await store.consumables.execute(
                .remove, id: other.id.description, context: context, correlationID: event.correlationID ?? event.id,
                causationID: event.id)
        }
    }
}
