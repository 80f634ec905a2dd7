import Foundation

public typealias ConsumableID = TypedID<ConsumableSpec>

/// What wears out on a printer besides filament: a nozzle (its diameter, whether hardened) or a build sheet (its
/// surface), with the limits a farm keeps it to.
public struct ConsumableSpec: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case nozzle, sheet
    }

    public var kind: Kind
    /// "0.4 hardened steel", "textured PEI #3"; absent: its kind and size say it.
    public var name: String?
    /// A nozzle's diameter in mm.
    public var diameter: Double?
    /// A nozzle of hardened steel (abrasive filaments: CF, GF, glow-in-the-dark).
    public var hardened: Bool?
    /// A sheet's surface, as changeovers name it ("textured PEI").
    public var surface: String?
    /// Print hours after which a nozzle (or sheet) is worn and replaced.
    public var wearHours: Double?
    /// Grams of filament through a nozzle after which it is worn.
    public var wearGrams: Double?
    /// Prints a sheet takes between cleanings.
    public var cleanEvery: Int?
    /// Prints after which a sheet is replaced.
    public var replaceAfter: Int?

    public init(
        kind: Kind, name: String? = nil, diameter: Double? = nil, hardened: Bool? = nil, surface: String? = nil,
        wearHours: Double? = nil, wearGrams: Double? = nil, cleanEvery: Int? = nil, replaceAfter: Int? = nil
    ) {
        self.kind = kind
        self.name = name
        self.diameter = diameter
        self.hardened = hardened
        self.surface = surface
        self.wearHours = wearHours
        self.wearGrams = wearGrams
        self.cleanEvery = cleanEvery
        self.replaceAfter = replaceAfter
    }

    func validate() throws(DomainError) {
        if let name { try Check.name(name, field: "name", example: "0.4 hardened steel") }
        switch kind {
        case .nozzle:
            guard let diameter, diameter.isFinite, diameter >= 0.1, diameter <= 2 else {
                throw .invalid(field: "diameter", reason: "a nozzle's diameter in mm, from 0.1 to 2 (0.4)")
            }
            if surface != nil { throw .invalid(field: "surface", reason: "a nozzle has no surface; leave it out") }
            if cleanEvery != nil || replaceAfter != nil {
                throw .invalid(field: "cleanEvery", reason: "prints between cleanings are a sheet's; use wearHours")
            }
        case .sheet:
            guard let surface else {
                throw .invalid(field: "surface", reason: "name the sheet's surface, like textured PEI")
            }
            try Check.name(surface, field: "surface", example: "textured PEI")
            if diameter != nil || hardened != nil {
                throw .invalid(field: "diameter", reason: "a sheet has no diameter or hardening; leave them out")
            }
        }
        if let wearHours, !(wearHours.isFinite && wearHours > 0 && wearHours <= 100_000) {
            throw .invalid(field: "wearHours", reason: "print hours, more than 0 (a brass nozzle: about 500)")
        }
        if let wearGrams, !(wearGrams.isFinite && wearGrams > 0 && wearGrams <= 10_000_000) {
            throw .invalid(field: "wearGrams", reason: "grams of filament, more than 0")
        }
        for (field, value) in [("cleanEvery", cleanEvery), ("replaceAfter", replaceAfter)] {
            if let value, !(1...100_000).contains(value) {
                throw .invalid(field: field, reason: "a number of prints, from 1")
            }
        }
    }

    /// "0.4 mm nozzle (hardened)", "textured PEI sheet"
    public var title: String {
        if let name { return name }
        switch kind {
        case .nozzle:
            return String(format: "%g mm nozzle", diameter ?? 0) + (hardened == true ? " (hardened)" : "")
        case .sheet: return "\(surface ?? "build") sheet"
        }
    }
}

/// A consumable's life: where it is fitted, and what it has printed since it was new and since it was cleaned.
public struct Consumable: Codable, Sendable, Equatable {
    public var id: ConsumableID
    public var spec: ConsumableSpec
    /// The printer it is fitted to, and since when.
    public var installed: ConsumableInstall?
    /// Print hours since new.
    public var hours: Double
    /// Grams of filament printed through or onto it since new.
    public var grams: Double
    public var prints: Int
    /// Prints since its last cleaning (sheets).
    public var printsSinceCleaning: Int
    public var cleanedAt: Date?
    /// The runs counted, so each is counted once (the last 200: a run is counted when it ends, soon after).
    public var runs: [RunID]
    public var retired: Bool
    public var registeredAt: Date
    public var updatedAt: Date

    public init(id: ConsumableID, spec: ConsumableSpec, at: Date) {
        self.id = id
        self.spec = spec
        hours = 0
        grams = 0
        prints = 0
        printsSinceCleaning = 0
        runs = []
        due = []
        retired = false
        registeredAt = at
        updatedAt = at
    }

    /// Each limit it has reached, in words: "worn: 512 print hours of 500", "to clean: 11 prints since cleaning
    /// (every 10)". Empty while it is within its limits; kept up to date with each event, so lists and the API show it.
    public var due: [String]

    func limitsReached() -> [String] {
        var reached: [String] = []
        if let limit = spec.wearHours, hours >= limit {
            reached.append("worn: \(Int(hours.rounded())) print hours of \(Int(limit.rounded()))")
        }
        if let limit = spec.wearGrams, grams >= limit {
            reached.append("worn: \(Int(grams.rounded())) g of filament of \(Int(limit.rounded()))")
        }
        if let limit = spec.replaceAfter, prints >= limit {
            reached.append("to replace: \(prints) prints of \(limit)")
        }
        if let limit = spec.cleanEvery, printsSinceCleaning >= limit {
            reached.append(
                "to clean: \(printsSinceCleaning) print\(printsSinceCleaning == 1 ? "" : "s") since cleaning "
                    + "(every \(limit))"
            )
        }
        return reached
    }
}

public struct ConsumableInstall: Codable, Sendable, Equatable {
    public var printer: PrinterID
    public var at: Date

    public init(printer: PrinterID, at: Date) {
        self.printer = printer
        self.at = at
    }
}
