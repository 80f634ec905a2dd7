import Foundation

/// What parts must have alike to share a plate: one filament (material and colour), one profile version and nozzle
/// (the slicer slices the plate once), one recipe (PrusaSlicer turns and supports a whole plate alike) and one
/// printer model. Pure.
public enum PlateCompatibility {
    /// The traits that matter, named for people.
    public static func traits(_ spec: PlanSpec, _ item: LineItem) -> [(name: String, value: String)] {
        let requirements = spec.requirements
        return [
            ("material", item.material.uppercased()), ("colour", item.colour?.lowercased() ?? "any"),
            ("profile", spec.profile),
            ("nozzle", requirements.nozzleDiameter.map { "\($0) mm" } ?? "any"),
            ("orientation and supports", SliceRecipe(spec).keyText.replacingOccurrences(of: "\n", with: " ")),
            ("printer model", requirements.printerModel ?? "any"),
        ]
    }

    /// The group key: parts with equal keys may share a plate.
    public static func key(_ spec: PlanSpec, _ item: LineItem) -> String {
        traits(spec, item).map(\.value).joined(separator: "|")
    }

    /// Why the two parts cannot share a plate ("material PLA ≠ PETG"), nil when they can.
    public static func conflict(_ a: (PlanSpec, LineItem), _ b: (PlanSpec, LineItem)) -> String? {
        let differences = zip(traits(a.0, a.1), traits(b.0, b.1)).filter { $0.value != $1.value }.map {
            "\($0.name) \($0.value.prefix(16)) ≠ \($1.value.prefix(16))"
        }
        return differences.isEmpty ? nil : differences.joined(separator: ", ")
    }
}
