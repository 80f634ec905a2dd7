import Foundation

public struct PlanCreated: Codable, Sendable, Equatable {
    public var planID: PlanID
    public var intentID: IntentID
    public var lineItemID: LineItemID
    public var at: Date
}

public struct PlanRevisionDrafted: Codable, Sendable, Equatable {
    public var revision: Int
    public var spec: PlanSpec
    public var at: Date
}

/// A revision changed status (approved, superseded, review required), with the human reasons if any.
public struct PlanRevisionStatusChanged: Codable, Sendable, Equatable {
    public var revision: Int
    public var reasons: [String]
    public var at: Date
}

public enum PlanEvent: DomainEvent {
    case created(PlanCreated)
    case revisionDrafted(PlanRevisionDrafted)
    case revisionApproved(PlanRevisionStatusChanged)
    case revisionSuperseded(PlanRevisionStatusChanged)
    case revisionReviewRequired(PlanRevisionStatusChanged)
    case gateDecided(GateRecord)
    case schedulingSet(PlanSchedulingSet)

    public static let aggregate = "plan"

    public static let codec = EventCodec<PlanEvent>(
        aggregate: aggregate,
        [
            .payload("created", PlanCreated.self, PlanEvent.created),
            .payload("revisionDrafted", PlanRevisionDrafted.self, PlanEvent.revisionDrafted),
            .payload("revisionApproved", PlanRevisionStatusChanged.self, PlanEvent.revisionApproved),
            .payload("revisionSuperseded", PlanRevisionStatusChanged.self, PlanEvent.revisionSuperseded),
            .payload("revisionReviewRequired", PlanRevisionStatusChanged.self, PlanEvent.revisionReviewRequired),
            .payload("gateDecided", GateRecord.self, PlanEvent.gateDecided),
            .payload("schedulingSet", PlanSchedulingSet.self, PlanEvent.schedulingSet),
        ])

    public var parts: (name: String, payload: any Encodable) {
        switch self {
        case .created(let p): ("created", p)
        case .revisionDrafted(let p): ("revisionDrafted", p)
        case .revisionApproved(let p): ("revisionApproved", p)
        case .revisionSuperseded(let p): ("revisionSuperseded", p)
        case .revisionReviewRequired(let p): ("revisionReviewRequired", p)
        case .gateDecided(let p): ("gateDecided", p)
        case .schedulingSet(let p): ("schedulingSet", p)
        }
    }
}
