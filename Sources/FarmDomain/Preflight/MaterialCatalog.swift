import Foundation

/// What a filament needs from a printer and weighs. Figures are typical datasheet values; a farm's own settings can
/// replace the catalog later.
public struct MaterialSpec: Sendable, Equatable, Codable {
    public var name: String
    /// g/cm³.
    public var density: Double
    /// The nozzle temperature it prints at, °C.
    public var nozzleTemperature: Double
    public var needsEnclosure: Bool
    public var needsHardenedNozzle: Bool

    public init(
        name: String, density: Double, nozzleTemperature: Double, needsEnclosure: Bool = false,
        needsHardenedNozzle: Bool = false
    ) {
        self.name = name
        self.density = density
        self.nozzleTemperature = nozzleTemperature
        self.needsEnclosure = needsEnclosure
        self.needsHardenedNozzle = needsHardenedNozzle
    }
}

public struct MaterialCatalog: Sendable {
    public var materials: [MaterialSpec]

    public init(_ materials: [MaterialSpec]) { self.materials = materials }

    public static let standard = MaterialCatalog([
        MaterialSpec(name: "PLA", density: 1.24, nozzleTemperature: 215),
        MaterialSpec(name: "PETG", density: 1.27, nozzleTemperature: 240),
        MaterialSpec(name: "ABS", density: 1.04, nozzleTemperature: 255, needsEnclosure: true),
        MaterialSpec(name: "ASA", density: 1.07, nozzleTemperature: 260, needsEnclosure: true),
        MaterialSpec(name: "TPU", density: 1.21, nozzleTemperature: 230),
        MaterialSpec(name: "PC", density: 1.20, nozzleTemperature: 290, needsEnclosure: true),
        MaterialSpec(name: "PA", density: 1.14, nozzleTemperature: 270, needsEnclosure: true),
        MaterialSpec(name: "PLA-CF", density: 1.29, nozzleTemperature: 220, needsHardenedNozzle: true),
        MaterialSpec(name: "PETG-CF", density: 1.30, nozzleTemperature: 250, needsHardenedNozzle: true),
        MaterialSpec(
            name: "PA-CF", density: 1.20, nozzleTemperature: 280, needsEnclosure: true, needsHardenedNozzle: true),
    ])

    /// Case-insensitive, with common aliases (Nylon = PA, PLA+ = PLA).
    public func spec(named name: String) -> MaterialSpec? {
        let key = name.trimmingCharacters(in: .whitespaces).uppercased()
        let aliases = [
            "NYLON": "PA", "PLA+": "PLA", "PLA PLUS": "PLA", "PCTG": "PETG", "NYLON-CF": "PA-CF", "PACF": "PA-CF",
        ]
        let canonical = aliases[key] ?? key
        return materials.first { $0.name.uppercased() == canonical }
    }
}
