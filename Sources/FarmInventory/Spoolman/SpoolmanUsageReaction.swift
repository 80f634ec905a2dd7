import FarmDomain
import FarmReactions
import FarmStore
import Foundation
import Logging

/// Tells the Spoolman a spool came from what each print used of it (`PUT /spool/{id}/use`), so Spoolman's count
/// follows the farm's. A reaction to `spool.used`: a Spoolman that is down holds the reaction back (it tries again
/// on its next pass, in order) while the farm goes on counting. Delivery is at least once: a crash between
/// Spoolman's answer and the saved position sends that usage again. A Spoolman whose link was disconnected is told
/// nothing more.
public struct SpoolmanUsageReaction: EventReaction {
    let store: Store
    public let logger: Logger
    public let follower: EventFollower

    public init(store: Store, logger: Logger) {
        self.store = store
        self.logger = logger
        self.follower = EventFollower(
            store: store, name: "spoolman-usage",
            types: [EventTypeName.make(aggregate: SpoolEvent.aggregate, name: "used")])
    }

    public func handle(_ event: StoredEvent) async throws {
        let spoolID = streamID(event, aggregate: SpoolEvent.aggregate)
        guard let spool = try await store.spools.get(id: spoolID)?.model, let link = spool.spoolman,
            let url = URL(string: link.url)
        else { return }
        let used = try StoreCoding.decoder().decode(SpoolUsed.self, from: event.data)
        guard used.grams > 0 else { return }
        // A Spoolman disconnected here is told nothing more (and no longer holds the reaction back).
        let address = link.url.hasSuffix("/") ? String(link.url.dropLast()) : link.url
        if try await store.spoolmanLinks.get(id: SpoolmanLinkSpec.id(for: address).description)?.model.retired == true {
            return
        }
        _ = try await SpoolmanClient(base: url).use(spool: link.id, grams: used.grams)
        logger.info("told Spoolman spool #\(link.id) used \(used.grams) g (run \(used.run))")
    }
}
