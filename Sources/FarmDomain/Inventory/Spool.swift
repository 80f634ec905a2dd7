import Foundation

public enum SpoolTag {}
public typealias SpoolID = TypedID<SpoolTag>

/// A physical reel: its filament and lot, what it held when new, what is left by our count (each print's usage
/// subtracted, each weigh-in setting it), where it is and which printer it is loaded on.
public struct Spool: Sendable, Equatable, Codable {
    public var id: SpoolID
    /// On a printer, on the shelf, used up (by the farm's count) or archived.
    public var status: SpoolStatus
    public var filament: FilamentID
    public var lot: LotID?
    /// Grams of filament when registered (a full spool's, or what a started one held then).
    public var initialWeight: Double
    /// Grams left, as the farm counts them.
    public var remaining: Double
    /// Grams used by prints, all told.
    public var used: Double
    /// Grams of the empty spool, when known for this one (else the filament's, else the vendor's).
    public var spoolWeight: Double?
    public var location: String?
    public var openedAt: Date?
    public var driedAt: Date?
    /// The printer (and tool) it is on; absent when on the shelf.
    public var loaded: SpoolLoad?
    /// The last weigh-in: what the scale said against what the farm counted.
    public var lastWeighIn: SpoolWeighed?
    /// The runs that used it, oldest first (each counted once).
    public var runs: [RunID]
    /// The Spoolman it came from, when it did.
    public var spoolman: SpoolmanLink?
    public var archived: Bool
    public var registeredAt: Date
    public var updatedAt: Date
}

/// A spool's record in a Spoolman: its address and the spool's id there.
public struct SpoolmanLink: Sendable, Equatable, Codable {
    public var url: String
    public var id: Int

    public init(url: String, id: Int) {
        self.url = url
        self.id = id
    }
}

public enum SpoolStatus: String, Sendable, Codable, CaseIterable {
    case loaded, shelf, empty, archived
}

extension Spool {
    var derivedStatus: SpoolStatus {
        if archived { return .archived }
        if loaded != nil { return .loaded }
        return remaining <= 0 ? .empty : .shelf
    }
}

public struct SpoolLoad: Sendable, Equatable, Codable {
    public var printer: PrinterID
    /// The extruder (0 on a single-tool printer).
    public var tool: Int
    public var at: Date

    public init(printer: PrinterID, tool: Int = 0, at: Date) {
        self.printer = printer
        self.tool = tool
        self.at = at
    }
}

/// What a person registers: the spool's filament and lot, and its weights.
public struct SpoolSpec: Sendable, Equatable, Codable {
    public var filament: FilamentID
    public var lot: LotID?
    /// Grams of filament when new; the filament's nominal weight is taken by whoever registers when absent.
    public var initialWeight: Double
    /// Grams left now, for a spool already started; absent: full.
    public var remaining: Double?
    public var spoolWeight: Double?
    public var location: String?
    public var openedAt: Date?
    public var driedAt: Date?
    /// The Spoolman it came from, when it did (usage is sent back there).
    public var spoolman: SpoolmanLink?

    public init(
        filament: FilamentID, lot: LotID? = nil, initialWeight: Double, remaining: Double? = nil,
        spoolWeight: Double? = nil, location: String? = nil, openedAt: Date? = nil, driedAt: Date? = nil,
        spoolman: SpoolmanLink? = nil
    ) {
        self.spoolman = spoolman
        self.filament = filament
        self.lot = lot
        self.initialWeight = initialWeight
        self.remaining = remaining
        self.spoolWeight = spoolWeight
        self.location = location
        self.openedAt = openedAt
        self.driedAt = driedAt
    }

    func validate() throws(DomainError) {
        guard initialWeight.isFinite, initialWeight > 0, initialWeight <= 50_000 else {
            throw .invalid(field: "initialWeight", reason: "grams of filament on the spool when new, more than 0")
        }
        if let remaining, !(remaining.isFinite && remaining >= 0 && remaining <= initialWeight) {
            throw .invalid(
                field: "remaining",
                reason: "grams left, from 0 to the initial weight (\(SpoolWeighed.format(initialWeight)) g)")
        }
        try SpoolDetails(spoolWeight: spoolWeight, location: location, openedAt: openedAt, driedAt: driedAt)
            .validate()
    }
}

/// What may be corrected on a spool after it is registered.
public struct SpoolDetails: Sendable, Equatable, Codable {
    public var spoolWeight: Double?
    public var location: String?
    public var openedAt: Date?
    public var driedAt: Date?

    public init(spoolWeight: Double? = nil, location: String? = nil, openedAt: Date? = nil, driedAt: Date? = nil) {
        self.spoolWeight = spoolWeight
        self.location = location
        self.openedAt = openedAt
        self.driedAt = driedAt
    }

    func validate() throws(DomainError) {
        try Check.grams(spoolWeight, field: "spoolWeight", upTo: 5_000)
        if let location { try Check.name(location, field: "location", example: "shelf A2") }
    }
}

public struct SpoolRegistered: Codable, Sendable, Equatable {
    public var id: SpoolID
    public var spec: SpoolSpec
    public var at: Date

    public init(id: SpoolID, spec: SpoolSpec, at: Date) {
        self.id = id
        self.spec = spec
        self.at = at
    }
}

public struct SpoolUpdated: Codable, Sendable, Equatable {
    public var details: SpoolDetails
    public var at: Date

    public init(details: SpoolDetails, at: Date) {
        self.details = details
        self.at = at
    }
}

public struct SpoolUnloaded: Codable, Sendable, Equatable {
    public var printer: PrinterID
    public var at: Date

    public init(printer: PrinterID, at: Date) {
        self.printer = printer
        self.at = at
    }
}

/// One print's filament from this spool: the run, how it ended, the share of its G-code printed, and the grams of
/// each of its parts (for traceability from the lot to the orders).
public struct SpoolUsed: Codable, Sendable, Equatable {
    public var run: RunID
    public var printer: PrinterID
    /// How the run ended (completed, failed, cancelled, interrupted).
    public var outcome: String
    /// The share of the plate's filament printed, 0 to 1.
    public var share: Double
    public var grams: Double
    public var parts: [SpoolUsedPart]
    public var at: Date

    public init(
        run: RunID, printer: PrinterID, outcome: String, share: Double, grams: Double, parts: [SpoolUsedPart], at: Date
    ) {
        self.run = run
        self.printer = printer
        self.outcome = outcome
        self.share = share
        self.grams = grams
        self.parts = parts
        self.at = at
    }
}

public struct SpoolUsedPart: Codable, Sendable, Equatable {
    public var plan: PlanID
    /// Copies of the plan on the plate (excluded ones included: they used filament until excluded).
    public var copies: Int
    public var grams: Double

    public init(plan: PlanID, copies: Int, grams: Double) {
        self.plan = plan
        self.copies = copies
        self.grams = grams
    }
}

/// A weigh-in: the filament on the spool by the scale, against the farm's count before it.
public struct SpoolWeighed: Codable, Sendable, Equatable {
    /// What the scale showed, spool included, when the person weighed it whole.
    public var gross: Double?
    /// Grams of filament, now the spool's remaining weight.
    public var net: Double
    /// What the farm counted before.
    public var estimated: Double
    public var at: Date

    public init(gross: Double?, net: Double, estimated: Double, at: Date) {
        self.gross = gross
        self.net = net
        self.estimated = estimated
        self.at = at
    }

    /// How far the farm's count was off: positive when more was left than counted.
    public var drift: Double { net - estimated }

    static func format(_ grams: Double) -> String { String(format: "%.0f", grams) }
}

public struct SpoolChanged: Codable, Sendable, Equatable {
    public var at: Date

    public init(at: Date) { self.at = at }
}
