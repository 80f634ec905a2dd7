import FarmDomain
import FarmStore
import Foundation
import Hummingbird

struct ConsumableRequest: Decodable, Sendable {
    var id: UUID?
    var kind: ConsumableSpec.Kind
    var name: String?
    var diameter: Double?
    var hardened: Bool?
    var surface: String?
    var wearHours: Double?
    var wearGrams: Double?
    var cleanEvery: Int?
    var replaceAfter: Int?
    /// Fit it to this printer at once.
    var printer: PrinterID?
    var reason: String?
    var note: String?

    var spec: ConsumableSpec {
        ConsumableSpec(
            kind: kind, name: name, diameter: diameter, hardened: hardened, surface: surface, wearHours: wearHours,
            wearGrams: wearGrams, cleanEvery: cleanEvery, replaceAfter: replaceAfter)
    }
}

struct InstallConsumableRequest: Decodable, Sendable {
    var printer: PrinterID
    var reason: String?
    var note: String?
}

enum ConsumableStatus: String, CaseIterable, Sendable {
    case installed, shelf, retired
}

extension MaterialRoutes {
    /// `/api/v1/consumables`: nozzles and build sheets, fitted to printers, counting their prints; a limit reached is
    /// in `due`, on the board and in the next run's risk.
    func consumableRoutes(on routes: SecuredRoutes) {
        let path = "/api/v1/consumables"
        routes.post(path, .operate) { request, context in
            let body = try await JSONIO.decode(ConsumableRequest.self, from: request, context: context)
            if let printer = body.printer { try await checkPrinter(printer) }
            let id = ConsumableID(body.id ?? services.newID())
            let commandContext = try services.commandContext(context, reason: body.reason, note: body.note)
            var commands: [(command: ConsumableCommand, context: CommandContext)] = [
                (.register(id, body.spec), commandContext)
            ]
            if let printer = body.printer { commands.append((.install(printer: printer), commandContext)) }
            let outcome = try await store.consumables.execute(
                commands, id: id.description, correlationID: try services.correlationID(request, context))
            let created = outcome.version == outcome.events.count && !outcome.events.isEmpty
            return JSONIO.response(
                try StoreCoding.encoder().encode(outcome.model), status: created ? .created : .ok,
                etag: outcome.version, location: created ? "\(path)/\(id)" : nil)
        }
        routes.get(path, .read) { request, _ in
            let query = QueryParameters(request)
            return try await consumables.list(
                request, status: try query.oneOf("status", ConsumableStatus.self), ref: try query.uuid("printer"))
        }
        routes.get(path + "/{id}", .read) { request, context in try await consumables.get(request, context) }
        routes.put(path + "/{id}", .operate) { request, context in
            let body = try await JSONIO.decode(ConsumableRequest.self, from: request, context: context)
            return try await consumables.execute(
                .update(body.spec), id: try consumables.id(context), request: request, context: context,
                reason: body.reason, note: body.note)
        }
        routes.post(path + "/{id}/install", .operate) { request, context in
            let body = try await JSONIO.decode(InstallConsumableRequest.self, from: request, context: context)
            try await checkPrinter(body.printer)
            return try await consumables.execute(
                .install(printer: body.printer), id: try consumables.id(context), request: request, context: context,
                reason: body.reason, note: body.note)
        }
        for (action, command) in [
            ("remove", ConsumableCommand.remove), ("clean", .clean), ("retire", .retire), ("restore", .restore),
        ] {
            routes.post(path + "/{id}/" + action, .operate) { request, context in
                let body =
                    try await JSONIO.decodeIfPresent(ReasonRequest.self, from: request, context: context)
                    ?? ReasonRequest()
                return try await consumables.execute(
                    command, id: try consumables.id(context), request: request, context: context, reason: body.reason,
                    note: body.note)
            }
        }
    }

    private func checkPrinter(_ printer: PrinterID) async throws {
        guard try await store.printers.get(id: printer.description) != nil else {
            throw Problem.invalidField("printer", "no printer \(printer) is registered here")
        }
    }
}
