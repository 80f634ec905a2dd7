/// A farm's scheduling problem at one moment: the printers as they are and the plates waiting, in whole minutes
/// from "now" (t = 0) and millimetres. Pure data; the exchange format (`printfarm-instance/1`) maps onto it one to
/// one, and the farm builds it from its read models.
public struct SchedulingProblem: Sendable, Hashable {
    public var printers: [SchedulingPrinter]
    public var jobs: [SchedulingJob]
    public var setupTimes: SetupTimes
    public var weights: ObjectiveWeights

    public init(
        printers: [SchedulingPrinter], jobs: [SchedulingJob], setupTimes: SetupTimes = SetupTimes(),
        weights: ObjectiveWeights = ObjectiveWeights()
    ) {
        self.printers = printers
        self.jobs = jobs
        self.setupTimes = setupTimes
        self.weights = weights
    }
}

/// What a printer holds: the filament loaded, the nozzle and the build surface fitted. Nozzles in micrometres
/// (400 = 0.4 mm), so equality is exact. An empty material (or surface) on a printer means the farm does not know
/// what is loaded: the first print needs no change for it.
public struct PrinterState: Sendable, Hashable {
    public var material: String
    public var colour: String
    public var nozzle: Int
    /// The build sheet ("smooth PEI", "textured PEI"); empty where the farm does not tell sheets apart.
    public var surface: String

    public init(material: String, colour: String, nozzle: Int, surface: String = "") {
        self.material = material
        self.colour = colour
        self.nozzle = nozzle
        self.surface = surface
    }

    /// What a person does to turn `from` into `to`, each a short instruction ("load PETG black").
    public static func changes(from: PrinterState, to: PrinterState) -> [String] {
        var parts: [String] = []
        if from.nozzle != to.nozzle && from.nozzle != 0 && to.nozzle != 0 {
            parts.append("swap to the \(Double(to.nozzle) / 1000) mm nozzle")
        }
        if !from.material.isEmpty && (from.material != to.material || (!to.colour.isEmpty && from.colour != to.colour))
        {
            parts.append(to.colour.isEmpty ? "load \(to.material)" : "load \(to.material) \(to.colour)")
        }
        if !from.surface.isEmpty && !to.surface.isEmpty && from.surface != to.surface {
            parts.append("fit the \(to.surface) sheet")
        }
        return parts
    }
}

/// Minutes a person needs between two prints: a colour change, a material change, a nozzle swap, a sheet swap. The
/// setup between two states is the nozzle swap if the nozzle differs, plus the material change if the material
/// differs, else the colour change if only the colour does, plus the sheet swap if the surface differs; it satisfies
/// the triangle inequality, so only neighbours matter.
public struct SetupTimes: Sendable, Hashable {
    public var colourChange: Int
    public var materialChange: Int
    public var nozzleSwap: Int
    public var surfaceSwap: Int

    public init(colourChange: Int = 10, materialChange: Int = 20, nozzleSwap: Int = 30, surfaceSwap: Int = 5) {
        self.colourChange = colourChange
        self.materialChange = materialChange
        self.nozzleSwap = nozzleSwap
        self.surfaceSwap = surfaceSwap
    }

    public func between(_ from: PrinterState, _ to: PrinterState) -> Int {
        // A plate that names no colour takes whatever colour is loaded.
        let filament =
            from.material.isEmpty || from.material == to.material
            ? (from.material.isEmpty || to.colour.isEmpty || from.colour == to.colour ? 0 : colourChange)
            : materialChange
        let surface = from.surface.isEmpty || to.surface.isEmpty || from.surface == to.surface ? 0 : surfaceSwap
        let nozzle = from.nozzle != to.nozzle && from.nozzle != 0 && to.nozzle != 0 ? nozzleSwap : 0
        return nozzle + filament + surface
    }
}

/// The weighted-sum objective's weights (the lexicographic default does not use them).
public struct ObjectiveWeights: Sendable, Hashable {
    public var weightedTardiness: Double
    public var changeovers: Double
    public var makespan: Double

    public init(weightedTardiness: Double = 1, changeovers: Double = 30, makespan: Double = 1) {
        self.weightedTardiness = weightedTardiness
        self.changeovers = changeovers
        self.makespan = makespan
    }
}

/// A span of minutes [start, end).
public struct MinuteWindow: Sendable, Hashable {
    public var start: Int
    public var end: Int

    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }
}

public struct SchedulingPrinter: Sendable, Hashable {
    public var id: String
    /// x, y, z in mm.
    public var buildVolume: [Int]
    public var directDrive: Bool
    public var enclosure: Bool
    public var hardenedNozzle: Bool
    /// Nozzle diameters (µm) it can be fitted with, including the one fitted now.
    public var nozzleKit: [Int]
    public var loaded: PrinterState
    /// Busy (finishing a print) until this minute.
    public var availableFrom: Int
    /// Windows in which it can neither be set up nor print, sorted by start.
    public var maintenance: [MinuteWindow]

    public init(
        id: String, buildVolume: [Int], directDrive: Bool, enclosure: Bool, hardenedNozzle: Bool, nozzleKit: [Int],
        loaded: PrinterState, availableFrom: Int = 0, maintenance: [MinuteWindow] = []
    ) {
        self.id = id
        self.buildVolume = buildVolume
        self.directDrive = directDrive
        self.enclosure = enclosure
        self.hardenedNozzle = hardenedNozzle
        self.nozzleKit = nozzleKit.contains(loaded.nozzle) ? nozzleKit : nozzleKit + [loaded.nozzle]
        self.loaded = loaded
        self.availableFrom = availableFrom
        self.maintenance = maintenance.sorted { $0.start < $1.start }
    }
}

/// One sliced build plate to print.
public struct SchedulingJob: Sendable, Hashable {
    public var id: String
    public var material: String
    public var colour: String
    /// The nozzle (µm) it was sliced for; 0 when any nozzle will do.
    public var nozzle: Int
    public var needsEnclosure: Bool
    public var needsHardenedNozzle: Bool
    public var needsDirectDrive: Bool
    /// The plate's bounding box, x, y, z in mm; it may be turned 90° about z.
    public var footprint: [Int]
    /// Print minutes, the same on every printer it fits.
    public var duration: Int
    /// Earliest print start.
    public var release: Int
    public var due: Int
    /// 1 standard, 2 priority, 5 rush.
    public var weight: Int
    /// The build surface its material wants ("" for any).
    public var surface: String
    /// When set, only these printers (by id) may take it: a pin, a group, the farm's own rules.
    public var onlyOn: Set<String>?
    /// Why it is kept to `onlyOn`, for the sentence when none of them can take it.
    public var onlyOnReason: String?

    public init(
        id: String, material: String, colour: String, nozzle: Int, needsEnclosure: Bool = false,
        needsHardenedNozzle: Bool = false, needsDirectDrive: Bool = false, footprint: [Int], duration: Int,
        release: Int = 0, due: Int, weight: Int = 1, surface: String = "", onlyOn: Set<String>? = nil,
        onlyOnReason: String? = nil
    ) {
        self.surface = surface
        self.onlyOn = onlyOn
        self.onlyOnReason = onlyOnReason
        self.id = id
        self.material = material
        self.colour = colour
        self.nozzle = nozzle
        self.needsEnclosure = needsEnclosure
        self.needsHardenedNozzle = needsHardenedNozzle
        self.needsDirectDrive = needsDirectDrive
        self.footprint = footprint
        self.duration = duration
        self.release = release
        self.due = due
        self.weight = weight
    }

    /// The due minute of a plate promised for no particular time: far enough out never to be late.
    public static let noDueDate = 1_000_000

    /// The state a printer is in once this has printed.
    public var state: PrinterState {
        PrinterState(material: material, colour: colour, nozzle: nozzle, surface: surface)
    }

    /// Whether this plate can go on `printer` (what `incompatibility` says, without making the sentence).
    public func fits(_ printer: SchedulingPrinter) -> Bool {
        let volume = printer.buildVolume
        let (x, y) = (footprint[0], footprint[1])
        return footprint[2] <= volume[2] && ((x <= volume[0] && y <= volume[1]) || (y <= volume[0] && x <= volume[1]))
            && (!needsEnclosure || printer.enclosure) && (!needsHardenedNozzle || printer.hardenedNozzle)
            && (!needsDirectDrive || printer.directDrive) && (nozzle == 0 || printer.nozzleKit.contains(nozzle))
            && onlyOn.map { $0.contains(printer.id) } != false
    }

    /// Why this plate cannot go on `printer`, or nil when it can.
    public func incompatibility(with printer: SchedulingPrinter) -> String? {
        let (x, y, z) = (footprint[0], footprint[1], footprint[2])
        let volume = printer.buildVolume
        let fits = z <= volume[2] && ((x <= volume[0] && y <= volume[1]) || (y <= volume[0] && x <= volume[1]))
        if !fits { return "the plate (\(x)×\(y)×\(z) mm) does not fit \(printer.id)'s bed" }
        if needsEnclosure && !printer.enclosure { return "\(material) needs an enclosure; \(printer.id) has none" }
        if needsHardenedNozzle && !printer.hardenedNozzle {
            return "\(material) needs a hardened nozzle; \(printer.id) has none"
        }
        if needsDirectDrive && !printer.directDrive { return "\(material) needs direct drive; \(printer.id) is Bowden" }
        if nozzle != 0 && !printer.nozzleKit.contains(nozzle) {
            return "the plate was sliced for a \(Double(nozzle) / 1000) mm nozzle, which \(printer.id) cannot fit"
        }
        if let onlyOn, !onlyOn.contains(printer.id) { return onlyOnReason ?? "it is kept to other printers" }
        return nil
    }
}
