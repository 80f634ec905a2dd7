import FarmDomain
import FarmProduction
import FarmStore
import Foundation
import Hummingbird

struct VendorRequest: Decodable, Sendable {
    var id: UUID?
    var name: String
    var emptySpoolWeight: Double?
    var comment: String?
    var reason: String?
    var note: String?

    var spec: VendorSpec { VendorSpec(name: name, emptySpoolWeight: emptySpoolWeight, comment: comment) }
}

struct FilamentRequest: Decodable, Sendable {
    var id: UUID?
    var vendor: VendorID?
    var name: String?
    var material: String
    var colour: String?
    var colourHex: String?
    var diameter: Double?
    var density: Double
    var nominalWeight: Double?
    var spoolWeight: Double?
    var price: Double?
    var reorderPoint: Double?
    var reason: String?
    var note: String?

    /// `#1A1A1A` is taken as `1A1A1A`, upper case, as Spoolman keeps it.
    var spec: FilamentSpec {
        FilamentSpec(
            vendor: vendor, name: name, material: material, colour: colour,
            colourHex: colourHex.map { String($0.drop { $0 == "#" }).uppercased() }, diameter: diameter ?? 1.75,
            density: density, nominalWeight: nominalWeight ?? 1000, spoolWeight: spoolWeight, price: price,
            reorderPoint: reorderPoint)
    }
}

struct LotRequest: Decodable, Sendable {
    var id: UUID?
    var filament: FilamentID
    var number: String
    var receivedAt: Date?
    var documents: [String]?
    var note: String?
    var reason: String?
}

struct SpoolRequest: Decodable, Sendable {
    var id: UUID?
    var filament: FilamentID
    var lot: LotID?
    /// Grams of filament when new; absent: the filament's nominal weight.
    var initialWeight: Double?
    var remaining: Double?
    var spoolWeight: Double?
    var location: String?
    var openedAt: Date?
    var driedAt: Date?
    var reason: String?
    var note: String?
}

struct SpoolDetailsRequest: Decodable, Sendable {
    var spoolWeight: Double?
    var location: String?
    var openedAt: Date?
    var driedAt: Date?
    var reason: String?
    var note: String?
}

struct LoadSpoolRequest: Decodable, Sendable {
    var printer: PrinterID
    var tool: Int?
    var reason: String?
    var note: String?
}

/// A weigh-in: `gross` as the scale shows the spool, or `net`, the filament alone.
struct WeighSpoolRequest: Decodable, Sendable {
    var gross: Double?
    var net: Double?
    var reason: String?
    var note: String?
}

/// `/api/v1/vendors`, `/filaments`, `/lots`, `/spools`: the farm's materials. Recording them is an operator's job;
/// reading them any user's.
struct MaterialRoutes {
    let vendors: AggregateEndpoints<RecordDecider<VendorSpec>>
    let filaments: AggregateEndpoints<RecordDecider<FilamentSpec>>
    let lots: AggregateEndpoints<RecordDecider<LotSpec>>
    let spools: AggregateEndpoints<SpoolDecider>
    let consumables: AggregateEndpoints<ConsumableDecider>
    /// The production loop, when this process runs it: its schedule is what the forecast weighs.
    let loop: ProductionLoop?

    var store: Store { spools.services.store }
    var services: FarmServices { spools.services }

    func register(on routes: SecuredRoutes) {
        records(vendors, on: routes, decode: VendorRequest.self) { body in (body.id, body.spec, body.reason, body.note)
        }
        records(filaments, on: routes, decode: FilamentRequest.self) { body in
            (body.id, body.spec, body.reason, body.note)
        } check: { spec in
            if let vendor = spec.vendor { try await exists(vendor.description, in: store.vendors, field: "vendor") }
        }
        records(lots, on: routes, decode: LotRequest.self) { body in
            let spec = LotSpec(
                filament: body.filament, number: body.number, receivedAt: body.receivedAt ?? services.now(),
                documents: body.documents ?? [], note: body.note)
            return (body.id, spec, body.reason, nil)
        } check: { spec in
            try await exists(spec.filament.description, in: store.filaments, field: "filament")
        }
        spoolRoutes(on: routes)
        traceRoutes(on: routes)
        spoolmanRoutes(on: routes)
        consumableRoutes(on: routes)
    }

    /// Register (POST), list, read, replace (PUT), retire and restore one kind of record.
    private func records<Spec: StoredRecordSpec, Body: Decodable & Sendable>(
        _ endpoints: AggregateEndpoints<RecordDecider<Spec>>, on routes: SecuredRoutes, decode: Body.Type,
        _ parts: @escaping @Sendable (Body) -> (id: UUID?, spec: Spec, reason: String?, note: String?),
        check: @escaping @Sendable (Spec) async throws -> Void = { _ in }
    ) {
        let path = endpoints.collection
        routes.post(path, .operate) { request, context in
            let body = parts(try await JSONIO.decode(Body.self, from: request, context: context))
            try await check(body.spec)
            let id = TypedID<Spec>(body.id ?? services.newID())
            return try await endpoints.execute(
                .register(id, body.spec), id: id.description, request: request, context: context, reason: body.reason,
                note: body.note, created: true)
        }
        routes.get(path, .read) { request, _ in
            let query = QueryParameters(request)
            return try await endpoints.list(
                request, status: try query.oneOf("status", RecordStatus.self), ref: try query.uuid("parent"))
        }
        routes.get(path + "/{id}", .read) { request, context in
            try await endpoints.get(request, context)
        }
        routes.put(path + "/{id}", .operate) { request, context in
            let body = parts(try await JSONIO.decode(Body.self, from: request, context: context))
            try await check(body.spec)
            return try await endpoints.execute(
                .update(body.spec), id: try endpoints.id(context), request: request, context: context,
                reason: body.reason, note: body.note)
        }
        for (action, command) in [("retire", RecordCommand<Spec>.retire), ("restore", .restore)] {
            routes.post(path + "/{id}/" + action, .operate) { request, context in
                let body =
                    try await JSONIO.decodeIfPresent(ReasonRequest.self, from: request, context: context)
                    ?? ReasonRequest()
                let id = try endpoints.id(context)
                if Spec.self == LotSpec.self, command == .retire { try await checkLotUnused(id) }
                return try await endpoints.execute(
                    command, id: id, request: request, context: context, reason: body.reason, note: body.note)
            }
        }
    }

    /// A lot that spools refer to stays: a recall must find what it made.
    private func checkLotUnused(_ lot: String) async throws {
        let using = try await store.spools.allVersioned(linkedTo: lot).filter { !$0.model.archived }
        guard using.isEmpty else {
            throw Problem(
                status: .conflict, code: "lot-in-use", title: "Spools of this lot are in stock",
                detail:
                    "\(using.count) spool(s) of it are not archived ("
                    + using.prefix(3).map { $0.model.id.description }.joined(separator: ", ") + "); "
                    + "archive them first. Its history and traceability stay either way")
        }
    }

    private func exists<A: StoredAggregate>(_ id: String, in repository: AggregateRepository<A>, field: String)
        async throws
    {
        guard try await repository.get(id: id) != nil else {
            throw Problem.invalidField(field, "no \(field) \(id) is registered here; register it first")
        }
    }
}

enum RecordStatus: String, CaseIterable, Sendable {
    case active, retired
}
