import FarmDomain
import Foundation
import SQLKit

/// The append-only log every state in the farm is derived from.
public protocol EventStore: Sendable {
    /// Appends `events` after `expectedVersion` (0 for a new stream) in one transaction.
    /// Throws `StoreError.concurrencyConflict` when the stream has moved on.
    func append(to stream: String, expectedVersion: Int, events: [NewEvent], metadata: EventMetadata) async throws
        -> [StoredEvent]
    /// The whole stream, oldest first.
    func read(stream: String) async throws -> [StoredEvent]
    /// Up to `limit` events with a sequence greater than `after`, in sequence order.
    func read(after sequence: Int64, limit: Int) async throws -> [StoredEvent]
    /// The highest sequence stored, 0 when empty.
    func headSequence() async throws -> Int64
}

/// The event store on SQLite or PostgreSQL: one table, unique (stream, version), a global sequence.
public struct SQLEventStore: EventStore {
    let engine: any SQLEngine

    public init(engine: any SQLEngine) {
        self.engine = engine
    }

    /// One statement, so one round trip: the version check, the insert and (on PostgreSQL) the writer lock.
    public func append(to stream: String, expectedVersion: Int, events: [NewEvent], metadata: EventMetadata)
        async throws -> [StoredEvent]
    {
        try await engine.write { db in
            try await Self.append(
                on: db, engine: engine, to: stream, expectedVersion: expectedVersion, events: events, metadata: metadata
            )
        }
    }

    /// Appends to several streams in one transaction: all or none. For imports and seeding, where one transaction
    /// per stream would be the bottleneck.
    public func append(batch: [(stream: String, expectedVersion: Int, events: [NewEvent])], metadata: EventMetadata)
        async throws -> Int
    {
        try await engine.transaction { db in
            var count = 0
            for entry in batch {
                count += try await Self.append(
                    on: db, engine: engine, to: entry.stream, expectedVersion: entry.expectedVersion,
                    events: entry.events, metadata: metadata
                ).count
            }
            return count
        }
    }

    /// The current version of a stream, 0 when it has no events.
    static func version(of stream: String, on db: any SQLDatabase) async throws -> Int {
        // why: ORDER BY … LIMIT 1 walks the (stream, version) index from its end; MAX() with a WHERE scans the stream.
        let row = try await db.raw(
            "SELECT version FROM events WHERE stream = \(bind: stream) ORDER BY version DESC LIMIT 1"
        ).first()
        return try row?.decode(column: "version", as: Int.self) ?? 0
    }

    /// The types of a stream's events after `version`, in order.
    static func types(on db: any SQLDatabase, stream: String, after version: Int) async throws -> [String] {
        try await db.raw(
            "SELECT type FROM events WHERE stream = \(bind: stream) AND version > \(bind: version) ORDER BY version"
        )
        .all().map { try $0.decode(column: "type", as: String.self) }
    }

    /// Appends in one statement that inserts only if the stream is still at `expectedVersion`; no rows back means
    /// it was not, and the error says where it is. The unique (stream, version) constraint guarantees the same
    /// against any writer, even one that bypasses this code.
    static func append(
        on db: any SQLDatabase, engine: any SQLEngine, to stream: String, expectedVersion: Int, events: [NewEvent],
        metadata: EventMetadata
    ) async throws -> [StoredEvent] {
        guard !events.isEmpty else { return [] }
        var stored: [StoredEvent] = []
        stored.reserveCapacity(events.count)
        for (offset, event) in events.enumerated() {
            stored.append(
                StoredEvent(
                    sequence: 0, id: event.id.uuidString.lowercased(), stream: stream,
                    version: expectedVersion + offset + 1,
                    type: event.type, time: event.time, actor: metadata.actor.description,
                    reason: metadata.reason.rawValue,
                    correlationID: metadata.correlationID, causationID: metadata.causationID, data: event.data))
        }
        var rows: [SQLQueryString] = []
        for event in stored {
            let data = String(decoding: event.data, as: UTF8.self)
            rows.append(
                "(\(bind: event.id), \(bind: stream), \(bind: event.version), \(bind: event.type), \(bind: Timestamps.format(event.time)), \(bind: event.actor), \(bind: event.reason), \(bind: event.correlationID), \(bind: event.causationID), \(bind: data))"
            )
        }
        // why: on PostgreSQL the advisory lock makes commit order equal sequence order (see PostgresEngine); taken in
        // the statement, it holds until the statement's (or the surrounding transaction's) commit.
        let lock: SQLQueryString =
            engine.kind == .postgres
            ? "lock AS (SELECT pg_advisory_xact_lock(\(unsafeRaw: String(PostgresEngine.appendLockKey)))), " : ""
        let lockFrom: SQLQueryString = engine.kind == .postgres ? " FROM lock" : ""
        let sql: SQLQueryString = """
            WITH \(lock)head AS (SELECT COALESCE((SELECT version FROM events WHERE stream = \(bind: stream) ORDER BY version DESC LIMIT 1), 0) AS v\(lockFrom))
            INSERT INTO events (id, stream, version, type, time, actor, reason, correlation_id, causation_id, data)
            SELECT column1, column2, column3, column4, column5, column6, column7, column8, column9, column10
            FROM (VALUES \(rows.joined(separator: ", "))) AS incoming, head WHERE head.v = \(bind: expectedVersion)
            RETURNING sequence
            """
        do {
            let sequences = try await db.raw(sql).all().map { try $0.decode(column: "sequence", as: Int64.self) }
            guard sequences.count == stored.count else {
                throw StoreError.concurrencyConflict(
                    stream: stream, expected: expectedVersion, actual: try await version(of: stream, on: db))
            }
            for (index, sequence) in sequences.sorted().enumerated() { stored[index].sequence = sequence }
        } catch  where engine.isUniqueViolation(error) {
            throw StoreError.concurrencyConflict(stream: stream, expected: expectedVersion, actual: expectedVersion + 1)
        }
        return stored
    }

    public func read(stream: String) async throws -> [StoredEvent] {
        try await engine.read { db in
            try await db.raw(
                "SELECT \(unsafeRaw: Self.columns) FROM events WHERE stream = \(bind: stream) ORDER BY version"
            ).all().map(Self.decode)
        }
    }

    /// The newest `limit` events of a stream, oldest first: a long-lived stream's recent history.
    public func read(stream: String, last limit: Int) async throws -> [StoredEvent] {
        try await engine.read { db in
            try await db.raw(
                "SELECT \(unsafeRaw: Self.columns) FROM events WHERE stream = \(bind: stream) ORDER BY version DESC LIMIT \(bind: limit)"
            ).all()
                .map(Self.decode).reversed()
        }
    }

    public func read(after sequence: Int64, limit: Int) async throws -> [StoredEvent] {
        try await engine.read { db in
            try await db.raw(
                "SELECT \(unsafeRaw: Self.columns) FROM events WHERE sequence > \(bind: sequence) ORDER BY sequence LIMIT \(bind: limit)"
            ).all().map(Self.decode)
        }
    }

    /// The stream and version of each event after `sequence`, without their data: what changed, for a reader
    /// that keeps its own copies of some aggregates current.
    public func touched(after sequence: Int64, limit: Int) async throws -> [(
        sequence: Int64, stream: String, version: Int
    )] {
        try await engine.read { db in
            try await db.raw(
                "SELECT sequence, stream, version FROM events WHERE sequence > \(bind: sequence) ORDER BY sequence LIMIT \(bind: limit)"
            ).all().map {
                (
                    try $0.decode(column: "sequence", as: Int64.self), try $0.decode(column: "stream", as: String.self),
                    try $0.decode(column: "version", as: Int.self)
                )
            }
        }
    }

    /// What changed after `sequence`, page by page (stream and version only): for a reader that keeps copies of some
    /// aggregates current and reads again only those that changed.
    public func changes(after sequence: Int64, pageSize: Int = 1000) async throws -> StreamChanges {
        var changes = StreamChanges(cursor: sequence)
        while true {
            let page = try await touched(after: changes.cursor, limit: pageSize)
            for event in page {
                changes.latest[event.stream] = max(changes.latest[event.stream] ?? 0, event.version)
                if event.version == 1 { changes.begun.insert(event.stream) }
            }
            guard let last = page.last else { return changes }
            changes.cursor = last.sequence
            if page.count < pageSize { return changes }
        }
    }

    public func headSequence() async throws -> Int64 {
        try await engine.read { db in
            try await db.raw("SELECT COALESCE(MAX(sequence), 0) AS s FROM events").first()?.decode(
                column: "s", as: Int64.self) ?? 0
        }
    }

    static let columns = "sequence, id, stream, version, type, time, actor, reason, correlation_id, causation_id, data"

    static func decode(_ row: any SQLRow) throws -> StoredEvent {
        let timeText = try row.decode(column: "time", as: String.self)
        guard let time = Timestamps.parse(timeText) else { throw StoreError.corrupt("event time '\(timeText)'") }
        return StoredEvent(
            sequence: try row.decode(column: "sequence", as: Int64.self),
            id: try row.decode(column: "id", as: String.self),
            stream: try row.decode(column: "stream", as: String.self),
            version: try row.decode(column: "version", as: Int.self),
            type: try row.decode(column: "type", as: String.self),
            time: time,
            actor: try row.decode(column: "actor", as: String.self),
            reason: try row.decode(column: "reason", as: String.self),
            correlationID: try row.decode(column: "correlation_id", as: String?.self),
            causationID: try row.decode(column: "causation_id", as: String?.self),
            data: Data(try row.decode(column: "data", as: String.self).utf8))
    }
}

/// The streams that gained events after a sequence (`SQLEventStore.changes(after:)`).
public struct StreamChanges: Sendable {
    /// Each changed stream's newest version.
    public var latest: [String: Int] = [:]
    /// Streams whose first event is among the changes: aggregates created since.
    public var begun: Set<String> = []
    /// The last sequence seen: where the next read starts, once these changes are taken in.
    public var cursor: Int64

    /// The changed aggregates of one type: id → newest version.
    public func of<A: StoredAggregate>(_ type: A.Type) -> [String: Int] {
        let prefix = A.stream("")
        var found: [String: Int] = [:]
        for (stream, version) in latest where stream.hasPrefix(prefix) {
            found[String(stream.dropFirst(prefix.count))] = version
        }
        return found
    }

    /// The ids of the aggregates of one type created since.
    public func created<A: StoredAggregate>(_ type: A.Type) -> [String] {
        let prefix = A.stream("")
        return begun.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
    }
}
