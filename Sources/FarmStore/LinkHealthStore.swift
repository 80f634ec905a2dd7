import Foundation
import SQLKit

/// How each link to an outside system (a Spoolman) is doing: its last good read with what it changed, and its last
/// error. Telemetry for pages and the API, kept apart from events; nothing is decided on it.
public struct LinkHealthStore: Sendable {
    let engine: any SQLEngine

    public struct Health: Sendable, Equatable, Codable {
        public var lastSyncAt: Date?
        /// What the last good read changed, as the link's own JSON.
        public var summary: String?
        public var lastError: String?
        public var lastErrorAt: Date?

        public init(lastSyncAt: Date? = nil, summary: String? = nil, lastError: String? = nil, lastErrorAt: Date? = nil)
        {
            self.lastSyncAt = lastSyncAt
            self.summary = summary
            self.lastError = lastError
            self.lastErrorAt = lastErrorAt
        }

        /// Down when the last thing that happened was an error.
        public var isDown: Bool {
            guard let lastErrorAt else { return false }
            return lastSyncAt.map { $0 < lastErrorAt } ?? true
        }
    }

    public func health(of link: String) async throws -> Health {
        try await engine.read { db in
            guard
                let row = try await db.raw(
                    """
                    SELECT last_sync_at, summary, last_error, last_error_at FROM link_health
                    WHERE link_id = \(bind: link)
                    """
                ).first()
            else { return Health() }
            func date(_ column: String) throws -> Date? {
                try row.decode(column: column, as: String?.self).flatMap(Timestamps.parse)
            }
            return Health(
                lastSyncAt: try date("last_sync_at"), summary: try row.decode(column: "summary", as: String?.self),
                lastError: try row.decode(column: "last_error", as: String?.self),
                lastErrorAt: try date("last_error_at"))
        }
    }

    public func recordSync(of link: String, at date: Date, summary: String) async throws {
        try await set(link, [("last_sync_at", Timestamps.format(date)), ("summary", summary)])
    }

    public func recordError(_ error: String, of link: String, at date: Date) async throws {
        try await set(link, [("last_error", String(error.prefix(2000))), ("last_error_at", Timestamps.format(date))])
    }

    /// Sets some columns (names from this file, never from input), making the link's row if needed.
    private func set(_ link: String, _ values: [(column: String, value: String)]) async throws {
        try await engine.transaction { db in
            let columns = values.map(\.column)
            let binds = values.map { SQLQueryString("\(bind: $0.value)") }.joined(separator: ", ")
            let updates = columns.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
            let query: SQLQueryString =
                "INSERT INTO link_health (link_id, \(unsafeRaw: columns.joined(separator: ", "))) "
                + "VALUES (\(bind: link), " + binds + ") "
                + "ON CONFLICT (link_id) DO UPDATE SET \(unsafeRaw: updates)"
            try await db.raw(query).run()
        }
    }
}
