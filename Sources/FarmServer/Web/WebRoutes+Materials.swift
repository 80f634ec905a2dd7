import FarmDomain
import FarmInventory
import FarmStore
import Foundation

extension WebRoutes {
    /// `/materials` and `/spools/{id}`.
    func registerMaterials(on routes: SecuredRoutes) {
        let store = services.store
        routes.page("/materials", .read) { _, context in
            let viewer = try viewer(context)
            let lots = Dictionary(
                try await store.lots.all().map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            return WebPage.response(
                MaterialsPage.render(
                    filaments: try await store.filaments.all(), spools: try await store.spools.all(), lots: lots,
                    printers: try await printerNames(), spoolman: try await SpoolmanLinkStatus.all(in: store),
                    consumables: try await store.consumables.all(), viewer: viewer))
        }
        routes.page("/spools/{id}", .read) { _, context in
            let viewer = try viewer(context)
            guard let id = SpoolID(try context.parameters.require("id")),
                let spool = try await store.spools.get(id: id.description)?.model
            else { return Self.missing("spool", context) }
            let events = try await store.events.read(stream: SpoolDecider.stream(spool.id))
            // Each print's orders, from the trace: a part's plan leads to its order.
            var orders: [RunID: [(intent: IntentID, label: String)]] = [:]
            var labels: [IntentID: String] = [:]
            for row in try await store.materialTrace.rows(spool: spool.id) {
                guard let intent = row.intent else { continue }
                if labels[intent] == nil {
                    let model = try await store.intents.get(id: intent.description)?.model
                    labels[intent] =
                        model?.externalReference ?? model?.customer ?? "order \(intent.description.suffix(6))"
                }
                if orders[row.run, default: []].contains(where: { $0.intent == intent }) { continue }
                orders[row.run, default: []].append((intent, labels[intent]!))
            }
            return WebPage.response(
                MaterialsPage.spool(
                    spool, filament: try await store.filaments.get(id: spool.filament.description)?.model,
                    lot: try await spool.lot.asyncMap { try await store.lots.get(id: $0.description)?.model } ?? nil,
                    events: events, printers: try await printerNames(), orders: orders, viewer: viewer))
        }
    }
}

extension WebRoutes {
    /// The filament in an order's parts, with each lot's number and each filament's name.
    func materialUses(of intent: IntentID) async throws -> [OrderPage.MaterialUse] {
        let store = services.store
        var lots: [LotID: String] = [:]
        var filaments: [FilamentID: String] = [:]
        var uses: [OrderPage.MaterialUse] = []
        for row in try await store.materialTrace.rows(intent: intent) {
            if let lot = row.lot, lots[lot] == nil {
                lots[lot] = try await store.lots.get(id: lot.description)?.model.spec.number
            }
            if filaments[row.filament] == nil {
                filaments[row.filament] = MaterialsPage.filamentName(
                    try await store.filaments.get(id: row.filament.description)?.model)
            }
            uses.append(
                OrderPage.MaterialUse(
                    row: row, lotNumber: row.lot.flatMap { lots[$0] }, filament: filaments[row.filament] ?? ""))
        }
        return uses
    }

    /// The forecast's lines that need a person (a print the stock does not cover, a reorder point crossed), from
    /// the loop's last schedule; none where this process does not plan the farm.
    func materialAttention() async throws -> [MaterialForecast.Line] {
        guard let schedule = await loop?.schedule else { return [] }
        let store = services.store
        if try await store.filaments.all().isEmpty { return [] }
        return try await MaterialForecast.compute(
            schedule: schedule, store: store, settings: loop?.planner.settings.materials ?? .init(),
            now: services.now()
        ).attention
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
