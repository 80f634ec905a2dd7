import Foundation

public struct SliceInputs: Sendable, Equatable, Codable {
    /// The model artifact (SHA-256).
    public var model: String
    /// The profile version (SHA-256 of its canonical text, also its artifact).
    public var profile: String
    /// "PrusaSlicer 2.5.0".
    public var slicer: String
    /// Copies on the plate.
    public var copies: Int
    /// Several models on one plate, in order (the first is also `model`); nil for one model.
    public var plate: [PlateEntry]?
    /// How the part lies and what holds it up, as a plan revision fixes them; nil: as modelled, the profile's supports.
    public var recipe: SliceRecipe?

    public init(
        model: String, profile: String, slicer: String, copies: Int, plate: [PlateEntry]? = nil,
        recipe: SliceRecipe? = nil
    ) {
        self.model = model
        self.profile = profile
        self.slicer = slicer
        self.copies = copies
        self.plate = plate
        self.recipe = recipe
    }

    /// The cache key: what makes the G-code what it is, in a fixed text, hashed by the caller.
    public var keyText: String {
        let recipe = recipe.map(\.keyText) ?? ""
        guard let plate else {
            return "model=\(model)\nprofile=\(profile)\nslicer=\(slicer)\ncopies=\(copies)\n\(recipe)"
        }
        return
            "plate=\(plate.map { "\($0.model)*\($0.copies)" }.joined(separator: ","))\nprofile=\(profile)\nslicer=\(slicer)\n\(recipe)"
    }
}

/// What a plan revision asks of the slicer besides its profile: the part turned about X, Y and Z (degrees, in that
/// order) and its supports. Part of a slice's inputs: a revision that adds supports gets G-code with supports.
public struct SliceRecipe: Sendable, Equatable, Hashable, Codable {
    public var orientation: Orientation
    public var supports: SupportMode

    public init(orientation: Orientation = .init(), supports: SupportMode = .none) {
        self.orientation = orientation
        self.supports = supports
    }

    public init(_ spec: PlanSpec) { self.init(orientation: spec.orientation, supports: spec.supports) }

    var keyText: String {
        "rotate=\(number(orientation.x)),\(number(orientation.y)),\(number(orientation.z))\nsupports=\(supports.rawValue)\n"
    }
}

/// One model on a plate and how many of it. Its objects in the G-code are labelled `item<N>-<file name>`, N its
/// position in the plate, so each printed object can be traced to its item.
public struct PlateEntry: Sendable, Equatable, Codable {
    public var model: String
    public var copies: Int

    public init(model: String, copies: Int) {
        self.model = model
        self.copies = copies
    }
}

/// A finished slice: G-code made from exact inputs. Its key is the hash of those inputs (model bytes, profile
/// version, slicer version, placement), so asking again for the same inputs finds it: the slice cache. Only
/// successes are kept; a failed slice is an answer, not a cache entry. The event is the whole record.
public typealias Slice = SliceRecorded

public struct SliceRecorded: Codable, Sendable, Equatable {
    public var key: String
    public var inputs: SliceInputs
    /// The G-code artifact (its SHA-256).
    public var gcode: String
    public var gcodeSize: Int
    public var facts: GCodeFacts
    /// Sliced on one core because the profile is not reproducible in parallel.
    public var pinnedToOneCore: Bool
    public var slicerSeconds: Double
    public var at: Date

    public init(
        key: String, inputs: SliceInputs, gcode: String, gcodeSize: Int, facts: GCodeFacts, pinnedToOneCore: Bool,
        slicerSeconds: Double, at: Date
    ) {
        self.key = key
        self.inputs = inputs
        self.gcode = gcode
        self.gcodeSize = gcodeSize
        self.facts = facts
        self.pinnedToOneCore = pinnedToOneCore
        self.slicerSeconds = slicerSeconds
        self.at = at
    }
}

public enum SliceEvent: DomainEvent {
    case recorded(SliceRecorded)

    public static let aggregate = "slice"
    public static let codec = EventCodec<SliceEvent>(
        aggregate: aggregate, [.payload("recorded", SliceRecorded.self, SliceEvent.recorded)])

    public var parts: (name: String, payload: any Encodable) {
        switch self {
        case .recorded(let p): ("recorded", p)
        }
    }
}

public enum SliceCommand: Sendable, Equatable {
    case record(SliceRecorded)

    public var name: String { "record" }
}

public enum SliceState: Sendable, Equatable {
    case none
    case exists(Slice)

    public var slice: Slice? {
        if case .exists(let slice) = self { slice } else { nil }
    }
}

/// Slices are immutable: the first recording stands (the same inputs give the same bytes), later ones add nothing.
public enum SliceDecider: Decider {
    public static let initialState = SliceState.none

    public static func decide(_ command: SliceCommand, state: SliceState, context: CommandContext) throws(DomainError)
        -> [SliceEvent]
    {
        switch command {
        case .record(let recorded):
            guard recorded.key.count == 64, recorded.gcode.count == 64 else {
                throw .invalid(field: "key", reason: "a SHA-256")
            }
            guard case .none = state else { return [] }
            return [.recorded(recorded)]
        }
    }

    public static func evolve(_ state: SliceState, _ event: SliceEvent) -> SliceState {
        switch event {
        case .recorded(let e):
            guard case .none = state else { return state }
            return .exists(e)
        }
    }
}
