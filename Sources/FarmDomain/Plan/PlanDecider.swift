import Foundation

public enum PlanCommand: Sendable, Equatable {
    case create(PlanID, intentID: IntentID, lineItemID: LineItemID, spec: PlanSpec)
    case draftRevision(PlanSpec)
    case approve(revision: Int)
    case requireReview(revision: Int, reasons: [String])
    /// A gate's decision (or an operator's override) about one revision; nothing is recorded when it repeats the last.
    case recordDecision(GateRecord)
    /// Pin the plan to a printer or group, or mark it a rush (or undo either).
    case setScheduling(PlanScheduling)

    public var name: String {
        switch self {
        case .setScheduling: "set the scheduling of"
        case .create: "create"
        case .draftRevision: "draft a revision of"
        case .approve: "approve a revision of"
        case .requireReview: "require review of"
        case .recordDecision: "record a gate decision on"
        }
    }
}

public enum PlanState: Sendable, Equatable {
    case none
    case exists(Plan)

    public var plan: Plan? {
        if case .exists(let plan) = self { plan } else { nil }
    }
}

/// Plan revisions: draft → approved → superseded, and reviewRequired when a guardrail trips.
/// Approving a revision supersedes the one approved before it; a superseded revision is history.
public enum PlanDecider: Decider {
    public static let initialState = PlanState.none

    public static func decide(_ command: PlanCommand, state: PlanState, context: CommandContext) throws(DomainError)
        -> [PlanEvent]
    {
        guard case .exists(let plan) = state else {
            guard case .create(let id, let intentID, let lineItemID, let spec) = command else {
                throw .notFound(aggregate: "plan", command: command.name)
            }
            try spec.validate()
            return [
                .created(PlanCreated(planID: id, intentID: intentID, lineItemID: lineItemID, at: context.time)),
                .revisionDrafted(PlanRevisionDrafted(revision: 1, spec: spec, at: context.time)),
            ]
        }
        switch command {
        case .create(let id, let intentID, let lineItemID, let spec):
            guard id == plan.id, intentID == plan.intentID, lineItemID == plan.lineItemID,
                plan.revisions.first?.spec == spec
            else {
                throw .alreadyExists(aggregate: "plan")
            }
            return []
        case .draftRevision(let spec):
            try spec.validate()
            if let last = plan.revisions.last, last.spec == spec, last.status != .superseded { return [] }
            return [
                .revisionDrafted(PlanRevisionDrafted(revision: plan.revisions.count + 1, spec: spec, at: context.time))
            ]
        case .approve(let number):
            let revision = try find(number, in: plan)
            switch revision.status {
            case .approved: return []
            case .superseded:
                throw .illegalTransition(
                    aggregate: "plan revision", command: command.name, state: revision.status.rawValue)
            case .draft, .reviewRequired:
                var events: [PlanEvent] = []
                if let current = plan.currentRevision {
                    events.append(
                        .revisionSuperseded(
                            PlanRevisionStatusChanged(
                                revision: current.number, reasons: ["replaced by revision \(number)"], at: context.time)
                        ))
                }
                events.append(
                    .revisionApproved(PlanRevisionStatusChanged(revision: number, reasons: [], at: context.time)))
                return events
            }
        case .recordDecision(let record):
            return try decided(record, on: plan)
        case .setScheduling(let scheduling):
            try scheduling.validate()
            if scheduling == plan.scheduling ?? PlanScheduling() { return [] }
            return [.schedulingSet(PlanSchedulingSet(scheduling: scheduling, at: context.time))]
        case .requireReview(let number, let reasons):
            let revision = try find(number, in: plan)
            switch revision.status {
            case .reviewRequired: return []
            case .superseded:
                throw .illegalTransition(
                    aggregate: "plan revision", command: command.name, state: revision.status.rawValue)
            case .draft, .approved:
                return [
                    .revisionReviewRequired(
                        PlanRevisionStatusChanged(revision: number, reasons: reasons, at: context.time))
                ]
            }
        }
    }

    private static func decided(_ record: GateRecord, on plan: Plan) throws(DomainError) -> [PlanEvent] {
        guard record.gate != .acceptIntent else {
            throw .invalid(field: "gate", reason: "acceptIntent decisions belong to the intent")
        }
        guard let number = record.revision else {
            throw .invalid(field: "revision", reason: "say which revision the decision is about")
        }
        _ = try find(number, in: plan)
        try record.validate()
        if let last = plan.decisions?.latest(record.gate, revision: number), last.repeats(record) { return [] }
        return [.gateDecided(record)]
    }

    private static func find(_ number: Int, in plan: Plan) throws(DomainError) -> PlanRevision {
        guard number >= 1, number <= plan.revisions.count else {
            throw .invalid(field: "revision", reason: "plan has revisions 1 to \(plan.revisions.count), not \(number)")
        }
        return plan.revisions[number - 1]
    }

    public static func evolve(_ state: PlanState, _ event: PlanEvent) -> PlanState {
        if case .created(let e) = event {
            return .exists(
                Plan(
                    id: e.planID, intentID: e.intentID, lineItemID: e.lineItemID, revisions: [], createdAt: e.at,
                    updatedAt: e.at))
        }
        guard case .exists(var plan) = state else { return state }
        func set(_ change: PlanRevisionStatusChanged, _ status: PlanRevisionStatus) {
            guard change.revision >= 1, change.revision <= plan.revisions.count else { return }
            plan.revisions[change.revision - 1].status = status
            plan.revisions[change.revision - 1].reasons = change.reasons
            plan.updatedAt = change.at
        }
        switch event {
        case .created: break
        case .revisionDrafted(let e):
            plan.revisions.append(
                PlanRevision(number: e.revision, spec: e.spec, status: .draft, reasons: [], createdAt: e.at))
            plan.updatedAt = e.at
        case .revisionApproved(let c): set(c, .approved)
        case .revisionSuperseded(let c): set(c, .superseded)
        case .revisionReviewRequired(let c): set(c, .reviewRequired)
        case .schedulingSet(let e):
            plan.scheduling = e.scheduling
            plan.updatedAt = e.at
        case .gateDecided(let record):
            var decisions = plan.decisions ?? []
            decisions.record(record)
            plan.decisions = decisions
            plan.updatedAt = record.at
        }
        return .exists(plan)
    }
}
