import Foundation

public typealias VendorID = TypedID<VendorSpec>
public typealias FilamentID = TypedID<FilamentSpec>
public typealias LotID = TypedID<LotSpec>
public typealias Vendor = InventoryRecord<VendorSpec>
public typealias Filament = InventoryRecord<FilamentSpec>
public typealias Lot = InventoryRecord<LotSpec>

/// Who makes a filament; its empty spool's weight is the default tare of its filaments.
public struct VendorSpec: RecordSpec {
    public static let aggregate = "vendor"
    public var name: String
    /// Grams of an empty spool of theirs.
    public var emptySpoolWeight: Double?
    public var comment: String?

    public init(name: String, emptySpoolWeight: Double? = nil, comment: String? = nil) {
        self.name = name
        self.emptySpoolWeight = emptySpoolWeight
        self.comment = comment
    }

    public var parent: String? { nil }

    public func validate() throws(DomainError) {
        try Check.name(name, field: "name", example: "Polymaker")
        try Check.grams(emptySpoolWeight, field: "emptySpoolWeight", upTo: 5_000)
        try Check.comment(comment)
    }
}

/// A product: a material in a colour from a vendor, with what turns length into grams (diameter, density) and what a
/// full spool holds. Usage, stock and reorder points are counted per filament.
public struct FilamentSpec: RecordSpec {
    public static let aggregate = "filament"
    public var vendor: VendorID?
    /// Its name as sold ("PolyTerra Charcoal Black"); absent: material and colour say it.
    public var name: String?
    /// As plans and printers name it: PLA, PETG, ASA, TPU …
    public var material: String
    /// As orders name it ("black"); absent: natural or not recorded.
    public var colour: String?
    /// Six or eight hex digits without `#` (`1A1A1A`), as Spoolman keeps it.
    public var colourHex: String?
    /// Millimetres.
    public var diameter: Double
    /// g/cm³.
    public var density: Double
    /// Grams of filament on a full spool.
    public var nominalWeight: Double
    /// Grams of the empty spool; absent: the vendor's, else unknown.
    public var spoolWeight: Double?
    /// The price of a full spool, in the farm's currency.
    public var price: Double?
    /// When the stock of this filament (all its spools, less what is reserved) falls below this many grams, the
    /// board says to reorder.
    public var reorderPoint: Double?

    public init(
        vendor: VendorID? = nil, name: String? = nil, material: String, colour: String? = nil,
        colourHex: String? = nil, diameter: Double = 1.75, density: Double, nominalWeight: Double = 1000,
        spoolWeight: Double? = nil, price: Double? = nil, reorderPoint: Double? = nil
    ) {
        self.vendor = vendor
        self.name = name
        self.material = material
        self.colour = colour
        self.colourHex = colourHex
        self.diameter = diameter
        self.density = density
        self.nominalWeight = nominalWeight
        self.spoolWeight = spoolWeight
        self.price = price
        self.reorderPoint = reorderPoint
    }

    public var parent: String? { vendor?.description }

    public func validate() throws(DomainError) {
        if let name { try Check.name(name, field: "name", example: "PolyTerra Charcoal Black") }
        try Check.name(material, field: "material", example: "PLA")
        if let colour { try Check.name(colour, field: "colour", example: "black") }
        if let colourHex, !Self.isHex(colourHex) {
            throw .invalid(field: "colourHex", reason: "six or eight hex digits without #, like 1A1A1A")
        }
        guard diameter.isFinite, diameter > 0, diameter <= 5 else {
            throw .invalid(field: "diameter", reason: "millimetres, more than 0 and at most 5 (1.75 or 2.85)")
        }
        guard density.isFinite, density >= 0.5, density <= 5 else {
            throw .invalid(field: "density", reason: "g/cm³ from 0.5 to 5 (PLA 1.24, PETG 1.27, ABS 1.04)")
        }
        guard nominalWeight.isFinite, nominalWeight > 0, nominalWeight <= 50_000 else {
            throw .invalid(field: "nominalWeight", reason: "grams of filament on a full spool, more than 0 (1000)")
        }
        try Check.grams(spoolWeight, field: "spoolWeight", upTo: 5_000)
        if let price, !(price.isFinite && price >= 0 && price <= 1_000_000) {
            throw .invalid(field: "price", reason: "the price of a full spool, 0 or more")
        }
        try Check.grams(reorderPoint, field: "reorderPoint", upTo: 10_000_000)
    }

    /// Six or eight hex digits; a leading `#` is taken off first by whoever reads a person's input.
    static func isHex(_ text: String) -> Bool {
        [6, 8].contains(text.count) && text.allSatisfy(\.isHexDigit)
    }

    /// Grams in `millimetres` of this filament.
    public func grams(millimetres: Double) -> Double {
        let radius = diameter / 2
        return density * millimetres * .pi * radius * radius / 1000
    }
}

/// A batch of a filament as the supplier numbered it, with its certificate or data sheet: what a recall names.
public struct LotSpec: RecordSpec {
    public static let aggregate = "lot"
    public var filament: FilamentID
    /// The supplier's lot number.
    public var number: String
    public var receivedAt: Date
    /// Certificates and data sheets, as artifacts (SHA-256).
    public var documents: [String]
    public var note: String?

    public init(filament: FilamentID, number: String, receivedAt: Date, documents: [String] = [], note: String? = nil) {
        self.filament = filament
        self.number = number
        self.receivedAt = receivedAt
        self.documents = documents
        self.note = note
    }

    public var parent: String? { filament.description }

    public func validate() throws(DomainError) {
        try Check.name(number, field: "number", example: "L2026-11-042")
        guard documents.count <= 20,
            documents.allSatisfy({ $0.count == 64 && $0.allSatisfy(\.isHexDigit) && $0 == $0.lowercased() })
        else {
            throw .invalid(field: "documents", reason: "up to 20 uploaded files, each by its SHA-256")
        }
        try Check.comment(note, field: "note")
    }
}

/// The checks the inventory's descriptions share, in the same words everywhere.
enum Check {
    static func name(_ text: String, field: String, example: String) throws(DomainError) {
        guard !text.isBlank, text.count <= 64 else {
            throw .invalid(field: field, reason: "1 to 64 characters, like \(example)")
        }
    }

    static func grams(_ value: Double?, field: String, upTo limit: Double) throws(DomainError) {
        guard let value else { return }
        guard value.isFinite, value >= 0, value <= limit else {
            throw .invalid(field: field, reason: "grams, from 0 to \(Int(limit))")
        }
    }

    static func comment(_ text: String?, field: String = "comment") throws(DomainError) {
        if let text, text.count > 1024 { throw .invalid(field: field, reason: "at most 1024 characters") }
    }
}
