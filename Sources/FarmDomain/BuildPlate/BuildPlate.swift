import Foundation

/// A batch: plan revisions printed together on one plate. Composed (parts may still join or leave), then frozen
/// when sliced (the exact G-code, every object labelled by its item), then scheduled (a run prints it).
public struct BuildPlate: Sendable, Equatable, Codable {
    public var id: BuildPlateID
    public var items: [PlateItem]
    public var status: BuildPlateStatus
    /// The sliced G-code artifact, once frozen.
    public var gcodeArtifact: String?
    public var outcomes: [PlateItemOutcome]
    public var createdAt: Date
    public var updatedAt: Date
    /// An operator locked it: no part joins or leaves by itself, and it goes to the schedule as it is.
    public var locked: Bool?
    /// The most of the bed the composer's estimate may fill, after the slicer refused a fuller plate.
    public var maxFill: Double?
    /// Each object of the frozen G-code: its item and where the slicer put it.
    public var objects: [PlateObject]?
    /// The slicer's print time for the whole plate, once frozen.
    public var estimatedSeconds: Int?
    /// Grams of filament the whole plate takes, once frozen (when the slicer said).
    public var filamentGrams: Double?
    /// Runs that print it (the loop schedules a plate once; a person may print it again).
    public var runs: [RunID]?

    public var isLocked: Bool { locked ?? false }

    /// Parts on the plate: the copies of all its items.
    public var copies: Int { items.reduce(0) { $0 + $1.copies } }

    /// Copies of `plan` on the plate.
    public func copies(of plan: PlanID) -> Int { items.filter { $0.planID == plan }.reduce(0) { $0 + $1.copies } }
}

public enum BuildPlateStatus: String, Codable, Sendable, CaseIterable {
    case composing, frozen, scheduled, discarded
}

/// One object in a plate's G-code, as Klipper's object exclusion names it, with its item and its place on the bed
/// (the extent of its extrusions).
public struct PlateObject: Sendable, Equatable, Codable {
    /// The name in `EXCLUDE_OBJECT_DEFINE NAME=…`.
    public var name: String
    public var planID: PlanID
    /// Which copy of the item (0-based).
    public var copy: Int
    public var minX: Double
    public var minY: Double
    public var maxX: Double
    public var maxY: Double

    public init(
        name: String, planID: PlanID, copy: Int, minX: Double, minY: Double, maxX: Double, maxY: Double
    ) {
        self.name = name
        self.planID = planID
        self.copy = copy
        self.minX = minX
        self.minY = minY
        self.maxX = maxX
        self.maxY = maxY
    }
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
    /// See `BuildPlate.maxFill`.
    public var maxFill: Double?
    public var at: Date
}

public struct BuildPlateItemChanged: Codable, Sendable, Equatable {
    public var item: PlateItem
    public var at: Date
}

public struct BuildPlateFrozen: Codable, Sendable, Equatable {
    public var gcodeArtifact: String?
    public var objects: [PlateObject]?
    public var estimatedSeconds: Int?
    /// Absent in plates frozen before filament was counted.
    public var filamentGrams: Double?
    public var at: Date
}

public struct BuildPlateLockSet: Codable, Sendable, Equatable {
    public var locked: Bool
    public var at: Date
}

public struct BuildPlateScheduled: Codable, Sendable, Equatable {
    public var runID: RunID
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
    case lockSet(BuildPlateLockSet)
    case scheduled(BuildPlateScheduled)

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
            .payload("lockSet", BuildPlateLockSet.self, BuildPlateEvent.lockSet),
            .payload("scheduled", BuildPlateScheduled.self, BuildPlateEvent.scheduled),
        ])

    public var parts: (name: String, payload: any Encodable) {
        switch self {
        case .composed(let p): ("composed", p)
        case .itemAdded(let p): ("itemAdded", p)
        case .itemRemoved(let p): ("itemRemoved", p)
        case .frozen(let p): ("frozen", p)
        case .discarded(let p): ("discarded", p)
        case .outcomeRecorded(let p): ("outcomeRecorded", p)
        case .lockSet(let p): ("lockSet", p)
        case .scheduled(let p): ("scheduled", p)
        }
    }
}

extension PlateObject {
    /// The name Klipper's object exclusion knows an object by: the label the slicer wrote (`item0-box.stl id:0 copy
    /// 0`) cleaned as preprocess_cancellation (Moonraker's own object processing) cleans it — every run of other
    /// characters than letters, digits and "_" one "_", none at the ends — in upper case, as Klipper reports names:
    /// `ITEM0_BOX_STL_ID_0_COPY_0`.
    public static func exclusionName(label: String) -> String {
        var name = ""
        var gap = false
        for character in label {
            if character.isASCII && (character.isLetter || character.isNumber || character == "_") {
                if gap && !name.isEmpty { name.append("_") }
                name += character.uppercased()
                gap = false
            } else {
                gap = true
            }
        }
        return name
    }

    /// A plate's objects from where the slicer put them: each labelled `item<N>-…` by its entry N, whose plan is
    /// `plans[N]`; copies of one entry counted in the order printed. Objects without such a label are left out.
    public static func objects(from placements: [ObjectPlacement], plans: [PlanID]) -> [PlateObject] {
        var copies: [Int: Int] = [:]
        return placements.compactMap { placement in
            guard placement.name.hasPrefix("item"),
                let index = Int(placement.name.dropFirst(4).prefix { $0.isNumber }), plans.indices.contains(index)
            else { return nil }
            let copy = copies[index, default: 0]
            copies[index] = copy + 1
            return PlateObject(
                name: exclusionName(label: placement.label), planID: plans[index], copy: copy, minX: placement.minX,
                minY: placement.minY, maxX: placement.maxX, maxY: placement.maxY)
        }
    }
}
