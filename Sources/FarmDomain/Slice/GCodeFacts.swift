import Foundation

/// What the slicer wrote into its G-code comments, read back: the figures pricing, scheduling and the printer
/// upload use (Moonraker reads the same comments).
public struct GCodeFacts: Sendable, Equatable, Codable {
    public var generator: String?
    public var estimatedSeconds: Int?
    public var estimatedSilentSeconds: Int?
    public var filamentMillimetres: Double?
    public var filamentCubicCentimetres: Double?
    public var filamentGrams: Double?
    public var filamentCost: Double?
    public var layerCount: Int
    /// The distinct layer heights, smallest first.
    public var layerHeights: [Double]
    public var firstLayerHeight: Double?
    public var maxZ: Double
    /// Objects as the slicer labelled them (`; printing object NAME id:N copy M`), in first-printed order.
    public var objects: [String]
    /// Where each labelled object lies on the bed: the XY extent of its extrusions, in first-printed order.
    public var placements: [ObjectPlacement]
    /// Thumbnails as `WIDTHxHEIGHT`.
    public var thumbnails: [String]
    /// A few settings from the config block at the end (perimeter generator, layer height, nozzle, material).
    public var settings: [String: String]

    public init(
        generator: String?, estimatedSeconds: Int?, estimatedSilentSeconds: Int?, filamentMillimetres: Double?,
        filamentCubicCentimetres: Double?,
        filamentGrams: Double?, filamentCost: Double?, layerCount: Int, layerHeights: [Double],
        firstLayerHeight: Double?, maxZ: Double,
        objects: [String], placements: [ObjectPlacement] = [], thumbnails: [String], settings: [String: String]
    ) {
        self.generator = generator
        self.estimatedSeconds = estimatedSeconds
        self.estimatedSilentSeconds = estimatedSilentSeconds
        self.filamentMillimetres = filamentMillimetres
        self.filamentCubicCentimetres = filamentCubicCentimetres
        self.filamentGrams = filamentGrams
        self.filamentCost = filamentCost
        self.layerCount = layerCount
        self.layerHeights = layerHeights
        self.firstLayerHeight = firstLayerHeight
        self.maxZ = maxZ
        self.objects = objects
        self.placements = placements
        self.thumbnails = thumbnails
        self.settings = settings
    }

    enum CodingKeys: String, CodingKey {
        case generator, estimatedSeconds, estimatedSilentSeconds, filamentMillimetres, filamentCubicCentimetres,
            filamentGrams, filamentCost
        case layerCount, layerHeights, firstLayerHeight, maxZ, objects, placements, thumbnails, settings
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        generator = try c.decodeIfPresent(String.self, forKey: .generator)
        estimatedSeconds = try c.decodeIfPresent(Int.self, forKey: .estimatedSeconds)
        estimatedSilentSeconds = try c.decodeIfPresent(Int.self, forKey: .estimatedSilentSeconds)
        filamentMillimetres = try c.decodeIfPresent(Double.self, forKey: .filamentMillimetres)
        filamentCubicCentimetres = try c.decodeIfPresent(Double.self, forKey: .filamentCubicCentimetres)
        filamentGrams = try c.decodeIfPresent(Double.self, forKey: .filamentGrams)
        filamentCost = try c.decodeIfPresent(Double.self, forKey: .filamentCost)
        layerCount = try c.decode(Int.self, forKey: .layerCount)
        layerHeights = try c.decode([Double].self, forKey: .layerHeights)
        firstLayerHeight = try c.decodeIfPresent(Double.self, forKey: .firstLayerHeight)
        maxZ = try c.decode(Double.self, forKey: .maxZ)
        objects = try c.decode([String].self, forKey: .objects)
        // why: slices recorded before placements were read have none; their events stay readable.
        placements = try c.decodeIfPresent([ObjectPlacement].self, forKey: .placements) ?? []
        thumbnails = try c.decode([String].self, forKey: .thumbnails)
        settings = try c.decode([String: String].self, forKey: .settings)
    }

    /// A slicer's duration ("1d 2h 3m 4s", "22m 25s", "35s") in seconds.
    public static func seconds(_ text: Substring) -> Int? {
        var total = 0
        var matched = false
        for part in text.split(separator: " ") {
            guard let unit = part.last, let value = Int(part.dropLast()) else { return nil }
            switch unit {
            case "d": total += value * 86_400
            case "h": total += value * 3_600
            case "m": total += value * 60
            case "s": total += value
            default: return nil
            }
            matched = true
        }
        return matched ? total : nil
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(generator, forKey: .generator)
        try c.encodeIfPresent(estimatedSeconds, forKey: .estimatedSeconds)
        try c.encodeIfPresent(estimatedSilentSeconds, forKey: .estimatedSilentSeconds)
        try c.encodeIfPresent(filamentMillimetres, forKey: .filamentMillimetres)
        try c.encodeIfPresent(filamentCubicCentimetres, forKey: .filamentCubicCentimetres)
        try c.encodeIfPresent(filamentGrams, forKey: .filamentGrams)
        try c.encodeIfPresent(filamentCost, forKey: .filamentCost)
        try c.encode(layerCount, forKey: .layerCount)
        try c.encode(layerHeights, forKey: .layerHeights)
        try c.encodeIfPresent(firstLayerHeight, forKey: .firstLayerHeight)
        try c.encode(maxZ, forKey: .maxZ)
        try c.encode(objects, forKey: .objects)
        // why: absent when no object was labelled, so events recorded before placements existed read back unchanged.
        if !placements.isEmpty { try c.encode(placements, forKey: .placements) }
        try c.encode(thumbnails, forKey: .thumbnails)
        try c.encode(settings, forKey: .settings)
    }
}

/// One labelled object on the plate (`; printing object NAME id:N copy M`) and the XY box its extrusions cover.
public struct ObjectPlacement: Sendable, Equatable, Codable {
    /// The label as the slicer wrote it, without id and copy (for a plate: `item<N>-<file name>`).
    public var name: String
    public var id: Int?
    public var copy: Int?
    public var minX: Double
    public var minY: Double
    public var maxX: Double
    public var maxY: Double
    /// Millimetres of filament extruded while printing it (net of retractions); absent in facts read before usage
    /// was counted.
    public var filamentMillimetres: Double?

    public init(
        name: String, id: Int?, copy: Int?, minX: Double, minY: Double, maxX: Double, maxY: Double,
        filamentMillimetres: Double? = nil
    ) {
        self.name = name
        self.id = id
        self.copy = copy
        self.minX = minX
        self.minY = minY
        self.maxX = maxX
        self.maxY = maxY
        self.filamentMillimetres = filamentMillimetres
    }

    public var centreX: Double { (minX + maxX) / 2 }
    public var centreY: Double { (minY + maxY) / 2 }

    /// The label as the slicer wrote it after `; printing object `.
    public var label: String { id.map { "\(name) id:\($0) copy \(copy ?? 0)" } ?? name }

    /// `box.stl id:0 copy 1` → ("box.stl", 0, 1); a label without them keeps the whole text as its name.
    public static func parse(label: String) -> (name: String, id: Int?, copy: Int?) {
        let words = label.split(separator: " ", omittingEmptySubsequences: false)
        guard words.count >= 4, words[words.count - 2] == "copy", let copy = Int(words[words.count - 1]),
            words[words.count - 3].hasPrefix("id:"), let id = Int(words[words.count - 3].dropFirst(3))
        else {
            return (label, nil, nil)
        }
        return (words[..<(words.count - 3)].joined(separator: " "), id, copy)
    }
}
