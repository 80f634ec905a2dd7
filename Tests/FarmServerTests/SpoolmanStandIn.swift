import Foundation
import Hummingbird
import NIOConcurrencyHelpers

/// A Spoolman v0.26 stand-in, faithful to the wire facts in `../shared/reference/spoolman-api.md` that the farm
/// relies on: lists are JSON arrays with `x-total-count`, nulls are left out, timestamps are whole-second UTC,
/// each spool embeds its filament and each filament its vendor, archived spools only with `allow_archived=true`,
/// `PUT /spool/{id}/use` adds to the used weight (remaining floors at 0). `garbage` makes every answer an HTML page.
final class SpoolmanStandIn: @unchecked Sendable {
    /// Guarded by `state`'s lock; `[String: Any]` is what the wire is (JSON), not a typed model.
    struct State {
        var vendors: [[String: Any]] = []
        var filaments: [[String: Any]] = []
        var spools: [[String: Any]] = []
        var garbage = false
        var uses: [(spool: Int, grams: Double)] = []
    }

    let state = NIOLockedValueBox(State())

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/api/v1/vendor") { _, _ in self.list(\.vendors) }
        router.get("/api/v1/filament") { _, _ in self.list(\.filaments) }
        router.get("/api/v1/spool") { request, _ in
            let archived = request.uri.queryParameters["allow_archived"] == "true"
            return self.list(\.spools) { archived || ($0["archived"] as? Bool) != true }
        }
        router.put("/api/v1/spool/{id}/use") { request, context in
            if self.state.withLockedValue({ $0.garbage }) {
                return Response(
                    status: .ok, headers: [.contentType: "text/html"],
                    body: .init(byteBuffer: ByteBuffer(string: "<html><body>Spoolman is updating</body></html>")))
            }
            let id = Int(context.parameters.get("id") ?? "") ?? -1
            let body = try await request.body.collect(upTo: 1 << 16)
            let json = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
            guard let grams = json["use_weight"] as? Double else {
                return Self.json(["message": "Either use_weight or use_length must be set."], status: .badRequest)
            }
            let spool: [String: Any]? = self.state.withLockedValue { state in
                guard let index = state.spools.firstIndex(where: { $0["id"] as? Int == id }) else { return nil }
                let used = (state.spools[index]["used_weight"] as? Double ?? 0) + grams
                state.spools[index]["used_weight"] = max(0, used)
                let initial = state.spools[index]["initial_weight"] as? Double ?? 1000
                state.spools[index]["remaining_weight"] = max(0, initial - max(0, used))
                state.uses.append((id, grams))
                return state.spools[index]
            }
            guard let spool else {
                return Self.json(["message": "No spool with ID \(id) found."], status: .notFound)
            }
            return Self.json(spool)
        }
        return router
    }

    private func list(
        _ keyPath: KeyPath<State, [[String: Any]]>, _ keep: ([String: Any]) -> Bool = { _ in true }
    ) -> Response {
        let (items, garbage) = state.withLockedValue { ($0[keyPath: keyPath].filter(keep), $0.garbage) }
        if garbage {
            return Response(
                status: .ok, headers: [.contentType: "text/html"],
                body: .init(byteBuffer: ByteBuffer(string: "<html><body>Spoolman is updating</body></html>")))
        }
        var response = Self.json(items)
        response.headers[.init("x-total-count")!] = String(items.count)
        return response
    }

    static func json(_ value: Any, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: value)) ?? Data("null".utf8)
        return Response(
            status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: data))
        )
    }

    /// Seeds a vendor, a PLA filament with a colour, a PETG without a vendor, and three spools: one with a lot, one
    /// started, one archived.
    func seed() {
        let vendor: [String: Any] = [
            "id": 1, "registered": "2026-11-01T10:00:00Z", "name": "Polymaker", "empty_spool_weight": 140, "extra": [:],
        ]
        let pla: [String: Any] = [
            "id": 1, "registered": "2026-11-01T10:01:00Z", "name": "PolyTerra Charcoal Black", "vendor": vendor,
            "material": "PLA", "price": 20, "density": 1.24, "diameter": 1.75, "weight": 1000, "spool_weight": 140,
            "color_hex": "1A1A1A", "extra": [:],
        ]
        let petg: [String: Any] = [
            "id": 2, "registered": "2026-11-01T10:02:00Z", "material": "PETG", "density": 1.27, "diameter": 1.75,
            "extra": [:],
        ]
        func spool(_ id: Int, _ filament: [String: Any], used: Double, lot: String? = nil, archived: Bool = false)
            -> [String: Any]
        {
            var spool: [String: Any] = [
                "id": id, "registered": "2026-11-0\(id)T12:00:00Z", "filament": filament, "initial_weight": 1000,
                "spool_weight": 140, "used_weight": used, "remaining_weight": 1000 - used, "archived": archived,
                "location": "Shelf A", "extra": [:],
            ]
            if let lot { spool["lot_nr"] = lot }
            if used > 0 { spool["first_used"] = "2026-11-0\(id)T13:00:00.123456Z" }
            return spool
        }
        state.withLockedValue { state in
            state.vendors = [vendor]
            state.filaments = [pla, petg]
            state.spools = [
                spool(1, pla, used: 0, lot: "52342"), spool(2, pla, used: 250.5, lot: "52342"),
                spool(3, petg, used: 1000, archived: true),
            ]
        }
    }
}
