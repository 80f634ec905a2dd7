import FarmDomain
import FarmStore
import Foundation
import HTTPTypes
import Hummingbird

struct CreatePlanRequest: Decodable, Sendable {
    var id: PlanID?
    var intentID: IntentID
    var lineItemID: LineItemID
    var spec: PlanSpec
    var reason: String?
    var note: String?
}

struct DraftRevisionRequest: Decodable, Sendable {
    var spec: PlanSpec
    var reason: String?
    var note: String?
}

struct ReasonRequest: Decodable, Sendable {
    var reason: String?
    var note: String?
}

/// `/api/v1/plans`: manufacturing recipes per line item, with immutable revisions.
struct PlanRoutes {
    let endpoints: AggregateEndpoints<PlanDecider>
    let intents: AggregateRepository<IntentDecider>

    func register(on routes: SecuredRoutes) {
        routes.post("/api/v1/plans", .operate) { request, context in try await create(request, context) }
        routes.get("/api/v1/plans", .read) { request, _ in
            let query = QueryParameters(request)
            return try await endpoints.list(request, status: try query.oneOf("status", PlanRevisionStatus.self), ref: try query.uuid("intent"))
        }
        routes.get("/api/v1/plans/{id}", .read) { request, context in try await endpoints.get(request, context) }
        routes.get("/api/v1/plans/{id}/revisions", .read) { request, context in try await revisions(request, context) }
        routes.post("/api/v1/plans/{id}/revisions", .operate) { request, context in
            let body = try await JSONIO.decode(DraftRevisionRequest.self, from: request, context: context)
            return try await endpoints.execute(
                .draftRevision(body.spec), id: try endpoints.id(context), request: request, context: context, reason: body.reason, note: body.note)
        }
        routes.post("/api/v1/plans/{id}/revisions/{revision}/approve", .operate) { request, context in
            let body = try await JSONIO.decode(ReasonRequest.self, from: request, context: context)
            let text = try context.parameters.require("revision")
            guard let revision = Int(text), revision >= 1 else { throw Problem.invalidParameter("revision", "a revision number from 1") }
            return try await endpoints.execute(
                .approve(revision: revision), id: try endpoints.id(context), request: request, context: context, reason: body.reason, note: body.note)
        }
    }

    func create(_ request: Request, _ context: FarmRequestContext) async throws -> Response {
        let body = try await JSONIO.decode(CreatePlanRequest.self, from: request, context: context)
        guard let intent = try await intents.get(id: body.intentID.description)?.model else {
            throw Problem.invalidField("intentID", "no intent \(body.intentID) exists; create the intent first")
        }
        guard intent.lineItems.contains(where: { $0.id == body.lineItemID }) else {
            throw Problem.invalidField("lineItemID", "intent \(body.intentID) has no line item \(body.lineItemID)")
        }
        let id = body.id ?? PlanID(endpoints.services.newID())
        return try await endpoints.execute(
            .create(id, intentID: body.intentID, lineItemID: body.lineItemID, spec: body.spec), id: id.description,
            request: request, context: context, reason: body.reason, note: body.note, created: true)
    }

    func revisions(_ request: Request, _ context: FarmRequestContext) async throws -> Response {
        let id = try endpoints.id(context)
        guard let (plan, version) = try await endpoints.repository.get(id: id) else { throw Problem.notFound("plan \(id)") }
        return try JSONIO.response(["items": plan.revisions], etag: version)
    }
}
