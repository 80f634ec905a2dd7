import FarmDomain
import FarmStore
import Foundation
import HTTPTypes
import Hummingbird

struct ComposePlateRequest: Decodable, Sendable {
    var id: BuildPlateID?
    var items: [PlateItem]
    /// The SHA-256 of the plate's sliced G-code; with it the plate is frozen at once and can be scheduled.
    var gcode: String?
    var reason: String?
    var note: String?
}

/// `/api/v1/plates`: build plates — plan revisions printed together — frozen with their sliced G-code.
struct PlateRoutes {
    let endpoints: AggregateEndpoints<BuildPlateDecider>

    func register(on routes: SecuredRoutes) {
        routes.post("/api/v1/plates", .operate) { request, context in try await compose(request, context) }
        routes.get("/api/v1/plates", .read) { request, _ in
            try await endpoints.list(
                request, status: try QueryParameters(request).oneOf("status", BuildPlateStatus.self), ref: nil)
        }
        routes.get("/api/v1/plates/{id}", .read) { request, context in try await endpoints.get(request, context) }
    }

    func compose(_ request: Request, _ context: FarmRequestContext) async throws -> Response {
        let body = try await JSONIO.decode(ComposePlateRequest.self, from: request, context: context)
        let store = endpoints.services.store
        for (index, item) in body.items.enumerated() {
            guard let plan = try await store.plans.get(id: item.planID.description)?.model else {
                throw Problem.invalidField("items[\(index)].planID", "no plan \(item.planID) exists")
            }
            guard plan.revisions.contains(where: { $0.number == item.revision }) else {
                throw Problem.invalidField(
                    "items[\(index)].revision", "plan \(item.planID) has no revision \(item.revision)")
            }
        }
        if let sha = body.gcode {
            guard let artifact = try await store.artifacts.get(id: sha.lowercased())?.model else {
                throw Problem.invalidField(
                    "gcode", "no artifact \(sha.prefix(64)) exists; upload the G-code or slice the plate first")
            }
            guard artifact.kind == .gcode else {
                throw Problem.invalidField(
                    "gcode", "artifact \(sha.prefix(64)) is \(artifact.kind.rawValue), not G-code")
            }
        }
        let id = body.id ?? BuildPlateID(endpoints.services.newID())
        let commandContext = try endpoints.services.commandContext(context, reason: body.reason, note: body.note)
        var outcome = try await endpoints.repository.execute(
            .compose(id, items: body.items), id: id.description, context: commandContext,
            correlationID: try try endpoints.services.correlationID(request, context))
        if let sha = body.gcode {
            outcome = try await endpoints.repository.execute(
                .freeze(gcodeArtifact: sha.lowercased()), id: id.description, context: commandContext,
                correlationID: try try endpoints.services.correlationID(request, context))
        }
        return try JSONIO.response(
            outcome.model, status: .created, etag: outcome.version, location: "/api/v1/plates/\(id)")
    }
}
