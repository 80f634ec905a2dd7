import FarmDomain
import FarmStore
import Foundation
import Logging
import ServiceLifecycle

/// Takes shop orders into the farm. A webhook delivery is verified and stored before it is answered (so a 200 never
/// loses it); then, off the request, each stored delivery becomes a sale, the sale is mapped through the catalog and
/// released as an intent, or held with the reason. Everything here is safe to repeat: ids derive from the shop's,
/// stale updates change nothing, and a delivery stored twice is one row.
public final class ShopIntake: Service, Sendable {
    public let store: Store
    let now: @Sendable () -> Date
    let logger: Logger
    let wakeups: AsyncStream<Void>
    let wake: AsyncStream<Void>.Continuation
    /// One token keeper per Etsy connection, shared by everything that calls Etsy, so refreshes never overlap.
    let etsyTokens = TokenKeepers()

    final class TokenKeepers: @unchecked Sendable {
        private let lock = NSLock()
        private var keepers: [ShopConnectionID: EtsyTokens] = [:]

        func keeper(_ connection: ShopConnection, intake: ShopIntake) -> EtsyTokens {
            lock.withLock {
                if let keeper = keepers[connection.id] { return keeper }
                let keeper = EtsyTokens(intake: intake, connection: connection, http: .shared)
                keepers[connection.id] = keeper
                return keeper
            }
        }
    }

    public init(store: Store, now: @escaping @Sendable () -> Date, logger: Logger) {
        self.store = store
        self.now = now
        self.logger = logger
        (wakeups, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// What became of a delivery.
    public enum Receipt: Sendable, Equatable {
        /// Stored; the order is taken in shortly.
        case stored
        /// This delivery (its key) was stored before: nothing more to do.
        case duplicate
        /// WooCommerce's ping, or a topic the farm does not use: answered, not stored.
        case acknowledged
    }

    public enum ReceiveError: Error, Sendable, Equatable {
        /// No connection has this id, or it was removed.
        case unknownConnection
        case refused(ShopDeliveryError)
    }

    // MARK: webhooks

    /// Verifies a delivery for `connectionID` and stores it. Runs on the request: nothing slow happens here.
    public func receive(_ delivery: ShopDelivery, connection connectionID: ShopConnectionID) async throws -> Receipt {
        guard let connection = try await store.shops.get(id: connectionID.description)?.model,
            connection.status == .active
        else { throw ReceiveError.unknownConnection }
        let secrets = try await secrets(of: connectionID)
        let notice: ShopNotice
        do throws(ShopDeliveryError) {
            notice = try connection.platform.wire.receive(
                delivery, secrets: secrets.webhookSecrets(at: now()), now: now())
        } catch {
            throw ReceiveError.refused(error)
        }
        let key: String
        let topic: String
        switch notice {
        case .ping, .ignored: return .acknowledged
        case .order(_, let t, let k), .orderDeleted(_, let t, let k), .receiptChanged(_, let t, let k):
            (topic, key) = (t, k)
        }
        let stored = try await store.shopData.enqueue(
            ShopStore.Delivery(
                connectionID: connectionID, key: key, topic: topic, receivedAt: now(), body: delivery.body))
        if stored { wake.yield() }
        return stored ? .stored : .duplicate
    }

    // MARK: processing

    public func run() async throws {
        logger.notice("shop intake running")
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(5))
                        self.wake.yield()
                    }
                }
                group.addTask {
                    for await _ in self.wakeups {
                        do {
                            try await self.processWaiting()
                        } catch {
                            self.logger.warning("shop intake: \(error)")
                        }
                    }
                }
                await group.next()
                group.cancelAll()
            }
        }
    }

    /// The waits before a delivery whose fetch failed is tried again.
    static let inboxBackoff: [TimeInterval] = [30, 120, 600, 3600]

    /// Takes in every stored delivery not yet processed (and not waiting to be tried again), oldest first; returns
    /// how many were tried.
    @discardableResult
    public func processWaiting() async throws -> Int {
        var count = 0
        while true {
            let batch = try await store.shopData.waiting(limit: 50, now: now())
            if batch.isEmpty { return count }
            for delivery in batch {
                do {
                    try await process(delivery)
                    try await store.shopData.finish(delivery, at: now())
                } catch let error as ShopDeliveryError {
                    // A body that cannot be read will not read better later: keep it, say why, move on.
                    try await store.shopData.finish(delivery, at: now(), error: error.description)
                    logger.warning("shop delivery \(delivery.key) of \(delivery.connectionID) not taken: \(error)")
                } catch let error as ShopClientError {
                    // The order had to be fetched and the shop did not give it: tried again later, out of the way of
                    // the deliveries behind it; a refusal, or the last try, is kept with its reason (polling still
                    // finds the order).
                    let retry = Self.inboxBackoff.indices.contains(delivery.attempts) && !error.persistent
                    if retry {
                        try await store.shopData.postpone(
                            delivery, until: now().addingTimeInterval(Self.inboxBackoff[delivery.attempts]),
                            error: error.description, at: now())
                    } else {
                        try await store.shopData.finish(delivery, at: now(), error: error.description)
                    }
                    logger.warning("shop delivery \(delivery.key) of \(delivery.connectionID): \(error)")
                }
                count += 1
            }
        }
    }

    func process(_ delivery: ShopStore.Delivery) async throws {
        guard let connection = try await store.shops.get(id: delivery.connectionID.description)?.model else {
            throw ShopDeliveryError.unreadable(ShopOrderError("the connection no longer exists"))
        }
        switch try connection.platform.wire.read(delivery.body, topic: delivery.topic, key: delivery.key) {
        case .order(let order, _, _):
            _ = try await take(order, connection: connection, reason: .shopDelivered)
        case .orderDeleted(let orderID, _, _):
            let id = SaleIdentity.sale(connection: connection.id, orderID: orderID)
            if try await store.sales.get(id: id.description) != nil {
                _ = try await store.sales.execute(.cancel, id: id.description, context: context(.shopCancelled))
                _ = try await settle(id)
            }
        case .receiptChanged(let receiptID, _, _):
            // Etsy names the receipt; its API says what it is now.
            guard let client = try await client(for: connection) as? EtsyClient else {
                throw ShopClientError(
                    "Etsy receipt \(receiptID) changed, but the connection cannot call Etsy: "
                        + "authorise it on the Shops page",
                    persistent: true)
            }
            _ = try await take(try await client.receipt(receiptID), connection: connection, reason: .shopDelivered)
        case .ping, .ignored:
            break
        }
    }

    /// The shop's state of an order, from a delivery or a poll: recorded (unless older than what is known), then
    /// settled.
    public func take(_ order: ShopOrder, connection: ShopConnection, reason: ReasonCode) async throws -> Sale {
        let id = SaleIdentity.sale(connection: connection.id, orderID: order.orderID)
        _ = try await store.sales.execute(
            .take(id, connection.id, order), id: id.description, context: context(reason))
        return try await settle(id)
    }

    /// Brings a sale's consequences up to date: cancelled by the shop → the sale and its intent cancelled; not yet
    /// released → mapped through the catalog and released as an intent, or held with the reasons; released → the
    /// intent learns the payment state.
    @discardableResult
    public func settle(_ id: SaleID) async throws -> Sale {
        guard var sale = try await store.sales.get(id: id.description)?.model else {
            throw DomainError.notFound(aggregate: "sale", command: "settle")
        }
        if sale.shopCancelled || sale.status == .cancelled {
            if sale.status != .cancelled {
                sale = try await store.sales.execute(.cancel, id: id.description, context: context(.shopCancelled))
                    .model
            }
            if let intentID = sale.intentID { try await cancel(intentID) }
            return sale
        }
        switch sale.status {
        case .received, .held:
            var catalog: [String: CatalogEntry] = [:]
            for sku in Set(sale.order.lines.compactMap(\.sku)) {
                if let entry = try await store.catalog.get(id: sku)?.model, !entry.removed { catalog[sku] = entry }
            }
            let mapped = SaleMapping.map(
                sale.order, catalog: { catalog[$0] }, lineItemID: { SaleIdentity.lineItem(of: id, index: $0) })
            guard let draft = mapped.draft else {
                return try await store.sales.execute(
                    .hold(reasons: mapped.reasons), id: id.description, context: context(.shopHeld)
                ).model
            }
            let intentID = SaleIdentity.intent(of: id)
            do {
                _ = try await store.intents.execute(
                    .receive(intentID, draft), id: intentID.description, context: context(.shopReleased))
            } catch DomainError.alreadyExists {
                // Made before a crash (or with an older catalog): the intent stands as it was made.
            }
            return try await store.sales.execute(
                .release(intentID), id: id.description, context: context(.shopReleased)
            )
            .model
        case .released:
            if let intentID = sale.intentID,
                let intent = try await store.intents.get(id: intentID.description)?.model,
                intent.paymentStatus != SaleMapping.paymentStatus(sale.order.payment)
            {
                _ = try await store.intents.execute(
                    .amend(dueDate: nil, paymentStatus: SaleMapping.paymentStatus(sale.order.payment)),
                    id: intentID.description, context: context(.shopDelivered))
            }
            return sale
        case .cancelled:
            return sale
        }
    }

    /// Settles every held sale again: after the catalog changed, a held order may now map.
    @discardableResult
    public func settleHeld() async throws -> [Sale] {
        var settled: [Sale] = []
        for (sale, _) in try await store.sales.allVersioned(queue: ReadQueue.saleHeld) {
            settled.append(try await settle(sale.id))
        }
        return settled
    }

    func cancel(_ intentID: IntentID) async throws {
        guard let intent = try await store.intents.get(id: intentID.description)?.model else { return }
        switch intent.status {
        case .cancelled, .rejected: return
        case .readyToShip, .shipped, .closed:
            logger.warning("the shop cancelled the order of intent \(intentID), which is \(intent.status.rawValue)")
        default:
            _ = try await store.intents.execute(.cancel, id: intentID.description, context: context(.shopCancelled))
        }
    }

    func context(_ reason: ReasonCode) -> CommandContext {
        CommandContext(actor: EventActor(.connector, "shop"), reason: reason, time: now())
    }

    // MARK: secrets

    /// The connection's API client, with its secrets and (for Etsy) the token keeper that refreshes them.
    public func client(for connection: ShopConnection) async throws -> (any ShopClient)? {
        let tokens = connection.platform == .etsy ? etsyTokens.keeper(connection, intake: self) : nil
        return connection.client(secrets: try await secrets(of: connection.id), tokens: tokens)
    }

    public func secrets(of connection: ShopConnectionID) async throws -> ShopSecrets {
        guard let data = try await store.shopData.secrets(of: connection) else { return ShopSecrets() }
        return try JSONDecoder().decode(ShopSecrets.self, from: data)
    }

    public func saveSecrets(_ secrets: ShopSecrets, of connection: ShopConnectionID) async throws {
        try await store.shopData.saveSecrets(try JSONEncoder().encode(secrets), of: connection, at: now())
    }
}
