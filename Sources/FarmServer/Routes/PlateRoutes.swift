import FarmDomain
import FarmProduction
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

struct LockPlateRequest: Decodable, Sendable {
    var locked: Bool
    var reason: String?
    var note: String?
}

struct MovePlateItemRequest: Decodable, Sendable {
    var planID: PlanID
    /// The plate to move to; absent: a new plate of its own.
    var to: BuildPlateID?
    var reason: String?
    var note: String?
}

/// What an operator's change to plates did: the plates it changed, and where each now stands in the farm's plan.
struct PlateChange: Encodable, Sendable {
    struct Effect: Encodable, Sendable {
        var plate: BuildPlateID
        var printer: String?
        var start: Date?
        var end: Date?
        var due: Date?
        var late: Bool?
        /// Why it is not on the schedule, when it is not (gathering parts, discarded, a gate waits).
        var waiting: String?
        var sentence: String
    }

    var plates: [BuildPlate]
    var effects: [Effect]
    /// The effects in one line, for a person.
    var effect: String
}

/// `/api/v1/plates`: build plates — plan revisions printed together — frozen with their sliced G-code; in farm mode
/// an operator moves parts between plates still composing, splits, locks and re-composes them.
struct PlateRoutes {
    let endpoints: AggregateEndpoints<BuildPlateDecider>
    let loop: ProductionLoop?
    let editor: PlateEditor

    func register(on routes: SecuredRoutes) {
        routes.post("/api/v1/plates", .operate) { request, context in try await compose(request, context) }
        routes.post("/api/v1/plates/recompose", .operate) { request, context in
            let body = try await JSONIO.decodeIfPresent(ReasonRequest.self, from: request, context: context)
            let (commandContext, correlation) = try change(request, context, body?.reason, body?.note)
            let discarded = try await edit {
                try await editor.recompose(context: commandContext, correlationID: correlation)
            }
            var plates: [BuildPlate] = []
            for id in discarded {
                if let plate = try await endpoints.repository.get(id: id.description)?.model { plates.append(plate) }
            }
            return try await answer(plates)
        }
        routes.post("/api/v1/plates/{id}/lock", .operate) { request, context in
            let id = try plateID(context)
            let body = try await JSONIO.decode(LockPlateRequest.self, from: request, context: context)
            let (commandContext, correlation) = try change(request, context, body.reason, body.note)
            let plate = try await edit {
                try await editor.lock(
                    id, body.locked, expectedVersion: try request.expectedVersion(), context: commandContext,
                    correlationID: correlation)
            }
            return try await answer([plate])
        }
        routes.post("/api/v1/plates/{id}/move", .operate) { request, context in
            let id = try plateID(context)
            let body = try await JSONIO.decode(MovePlateItemRequest.self, from: request, context: context)
            let (commandContext, correlation) = try change(request, context, body.reason, body.note)
            let plates = try await edit {
                try await editor.move(
                    plan: body.planID, from: id, to: body.to, expectedVersion: try request.expectedVersion(),
                    context: commandContext, correlationID: correlation)
            }
            return try await answer(plates)
        }
        routes.post("/api/v1/plates/{id}/split", .operate) { request, context in
            let id = try plateID(context)
            let body = try await JSONIO.decodeIfPresent(ReasonRequest.self, from: request, context: context)
            let (commandContext, correlation) = try change(request, context, body?.reason, body?.note)
            let plates = try await edit {
                try await editor.split(
                    id, expectedVersion: try request.expectedVersion(), context: commandContext,
                    correlationID: correlation)
            }
            return try await answer(plates)
        }
        routes.get("/api/v1/plates", .read) { request, _ in
            try await endpoints.list(
                request, status: try QueryParameters(request).oneOf("status", BuildPlateStatus.self), ref: nil)
        }
        routes.get("/api/v1/plates/{id}", .read) { request, context in try await endpoints.get(request, context) }
    }

    func compose(_ request: Request, _ context: FarmRequestContext) async throws -> Response {
        let body = try await JSONIO.decode(ComposePlateRequest.self, from: request, context: context)
        let store = endpoints.services.store
        var first: (PlanSpec, LineItem)?
        for (index, item) in body.items.enumerated() {
            guard let plan = try await store.plans.get(id: item.planID.description)?.model else {
                throw Problem.invalidField("items[\(index)].planID", "no plan \(item.planID) exists")
            }
            guard let spec = plan.revisions.first(where: { $0.number == item.revision })?.spec else {
                throw Problem.invalidField(
                    "items[\(index)].revision", "plan \(item.planID) has no revision \(item.revision)")
            }
            // Parts that cannot print together are refused, not forced onto one bed.
            guard
                let line = try await store.intents.get(id: plan.intentID.description)?.model.lineItems.first(where: {
                    $0.id == plan.lineItemID
                })
            else { continue }
            if let first, let conflict = PlateCompatibility.conflict(first, (spec, line)) {
                throw Problem(
                    status: .unprocessableContent, code: "plates-incompatible",
                    title: "These parts cannot share a plate", detail: "items[\(index)]: \(conflict)")
            }
            first = first ?? (spec, line)
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

    func plateID(_ context: FarmRequestContext) throws -> BuildPlateID {
        guard let id = BuildPlateID(try endpoints.id(context)) else {
            throw Problem.invalidParameter("id", "not a plate id")
        }
        return id
    }

    /// Who changes what and why, and the request's correlation id (checked), for an edit.
    func change(_ request: Request, _ context: FarmRequestContext, _ reason: String?, _ note: String?) throws -> (
        CommandContext, String?
    ) {
        (
            try endpoints.services.commandContext(context, reason: reason, note: note),
            try endpoints.services.correlationID(request, context)
        )
    }

    /// Runs an edit, its refusals as problems that say what to do.
    func edit<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let failure as PlateEditor.Failure {
            switch failure {
            case .notFound(let what): throw Problem.notFound(what)
            case .notOpen(let detail):
                throw Problem(
                    status: .conflict, code: "plate-not-composing", title: "The plate can no longer change",
                    detail: detail)
            case .incompatible(let detail):
                throw Problem(
                    status: .unprocessableContent, code: "plates-incompatible",
                    title: "These parts cannot share a plate", detail: detail)
            case .doesNotFit(let detail):
                throw Problem(
                    status: .unprocessableContent, code: "plate-full", title: "The part does not fit on that plate",
                    detail: detail)
            case .cannotSplit(let detail):
                throw Problem(
                    status: .unprocessableContent, code: "plate-not-splittable", title: "The plate cannot be split",
                    detail: detail)
            }
        }
    }

    /// The changed plates and what the change does to the schedule: the plan made afresh (not carried out) with
    /// every plate where it now stands.
    func answer(_ plates: [BuildPlate]) async throws -> Response {
        var effects: [PlateChange.Effect] = []
        let schedule = try? await loop?.preview()
        let now = endpoints.services.now()
        for plate in plates {
            var effect = PlateChange.Effect(plate: plate.id, sentence: "")
            let name = "plate \(plate.id.description.suffix(6))"
            if plate.status == .discarded {
                effect.waiting = "discarded; its parts wait for the composer"
                effect.sentence = "\(name) discarded; its parts wait for the composer"
            } else if let (printer, print) = schedule?.printers.lazy.flatMap({ queue in
                queue.prints.filter { $0.plate == plate.id }.map { (queue.name, $0) }
            }).first {
                (effect.printer, effect.start, effect.end, effect.due, effect.late) = (
                    printer, print.start, print.end, print.due, print.late
                )
                let timing =
                    print.due.map { due in
                        print.late
                            ? "late by \(TriageBoard.duration(print.end.timeIntervalSince(due)))"
                            : "on time (\(TriageBoard.duration(due.timeIntervalSince(print.end))) to spare)"
                    } ?? "no due date"
                let (starts, ends) = (print.start.timeIntervalSince(now), print.end.timeIntervalSince(now))
                effect.sentence =
                    "\(name) on \(printer): starts in \(TriageBoard.duration(max(0, starts))), "
                    + "ends in \(TriageBoard.duration(max(0, ends))), \(timing)"
            } else if let waiting = schedule?.plates?.first(where: { $0.plate == plate.id })?.waiting {
                effect.waiting = waiting
                effect.sentence = "\(name) waits: \(waiting)"
            } else if let unscheduled = schedule?.unscheduled.first(where: {
                plate.items.map(\.planID).contains($0.plan)
            }) {
                effect.waiting = unscheduled.reason
                effect.sentence = "\(name) cannot be scheduled: \(unscheduled.reason)"
            } else {
                effect.sentence = "\(name) changed; the farm plans it within seconds"
            }
            effects.append(effect)
        }
        return try JSONIO.response(
            PlateChange(plates: plates, effects: effects, effect: effects.map(\.sentence).joined(separator: "; ")))
    }
}
