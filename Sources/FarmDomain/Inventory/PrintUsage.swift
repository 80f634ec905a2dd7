import Foundation

/// The filament a print used, from its plate's G-code: each object's own extrusion, and the rest (purge line,
/// skirt, wipe tower) shared by the parts in proportion. A completed print used it all; a failed, cancelled or
/// interrupted one the share it printed; an object excluded mid-print stopped where the print was then.
public enum PrintUsage {
    /// One labelled object of the plate and its item.
    public struct Object: Sendable, Equatable {
        public var name: String
        public var plan: PlanID
        public var grams: Double

        public init(name: String, plan: PlanID, grams: Double) {
            self.name = name
            self.plan = plan
            self.grams = grams
        }
    }

    public struct Result: Sendable, Equatable {
        public var grams: Double
        public var share: Double
        public var parts: [SpoolUsedPart]
    }

    /// `total`: the G-code's grams (all of them); `objects`: its labelled objects (none for a G-code without
    /// labels: then the items share the total by copies); `share`: how much of the file was printed (1 when it
    /// completed); `excludedAt`: the share printed when each excluded object was excluded.
    public static func compute(
        total: Double, objects: [Object], items: [PlateItem], share: Double, excludedAt: [String: Double] = [:]
    ) -> Result {
        let share = min(1, max(0, share.isFinite ? share : 0))
        let labelled = objects.reduce(0) { $0 + $1.grams }
        let rest = max(0, total - labelled)
        var byPlan: [PlanID: Double] = [:]
        if labelled > 0 {
            for object in objects {
                let printed = min(share, excludedAt[object.name] ?? share)
                let ownShareOfRest = rest * share * object.grams / labelled
                byPlan[object.plan, default: 0] += object.grams * printed + ownShareOfRest
            }
        } else {
            let copies = max(1, items.reduce(0) { $0 + $1.copies })
            for item in items {
                byPlan[item.planID, default: 0] += total * share * Double(item.copies) / Double(copies)
            }
        }
        let parts = items.map { item in
            SpoolUsedPart(plan: item.planID, copies: item.copies, grams: (byPlan[item.planID] ?? 0).rounded(to: 0.01))
        }
        let grams = byPlan.values.reduce(0, +)
        return Result(grams: grams.rounded(to: 0.01), share: share, parts: parts)
    }
}

extension GCodeFacts {
    /// Grams in one millimetre of the filament: from the first extruder's density and diameter in the G-code's
    /// settings, else from its totals.
    public var gramsPerMillimetre: Double? {
        func first(_ key: String) -> Double? {
            settings[key]?.split(separator: ",").first.flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        }
        if let density = first("filament_density"), let diameter = first("filament_diameter"), density > 0,
            diameter > 0
        {
            return density * .pi * diameter * diameter / 4 / 1000
        }
        if let grams = filamentGrams, let millimetres = filamentMillimetres, millimetres > 0 {
            return grams / millimetres
        }
        return nil
    }

    /// The labelled objects of a plate's G-code with their grams, each `item<N>-…` label standing for `plans[N]`.
    public func usageObjects(plans: [PlanID]) -> [PrintUsage.Object] {
        guard let perMillimetre = gramsPerMillimetre else { return [] }
        let objects = PlateObject.objects(from: placements, plans: plans)
        let labelled = placements.filter { placement in
            placement.name.hasPrefix("item")
                && Int(placement.name.dropFirst(4).prefix { $0.isNumber }).map(plans.indices.contains) == true
        }
        return zip(objects, labelled).map { object, placement in
            PrintUsage.Object(
                name: object.name, plan: object.planID,
                grams: (placement.filamentMillimetres ?? 0) * perMillimetre)
        }
    }

    /// All the G-code's grams: its own total, else what its millimetres weigh.
    public var totalGrams: Double? {
        filamentGrams ?? gramsPerMillimetre.flatMap { g in filamentMillimetres.map { $0 * g } }
    }
}

extension Double {
    func rounded(to step: Double) -> Double { (self / step).rounded() * step }
}
