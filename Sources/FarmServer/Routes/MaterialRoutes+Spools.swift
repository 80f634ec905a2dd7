import FarmDomain
import FarmStore
import Foundation
import Hummingbird

extension MaterialRoutes {
    func spoolRoutes(on routes: SecuredRoutes) {
        routes.post("/api/v1/spools", .operate) { request, context in
            let body = try await JSONIO.decode(SpoolRequest.self, from: request, context: context)
            guard let filament = try await store.filaments.get(id: body.filament.description)?.model else {
                throw Problem.invalidField(
                    "filament", "no filament \(body.filament) is registered here; register it first")
            }
            if filament.retired {
                throw Problem.invalidField(
                    "filament", "filament \(filament.id) is retired; restore it or choose another")
            }
            if let lotID = body.lot {
                guard let lot = try await store.lots.get(id: lotID.description)?.model else {
                    throw Problem.invalidField("lot", "no lot \(lotID) is registered here; register it first")
                }
                guard lot.spec.filament == filament.id else {
                    throw Problem.invalidField("lot", "lot \(lot.spec.number) is of another filament")
                }
            }
            let spec = SpoolSpec(
                filament: filament.id, lot: body.lot, initialWeight: body.initialWeight ?? filament.spec.nominalWeight,
                remaining: body.remaining, spoolWeight: body.spoolWeight, location: body.location,
                openedAt: body.openedAt, driedAt: body.driedAt)
            let id = SpoolID(body.id ?? services.newID())
            return try await spools.execute(
                .register(id, spec), id: id.description, request: request, context: context, reason: body.reason,
                note: body.note, created: true)
        }
        routes.get("/api/v1/spools", .read) { request, _ in
            let query = QueryParameters(request)
            if let lot = try query.uuid("lot") {
                // A recall: every spool of the lot, archived ones too, on one page.
                _ = try query.limit()
                _ = try query.uuid("after")
                let found = try await store.spools.allVersioned(linkedTo: lot).map(\.model)
                return try JSONIO.response(WholeList(items: found))
            }
            return try await spools.list(
                request, status: try query.oneOf("status", SpoolStatus.self),
                ref: try query.uuid("filament"))
        }
        routes.get("/api/v1/spools/{id}", .read) { request, context in try await spools.get(request, context) }
        // A printable label whose QR code opens the spool's page at the address this request came to.
        routes.get("/api/v1/spools/{id}/label", .read) { request, context in
            let id = try spools.id(context)
            guard let spool = try await store.spools.get(id: id)?.model else { throw Problem.notFound("spool \(id)") }
            let filament = try await store.filaments.get(id: spool.filament.description)?.model
            let svg = try SpoolLabel.svg(
                spool: spool, filament: filament,
                vendor: try await filament?.spec.vendor.asyncMap { try await store.vendors.get(id: $0.description) }??
                    .model,
                lot: try await spool.lot.asyncMap { try await store.lots.get(id: $0.description) }??.model,
                link: Self.origin(of: request) + "/spools/\(spool.id)")
            return Response(
                status: .ok,
                headers: [
                    .contentType: "image/svg+xml",
                    .contentDisposition: "inline; filename=\"spool-\(spool.id.description.suffix(6)).svg\"",
                ],
                body: ResponseBody(byteBuffer: ByteBuffer(string: svg)))
        }
        routes.put("/api/v1/spools/{id}", .operate) { request, context in
            let body = try await JSONIO.decode(SpoolDetailsRequest.self, from: request, context: context)
            let details = SpoolDetails(
                spoolWeight: body.spoolWeight, location: body.location, openedAt: body.openedAt, driedAt: body.driedAt)
            return try await spools.execute(
                .update(details), id: try spools.id(context), request: request, context: context,
                reason: body.reason, note: body.note)
        }
        routes.post("/api/v1/spools/{id}/load", .operate) { request, context in
            let body = try await JSONIO.decode(LoadSpoolRequest.self, from: request, context: context)
            guard try await store.printers.get(id: body.printer.description) != nil else {
                throw Problem.invalidField("printer", "no printer \(body.printer) is registered here")
            }
            return try await spools.execute(
                .load(printer: body.printer, tool: body.tool ?? 0), id: try spools.id(context), request: request,
                context: context, reason: body.reason, note: body.note)
        }
        routes.post("/api/v1/spools/{id}/weigh", .operate) { request, context in
            let body = try await JSONIO.decode(WeighSpoolRequest.self, from: request, context: context)
            let id = try spools.id(context)
            let net: Double
            switch (body.gross, body.net) {
            case (let gross?, nil):
                guard let spool = try await store.spools.get(id: id)?.model else {
                    throw Problem.notFound("spool \(id)")
                }
                guard let tare = try await tare(of: spool) else {
                    throw Problem.invalidField(
                        "gross",
                        "the empty spool's weight is not known: give net (the filament alone), or set spoolWeight first"
                    )
                }
                net = gross - tare
            case (nil, let given?): net = given
            default:
                throw Problem.invalidField("net", "give gross (the spool on the scale) or net (the filament), not both")
            }
            return try await spools.execute(
                .weigh(gross: body.gross, net: net), id: id, request: request, context: context, reason: body.reason,
                note: body.note)
        }
        for (action, command) in [("unload", SpoolCommand.unload), ("archive", .archive), ("restore", .restore)] {
            routes.post("/api/v1/spools/{id}/" + action, .operate) { request, context in
                let body =
                    try await JSONIO.decodeIfPresent(ReasonRequest.self, from: request, context: context)
                    ?? ReasonRequest()
                return try await spools.execute(
                    command, id: try spools.id(context), request: request, context: context, reason: body.reason,
                    note: body.note)
            }
        }
    }

    /// The empty spool's grams: this spool's own, else its filament's, else its vendor's.
    func tare(of spool: Spool) async throws -> Double? {
        if let own = spool.spoolWeight { return own }
        guard let filament = try await store.filaments.get(id: spool.filament.description)?.model else { return nil }
        if let weight = filament.spec.spoolWeight { return weight }
        guard let vendor = filament.spec.vendor else { return nil }
        return try await store.vendors.get(id: vendor.description)?.model.spec.emptySpoolWeight
    }
}

/// A list that is never paged (`next` is always null).
struct WholeList<Item: Encodable & Sendable>: Encodable, Sendable {
    var items: [Item]

    private enum CodingKeys: String, CodingKey { case items, next }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(items, forKey: .items)
        try container.encodeNil(forKey: .next)
    }
}

extension MaterialRoutes {
    /// `scheme://host` as the client reached the farm: its Host header, and HTTPS when a proxy says it was used.
    static func origin(of request: Request) -> String {
        let host = request.head.authority ?? "localhost"
        let https = request.headers[.init("X-Forwarded-Proto")!]?.lowercased() == "https"
        return (https ? "https://" : "http://") + host
    }
}
