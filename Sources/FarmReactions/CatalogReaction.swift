import FarmDomain
import FarmShops
import FarmStore
import Foundation
import Logging

/// When a SKU is mapped (or marked not printed), every order it held goes on: a reaction to `catalog.set`, so a
/// mapping made on the Shops page, over the API or by a script releases them alike. (The API route also settles at
/// once, so the person sees the order go on when the page loads again; this finds nothing left then.)
public struct CatalogReaction: EventReaction {
    let intake: ShopIntake
    public let logger: Logger
    public let follower: EventFollower

    public init(store: Store, intake: ShopIntake, logger: Logger) {
        self.intake = intake
        self.logger = logger
        self.follower = EventFollower(
            store: store, name: "catalog", types: [EventTypeName.make(aggregate: CatalogEvent.aggregate, name: "set")])
    }

    public func handle(_ event: StoredEvent) async throws {
        let released = try await intake.settleHeld().filter { $0.status == .released }
        if !released.isEmpty {
            let sku = streamID(event, aggregate: CatalogEvent.aggregate)
            logger.info("catalog entry \(sku) released \(released.count) order(s)")
        }
    }
}
