import Foundation

/// How the production loop plans the farm ahead (`production.scheduling` in the config file).
public struct SchedulingSettings: Sendable, Equatable, Codable {
    /// Minutes a person needs for each kind of changeover.
    public var colourChangeMinutes: Int
    public var materialChangeMinutes: Int
    public var nozzleSwapMinutes: Int
    public var surfaceSwapMinutes: Int
    /// The build sheet each material wants ("PETG": "textured PEI"); materials not named want `defaultSurface`.
    public var surfaces: [String: String]
    /// The sheet for materials not in `surfaces`; absent: any sheet will do.
    public var defaultSurface: String?
    /// At most this many prints heat up at once on one power circuit; absent: no limit.
    public var startsPerCircuit: Int?
    /// How long a print counts as heating up after it is sent.
    public var heatUpMinutes: Int
    /// `lex` (lateness, then changeovers, then makespan) or `weighted` (with `weights`).
    public var objective: String
    public var weights: Weights
    /// A plate that has a printer in the current plan moves to another only if the farm gains at least this many
    /// weighted minutes of lateness (or one changeover, or an hour of makespan).
    public var moveGainMinutes: Int
    /// A free printer with nothing planned takes a plate planned on another printer when it would finish it, the
    /// changeover included, at least this many minutes before the plate would start there (without a changeover:
    /// when it finishes before).
    public var idleTakeoverMinutes: Int
    /// Search moves per replan, on top of the constructive start.
    public var searchIterations: Int
    /// `farm` (the scheduler: setups and due dates, improved by search) or `dueDateRule` (earliest due date first,
    /// to the printer that starts it soonest, its material loaded preferred: the rule peers use, for comparison).
    public var scheduler: String

    public struct Weights: Sendable, Equatable, Codable {
        public var weightedTardiness: Double
        public var changeovers: Double
        public var makespan: Double

        enum CodingKeys: String, CodingKey, CaseIterable { case weightedTardiness, changeovers, makespan }

        public init(weightedTardiness: Double = 1, changeovers: Double = 30, makespan: Double = 1) {
            self.weightedTardiness = weightedTardiness
            self.changeovers = changeovers
            self.makespan = makespan
        }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            weightedTardiness = try c.decodeIfPresent(Double.self, forKey: .weightedTardiness) ?? 1
            changeovers = try c.decodeIfPresent(Double.self, forKey: .changeovers) ?? 30
            makespan = try c.decodeIfPresent(Double.self, forKey: .makespan) ?? 1
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case colourChangeMinutes, materialChangeMinutes, nozzleSwapMinutes, surfaceSwapMinutes, surfaces,
            defaultSurface, startsPerCircuit, heatUpMinutes, objective, weights, moveGainMinutes, searchIterations,
            scheduler, idleTakeoverMinutes
    }

    public init(
        colourChangeMinutes: Int = 10, materialChangeMinutes: Int = 20, nozzleSwapMinutes: Int = 30,
        surfaceSwapMinutes: Int = 5, surfaces: [String: String] = [:], defaultSurface: String? = nil,
        startsPerCircuit: Int? = nil, heatUpMinutes: Int = 5, objective: String = "lex", weights: Weights = .init(),
        moveGainMinutes: Int = 30, searchIterations: Int = 1_000, scheduler: String = "farm",
        idleTakeoverMinutes: Int = 60
    ) {
        self.idleTakeoverMinutes = idleTakeoverMinutes
        self.scheduler = scheduler
        self.colourChangeMinutes = colourChangeMinutes
        self.materialChangeMinutes = materialChangeMinutes
        self.nozzleSwapMinutes = nozzleSwapMinutes
        self.surfaceSwapMinutes = surfaceSwapMinutes
        self.surfaces = surfaces
        self.defaultSurface = defaultSurface
        self.startsPerCircuit = startsPerCircuit
        self.heatUpMinutes = heatUpMinutes
        self.objective = objective
        self.weights = weights
        self.moveGainMinutes = moveGainMinutes
        self.searchIterations = searchIterations
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let standard = SchedulingSettings()
        colourChangeMinutes = try c.decodeIfPresent(Int.self, forKey: .colourChangeMinutes) ?? 10
        materialChangeMinutes = try c.decodeIfPresent(Int.self, forKey: .materialChangeMinutes) ?? 20
        nozzleSwapMinutes = try c.decodeIfPresent(Int.self, forKey: .nozzleSwapMinutes) ?? 30
        surfaceSwapMinutes = try c.decodeIfPresent(Int.self, forKey: .surfaceSwapMinutes) ?? 5
        surfaces = try c.decodeIfPresent([String: String].self, forKey: .surfaces) ?? [:]
        defaultSurface = try c.decodeIfPresent(String.self, forKey: .defaultSurface)
        startsPerCircuit = try c.decodeIfPresent(Int.self, forKey: .startsPerCircuit)
        heatUpMinutes = try c.decodeIfPresent(Int.self, forKey: .heatUpMinutes) ?? standard.heatUpMinutes
        objective = try c.decodeIfPresent(String.self, forKey: .objective) ?? standard.objective
        weights = try c.decodeIfPresent(Weights.self, forKey: .weights) ?? .init()
        moveGainMinutes = try c.decodeIfPresent(Int.self, forKey: .moveGainMinutes) ?? standard.moveGainMinutes
        searchIterations = try c.decodeIfPresent(Int.self, forKey: .searchIterations) ?? standard.searchIterations
        scheduler = try c.decodeIfPresent(String.self, forKey: .scheduler) ?? standard.scheduler
        idleTakeoverMinutes =
            try c.decodeIfPresent(Int.self, forKey: .idleTakeoverMinutes) ?? standard.idleTakeoverMinutes
    }

    func validate() throws(DomainError) {
        let minutes = [
            ("colourChangeMinutes", colourChangeMinutes), ("materialChangeMinutes", materialChangeMinutes),
            ("nozzleSwapMinutes", nozzleSwapMinutes), ("surfaceSwapMinutes", surfaceSwapMinutes),
            ("heatUpMinutes", heatUpMinutes), ("moveGainMinutes", moveGainMinutes),
            ("idleTakeoverMinutes", idleTakeoverMinutes),
        ]
        for (field, value) in minutes where !(0...1440).contains(value) {
            throw .invalid(field: "scheduling.\(field)", reason: "whole minutes from 0 to 1440, got \(value)")
        }
        if let starts = startsPerCircuit, starts < 1 {
            throw .invalid(field: "scheduling.startsPerCircuit", reason: "at least 1, or leave it out for no limit")
        }
        guard ["lex", "weighted"].contains(objective) else {
            throw .invalid(field: "scheduling.objective", reason: "lex or weighted, got \(objective.prefix(40))")
        }
        guard ["farm", "dueDateRule"].contains(scheduler) else {
            throw .invalid(field: "scheduling.scheduler", reason: "farm or dueDateRule, got \(scheduler.prefix(40))")
        }
        guard (0...1_000_000).contains(searchIterations) else {
            throw .invalid(field: "scheduling.searchIterations", reason: "0 to 1000000 search moves per replan")
        }
        for value in [weights.weightedTardiness, weights.changeovers, weights.makespan]
        where !value.isFinite || value < 0 {
            throw .invalid(field: "scheduling.weights", reason: "finite weights of 0 or more")
        }
    }

    /// The sheet a material wants, if the farm tells sheets apart.
    public func surface(for material: String) -> String? {
        surfaces.first { $0.key.uppercased() == material.uppercased() }?.value ?? defaultSurface
    }
}
