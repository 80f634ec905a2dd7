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
    /// Thumbnails as `WIDTHxHEIGHT`.
    public var thumbnails: [String]
    /// A few settings from the config block at the end (perimeter generator, layer height, nozzle, material).
    public var settings: [String: String]


    public init(
        generator: String?, estimatedSeconds: Int?, estimatedSilentSeconds: Int?, filamentMillimetres: Double?, filamentCubicCentimetres: Double?,
        filamentGrams: Double?, filamentCost: Double?, layerCount: Int, layerHeights: [Double], firstLayerHeight: Double?, maxZ: Double,
        objects: [String], thumbnails: [String], settings: [String: String]
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
        self.thumbnails = thumbnails
        self.settings = settings
    }
}
