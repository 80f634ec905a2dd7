import Foundation

/// A batch: plan revisions printed together on one plate. Composed, then frozen when sliced.
public struct BuildPlate: Sendable, Equatable, Codable {
    public var id: BuildPlateID
    public var items: [PlateItem]
    public var status: BuildPlateStatus
    /// The sliced G-code artifact, once frozen.
    public var gcodeArtifact: String?
    public var outcomes: [PlateItemOutcome]
    public var createdAt: Date
    public var updatedAt: Date
}

public enum BuildPlateStatus: String, Codable, Sendable, CaseIterable {
    case composing, frozen, discarded
}

/// Copies of one plan revision on a plate.
public struct PlateItem: Sendable, Equatable, Codable {
    public var planID: PlanID
    public var revision: Int
    public var copies: Int

    public init(planID: PlanID, revision: Int, copies: Int = 1) {
        self.planID = planID
        self.revision = revision
        self.copies = copies
    }
}

public struct PlateItemOutcome: Sendable, Equatable, Codable {
    public var planID: PlanID
    public var runID: RunID
    public var succeeded: Bool
    public var at: Date
}

public struct BuildPlateComposed: Codable, Sendable, Equatable {
    public var plateID: BuildPlateID
    public var items: [PlateItem]
    public var at: Date
}

public struct BuildPlateItemChanged: Codable, Sendable, Equatable {
    public var item: PlateItem
    public var at: Date
}

public struct BuildPlateFrozen: Codable, Sendable, Equatable {
    public var gcodeArtifact: String?
    public var at: Date
}

public struct BuildPlateDiscarded: Codable, Sendable, Equatable {
    public var note: String?
    public var at: Date
}

public enum BuildPlateEvent: DomainEvent {
    case composed(BuildPlateComposed)
    case itemAdded(BuildPlateItemChanged)
    case itemRemoved(BuildPlateItemChanged)
    case frozen(BuildPlateFrozen)
    case discarded(BuildPlateDiscarded)
    case outcomeRecorded(PlateItemOutcome)

    public static let aggregate = "plate"

    public static let codec = EventCodec<BuildPlateEvent>(
        aggregate: aggregate,
        [
            .payload("composed", BuildPlateComposed.self, BuildPlateEvent.composed),
            .payload("itemAdded", BuildPlateItemChanged.self, BuildPlateEvent.itemAdded),
            .payload("itemRemoved", BuildPlateItemChanged.self, BuildPlateEvent.itemRemoved),
            .payload("frozen", BuildPlateFrozen.self, BuildPlateEvent.frozen),
            .payload("discarded", BuildPlateDiscarded.self, BuildPlateEvent.discarded),
            .payload("outcomeRecorded", PlateItemOutcome.self, BuildPlateEvent.outcomeRecorded),
        ])

    public var parts: (name: String, payload: any Encodable) {
        switch self {
        case .composed(let p): ("composed", p)
        case .itemAdded(let p): ("itemAdded", p)
        case .itemRemoved(let p): ("itemRemoved", p)
        case .frozen(let p): ("frozen", p)
        case .discarded(let p): ("discarded", p)
        case .outcomeRecorded(let p): ("outcomeRecorded", p)
        }
    }
}
