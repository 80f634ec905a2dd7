import FarmDomain
import Foundation
import SQLKit

/// Drops the read models and replays every event into them.
/// It runs in one write transaction: writers wait, readers keep seeing the old models until it commits.
public struct ProjectionRebuilder: Sendable {
    let engine: any SQLEngine
    let batchSize: Int

    public struct Report: Sendable, Equatable {
        public var events: Int
        public var streams: Int
        public var seconds: Double
    }

    init(engine: any SQLEngine, batchSize: Int = 5_000) {
        self.engine = engine
        self.batchSize = batchSize
    }

    public func rebuild(progress: @escaping @Sendable (Int) -> Void = { _ in }) async throws -> Report {
        let start = ContinuousClock.now
        let batchSize = self.batchSize
        let (events, streams) = try await engine.transaction { db -> (Int, Int) in
            var folders: [String: any ProjectionFolder] = [:]
            for folder in [
                Folder<IntentDecider>() as any ProjectionFolder, Folder<PlanDecider>(), Folder<BuildPlateDecider>(),
                Folder<RunDecider>(), Folder<PrinterDecider>(), Folder<UserDecider>(), Folder<APIKeyDecider>(),
                Folder<ArtifactDecider>(), Folder<SliceDecider>(), Folder<ProfileBindingDecider>(),
                Folder<ShopConnectionDecider>(), Folder<SaleDecider>(), Folder<CatalogDecider>(),
                Folder<RecordDecider<VendorSpec>>(), Folder<RecordDecider<FilamentSpec>>(),
                Folder<RecordDecider<LotSpec>>(), Folder<SpoolDecider>(),
                Folder<RecordDecider<SpoolmanLinkSpec>>(), Folder<ConsumableDecider>(),
            ] { folders[folder.aggregate] = folder }
            let decoder = StoreCoding.decoder()
            var after: Int64 = 0
            var count = 0
            while true {
                let rows = try await db.raw(
                    "SELECT sequence, stream, version, type, data FROM events WHERE sequence > \(bind: after) ORDER BY sequence LIMIT \(bind: batchSize)"
                ).all()
                if rows.isEmpty { break }
                for row in rows {
                    let stream = try row.decode(column: "stream", as: String.self)
                    guard let dash = stream.firstIndex(of: "-"), let folder = folders[String(stream[..<dash])] else {
                        throw StoreError.corrupt("event stream '\(stream)' belongs to no known aggregate")
                    }
                    try folder.apply(
                        id: String(stream[stream.index(after: dash)...]),
                        version: try row.decode(column: "version", as: Int.self),
                        type: try row.decode(column: "type", as: String.self),
                        data: Data(try row.decode(column: "data", as: String.self).utf8),
                        decoder: decoder)
                }
                after = try rows.last!.decode(column: "sequence", as: Int64.self)
                count += rows.count
                progress(count)
            }
            let encoder = StoreCoding.encoder()
            var streams = 0
            try await db.raw("DELETE FROM read_links").run()
            for folder in folders.values {
                try await db.raw("DELETE FROM \(unsafeRaw: folder.table.rawValue)").run()
                streams += try await folder.write(on: db, encoder: encoder)
            }
            return (count, streams)
        }
        let elapsed = ContinuousClock.now - start
        return Report(
            events: events, streams: streams,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}

protocol ProjectionFolder: AnyObject {
    var aggregate: String { get }
    var table: ReadModelTable { get }
    func apply(id: String, version: Int, type: String, data: Data, decoder: JSONDecoder) throws
    func write(on db: any SQLDatabase, encoder: JSONEncoder) async throws -> Int
}

/// Folds one aggregate type's events in memory, then writes one row per aggregate.
final class Folder<A: StoredAggregate>: ProjectionFolder {
    var states: [String: (state: A.State, version: Int)] = [:]
    var aggregate: String { A.Event.aggregate }
    var table: ReadModelTable { A.table }

    func apply(id: String, version: Int, type: String, data: Data, decoder: JSONDecoder) throws {
        let event = try A.Event.decodeData(type: type, data: data, decoder: decoder)
        let current = states[id]?.state ?? A.initialState
        states[id] = (A.evolve(current, event), version)
    }

    func write(on db: any SQLDatabase, encoder: JSONEncoder) async throws -> Int {
        let updated = Timestamps.format(Date())
        var rows: [SQLQueryString] = []
        var written = 0
        func flush() async throws {
            guard !rows.isEmpty else { return }
            try await db.raw(
                "INSERT INTO \(unsafeRaw: A.table.rawValue) (id, version, status, ref, queue, updated_at, body) VALUES \(rows.joined(separator: ", "))"
            ).run()
            rows.removeAll(keepingCapacity: true)
        }
        var links: [SQLQueryString] = []
        for (id, entry) in states {
            guard let model = A.model(of: entry.state) else { continue }
            links += A.links(of: model).map { "(\(bind: A.table.rawValue), \(bind: $0), \(bind: id))" }
            if links.count >= 1000 {
                try await db.raw("INSERT INTO read_links (tbl, link, id) VALUES \(links.joined(separator: ", "))").run()
                links.removeAll(keepingCapacity: true)
            }
            let body = String(decoding: try encoder.encode(model), as: UTF8.self)
            rows.append(
                "(\(bind: id), \(bind: entry.version), \(bind: A.status(of: model)), \(bind: A.ref(of: model)), \(bind: A.queue(of: model)), \(bind: updated), \(bind: body))"
            )
            written += 1
            // why: 7 binds per row; 100 rows stay far below SQLite's 32766-parameter limit.
            if rows.count == 100 { try await flush() }
        }
        try await flush()
        if !links.isEmpty {
            try await db.raw("INSERT INTO read_links (tbl, link, id) VALUES \(links.joined(separator: ", "))").run()
        }
        return written
    }
}
