import FarmDomain
import FarmFleet
import FarmStore
import Foundation
import HTTPTypes
import Hummingbird

struct ScheduleRunRequest: Decodable, Sendable {
    var id: RunID?
    var plateID: BuildPlateID
    var printerID: PrinterID
    var reason: String?
    var note: String?
}

struct ExcludeObjectRequest: Decodable, Sendable {
    var name: String
    var reason: String?
    var note: String?
}

struct InspectionsRequest: Decodable, Sendable {
    struct Item: Decodable, Sendable {
        var planID: PlanID
        var passed: Bool
        var failure: QAReason?
        var note: String?
        var evidence: [String]?
    }

    var items: [Item]
}

/// `/api/v1/runs`: print attempts. Scheduling one puts a frozen plate in its printer's queue; the printer fleet
/// dispatches it when the printer is free. Pause, resume and cancel go to the machine and the run follows what the
/// machine reports.
struct RunRoutes {
    let endpoints: AggregateEndpoints<RunDecider>
    /// Nil when this server does not connect to printers (`connectPrinters` off): runs wait, and only a run not
    /// yet dispatched can be cancelled.
    let fleet: PrinterFleet?

    func register(on routes: SecuredRoutes) {
        routes.post("/api/v1/runs", .operate) { request, context in try await schedule(request, context) }
        routes.get("/api/v1/runs", .read) { request, _ in
            let query = QueryParameters(request)
            return try await endpoints.list(
                request, status: try query.oneOf("status", RunStatus.self), ref: try query.uuid("printer"))
        }
        routes.get("/api/v1/runs/{id}", .read) { request, context in try await endpoints.get(request, context) }
        routes.post("/api/v1/runs/{id}/inspections", .operate) { request, context in try await inspect(request, context)
        }
        routes.post("/api/v1/runs/{id}/excluded-objects", .operate) { request, context in
            try await exclude(request, context)
        }
        for action in RunAction.allCases {
            routes.post("/api/v1/runs/{id}/\(action.rawValue)", .operate) { request, context in
                try await perform(action, request, context)
            }
        }
    }

    func schedule(_ request: Request, _ context: FarmRequestContext) async throws -> Response {
        let body = try await JSONIO.decode(ScheduleRunRequest.self, from: request, context: context)
        let store = endpoints.services.store
        guard let plate = try await store.plates.get(id: body.plateID.description)?.model else {
            throw Problem.invalidField(
                "plateID", "no plate \(body.plateID) exists; compose one with POST /api/v1/plates")
        }
        guard [.frozen, .scheduled].contains(plate.status), plate.gcodeArtifact != nil else {
            throw Problem.invalidField(
                "plateID",
                "plate \(body.plateID) is \(plate.status.rawValue) without G-code; freeze it with its sliced G-code first"
            )
        }
        guard try await store.printers.get(id: body.printerID.description) != nil else {
            throw Problem.invalidField("printerID", "no printer \(body.printerID) is registered")
        }
        let id = body.id ?? RunID(endpoints.services.newID())
        let response = try await endpoints.execute(
            .schedule(id, plateID: plate.id, printerID: body.printerID, items: plate.items), id: id.description,
            request: request, context: context,
            reason: body.reason, note: body.note, created: true)
        _ = try await store.plates.execute(
            .markScheduled(id), id: plate.id.description,
            context: try endpoints.services.commandContext(context, reason: body.reason, note: body.note))
        if let fleet, let (run, version) = try await store.runs.get(id: id.description) {
            await fleet.scheduled(run, version: version)
        }
        return response
    }

    func exclude(_ request: Request, _ context: FarmRequestContext) async throws -> Response {
        let id = try endpoints.id(context)
        let body = try await JSONIO.decode(ExcludeObjectRequest.self, from: request, context: context)
        let commandContext = try endpoints.services.commandContext(
            context, reason: body.reason, note: body.note, defaultReason: .operatorRequest)
        _ = try endpoints.services.correlationID(request, context)
        guard let runID = RunID(id) else { throw Problem.invalidParameter("id", "'\(id)' is not a UUID") }
        guard let fleet else {
            throw Problem(
                status: .conflict, code: "printer-unreachable", title: "This server does not connect to printers",
                detail: "connectPrinters is off here; cancel the object on the machine itself")
        }
        let run = try await fleet.exclude(object: body.name, on: runID, context: commandContext)
        let version = try await endpoints.services.store.runs.get(id: id)?.version ?? 0
        return try JSONIO.response(run, status: .ok, etag: version)
    }

    func perform(_ action: RunAction, _ request: Request, _ context: FarmRequestContext) async throws -> Response {
        let id = try endpoints.id(context)
        let body = try await JSONIO.decodeIfPresent(ReasonRequest.self, from: request, context: context)
        let commandContext = try endpoints.services.commandContext(
            context, reason: body?.reason, note: body?.note, defaultReason: .operatorRequest)
        guard let fleet else {
            return try await endpoints.execute(
                action.command, id: id, request: request, context: context, reason: body?.reason, note: body?.note)
        }
        guard let runID = RunID(id) else { throw Problem.invalidParameter("id", "'\(id)' is not a UUID") }
        let run = try await fleet.perform(action, on: runID, context: commandContext)
        return try JSONIO.response(run)
    }

    /// QA of a completed run's items, each pass or fail with a reason code, a note and evidence (uploaded photos).
    /// Each verdict is its own event (`qa.passed`, `qa.failed.<reason>`); a failed item is reprinted by the
    /// production loop unless a guardrail stops it.
    func inspect(_ request: Request, _ context: FarmRequestContext) async throws -> Response {
        let id = try endpoints.id(context)
        let body = try await JSONIO.decode(InspectionsRequest.self, from: request, context: context)
        guard (1...100).contains(body.items.count) else {
            throw Problem.invalidField("items", "one verdict per item, 1 to 100 of them")
        }
        let store = endpoints.services.store
        for (index, item) in body.items.enumerated() {
            for (position, sha) in (item.evidence ?? []).enumerated()
            where try await store.artifacts.get(id: sha) == nil {
                throw Problem.invalidField(
                    "items[\(index)].evidence[\(position)]",
                    "no artifact \(sha.prefix(80)) is stored; upload the photo first (POST /api/v1/artifacts)")
            }
        }
        // One verdict per event, each with its reason code and note, all in one transaction: a refused item
        // leaves the others unrecorded too, and If-Match guards the whole.
        let commands = try body.items.map { item in
            let reason = item.passed ? ReasonCode.qaPassed : (item.failure?.reasonCode ?? .qaPassed)
            return (
                command: RunCommand.inspect(
                    planID: item.planID, passed: item.passed, code: item.failure, evidence: item.evidence ?? []),
                context: try endpoints.services.commandContext(context, reason: reason.rawValue, note: item.note)
            )
        }
        let outcome = try await store.runs.execute(
            commands, id: id, expectedVersion: try request.expectedVersion(),
            correlationID: try endpoints.services.correlationID(request, context))
        return try JSONIO.response(outcome.model, etag: outcome.version)
    }
}
