import FarmDomain
import Foundation
import SQLKit

/// What shops need kept outside the event log: each connection's secrets (never in an event, a log or an answer),
/// the inbox of verified webhook deliveries, and each connection's health.
public struct ShopStore: Sendable {
    let engine: any SQLEngine

    // MARK: secrets

    /// A connection's secrets as JSON the connector defines; nil when none were stored.
    public func secrets(of connection: ShopConnectionID) async throws -> Data? {
        try await engine.read { db in
            try await db.raw(
                "SELECT secrets FROM shop_secrets WHERE connection_id = \(bind: connection.description)"
            ).first().map { Data(try $0.decode(column: "secrets", as: String.self).utf8) }
        }
    }

    public func saveSecrets(_ secrets: Data, of connection: ShopConnectionID, at date: Date) async throws {
        let text = String(decoding: secrets, as: UTF8.self)
        try await engine.transaction { db in
            try await db.raw(
                """
                INSERT INTO shop_secrets (connection_id, secrets, updated_at)
                VALUES (\(bind: connection.description), \(bind: text), \(bind: Timestamps.format(date)))
                ON CONFLICT (connection_id) DO UPDATE SET secrets = excluded.secrets, updated_at = excluded.updated_at
                """
            ).run()
        }
    }

    public func deleteSecrets(of connection: ShopConnectionID) async throws {
        try await engine.transaction { db in
            try await db.raw("DELETE FROM shop_secrets WHERE connection_id = \(bind: connection.description)").run()
        }
    }

    // MARK: inbox

    public struct Delivery: Sendable, Equatable {
        public var connectionID: ShopConnectionID
        public var key: String
        public var topic: String
        public var receivedAt: Date
        public var body: Data
        /// Failed tries so far (a fetch from a shop that was down).
        public var attempts: Int

        public init(
            connectionID: ShopConnectionID, key: String, topic: String, receivedAt: Date, body: Data, attempts: Int = 0
        ) {
            self.connectionID = connectionID
            self.key = key
            self.topic = topic
            self.receivedAt = receivedAt
            self.body = body
            self.attempts = attempts
        }
    }

    /// Stores a delivery before anything is done with it. False when this (connection, key) was already stored: a
    /// redelivery.
    public func enqueue(_ delivery: Delivery) async throws -> Bool {
        try await engine.transaction { db in
            let rows = try await db.raw(
                """
                INSERT INTO shop_inbox (connection_id, delivery_key, topic, received_at, body)
                VALUES (\(bind: delivery.connectionID.description), \(bind: delivery.key), \(bind: delivery.topic),
                    \(bind: Timestamps.format(delivery.receivedAt)), \(bind: delivery.body))
                ON CONFLICT (connection_id, delivery_key) DO NOTHING RETURNING delivery_key
                """
            ).all()
            try await Self.setHealth(
                of: delivery.connectionID, [("last_delivery_at", Timestamps.format(delivery.receivedAt))], on: db)
            return !rows.isEmpty
        }
    }

    /// Deliveries not yet processed and not waiting to be tried again after `now`, oldest first.
    public func waiting(limit: Int = 100, now: Date = .distantFuture) async throws -> [Delivery] {
        try await engine.read { db in
            try await db.raw(
                """
                SELECT connection_id, delivery_key, topic, received_at, body, attempts FROM shop_inbox
                WHERE processed_at IS NULL AND (retry_at IS NULL OR retry_at <= \(bind: Timestamps.format(now)))
                ORDER BY received_at, delivery_key LIMIT \(bind: limit)
                """
            ).all().map { row in
                Delivery(
                    connectionID: ShopConnectionID(try row.decode(column: "connection_id", as: String.self))
                        ?? ShopConnectionID(UUID()),
                    key: try row.decode(column: "delivery_key", as: String.self),
                    topic: try row.decode(column: "topic", as: String.self),
                    receivedAt: Timestamps.parse(try row.decode(column: "received_at", as: String.self))
                        ?? .distantPast,
                    body: try row.decode(column: "body", as: Data.self),
                    attempts: try row.decode(column: "attempts", as: Int.self))
            }
        }
    }

    /// A try failed for a reason that may pass (the shop is down): the delivery waits until `retryAt`.
    public func postpone(_ delivery: Delivery, until retryAt: Date, error: String, at date: Date) async throws {
        try await engine.transaction { db in
            try await db.raw(
                """
                UPDATE shop_inbox SET attempts = attempts + 1, retry_at = \(bind: Timestamps.format(retryAt)),
                    error = \(bind: error)
                WHERE connection_id = \(bind: delivery.connectionID.description)
                    AND delivery_key = \(bind: delivery.key)
                """
            ).run()
            try await Self.recordError(error, of: delivery.connectionID, at: date, on: db)
        }
    }

    /// Marks a delivery done; `error` says why it could not be carried out (kept for the operator, not retried).
    public func finish(_ delivery: Delivery, at date: Date, error: String? = nil) async throws {
        try await engine.transaction { db in
            try await db.raw(
                """
                UPDATE shop_inbox SET processed_at = \(bind: Timestamps.format(date)), error = \(bind: error)
                WHERE connection_id = \(bind: delivery.connectionID.description)
                    AND delivery_key = \(bind: delivery.key)
                """
            ).run()
            if let error { try await Self.recordError(error, of: delivery.connectionID, at: date, on: db) }
        }
    }

    // MARK: health

    public struct Health: Sendable, Equatable, Codable {
        public var lastDeliveryAt: Date?
        public var lastPollAt: Date?
        public var pollCursor: String?
        public var lastError: String?
        public var lastErrorAt: Date?

        public init(
            lastDeliveryAt: Date? = nil, lastPollAt: Date? = nil, pollCursor: String? = nil, lastError: String? = nil,
            lastErrorAt: Date? = nil
        ) {
            self.lastDeliveryAt = lastDeliveryAt
            self.lastPollAt = lastPollAt
            self.pollCursor = pollCursor
            self.lastError = lastError
            self.lastErrorAt = lastErrorAt
        }
    }

    public func health(of connection: ShopConnectionID) async throws -> Health {
        try await engine.read { db in
            guard
                let row = try await db.raw(
                    """
                    SELECT last_delivery_at, last_poll_at, poll_cursor, last_error, last_error_at FROM shop_health
                    WHERE connection_id = \(bind: connection.description)
                    """
                ).first()
            else { return Health() }
            func date(_ column: String) throws -> Date? {
                try row.decode(column: column, as: String?.self).flatMap(Timestamps.parse)
            }
            return Health(
                lastDeliveryAt: try date("last_delivery_at"), lastPollAt: try date("last_poll_at"),
                pollCursor: try row.decode(column: "poll_cursor", as: String?.self),
                lastError: try row.decode(column: "last_error", as: String?.self),
                lastErrorAt: try date("last_error_at"))
        }
    }

    /// A poll finished: when, and the cursor the next one starts from (survives restarts).
    public func recordPoll(of connection: ShopConnectionID, at date: Date, cursor: String?) async throws {
        try await engine.transaction { db in
            try await Self.setHealth(
                of: connection, [("last_poll_at", Timestamps.format(date)), ("poll_cursor", cursor)], on: db)
        }
    }

    public func recordError(_ error: String, of connection: ShopConnectionID, at date: Date) async throws {
        try await engine.transaction { db in try await Self.recordError(error, of: connection, at: date, on: db) }
    }

    static func recordError(_ error: String, of connection: ShopConnectionID, at date: Date, on db: any SQLDatabase)
        async throws
    {
        try await setHealth(
            of: connection, [("last_error", error), ("last_error_at", Timestamps.format(date))], on: db)
    }

    /// Sets some of a connection's health columns (names from this file, never from input), making its row if needed.
    static func setHealth(
        of connection: ShopConnectionID, _ values: [(column: String, value: String?)], on db: any SQLDatabase
    ) async throws {
        let columns = values.map(\.column)
        let binds = values.map { SQLQueryString("\(bind: $0.value)") }.joined(separator: ", ")
        let updates = columns.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
        let query: SQLQueryString =
            "INSERT INTO shop_health (connection_id, \(unsafeRaw: columns.joined(separator: ", "))) "
            + "VALUES (\(bind: connection.description), " + binds + ") "
            + "ON CONFLICT (connection_id) DO UPDATE SET \(unsafeRaw: updates)"
        try await db.raw(query).run()
    }
}
