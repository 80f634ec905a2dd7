import FarmArtifacts
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
