import FarmArtifacts
import FarmDomain
import FarmReactions
import FarmStore
import Foundation
import Logging
import ServiceLifecycle

/// The materials' reactions a farm's server runs, in one list so none is forgotten: usage taken off spools, loaded
/// spools setting printers' materials, the trace, usage told to Spoolman, and prints counted on nozzles and sheets.
public enum InventoryServices {
    public static func all(
        store: Store, artifacts: ArtifactStore, now: @escaping @Sendable () -> Date, logger: Logger
    ) -> [any EventReaction] {
        [
            UsageReaction(store: store, artifacts: artifacts, now: now, logger: logger),
            SpoolLoadReaction(store: store, now: now, logger: logger),
            TraceReaction(store: store, logger: logger),
            SpoolmanUsageReaction(store: store, logger: logger),
            ConsumableReaction(store: store, now: now, logger: logger),
        ]
    }
}

extension MaterialForecast {
    /// The forecast of `schedule` with each scheduled order's claim on the stock, as `settings` holds it at `now`.
    public static func compute(
        schedule: FarmSchedule, store: Store, settings: MaterialSettings, now: Date
    ) async throws -> MaterialForecast {
        var holds: [IntentID: MaterialHold] = [:]
        let scheduled = Set(schedule.printers.flatMap { $0.prints.map(\.intent) })
        for intent in try await store.intents.get(ids: scheduled.map(\.description)).values {
            holds[intent.id] = settings.hold(of: intent, now: now)
        }
        return compute(
            schedule: schedule, spools: try await store.spools.all(), filaments: try await store.filaments.all(),
            holds: holds)
    }
}
