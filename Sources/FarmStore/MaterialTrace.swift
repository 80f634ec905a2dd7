import FarmDomain
import Foundation
import SQLKit

/// Which filament went into which part: a row per spool, run and plan, from the spools' usage events, with the lot
/// and the order it leads to. It answers a recall (which orders used lot X?) and an order's page (which lot made each
/// part?) without reading every spool's history. Rebuilt from the events by replaying them into it.
public struct MaterialTrace: Sendable {
    let engine: any SQLEngine

    public struct Row: Sendable, Equatable, Codable {
        public var spool: SpoolID
        public var lot: LotID?
        public var filament: FilamentID
        public var run: RunID
        public var plan: PlanID
        public var intent: IntentID?
        public var grams: Double
        public var at: Date

        public init(
            spool: SpoolID, lot: LotID?, filament: FilamentID, run: RunID, plan: PlanID, intent: IntentID?,
            grams: Double, at: Date
        ) {
            self.spool = spool
            self.lot = lot
            self.filament = filament
            self.run = run
            self.plan = plan
            self.intent = intent
            self.grams = grams
            self.at = at
        }
    }

    /// Records rows; a row already there (the same spool, run and plan) is left as it is.
    public func record(_ rows: [Row]) async throws {
        guard !rows.isEmpty else { return }
        try await engine.transaction { db in
            for row in rows {
                try await db.raw(
                    """
                    INSERT INTO material_usage (spool_id, lot_id, filament_id, run_id, plan_id, intent_id, grams, at)
                    VALUES (\(bind: row.spool.description), \(bind: row.lot?.description),
                        \(bind: row.filament.description), \(bind: row.run.description), \(bind: row.plan.description),
                        \(bind: row.intent?.description), \(bind: row.grams), \(bind: Timestamps.format(row.at)))
                    ON CONFLICT (spool_id, run_id, plan_id) DO NOTHING
                    """
                ).run()
            }
        }
    }

    /// Everything made from a lot, oldest first.
    public func rows(lot: LotID) async throws -> [Row] {
        try await select(.lot, lot.description)
    }

    /// The filament in an order's parts, oldest first.
    public func rows(intent: IntentID) async throws -> [Row] {
        try await select(.intent, intent.description)
    }

    /// What a spool's filament made, oldest first.
    public func rows(spool: SpoolID) async throws -> [Row] {
        try await select(.spool, spool.description)
    }

    private enum Key: String {
        case lot = "lot_id"
        case intent = "intent_id"
        case spool = "spool_id"
    }

    private func select(_ key: Key, _ value: String) async throws -> [Row] {
        try await engine.read { db in
            try await db.raw(
                """
                SELECT spool_id, lot_id, filament_id, run_id, plan_id, intent_id, grams, at FROM material_usage
                WHERE \(unsafeRaw: key.rawValue) = \(bind: value) ORDER BY at, run_id, plan_id
                """
            ).all().map { row in
                func id<Tag>(_ column: String) throws -> TypedID<Tag>? {
                    try row.decodeNil(column: column)
                        ? nil : TypedID(try row.decode(column: column, as: String.self))
                }
                guard let spool: SpoolID = try id("spool_id"), let filament: FilamentID = try id("filament_id"),
                    let run: RunID = try id("run_id"), let plan: PlanID = try id("plan_id"),
                    let at = Timestamps.parse(try row.decode(column: "at", as: String.self))
                else { throw StoreError.corrupt("a material_usage row that does not read back") }
                return Row(
                    spool: spool, lot: try id("lot_id"), filament: filament, run: run, plan: plan,
                    intent: try id("intent_id"), grams: try row.decode(column: "grams", as: Double.self), at: at)
            }
        }
    }
}
