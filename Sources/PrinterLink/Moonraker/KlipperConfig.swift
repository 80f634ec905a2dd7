import FarmDomain
import Foundation

/// What Klipper's own configuration (`configfile.settings`) says a machine can do: the travel of its axes, its
/// nozzle, and the temperature limits of its heaters. It fills in what it can of a printer's capabilities and
/// leaves the rest (enclosure, hardened nozzle, materials) as the operator entered it.
public struct KlipperConfig: Sendable, Equatable {
    public var buildVolume: BuildVolume?
    public var nozzleDiameter: Double?
    public var maxHotendTemperature: Double?
    public var maxBedTemperature: Double?

    public init(settings: JSONValue) {
        func number(_ section: String, _ key: String) -> Double? {
            guard let value = settings[section]?[key]?.number, value.isFinite else { return nil }
            return value
        }
        func travel(_ axis: String) -> Double? {
            guard let max = number("stepper_\(axis)", "position_max") else { return nil }
            let span = max - (number("stepper_\(axis)", "position_min") ?? 0)
            return span > 0 ? span : nil
        }
        // Delta and polar machines state their volume differently; only cartesian-like axes are read.
        let kinematics = settings["printer"]?["kinematics"]?.string ?? "cartesian"
        if ["cartesian", "corexy", "corexz", "hybrid_corexy", "hybrid_corexz", "limited_cartesian", "limited_corexy"]
            .contains(kinematics),
            let x = travel("x"), let y = travel("y"), let z = travel("z")
        {
            buildVolume = BuildVolume(x: x, y: y, z: z)
        }
        nozzleDiameter = number("extruder", "nozzle_diameter")
        maxHotendTemperature = number("extruder", "max_temp")
        maxBedTemperature = number("heater_bed", "max_temp")
    }

    /// `current` with every value the configuration states put in its place.
    public func applied(to current: PrinterCapabilities) -> PrinterCapabilities {
        var capabilities = current
        if let buildVolume { capabilities.buildVolume = buildVolume }
        if let nozzleDiameter, nozzleDiameter > 0, nozzleDiameter <= 5 {
            capabilities.nozzleDiameters = [nozzleDiameter]
        }
        if let maxHotendTemperature { capabilities.maxHotendTemperature = maxHotendTemperature }
        if let maxBedTemperature { capabilities.maxBedTemperature = maxBedTemperature }
        return capabilities
    }
}
