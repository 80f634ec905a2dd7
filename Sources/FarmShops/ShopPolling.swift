import FarmDomain
import FarmStore
import Foundation
import Logging
import ServiceLifecycle

/// Reconciliation: webhooks get lost (WooCommerce never retries, Shopify gives up after four hours), so every
/// `interval` each connection's API is asked what changed since its cursor, and each order is taken in as if it
/// had been delivered — one order, one sale, whichever way it came. The cursor is stored (`shop_health`), so a
/// restart goes on where the last poll ended.
public struct ShopPolling: Service {
    let store: Store
    let intake: ShopIntake
    let interval: Duration
    let now: @Sendable () -> Date
    let logger: Logger
    /// Tests give their own clients; nil: the intake's (with Etsy's token keeper).
    let client: ShopClientFactory?

    /// How far before a connection was made its first poll looks (orders placed just before connecting).
    public static let firstLookBack: TimeInterval = 24 * 3600

    public init(
        store: Store, intake: ShopIntake, interval: Duration = .seconds(60), now: @escaping @Sendable () -> Date,
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
        await repeatUntilShutdown(every: interval) { await pollAll() }
    }

    /// Polls every active connection once; a failing one does not stop the others.
    public func pollAll() async {
        do {
            for connection in try await store.shops.all() where connection.status == .active {
                do {
                    try await poll(connection)
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("polling shop \(connection.name) (\(connection.id)) failed: \(error)")
                }
            }
        } catch {
            logger.warning("polling shops: \(error)")
        }
    }

    /// Takes in what changed on one connection since its cursor; returns how many orders the shop listed, or nil
    /// when the connection has no API client yet (its platform's is not built, or its credentials are missing).
    @discardableResult
    public func poll(_ connection: ShopConnection) async throws -> Int? {
        guard let client = try await intake.client(for: connection, override: client) else { return nil }
        let health = try await store.shopData.health(of: connection.id)
        do {
            let (orders, cursor) = try await client.changedOrders(
                since: health.pollCursor, start: connection.createdAt.addingTimeInterval(-Self.firstLookBack))
            for order in orders {
                _ = try await intake.take(order, connection: connection, reason: .shopPolled)
            }
            try await store.shopData.recordPoll(of: connection.id, at: now(), cursor: cursor)
            return orders.count
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            // The connection's health shows it: "WooCommerce answered 401 …", a refused connection, a timeout.
            try await store.shopData.recordError(String(describing: error), of: connection.id, at: now())
            throw error
        }
    }
}
