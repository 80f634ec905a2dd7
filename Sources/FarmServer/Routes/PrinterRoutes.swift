import FarmDomain
import FarmStore
import Foundation
import HTTPTypes
import Hummingbird

struct RegisterPrinterRequest: Decodable, Sendable {
    var id: PrinterID?
    var name: String
    var connector: ConnectorKind
    var address: String
    var capabilities: PrinterCapabilities
    var reason: String?
    var note: String?
}

/// `/api/v1/printers`: the machines of the farm.
struct PrinterRoutes {
    let endpoints: AggregateEndpoints<PrinterDecider>

    func register(on routes: SecuredRoutes) {
        // Registering a printer sets its connection address (and later its secrets): an owner's job.
        routes.post("/api/v1/printers", .administer) { request, context in
            let body = try await JSONIO.decode(RegisterPrinterRequest.self, from: request, context: context)
            let id = body.id ?? PrinterID(endpoints.services.newID())
            let registration = PrinterRegistration(name: body.name, connector: body.connector, address: body.address, capabilities: body.capabilities)
            return try await endpoints.execute(
                .register(id, registration), id: id.description, request: request, context: context, reason: body.reason, note: body.note, created: true)
        }
        routes.get("/api/v1/printers", .read) { request, _ in
            try await endpoints.list(request, status: try QueryParameters(request).oneOf("status", PrinterStatus.self), ref: nil)
        }
        routes.get("/api/v1/printers/{id}", .read) { request, context in try await endpoints.get(request, context) }
    }
}

/// `/api/v1/runs`: print attempts, read-only over the API until the dispatcher creates them.
struct RunRoutes {
    let endpoints: AggregateEndpoints<RunDecider>

    func register(on routes: SecuredRoutes) {
        routes.get("/api/v1/runs", .read) { request, _ in
            let query = QueryParameters(request)
            return try await endpoints.list(request, status: try query.oneOf("status", RunStatus.self), ref: try query.uuid("printer"))
        }
        routes.get("/api/v1/runs/{id}", .read) { request, context in try await endpoints.get(request, context) }
    }
}
