/// Copies of one item (a plan revision) waiting for a plate, with what the composer needs to know of them.
public struct WaitingPart: Sendable, Equatable {
    /// The item's id (the caller's: a plan revision).
    public var item: String
    /// What must be alike on one plate (material, colour, profile version, nozzle, recipe); parts of one group
    /// share a bed shape.
    public var group: String
    /// The part's footprint as it lies on the bed, in millimetres.
    public var width: Double
    public var depth: Double
    public var copies: Int
    /// Print minutes of one copy (the slicer's estimate).
    public var minutes: Int
    /// Minutes from now until it is due; nil for no due date.
    public var due: Int?
    /// How much lateness of this part counts (a rush order weighs more).
    public var weight: Int
    /// Printers that can make it; a plate goes only to printers that can make every part on it.
    public var printers: Set<String>

    public init(
        item: String, group: String, width: Double, depth: Double, copies: Int, minutes: Int, due: Int? = nil,
        weight: Int = 1, printers: Set<String>
    ) {
        self.item = item
        self.group = group
        self.width = width
        self.depth = depth
        self.copies = copies
        self.minutes = minutes
        self.due = due
        self.weight = weight
        self.printers = printers
    }

    var area: Double { width * depth }
}

/// Copies of one item on a plate.
public struct PlatePart: Sendable, Equatable {
    public var item: String
    public var copies: Int

    public init(item: String, copies: Int) {
        self.item = item
        self.copies = copies
    }
}

/// One copy on the bed, where the composer's estimate put it.
public struct PartPlacement: Sendable, Equatable {
    public var item: String
    public var rect: BedRect
}

/// A plate the composer made or filled: its parts, their estimated places, and what follows from them.
public struct PlateDraft: Sendable, Equatable {
    /// The plate's id where it exists already; nil for a new plate.
    public var id: String?
    public var group: String
    public var parts: [PlatePart] = []
    public var placements: [PartPlacement] = []
    /// Printers that can make every part on it.
    public var printers: Set<String>
    /// Print minutes of all copies together.
    public var minutes = 0
    /// The earliest due date of its parts (minutes from now).
    public var due: Int?
    public var weight = 1
    /// Parts were added this composition (a new plate, or an open one filled further).
    public var changed = false
    /// No part joins a locked plate.
    public var locked: Bool
    /// The most of the bed the estimate may fill: below 1 after the slicer refused a plate the estimate took.
    public var maxFill: Double
    var layout: BedLayout

    public var bed: Bed { layout.bed }
    public var fill: Double { layout.fill }
    public var copies: Int { parts.reduce(0) { $0 + $1.copies } }

    public init(id: String?, group: String, bed: Bed, printers: Set<String>, locked: Bool = false, maxFill: Double = 1)
    {
        self.id = id
        self.group = group
        self.printers = printers
        self.locked = locked
        self.maxFill = maxFill
        layout = BedLayout(bed: bed)
    }

    /// Adds a copy of `part` where the estimate places it; false when it does not fit (nothing changes).
    @discardableResult
    mutating func add(_ part: WaitingPart, force: Bool = false) -> Bool {
        let rect = layout.place(width: part.width, depth: part.depth)
        guard rect != nil || force else { return false }
        if let rect { placements.append(PartPlacement(item: part.item, rect: rect)) }
        if let index = parts.firstIndex(where: { $0.item == part.item }) {
            parts[index].copies += 1
        } else {
            parts.append(PlatePart(item: part.item, copies: 1))
        }
        printers.formIntersection(part.printers)
        minutes += part.minutes
        if let due = part.due { self.due = min(self.due ?? due, due) }
        weight = max(weight, part.weight)
        return true
    }
}

/// Limits on one plate, besides its bed.
public struct CompositionRules: Sendable, Equatable {
    /// Parts on one plate at most (1: solo, one part per plate).
    public var maxParts: Int
    /// Print minutes of one plate at most: a long plate risks more parts on one failure.
    public var maxMinutes: Int

    public init(maxParts: Int = 60, maxMinutes: Int = 24 * 60) {
        self.maxParts = maxParts
        self.maxMinutes = maxMinutes
    }
}

/// Batches waiting parts onto plates: compatible parts (one group, printers in common) of any order share a bed as
/// far as the estimate fills it. Parts are taken earliest due first, so urgent parts lead the first plates; a part
/// joins a plate only if the plate, printed from now, still meets both its due date and the plate's, so an urgent
/// part never waits behind a fuller plate. Open plates (composed before, not yet frozen) are filled first, so
/// plates stay what they were as new parts arrive. Pure.
public struct PlateComposer: Sendable {
    public var rules: CompositionRules

    public init(rules: CompositionRules = CompositionRules()) { self.rules = rules }

    public struct Composition: Sendable, Equatable {
        /// The open plates given (filled further where `changed`), then the new ones.
        public var plates: [PlateDraft]
        /// Parts no plate can take, by item, with the reason.
        public var unplaced: [String: String]
    }

    /// An open plate as it stands, its parts placed again by the estimate (a part that no longer fits stays on it).
    public func reopen(
        id: String, group: String, bed: Bed, parts: [WaitingPart], locked: Bool = false, maxFill: Double = 1
    ) -> PlateDraft {
        var draft = PlateDraft(
            id: id, group: group, bed: bed, printers: parts.first?.printers ?? [], locked: locked, maxFill: maxFill)
        for part in parts { for _ in 0..<max(0, part.copies) { draft.add(part, force: true) } }
        return draft
    }

    public func compose(_ waiting: [WaitingPart], open: [PlateDraft], beds: [String: Bed]) -> Composition {
        var plates = open
        var unplaced: [String: String] = [:]
        var byGroup: [String: [Int]] = [:]
        for (index, plate) in plates.enumerated() { byGroup[plate.group, default: []].append(index) }
        let ordered = waiting.filter { $0.copies > 0 }.sorted { a, b in
            if (a.due ?? .max) != (b.due ?? .max) { return (a.due ?? .max) < (b.due ?? .max) }
            if a.weight != b.weight { return a.weight > b.weight }
            if a.area != b.area { return a.area > b.area }
            return a.item < b.item
        }
        for part in ordered {
            guard let bed = beds[part.group] else {
                unplaced[part.item] = "no bed is known for its printers; give the profile a bed shape"
                continue
            }
            guard !part.printers.isEmpty else {
                unplaced[part.item] = "no printer can make it"
                continue
            }
            guard BedLayout(bed: bed).position(width: part.width, depth: part.depth) != nil else {
                unplaced[part.item] =
                    "its \(millimetres(part.width)) × \(millimetres(part.depth)) mm footprint does not fit the "
                    + "\(millimetres(bed.width)) × \(millimetres(bed.depth)) mm bed"
                continue
            }
            for _ in 0..<part.copies {
                var done = false
                for index in byGroup[part.group, default: []] where joins(part, plates[index]) {
                    if plates[index].add(part) {
                        plates[index].changed = true
                        done = true
                        break
                    }
                }
                if done { continue }
                var plate = PlateDraft(id: nil, group: part.group, bed: bed, printers: part.printers)
                plate.add(part)
                plate.changed = true
                byGroup[part.group, default: []].append(plates.count)
                plates.append(plate)
            }
        }
        return Composition(plates: plates, unplaced: unplaced)
    }

    /// Whether one more copy of `part` may join `plate` (its place on the bed is checked by adding it).
    func joins(_ part: WaitingPart, _ plate: PlateDraft) -> Bool {
        guard !plate.locked, plate.copies < rules.maxParts, !plate.printers.isDisjoint(with: part.printers),
            plate.fill + part.area / plate.bed.usableArea <= plate.maxFill
        else { return false }
        let minutes = plate.minutes + part.minutes
        guard minutes <= rules.maxMinutes else { return false }
        // Printed from now, the plate with this part still meets the earliest due date of both.
        let dues = [plate.due, part.due].compactMap { $0 }
        if let due = dues.min(), minutes > due { return false }
        return true
    }
}

func millimetres(_ value: Double) -> String {
    value == value.rounded() ? String(Int(value)) : String((value * 10).rounded() / 10)
}
