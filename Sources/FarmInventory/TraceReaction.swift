import FarmDomain
import FarmReactions
import FarmStore
import Foundation
import Logging

/// Keeps the material trace (`MaterialTrace`): each spool usage event becomes a row per part, with the spool's lot
/// and the part's order. A reaction to `spool.used`, so the trace is whole however the usage was recorded, and can be
/// filled again from the events by following them from the start.
public struct TraceReaction: EventReaction {
    let store: Store
    public let logger: Logger
    public let follower: EventFollower

    public init(store: Store, logger: Logger) {
        self.store = store
        self.logger = logger
        self.follower = EventFollower(
            store: store, name: "material-trace",
            types: [EventTypeName.make(aggregate: SpoolEvent.aggregate, name: "used")])
    }

    public func handle(_ event: StoredEvent) async throws {
        let spoolID = streamID(event, aggregate: SpoolEvent.aggregate)
        guard let spool = try await store.spools.get(id: spoolID)?.model else { return }
        let used = try StoreCoding.decoder().decode(SpoolUsed.self, from: event.data)
        var rows: [MaterialTrace.Row] = []
        for part in used.parts {
            let intent = try await store.plans.get(id: part.plan.description)?.model.intentID
            rows.append(
                MaterialTrace.Row(
                    spool: spool.id, lot: spool.lot, filament: spool.filament, run: used.run, plan: part.plan,
                    intent: intent, grams: part.grams, at: used.at))
        }
        try await store.materialTrace.record(rows)
    }
}
