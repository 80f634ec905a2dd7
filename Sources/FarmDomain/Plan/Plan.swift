import Foundation

/// The manufacturing recipe for one line item. Every change is a new immutable revision; runs name the revision they used.
public struct Plan: Sendable, Equatable, Codable {
    public var id: PlanID
    public var intentID: IntentID
    public var lineItemID: LineItemID
    public var revisions: [PlanRevision]
    /// The latest decision at each gate and revision (approve, slice, dispatch, reprint), with its risk.
    public var decisions: [GateRecord]?
    /// Operators' pin and rush mark; absent until set.
    public var scheduling: PlanScheduling?
    public var createdAt: Date
    public var updatedAt: Date

    /// The revision new work is made from: the approved one, if any.
    public var currentRevision: PlanRevision? { revisions.last { $0.status == .approved } }

    /// A plan's overall status: its newest revision's, which is what needs attention.
    public var status: PlanRevisionStatus { revisions.last?.status ?? .draft }

    /// A gate on the current revision that waits for a person's approval (a high-risk reprint, for example), if any.
    public var awaitedApproval: GateRecord? {
        guard let revision = currentRevision?.number else { return nil }
        return [Gate.reprint, .dispatch, .slice].lazy.compactMap { self.decisions?.latest($0, revision: revision) }
            .first {
                if case .requireApproval = $0.outcome { true } else { false }
            }
    }
}

public enum PlanRevisionStatus: String, Codable, Sendable, CaseIterable {
    case draft, approved, superseded, reviewRequired
}

public struct PlanRevision: Sendable, Equatable, Codable {
    public var number: Int
    public var spec: PlanSpec
    public var status: PlanRevisionStatus
    public var reasons: [String]
    public var createdAt: Date
}

/// What a revision fixes: the slicer profile version, orientation, supports, printer requirements and post-processing.
public struct PlanSpec: Sendable, Equatable, Codable {
    /// The profile version (the hash of its flattened config) or a profile name until slicing exists.
    public var profile: String
    public var orientation: Orientation
    public var supports: SupportMode
    public var requirements: PrinterRequirements
    public var postProcessing: [String]

    public init(
        profile: String, orientation: Orientation = .init(), supports: SupportMode = .none,
        requirements: PrinterRequirements = .init(), postProcessing: [String] = []
    ) {
        self.profile = profile
        self.orientation = orientation
        self.supports = supports
        self.requirements = requirements
        self.postProcessing = postProcessing
    }

    func validate() throws(DomainError) {
        guard !profile.isEmpty, profile.count <= 200 else {
            throw .invalid(field: "spec.profile", reason: "name the slicer profile (1 to 200 characters)")
        }
        for (name, value) in [("x", orientation.x), ("y", orientation.y), ("z", orientation.z)] {
            guard value.isFinite, (-360...360).contains(value) else {
                throw .invalid(field: "spec.orientation.\(name)", reason: "degrees between -360 and 360")
            }
        }
        if let nozzle = requirements.nozzleDiameter, !(nozzle > 0 && nozzle <= 5) {
            throw .invalid(
                field: "spec.requirements.nozzleDiameter", reason: "millimetres, greater than 0 and at most 5")
        }
    }
}

/// Rotation of the model in degrees about X, Y and Z before slicing.
public struct Orientation: Sendable, Equatable, Hashable, Codable {
    public var x: Double
    public var y: Double
    public var z: Double
    public init(x: Double = 0, y: Double = 0, z: Double = 0) {
        self.x = x
        self.y = y
        self.z = z
    }
}

public enum SupportMode: String, Codable, Sendable, CaseIterable {
    case none, buildPlateOnly, everywhere
}

public struct PrinterRequirements: Sendable, Equatable, Codable {
    public var nozzleDiameter: Double?
    public var material: String?
    public var enclosure: Bool
    public var hardenedNozzle: Bool
    /// Minimum build volume in millimetres (x, y, z), from the model's bounding box.
    public var minimumVolume: BuildVolume?
    /// The printer model the revision's profile slices for (its binding's); nil: any printer.
    public var printerModel: String?

    public init(
        nozzleDiameter: Double? = nil, material: String? = nil, enclosure: Bool = false, hardenedNozzle: Bool = false,
        minimumVolume: BuildVolume? = nil,
        printerModel: String? = nil
    ) {
        self.printerModel = printerModel
        self.nozzleDiameter = nozzleDiameter
        self.material = material
        self.enclosure = enclosure
        self.hardenedNozzle = hardenedNozzle
        self.minimumVolume = minimumVolume
    }
}

public struct BuildVolume: Sendable, Equatable, Codable {
    public var x: Double
    public var y: Double
    public var z: Double
    public init(x: Double, y: Double, z: Double) {
        self.x = x
        self.y = y
        self.z = z
    }
}
