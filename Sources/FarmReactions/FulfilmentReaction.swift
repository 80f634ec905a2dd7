import FarmDomain
import FarmStore
import Foundation
import Logging
import ServiceLifecycle

/// When an intent that came from a shop ships, its sale asks for the shop to be told (with the carrier and tracking
/// number the person recorded); `ShopFulfilment` then does the telling. A reaction to `intent.shipped`, so every way
/// of shipping (the order page, the API, a script) gets it. A sale the shop cancelled meanwhile is not fulfilled.
public struct FulfilmentReaction: EventReaction {
    let store: Store
    let now: @Sendable () -> Date
    public let logger: Logger
    public let follower: EventFollower

    public init(store: Store, now: @escaping @Sendable () -> Date, logger: Logger) {
        self.store = store
        self.now = now
        self.logger = logger
        self.follower = EventFollower(
            store: store, name: "fulfilment",
            types: [EventTypeName.make(aggregate: IntentEvent.aggregate, name: "shipped")])
    }

    public func handle(_ event: StoredEvent) async throws {
        let intentID = streamID(event, aggregate: IntentEvent.aggregate)
        // why: a shop's sale and the intent serving it share their id (SaleIdentity); any other intent has no sale.
        guard let sale = try await store.sales.get(id: intentID)?.model, sale.intentID?.description == intentID,
            let intent = try await store.intents.get(id: intentID)?.model
        else { return }
        guard sale.status == .released else {
            logger.notice(
                "order \(intentID) shipped, but its shop order is \(sale.status.rawValue): the shop is not told")
            return
        }
        let context = CommandContext(
            actor: EventActor(.system, "fulfilment"), reason: .shopFulfilment, note: intent.shipment?.summary,
            time: now())
        _ = try await store.sales.execute(
            .requestFulfilment(intent.shipment), id: intentID, context: context,
            correlationID: event.correlationID ?? event.id, causationID: event.id)
    }
}
