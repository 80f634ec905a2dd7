import FarmDomain
import FarmInventory
import FarmProduction
import FarmStore
import Foundation
import Hummingbird

/// One order a lot went into: what it is, and how much of the lot its parts took.
struct TracedOrder: Encodable, Sendable {
    var intent: IntentID
    var externalReference: String?
    var customer: String?
    var status: String?
    var grams: Double
    var runs: Int
}

struct LotTrace: Encodable, Sendable {
    var lot: Lot
    var spools: [SpoolID]
    var orders: [TracedOrder]
    var rows: [MaterialTrace.Row]
}

struct IntentMaterials: Encodable, Sendable {
    struct Part: Encodable, Sendable {
        var plan: PlanID
        var run: RunID
        var spool: SpoolID
        var lot: LotID?
        var lotNumber: String?
        var material: String?
        var colour: String?
        var grams: Double
        var at: Date
    }
    var intent: IntentID
    var parts: [Part]
}

extension MaterialRoutes {
    /// A recall, lot → spools → runs → parts → orders (JSON, or CSV with `?format=csv`), and back: an order's parts
    /// with the spool and lot each came from.
    func traceRoutes(on routes: SecuredRoutes) {
        // What the schedule needs of each material and colour against the spools in stock.
        routes.get("/api/v1/materials/forecast", .read) { _, _ in
            let schedule = try await ScheduleRoutes.current(loop)
            return try JSONIO.response(
                try await MaterialForecast.compute(
                    schedule: schedule, store: store, settings: loop?.planner.settings.materials ?? .init(),
                    now: services.now()))
        }
        routes.get("/api/v1/lots/{id}/trace", .read) { request, context in
            let id = try lots.id(context)
            guard let lot = try await store.lots.get(id: id)?.model else { throw Problem.notFound("lot \(id)") }
            let format = try QueryParameters(request).oneOf("format", TraceFormat.self) ?? TraceFormat.json.rawValue
            let rows = try await store.materialTrace.rows(lot: lot.id)
            var orders: [IntentID: TracedOrder] = [:]
            var runs: [IntentID: Set<RunID>] = [:]
            // The orders in one read: a lot's recall names hundreds.
            let intents = try await store.intents.get(ids: rows.compactMap { $0.intent?.description })
            for row in rows {
                guard let intentID = row.intent else { continue }
                if orders[intentID] == nil {
                    let intent = intents[intentID.description]
                    orders[intentID] = TracedOrder(
                        intent: intentID, externalReference: intent?.externalReference, customer: intent?.customer,
                        status: intent?.status.rawValue, grams: 0, runs: 0)
                }
                orders[intentID]!.grams += row.grams
                runs[intentID, default: []].insert(row.run)
                orders[intentID]!.runs = runs[intentID]!.count
            }
            let spools = try await store.spools.allVersioned(linkedTo: lot.id.description).map(\.model.id)
            let trace = LotTrace(
                lot: lot, spools: spools, orders: orders.values.sorted { $0.intent < $1.intent }, rows: rows)
            return format == TraceFormat.csv.rawValue ? Self.csv(trace) : try JSONIO.response(trace)
        }
        routes.get("/api/v1/intents/{id}/materials", .read) { _, context in
            let id = try spools.id(context)
            guard let intent = try await store.intents.get(id: id)?.model else {
                throw Problem.notFound("intent \(id)")
            }
            var parts: [IntentMaterials.Part] = []
            var lotNumbers: [LotID: String] = [:]
            var filaments: [FilamentID: Filament] = [:]
            for row in try await store.materialTrace.rows(intent: intent.id) {
                if let lot = row.lot, lotNumbers[lot] == nil {
                    lotNumbers[lot] = try await store.lots.get(id: lot.description)?.model.spec.number
                }
                if filaments[row.filament] == nil {
                    filaments[row.filament] = try await store.filaments.get(id: row.filament.description)?.model
                }
                parts.append(
                    IntentMaterials.Part(
                        plan: row.plan, run: row.run, spool: row.spool, lot: row.lot,
                        lotNumber: row.lot.flatMap { lotNumbers[$0] }, material: filaments[row.filament]?.spec.material,
                        colour: filaments[row.filament]?.spec.colour, grams: row.grams, at: row.at))
            }
            return try JSONIO.response(IntentMaterials(intent: intent.id, parts: parts))
        }
    }

    /// The recall as a spreadsheet: one line per part made from the lot.
    static func csv(_ trace: LotTrace) -> Response {
        let orders = Dictionary(trace.orders.map { ($0.intent, $0) }, uniquingKeysWith: { first, _ in first })
        var text = "lot,spool,run,plan,order,external_reference,customer,grams,at\r\n"
        for row in trace.rows {
            let order = row.intent.flatMap { orders[$0] }
            let fields = [
                trace.lot.spec.number, row.spool.description, row.run.description, row.plan.description,
                row.intent?.description ?? "", order?.externalReference ?? "", order?.customer ?? "",
                String(format: "%.2f", row.grams), Timestamps.format(row.at),
            ]
            text += fields.map(Self.csvField).joined(separator: ",") + "\r\n"
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/csv; charset=utf-8",
                .contentDisposition: "attachment; filename=\"lot-\(trace.lot.id).csv\"",
            ],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// RFC 4180 quoting; a leading =, +, - or @ is kept from being read as a formula by a spreadsheet.
    static func csvField(_ value: String) -> String {
        var value = value
        if let first = value.first, "=+-@".contains(first) { value = "'" + value }
        guard value.contains(where: { ",\"\r\n".contains($0) }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

enum TraceFormat: String, CaseIterable, Sendable {
    case json, csv
}
