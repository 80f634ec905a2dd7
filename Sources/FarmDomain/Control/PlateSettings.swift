import FarmPlates
import Foundation

/// How the production loop puts parts on plates (`production.plates` in the config file). Solo: one part per plate,
/// as a printer with one owner works. Farm: compatible parts of many orders share a bed.
public struct PlateSettings: Sendable, Equatable, Codable {
    public enum Mode: String, Sendable, Codable, CaseIterable { case solo, farm }

    public var mode: Mode
    /// A plate filling this share of the bed goes to the schedule at once (0…1).
    public var releaseFill: Double
    /// A sparser plate waits at most this long for parts of other orders (never past its due date).
    public var holdMinutes: Int
    /// Parts on one plate at most.
    public var maxParts: Int
    /// Print minutes of one plate at most.
    public var maxMinutes: Int
    /// A plate is sliced (frozen) when it is due to start within this many minutes, so the printer does not wait.
    public var freezeAheadMinutes: Int
    /// Areas of the bed parts stay off, by printer model ("" for every model), in millimetres from the front left.
    public var exclusions: [String: [BedRect]]

    enum CodingKeys: String, CodingKey, CaseIterable {
        case mode, releaseFill, holdMinutes, maxParts, maxMinutes, freezeAheadMinutes, exclusions
    }

    public init(
        mode: Mode = .solo, releaseFill: Double = 0.5, holdMinutes: Int = 60, maxParts: Int = 60,
        maxMinutes: Int = 1440, freezeAheadMinutes: Int = 20, exclusions: [String: [BedRect]] = [:]
    ) {
        self.mode = mode
        self.releaseFill = releaseFill
        self.holdMinutes = holdMinutes
        self.maxParts = maxParts
        self.maxMinutes = maxMinutes
        self.freezeAheadMinutes = freezeAheadMinutes
        self.exclusions = exclusions
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let standard = PlateSettings()
        mode = try c.decodeIfPresent(Mode.self, forKey: .mode) ?? standard.mode
        releaseFill = try c.decodeIfPresent(Double.self, forKey: .releaseFill) ?? standard.releaseFill
        holdMinutes = try c.decodeIfPresent(Int.self, forKey: .holdMinutes) ?? standard.holdMinutes
        maxParts = try c.decodeIfPresent(Int.self, forKey: .maxParts) ?? standard.maxParts
        maxMinutes = try c.decodeIfPresent(Int.self, forKey: .maxMinutes) ?? standard.maxMinutes
        freezeAheadMinutes = try c.decodeIfPresent(Int.self, forKey: .freezeAheadMinutes) ?? standard.freezeAheadMinutes
        exclusions = try c.decodeIfPresent([String: [BedRect]].self, forKey: .exclusions) ?? [:]
    }

    func validate() throws(DomainError) {
        guard releaseFill.isFinite, (0...1).contains(releaseFill) else {
            throw .invalid(field: "plates.releaseFill", reason: "a share of the bed from 0 to 1, got \(releaseFill)")
        }
        for (field, value, range) in [
            ("holdMinutes", holdMinutes, 0...1440), ("maxParts", maxParts, 1...1000),
            ("maxMinutes", maxMinutes, 1...10080), ("freezeAheadMinutes", freezeAheadMinutes, 0...1440),
        ] where !range.contains(value) {
            throw .invalid(
                field: "plates.\(field)", reason: "from \(range.lowerBound) to \(range.upperBound), got \(value)")
        }
        for (model, rects) in exclusions {
            for rect in rects
            where ![rect.x, rect.y, rect.width, rect.depth].allSatisfy({ $0.isFinite && $0 >= 0 }) || rect.width == 0
                || rect.depth == 0
            {
                throw .invalid(
                    field: "plates.exclusions.\(model.isEmpty ? "\"\"" : model)",
                    reason: "rectangles with x and y of 0 or more and a width and depth above 0, in millimetres")
            }
        }
    }

    var composer: PlateComposer { PlateComposer(rules: CompositionRules(maxParts: maxParts, maxMinutes: maxMinutes)) }
    var release: PlateRelease { PlateRelease(releaseFill: releaseFill, holdMinutes: holdMinutes) }
}
