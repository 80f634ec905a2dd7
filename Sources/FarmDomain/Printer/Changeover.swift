import Foundation

/// What a printer is set up with, as far as a changeover changes it: the filament, the nozzle, the build sheet.
public struct PrinterSetup: Codable, Sendable, Equatable {
    public var material: String
    public var colour: String?
    /// Nozzle diameter in mm; absent: unchanged.
    public var nozzle: Double?
    /// The build sheet ("textured PEI"); absent: unchanged.
    public var surface: String?

    public init(material: String, colour: String? = nil, nozzle: Double? = nil, surface: String? = nil) {
        self.material = material
        self.colour = colour
        self.nozzle = nozzle
        self.surface = surface
    }

    func validate(_ capabilities: PrinterCapabilities) throws(DomainError) {
        guard !material.isBlank, material.count <= 40 else {
            throw .invalid(field: "material", reason: "name the material in 1 to 40 characters, for example PETG")
        }
        if let colour, colour.isBlank || colour.count > 40 {
            throw .invalid(field: "colour", reason: "name the colour in 1 to 40 characters, or leave it out")
        }
        if let nozzle, !capabilities.nozzleDiameters.contains(where: { abs($0 - nozzle) < 0.001 }) {
            let kit = capabilities.nozzleDiameters.map { "\($0)" }.joined(separator: ", ")
            throw .invalid(
                field: "nozzle",
                reason: "this printer can be fitted with \(kit) mm nozzles; add \(nozzle) to its capabilities first")
        }
        if let surface, surface.isBlank || surface.count > 40 {
            throw .invalid(field: "surface", reason: "name the build sheet in 1 to 40 characters, like textured PEI")
        }
    }
}

/// A changeover the schedule needs before the printer's next print: a task for a person. The printer prints
/// nothing else until someone confirms it (or the plan no longer needs it).
public struct ChangeoverTask: Codable, Sendable, Equatable {
    /// The plan whose print waits for it.
    public var plan: PlanID
    public var setup: PrinterSetup
    /// What to do, each a short instruction: "load PETG black", "swap to the 0.6 mm nozzle", "fit the textured PEI
    /// sheet".
    public var steps: [String]
    /// When the print is planned to start: the changeover is done before.
    public var before: Date
    /// The plate that waits for it, in farm mode (`plan` is then the plate's first item).
    public var plate: BuildPlateID?
    /// A fuller spool of the filament loaded: settled when one is loaded through the farm (the planner withdraws it
    /// once the loaded spool holds the plate); absent in other changeovers.
    public var spoolChange: Bool?

    public init(plan: PlanID, setup: PrinterSetup, steps: [String], before: Date, plate: BuildPlateID? = nil) {
        self.plate = plate
        self.plan = plan
        self.setup = setup
        self.steps = steps
        self.before = before
    }

    /// "load PETG black and fit the textured PEI sheet"
    public var sentence: String { steps.joined(separator: " and ") }
}

public struct PrinterChangeoverRequested: Codable, Sendable, Equatable {
    public var task: ChangeoverTask
    public var at: Date
}

public struct PrinterChangeoverConfirmed: Codable, Sendable, Equatable {
    /// What the printer holds now.
    public var setup: PrinterSetup
    /// The task it settles, if it settles one.
    public var plan: PlanID?
    public var at: Date
}

public struct PrinterChangeoverWithdrawn: Codable, Sendable, Equatable {
    public var plan: PlanID
    public var reason: String
    public var at: Date
}

extension Printer {
    /// The nozzle fitted now: as last confirmed, else the first the printer can take.
    public var nozzle: Double? { fittedNozzle ?? capabilities.nozzleDiameters.first }
}
