import FarmDomain
import FarmStore
import Foundation
import Logging
import ServiceLifecycle

/// Tells shops their orders shipped. Every `interval` the sales whose fulfilment is due (`ReadQueue.fulfilmentDue`)
/// are sent to their shop's API; a failure is recorded with the shop's words and tried again later
/// (`SaleFulfilment.backoff`), and one the shop refused outright, or that outlasted the waits, waits for a person in
/// the board's attention lane. No version check guards the record: an order update the shop sends meanwhile must not
/// make a try that succeeded look failed (and be sent again).
public struct ShopFulfilment: Service {
    let store: Store
    let intake: ShopIntake
    let interval: Duration
    let now: @Sendable () -> Date
    let logger: Logger
    /// Tests give their own clients; nil: the intake's (with Etsy's token keeper).
    let client: ShopClientFactory?

    public init(
        store: Store, intake: ShopIntake, interval: Duration = .seconds(5), now: @escaping @Sendable () -> Date,
        logger: Logger,
        client: ShopClientFactory? = nil
    ) {
        self.store = store
        self.intake = intake
        self.interval = interval
        self.now = now
        self.logger = logger
        self.client = client
    }

    public func run() async throws {
        await repeatUntilShutdown(every: interval) {
            do {
                try await pass()
            } catch is CancellationError {
                return  // shutting down: the loop ends
            } catch {
                logger.warning("fulfilment: \(error)")
            }
        }
    }

    /// Tries every fulfilment that is due; returns how many the shops confirmed.
    @discardableResult
    public func pass() async throws -> Int {
        let time = now()
        var confirmed = 0
        for (sale, _) in try await store.sales.allVersioned(queue: ReadQueue.fulfilmentDue) {
            // why: stored times keep milliseconds, so a try due "now" may read back a fraction of one later.
            guard let fulfilment = sale.fulfilment, fulfilment.status == .pending,
                (fulfilment.dueAt ?? time) <= time.addingTimeInterval(0.001)
            else { continue }
            if try await attempt(sale) { confirmed += 1 }
        }
        return confirmed
    }

    /// One try; true when the shop confirmed.
    func attempt(_ sale: Sale) async throws -> Bool {
        let context = { (note: String?) in
            CommandContext(
                actor: EventActor(.system, "fulfilment"), reason: .shopFulfilment, note: note, time: now())
        }
        guard let connection = try await store.shops.get(id: sale.connectionID.description)?.model,
            connection.status == .active
        else {
            _ = try await store.sales.execute(
                .recordFulfilmentFailure("the shop connection was removed: the shop cannot be told", persistent: true),
                id: sale.id.description, context: context(nil))
            return false
        }
        guard let client = try await intake.client(for: connection, override: client) else {
            _ = try await store.sales.execute(
                .recordFulfilmentFailure(
                    "the connection \(connection.name) has no API credentials: add them, then retry", persistent: true),
                id: sale.id.description, context: context(nil))
            return false
        }
        do {
            let reference = try await client.fulfil(sale.order, shipment: sale.fulfilment?.shipment)
            _ = try await store.sales.execute(
                .recordFulfilled(reference: reference), id: sale.id.description,
                context: context(reference.map { "the shop recorded it as \($0)" }))
            logger.info("told \(connection.name) that order \(sale.order.name ?? sale.order.orderID) shipped")
            return true
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            let persistent = (error as? ShopClientError)?.persistent ?? false
            _ = try await store.sales.execute(
                .recordFulfilmentFailure(String(describing: error), persistent: persistent), id: sale.id.description,
                context: context(nil))
            let order = sale.order.name ?? sale.order.orderID
            logger.warning("telling \(connection.name) that order \(order) shipped failed: \(error)")
            return false
        }
    }
}
