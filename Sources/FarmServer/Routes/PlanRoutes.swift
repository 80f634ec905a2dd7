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

/// An operator's decision at a plan revision's gate, in place of the policy's.
struct OverrideRequest: Decodable, Sendable {
    var gate: Gate
    var decide: String
    /// For `requireApproval`: who must approve; for `block`: whom to ask.
    var role: Role?
    /// For `block`: what is wrong and what to do.
    var because: String?
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
            return try await endpoints.list(
                request, status: try query.oneOf("status", PlanRevisionStatus.self), ref: try query.uuid("intent"))
        }
        routes.get("/api/v1/plans/{id}", .read) { request, context in try await endpoints.get(request, context) }
        // Operators' inputs to the schedule: a pin to a printer or group, a rush mark.
        routes.put("/api/v1/plans/{id}/scheduling", .operate) { request, context in
            struct Body: Decodable {
                var pinnedPrinter: PrinterID?
                var pinnedGroup: String?
                var rush: Bool?
                var reason: String?
                var note: String?
            }
            let body = try await JSONIO.decode(Body.self, from: request, context: context)
            if let printer = body.pinnedPrinter,
                try await endpoints.services.store.printers.get(id: printer.description) == nil
            {
                throw Problem.invalidField("pinnedPrinter", "no printer \(printer); pin to one of the farm's printers")
            }
            let scheduling = PlanScheduling(
                pinnedPrinter: body.pinnedPrinter, pinnedGroup: body.pinnedGroup, rush: body.rush ?? false)
            return try await endpoints.execute(
                .setScheduling(scheduling), id: try endpoints.id(context), request: request, context: context,
                reason: body.reason, note: body.note)
        }
        routes.get("/api/v1/plans/{id}/revisions", .read) { request, context in try await revisions(request, context) }
        routes.post("/api/v1/plans/{id}/revisions", .operate) { request, context in
            let body = try await JSONIO.decode(DraftRevisionRequest.self, from: request, context: context)
            return try await endpoints.execute(
                .draftRevision(body.spec), id: try endpoints.id(context), request: request, context: context,
                reason: body.reason, note: body.note)
        }
        routes.post("/api/v1/plans/{id}/revisions/{revision}/decisions", .operate) { request, context in
            try await override(request, context)
        }
        routes.post("/api/v1/plans/{id}/revisions/{revision}/approve", .operate) { request, context in
            let body = try await JSONIO.decode(ReasonRequest.self, from: request, context: context)
            let text = try context.parameters.require("revision")
            guard let revision = Int(text), revision >= 1 else {
                throw Problem.invalidParameter("revision", "a revision number from 1")
            }
            return try await endpoints.execute(
                .approve(revision: revision), id: try endpoints.id(context), request: request, context: context,
                reason: body.reason, note: body.note)
        }
    }

    /// An operator overrides a gate's decision for one revision (slice, dispatch, reprint; approvePlan is the approve
    /// route): recorded as the gate's decision with `overridden: true` and reason `operator.override`; it stands
    /// until the revision changes. The note says why, and is required.
    func override(_ request: Request, _ context: FarmRequestContext) async throws -> Response {
        let body = try await JSONIO.decode(OverrideRequest.self, from: request, context: context)
        let text = try context.parameters.require("revision")
        guard let revision = Int(text), revision >= 1 else {
            throw Problem.invalidParameter("revision", "a revision number from 1")
        }
        guard [.slice, .dispatch, .reprint].contains(body.gate) else {
            throw Problem.invalidField(
                "gate",
                "slice, dispatch or reprint; approve a revision with POST …/revisions/{revision}/approve, accept an order with its accept transition"
            )
        }
        guard let note = body.note?.trimmingCharacters(in: .whitespacesAndNewlines), !note.isEmpty else {
            throw Problem.invalidField("note", "say why you override the policy (it is kept with the decision)")
        }
        let outcome: GateOutcome
        switch body.decide {
        case "autoAdvance": outcome = .autoAdvance
        case "requireApproval": outcome = .requireApproval(body.role ?? .operator)
        case "block":
            guard let because = body.because, !because.isEmpty, because.count <= 500 else {
                throw Problem.invalidField("because", "say what is wrong and what to do (1 to 500 characters)")
            }
            outcome = .block(reason: because, ask: body.role ?? .operator)
        default: throw Problem.invalidField("decide", "autoAdvance, requireApproval or block")
        }
        let commandContext = try endpoints.services.commandContext(
            context, reason: ReasonCode.operatorOverride.rawValue, note: note)
        let record = GateRecord(
            gate: body.gate, outcome: outcome, rule: "override",
            explanation: "\(body.gate.rawValue): overridden by \(commandContext.actor): \(note)",
            revision: revision, overridden: true, at: commandContext.time)
        return try await endpoints.execute(
            .recordDecision(record), id: try endpoints.id(context), request: request, context: context,
            reason: ReasonCode.operatorOverride.rawValue, note: note)
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
        guard let (plan, version) = try await endpoints.repository.get(id: id) else {
            throw Problem.notFound("plan \(id)")
        }
        return try JSONIO.response(["items": plan.revisions], etag: version)
    }
}
