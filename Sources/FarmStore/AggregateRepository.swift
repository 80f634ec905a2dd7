import FarmDomain
import Foundation
import SQLKit

/// The result of a command: the aggregate's model and version after it, and the events it appended
/// (none when the command had already been carried out).
public struct CommandOutcome<A: StoredAggregate>: Sendable {
    public let model: A.Model
    public let version: Int
    public let events: [StoredEvent]
}

/// A read-model row: the aggregate's JSON body and the stream version it reflects (the ETag).
public struct ReadModelRow: Sendable, Equatable {
    public let id: String
    public let version: Int
    public let status: String
    public let body: Data
}

/// Loads, decides and appends for one aggregate type. A command, its events and the read-model update commit
/// in one transaction, so the read model is never behind the events it was made from.
public struct AggregateRepository<A: StoredAggregate>: Sendable where A.Command: Sendable {
    let engine: any SQLEngine
    let newEventID: @Sendable () -> UUID
    let onAppend: @Sendable ([StoredEvent]) -> Void

    init(
        engine: any SQLEngine, newEventID: @escaping @Sendable () -> UUID,
        onAppend: @escaping @Sendable ([StoredEvent]) -> Void
    ) {
        self.engine = engine
        self.newEventID = newEventID
        self.onAppend = onAppend
    }

    /// Runs `command` against aggregate `id`. With `expectedVersion` the caller's view must be current
    /// (an HTTP `If-Match`), otherwise `StoreError.concurrencyConflict`.
    ///
    /// `answer`, when given, renders the response to the request that asked for this command; it is stored under the
    /// request's `Idempotency-Key` in the command's own transaction, so a retry finds the change and its answer, or
    /// neither.
    public func execute(
        _ command: A.Command, id: String, expectedVersion: Int? = nil, context: CommandContext,
        correlationID: String? = nil, causationID: String? = nil,
        answer: (@Sendable (CommandOutcome<A>) throws -> IdempotentAnswer)? = nil
    ) async throws -> CommandOutcome<A> {
        try await execute(
            [(command, context)], id: id, expectedVersion: expectedVersion, correlationID: correlationID,
            causationID: causationID,
            answer: answer)
    }

    /// Runs several commands against aggregate `id` in one transaction, each deciding on the state the ones before
    /// it left and each recorded with its own context (actor, reason, note): all take effect, or none does.
    public func execute(
        _ commands: [(command: A.Command, context: CommandContext)], id: String, expectedVersion: Int? = nil,
        correlationID: String? = nil, causationID: String? = nil,
        answer: (@Sendable (CommandOutcome<A>) throws -> IdempotentAnswer)? = nil
    ) async throws -> CommandOutcome<A> {
        let stream = A.stream(id)
        let outcome = try await engine.transaction { db -> CommandOutcome<A> in
            let current = try await Self.load(id: id, on: db)
            let startVersion = current?.version ?? 0
            if let expectedVersion, expectedVersion != startVersion {
                // why: a printer's version moved with every observation, so an operator's click was refused as stale
                // when only temperatures had changed (issue 17). What came since counts only if it is not telemetry.
                let since =
                    expectedVersion < startVersion && expectedVersion >= 0 && !A.telemetry.isEmpty
                    ? try await SQLEventStore.types(on: db, stream: stream, after: expectedVersion) : nil
                guard let since, since.allSatisfy(A.telemetry.contains) else {
                    throw StoreError.concurrencyConflict(
                        stream: stream, expected: expectedVersion, actual: startVersion)
                }
            }
            var state = current.map { A.state(of: $0.model) } ?? A.initialState
            var version = startVersion
            var stored: [StoredEvent] = []
            let encoder = StoreCoding.encoder()
            for (command, context) in commands {
                let events = try A.decide(command, state: state, context: context)
                guard !events.isEmpty else { continue }
                state = events.reduce(state, A.evolve)
                let newEvents = try events.map { event in
                    NewEvent(
                        id: newEventID(), type: event.eventType, time: context.time, data: try event.encodeData(encoder)
                    )
                }
                let metadata = EventMetadata(
                    actor: context.actor, reason: context.reason, correlationID: correlationID, causationID: causationID
                )
                stored += try await SQLEventStore.append(
                    on: db, engine: engine, to: stream, expectedVersion: version, events: newEvents, metadata: metadata)
                version += events.count
            }
            guard let model = A.model(of: state) else {
                // Only a creating command can leave no model, and it always emits an event; nothing to store.
                throw DomainError.notFound(aggregate: A.Event.aggregate, command: "read")
            }
            if !stored.isEmpty {
                do {
                    try await Self.upsert(
                        id: id, model: model, version: version, created: startVersion == 0, on: db, encoder: encoder)
                } catch  where engine.isUniqueViolation(error) {
                    // A read model's unique key (a username) is taken by another aggregate; nothing is written.
                    throw DomainError.alreadyExists(aggregate: A.Event.aggregate)
                }
            }
            let outcome = CommandOutcome<A>(model: model, version: version, events: stored)
            if let answer { try await IdempotencyStore.store(try answer(outcome), on: db) }
            return outcome
        }
        if !outcome.events.isEmpty { onAppend(outcome.events) }
        return outcome
    }

    /// The model and version of aggregate `id`, or nil when it does not exist.
    public func get(id: String) async throws -> (model: A.Model, version: Int)? {
        try await engine.read { db in try await Self.load(id: id, on: db) }
    }

    /// The models of `ids` that exist, by id: many in a few queries on one connection (a recall's orders).
    public func get(ids: some Collection<String>) async throws -> [String: A.Model] {
        let decoder = StoreCoding.decoder()
        let unique = Array(Set(ids))
        return try await engine.read { db in
            var found: [String: A.Model] = [:]
            for start in stride(from: 0, to: unique.count, by: 500) {
                let chunk = unique[start..<min(unique.count, start + 500)]
                var query = SQLQueryString("SELECT id, body FROM \(unsafeRaw: A.table.rawValue) WHERE id IN (")
                for (index, id) in chunk.enumerated() {
                    query.appendInterpolation(unsafeRaw: index > 0 ? ", " : "")
                    query.appendInterpolation(bind: id)
                }
                query.appendInterpolation(unsafeRaw: ")")
                for row in try await db.raw(query).all() {
                    let body = try row.decode(column: "body", as: String.self)
                    found[try row.decode(column: "id", as: String.self)] = try decoder.decode(
                        A.Model.self, from: Data(body.utf8))
                }
            }
            return found
        }
    }

    /// The stored JSON body of aggregate `id`, served as is.
    public func row(id: String) async throws -> ReadModelRow? {
        try await engine.read { db in
            try await db.raw(
                "SELECT id, version, status, body FROM \(unsafeRaw: A.table.rawValue) WHERE id = \(bind: id)"
            ).first().map(Self.decodeRow)
        }
    }

    /// A page of rows in id order (ids are time-ordered UUIDv7s, so this is creation order), after the cursor `after`;
    /// `newestFirst` turns the order round (a printer's latest runs).
    /// `linkedTo`: only models that name this id among their links (the runs of a plan).
    public func list(
        status: String? = nil, ref: String? = nil, queue: String? = nil, after: String? = nil, linkedTo: String? = nil,
        newestFirst: Bool = false,
        limit: Int
    ) async throws -> [ReadModelRow] {
        try await engine.read { db in
            var query = SQLQueryString(
                "SELECT id, version, status, body FROM \(unsafeRaw: A.table.rawValue) WHERE 1 = 1")
            if let status {
                query.appendInterpolation(unsafeRaw: " AND status = ")
                query.appendInterpolation(bind: status)
            }
            if let ref {
                query.appendInterpolation(unsafeRaw: " AND ref = ")
                query.appendInterpolation(bind: ref)
            }
            if let queue {
                query.appendInterpolation(unsafeRaw: " AND queue = ")
                query.appendInterpolation(bind: queue)
            }
            if let after {
                query.appendInterpolation(unsafeRaw: " AND id > ")
                query.appendInterpolation(bind: after)
            }
            if let linkedTo {
                query.appendInterpolation(
                    unsafeRaw: " AND id IN (SELECT id FROM read_links WHERE tbl = '\(A.table.rawValue)' AND link = ")
                query.appendInterpolation(bind: linkedTo)
                query.appendInterpolation(unsafeRaw: ")")
            }
            query.appendInterpolation(unsafeRaw: newestFirst ? " ORDER BY id DESC LIMIT " : " ORDER BY id LIMIT ")
            query.appendInterpolation(bind: limit)
            return try await db.raw(query).all().map(Self.decodeRow)
        }
    }

    /// How many models of a parent are in each status (a shop connection's sales), without reading them.
    public func statusCounts(ref: String) async throws -> [String: Int] {
        try await engine.read { db in
            var counts: [String: Int] = [:]
            for row in try await db.raw(
                """
                SELECT status, COUNT(*) AS n FROM \(unsafeRaw: A.table.rawValue) WHERE ref = \(bind: ref)
                GROUP BY status
                """
            ).all() {
                counts[try row.decode(column: "status", as: String.self)] = try row.decode(column: "n", as: Int.self)
            }
            return counts
        }
    }

    /// The newest `limit` models of a parent (a printer's latest runs), newest first.
    public func newest(ref: String, limit: Int) async throws -> [(model: A.Model, version: Int)] {
        let decoder = StoreCoding.decoder()
        return try await list(ref: ref, newestFirst: true, limit: limit).map {
            (try decoder.decode(A.Model.self, from: $0.body), $0.version)
        }
    }

    /// Each parent's newest `limit` models among `statuses` as (id, status), newest first: every printer's recent
    /// outcomes without decoding a run. One indexed query per parent (a window over the whole table is slower), all
    /// on one connection.
    public func newestStatuses(of refs: [String], among statuses: [String], limit: Int) async throws -> [String: [(
        id: String, status: String
    )]] {
        try await engine.read { db in
            var byRef: [String: [(id: String, status: String)]] = [:]
            for ref in refs {
                var query = SQLQueryString("SELECT id, status FROM \(unsafeRaw: A.table.rawValue) WHERE ref = ")
                query.appendInterpolation(bind: ref)
                query.appendInterpolation(unsafeRaw: " AND status IN (")
                for (index, status) in statuses.enumerated() {
                    query.appendInterpolation(unsafeRaw: index > 0 ? ", " : "")
                    query.appendInterpolation(bind: status)
                }
                query.appendInterpolation(unsafeRaw: ") ORDER BY id DESC LIMIT ")
                query.appendInterpolation(bind: limit)
                byRef[ref] = try await db.raw(query).all().map {
                    (try $0.decode(column: "id", as: String.self), try $0.decode(column: "status", as: String.self))
                }
            }
            return byRef
        }
    }

    /// Every model, page by page: for small collections such as printers.
    public func all(status: String? = nil) async throws -> [A.Model] {
        try await allVersioned(status: status).map(\.model)
    }

    /// Every model with its version (of a status, in a work queue, of a parent, created after an id, linked to an id),
    /// page by page.
    public func allVersioned(
        status: String? = nil, queue: String? = nil, ref: String? = nil, after: String? = nil, linkedTo: String? = nil
    ) async throws -> [(model: A.Model, version: Int)] {
        var models: [(model: A.Model, version: Int)] = []
        try await eachPage(status: status, queue: queue, ref: ref, after: after, linkedTo: linkedTo) { models += $0 }
        return models
    }

    /// Hands every model with its version to `body` a page at a time, in id order: for a reader that keeps a
    /// little of a large collection without holding all of it at once.
    public func eachPage(
        status: String? = nil, queue: String? = nil, ref: String? = nil, after start: String? = nil,
        linkedTo: String? = nil, size: Int = 500,
        _ body: ([(model: A.Model, version: Int)]) throws -> Void
    ) async throws {
        let decoder = StoreCoding.decoder()
        var after = start
        while true {
            let rows = try await list(
                status: status, ref: ref, queue: queue, after: after, linkedTo: linkedTo, limit: size)
            try body(try rows.map { (try decoder.decode(A.Model.self, from: $0.body), $0.version) })
            guard rows.count == size, let last = rows.last else { return }
            after = last.id
        }
    }

    static func decodeRow(_ row: any SQLRow) throws -> ReadModelRow {
        ReadModelRow(
            id: try row.decode(column: "id", as: String.self), version: try row.decode(column: "version", as: Int.self),
            status: try row.decode(column: "status", as: String.self),
            body: Data(try row.decode(column: "body", as: String.self).utf8))
    }

    static func load(id: String, on db: any SQLDatabase) async throws -> (model: A.Model, version: Int)? {
        guard
            let row = try await db.raw(
                "SELECT id, version, status, body FROM \(unsafeRaw: A.table.rawValue) WHERE id = \(bind: id)"
            ).first()
        else {
            return nil
        }
        let decoded = try decodeRow(row)
        do {
            return (try StoreCoding.decoder().decode(A.Model.self, from: decoded.body), decoded.version)
        } catch {
            throw StoreError.corrupt(
                "read model \(A.table.rawValue)/\(id) does not decode (\(error)); run `printfarm projections rebuild`")
        }
    }

    static func upsert(
        id: String, model: A.Model, version: Int, created: Bool, on db: any SQLDatabase, encoder: JSONEncoder
    ) async throws {
        if created {
            for link in A.links(of: model) {
                try await db.raw(
                    "INSERT INTO read_links (tbl, link, id) VALUES (\(bind: A.table.rawValue), \(bind: link), \(bind: id)) ON CONFLICT DO NOTHING"
                ).run()
            }
        }
        let body = String(decoding: try encoder.encode(model), as: UTF8.self)
        let updated = Timestamps.format(Date())
        try await db.raw(
            """
            INSERT INTO \(unsafeRaw: A.table.rawValue) (id, version, status, ref, queue, updated_at, body)
            VALUES (\(bind: id), \(bind: version), \(bind: A.status(of: model)), \(bind: A.ref(of: model)), \(bind: A.queue(of: model)), \(bind: updated), \(bind: body))
            ON CONFLICT (id) DO UPDATE SET version = excluded.version, status = excluded.status, ref = excluded.ref, queue = excluded.queue,
                updated_at = excluded.updated_at, body = excluded.body
            """
        ).run()
    }
}
