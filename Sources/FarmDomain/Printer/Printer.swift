import Foundation

/// A machine: how to reach it, what it can do, what it is doing, and whether we trust what we know of it.
public struct Printer: Sendable, Equatable, Codable {
    public var id: PrinterID
    public var name: String
    public var connector: ConnectorKind
    public var address: String
    public var capabilities: PrinterCapabilities
    public var status: PrinterStatus
    /// What the machine itself last reported, kept even while the printer is in maintenance.
    public var observed: ObservedPrinterState
    public var lastMessage: String?
    /// The job the machine is printing or paused in; absent when it prints nothing.
    public var job: PrinterJob?
    public var loadedMaterial: LoadedMaterial?
    /// The latest calibration of each kind, as operators recorded it; absent until the first one.
    public var calibrations: [Calibration]?
    /// Set when what we believe and what the machine reports disagree; holds the evidence.
    public var desynced: String?
    /// Set when the printer failed too often; no new dispatch until an operator clears it.
    public var degraded: String?
    /// When an operator last cleared a degradation: the health record counts from then.
    public var healthySince: Date?
    /// Set when a finished print's parts (or a failed print's remains) are on the bed and the farm requires a cleared
    /// bed (`production.dispatch.requireClearedBed`): nothing is dispatched to the printer until an operator clears it.
    public var bedOccupied: String?
    /// When an operator last marked the bed cleared: prints that ended before were taken off.
    public var bedClearedAt: Date?
    /// When an operator last tended the machine: loaded material, ended maintenance or cleared the bed. A plan whose
    /// print was cancelled on this printer goes back to it only after that.
    public var attendedAt: Date?
    /// Planned stops, soonest first (absent before windows existed).
    public var maintenanceWindows: [MaintenanceWindow]?
    /// The nozzle (mm) an operator last confirmed fitted; absent: the first of `capabilities.nozzleDiameters`.
    public var fittedNozzle: Double?
    /// The build sheet an operator last confirmed fitted; absent: not recorded.
    public var fittedSurface: String?
    /// The changeover the schedule asked of a person before the next print, until confirmed or withdrawn.
    public var changeover: ChangeoverTask?
    /// The camera an operator gave (the host's own cameras are found by the connector); absent: none given.
    public var camera: PrinterCamera?
    public var registeredAt: Date
    public var updatedAt: Date
}

/// A file the machine is printing, and whether it is one of the farm's runs. An external job makes the printer
/// "busy (external)": the farm dispatches nothing to it until the machine is idle again.
public struct PrinterJob: Sendable, Equatable, Codable {
    public var file: String
    public var external: Bool

    public init(file: String, external: Bool) {
        self.file = file
        self.external = external
    }
}

public enum PrinterStatus: String, Codable, Sendable, CaseIterable {
    case offline, idle, busy, paused, error, maintenance
}

/// What a connector can observe; `maintenance` is an operator's decision and never observed.
public enum ObservedPrinterState: String, Codable, Sendable, CaseIterable {
    case offline, idle, busy, paused, error

    var status: PrinterStatus { PrinterStatus(rawValue: rawValue)! }
}

public enum ConnectorKind: String, Codable, Sendable, CaseIterable {
    case moonraker, octoprint, bambu, virtual
}

public struct PrinterCapabilities: Sendable, Equatable, Codable {
    public var buildVolume: BuildVolume
    public var nozzleDiameters: [Double]
    public var enclosure: Bool
    public var hardenedNozzle: Bool
    public var maxHotendTemperature: Double?
    public var maxBedTemperature: Double?
    public var materials: [String]
    /// The printer's model ("MK3S", "Voron 2.4 300"): a profile binding names the model it slices for, and a plan
    /// sliced with it goes only to printers of that model. Absent in printers registered before models were.
    public var model: String?
    /// Direct drive extruder (flexible filaments need it); absent: Bowden or not recorded.
    public var directDrive: Bool?
    /// The group it belongs to (a room, printers reserved for one customer): plates can be kept to a group.
    public var group: String?
    /// The power circuit it hangs on: the farm limits how many prints heat up at once on one circuit.
    public var powerCircuit: String?

    public init(
        buildVolume: BuildVolume, nozzleDiameters: [Double] = [0.4], enclosure: Bool = false,
        hardenedNozzle: Bool = false,
        maxHotendTemperature: Double? = nil, maxBedTemperature: Double? = nil, materials: [String] = [],
        model: String? = nil, directDrive: Bool? = nil, group: String? = nil, powerCircuit: String? = nil
    ) {
        self.model = model
        self.directDrive = directDrive
        self.group = group
        self.powerCircuit = powerCircuit
        self.buildVolume = buildVolume
        self.nozzleDiameters = nozzleDiameters
        self.enclosure = enclosure
        self.hardenedNozzle = hardenedNozzle
        self.maxHotendTemperature = maxHotendTemperature
        self.maxBedTemperature = maxBedTemperature
        self.materials = materials
    }

    func validate() throws(DomainError) {
        for (axis, value) in [("x", buildVolume.x), ("y", buildVolume.y), ("z", buildVolume.z)] {
            guard value.isFinite, value > 0, value <= 10_000 else {
                throw .invalid(
                    field: "capabilities.buildVolume.\(axis)", reason: "millimetres, greater than 0 and at most 10000")
            }
        }
        guard nozzleDiameters.allSatisfy({ $0.isFinite && $0 > 0 && $0 <= 5 }) else {
            throw .invalid(field: "capabilities.nozzleDiameters", reason: "millimetres, greater than 0 and at most 5")
        }
        if let model, model.isBlank || model.count > 100 || model == ProfileBinding.anyModel {
            throw .invalid(
                field: "capabilities.model",
                reason: "the printer's model in 1 to 100 characters, as its profile bindings name it (e.g. MK3S)")
        }
        for (field, value) in [("capabilities.group", group), ("capabilities.powerCircuit", powerCircuit)] {
            if let value, value.isBlank || value.count > 60 {
                throw .invalid(
                    field: field, reason: "1 to 60 characters (like \"room B\" or \"circuit 2\"), or leave it out")
            }
        }
    }

    /// Whether a plan sliced for `model` may print here: the same model (in any letter case), or any printer for a
    /// binding made for every model.
    public func prints(for model: String?) -> Bool {
        guard let model else { return true }
        if model == ProfileBinding.anyModel { return true }
        return self.model.map { $0.lowercased() == model.lowercased() } ?? false
    }
}

/// One calibration as an operator recorded it: what (z-offset, pressure advance, input shaper, …), when, and the
/// values found.
public struct Calibration: Sendable, Equatable, Codable {
    public var kind: String
    public var values: [String: Double]
    public var note: String?
    public var calibratedAt: Date

    public init(kind: String, values: [String: Double], note: String? = nil, calibratedAt: Date) {
        self.kind = kind
        self.values = values
        self.note = note
        self.calibratedAt = calibratedAt
    }

    func validate(now: Date) throws(DomainError) {
        guard (1...60).contains(kind.count),
            kind.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        else {
            throw .invalid(
                field: "kind",
                reason: "name what was calibrated in 1 to 60 letters, digits, - or _, e.g. zOffset or pressureAdvance")
        }
        guard values.count <= 50, values.allSatisfy({ !$0.key.isEmpty && $0.key.count <= 60 && $0.value.isFinite })
        else {
            throw .invalid(field: "values", reason: "up to 50 named finite numbers, e.g. {\"zOffset\": -0.85}")
        }
        guard calibratedAt <= now.addingTimeInterval(300) else {
            throw .invalid(field: "calibratedAt", reason: "a calibration cannot be in the future")
        }
        if let note, note.count > 2000 { throw .invalid(field: "note", reason: "at most 2000 characters") }
    }
}

public struct LoadedMaterial: Sendable, Equatable, Codable {
    public var material: String
    public var colour: String?
    /// The spool it comes from, when one was loaded (absent: a material named by hand).
    public var spool: SpoolID?

    public init(material: String, colour: String? = nil, spool: SpoolID? = nil) {
        self.material = material
        self.colour = colour
        self.spool = spool
    }
}

public struct PrinterRegistration: Sendable, Equatable, Codable {
    public var name: String
    public var connector: ConnectorKind
    public var address: String
    public var capabilities: PrinterCapabilities
    /// A camera beside the ones the printer's host lists; absent in registrations made before cameras were.
    public var camera: PrinterCamera?

    public init(
        name: String, connector: ConnectorKind, address: String, capabilities: PrinterCapabilities,
        camera: PrinterCamera? = nil
    ) {
        self.name = name
        self.connector = connector
        self.address = address
        self.capabilities = capabilities
        self.camera = camera
    }

    func validate() throws(DomainError) {
        guard !name.isBlank, name.count <= 100 else {
            throw .invalid(field: "name", reason: "give the printer a name of 1 to 100 characters")
        }
        guard !address.isEmpty, address.count <= 500 else {
            throw .invalid(field: "address", reason: "the connector's address, for example http://192.168.1.20:7125")
        }
        try capabilities.validate()
        try camera?.validate()
    }
}
