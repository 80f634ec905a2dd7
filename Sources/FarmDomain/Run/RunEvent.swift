import Foundation

public struct RunScheduled: Codable, Sendable, Equatable {
    public var runID: RunID
    public var plateID: BuildPlateID
    public var printerID: PrinterID
    public var items: [PlateItem]
    /// The run-stage risk the production loop scheduled it on; absent for runs scheduled by hand.
    public var risk: RiskAssessment?
    /// On a plate of several plans, each plan's own risk.
    public var itemRisks: [ItemRisk]?
    public var at: Date
}

/// One plan's run-stage risk on a shared plate.
public struct ItemRisk: Codable, Sendable, Equatable {
    public var planID: PlanID
    public var risk: RiskAssessment

    public init(planID: PlanID, risk: RiskAssessment) {
        self.planID = planID
        self.risk = risk
    }
}

public struct RunDispatching: Codable, Sendable, Equatable {
    public var token: String
    public var at: Date
}

/// A status change carrying only a time and an optional detail (started, paused, completed, failed, …).
public struct RunStatusChanged: Codable, Sendable, Equatable {
    public var detail: String?
    public var at: Date
}

/// One object of a plate cancelled mid-print (Klipper's `EXCLUDE_OBJECT`): its copy failed, the others print on.
public struct ObjectExclusion: Codable, Sendable, Equatable {
    /// The object's name in the G-code.
    public var name: String
    public var planID: PlanID
    /// Which copy of the plan on the plate (0-based).
    public var copy: Int
    /// What was wrong with it (the operator's words).
    public var reason: String?
    public var at: Date

    public init(name: String, planID: PlanID, copy: Int, reason: String?, at: Date) {
        self.name = name
        self.planID = planID
        self.copy = copy
        self.reason = reason
        self.at = at
    }
}

/// A camera's picture of the printer at a moment of the run: evidence for QA and for anyone judging a failure.
public struct RunSnapshot: Codable, Sendable, Equatable {
    public enum Moment: String, Codable, Sendable, CaseIterable {
        case start, end, failure, pause
    }

    public var moment: Moment
    /// The JPEG's SHA-256 in the artifact store.
    public var artifact: String
    /// The camera's name.
    public var camera: String
    public var at: Date

    public init(moment: Moment, artifact: String, camera: String, at: Date) {
        self.moment = moment
        self.artifact = artifact
        self.camera = camera
        self.at = at
    }
}

public struct RunProgressed: Codable, Sendable, Equatable {
    public var progress: RunProgress
    public var at: Date
}

public enum RunEvent: DomainEvent {
    case scheduled(RunScheduled)
    case dispatching(RunDispatching)
    case dispatchAborted(RunStatusChanged)
    case started(RunStatusChanged)
    case progressed(RunProgressed)
    case paused(RunStatusChanged)
    case resumed(RunStatusChanged)
    case completed(RunStatusChanged)
    case failed(RunStatusChanged)
    case cancelled(RunStatusChanged)
    case interrupted(RunStatusChanged)
    case itemInspected(ItemInspection)
    case objectExcluded(ObjectExclusion)
    case snapshotTaken(RunSnapshot)

    public static let aggregate = "run"

    public static let codec = EventCodec<RunEvent>(
        aggregate: aggregate,
        [
            .payload("scheduled", RunScheduled.self, RunEvent.scheduled),
            .payload("dispatching", RunDispatching.self, RunEvent.dispatching),
            .payload("dispatchAborted", RunStatusChanged.self, RunEvent.dispatchAborted),
            .payload("started", RunStatusChanged.self, RunEvent.started),
            .payload("progressed", RunProgressed.self, RunEvent.progressed),
            .payload("paused", RunStatusChanged.self, RunEvent.paused),
            .payload("resumed", RunStatusChanged.self, RunEvent.resumed),
            .payload("completed", RunStatusChanged.self, RunEvent.completed),
            .payload("failed", RunStatusChanged.self, RunEvent.failed),
            .payload("cancelled", RunStatusChanged.self, RunEvent.cancelled),
            .payload("interrupted", RunStatusChanged.self, RunEvent.interrupted),
            .payload("itemInspected", ItemInspection.self, RunEvent.itemInspected),
            .payload("objectExcluded", ObjectExclusion.self, RunEvent.objectExcluded),
            .payload("snapshotTaken", RunSnapshot.self, RunEvent.snapshotTaken),
        ])

    public var parts: (name: String, payload: any Encodable) {
        switch self {
        case .scheduled(let p): ("scheduled", p)
        case .dispatching(let p): ("dispatching", p)
        case .dispatchAborted(let p): ("dispatchAborted", p)
        case .started(let p): ("started", p)
        case .progressed(let p): ("progressed", p)
        case .paused(let p): ("paused", p)
        case .resumed(let p): ("resumed", p)
        case .completed(let p): ("completed", p)
        case .failed(let p): ("failed", p)
        case .cancelled(let p): ("cancelled", p)
        case .interrupted(let p): ("interrupted", p)
        case .itemInspected(let p): ("itemInspected", p)
        case .objectExcluded(let p): ("objectExcluded", p)
        case .snapshotTaken(let p): ("snapshotTaken", p)
        }
    }
}
