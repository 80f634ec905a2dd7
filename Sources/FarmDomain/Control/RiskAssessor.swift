import Foundation

public enum RiskLevel: String, Codable, Sendable, CaseIterable, Comparable {
    case low = "LOW"
    case medium = "MEDIUM"
    case high = "HIGH"

    public static func < (a: RiskLevel, b: RiskLevel) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// Where in the loop a risk is assessed: what is known grows from stage to stage.
public enum RiskStage: String, Codable, Sendable, CaseIterable {
    case intent, plan, run
}

/// One reason a job is risky: a stable code, a sentence an operator reads, and what it adds to the score.
public struct RiskFactor: Sendable, Equatable, Codable {
    public var code: String
    public var sentence: String
    public var weight: Int

    public init(code: String, sentence: String, weight: Int) {
        self.code = code
        self.sentence = sentence
        self.weight = weight
    }
}

public struct RiskAssessment: Sendable, Equatable, Codable {
    public var stage: RiskStage
    public var level: RiskLevel
    /// The sum of the factors' weights.
    public var score: Int
    /// Heaviest first.
    public var factors: [RiskFactor]

    /// "HIGH (65): overhang area 31 % of the surface (+25); …", for logs and explanations.
    public var summary: String {
        let reasons = factors.map { "\($0.sentence) (+\($0.weight))" }.joined(separator: "; ")
        return factors.isEmpty
            ? "\(level.rawValue) (0): nothing raises the risk" : "\(level.rawValue) (\(score)): \(reasons)"
    }
}

/// What a risk assessment looks at; each part is optional because each stage knows more.
public struct RiskInputs: Sendable {
    public var model: ModelFacts?
    public var material: String
    /// Runs of this plan revision that ended (completed or failed) before, or 1 when the same G-code — the same
    /// model, profile and slicer — passed QA in another order.
    public var finishedRunsOfRevision: Int?
    /// Failed runs (or failed QA items) of this plan, all revisions.
    public var failuresOfPlan: Int?
    /// The printer's failures among its last runs, and how many runs that is.
    public var printerFailures: (failed: Int, of: Int)?
    /// Time left before the due date once the remaining printing is done; negative: late.
    public var slack: TimeInterval?
    /// Whether any printer has the material (and colour) loaded.
    public var materialLoaded: Bool?
    /// The limits the printer's nozzle and sheet have reached ("0.4 mm nozzle worn: 512 print hours of 500").
    public var consumablesDue: [String] = []

    public init(
        model: ModelFacts? = nil, material: String, finishedRunsOfRevision: Int? = nil, failuresOfPlan: Int? = nil,
        printerFailures: (failed: Int, of: Int)? = nil, slack: TimeInterval? = nil, materialLoaded: Bool? = nil
    ) {
        self.model = model
        self.material = material
        self.finishedRunsOfRevision = finishedRunsOfRevision
        self.failuresOfPlan = failuresOfPlan
        self.printerFailures = printerFailures
        self.slack = slack
        self.materialLoaded = materialLoaded
    }
}

/// Scores a job from its geometry, its history and its logistics. Pure: every input is passed in. The weights are
/// fixed and documented (docs/production.md, "Risk"); the thresholds between levels are the farm's to set.
public struct RiskAssessor: Sendable {
    public struct Thresholds: Sendable, Equatable, Codable {
        /// A score at or above this is MEDIUM.
        public var medium: Int
        /// A score at or above this is HIGH.
        public var high: Int

        enum CodingKeys: String, CodingKey, CaseIterable { case medium, high }

        public init(medium: Int = 25, high: Int = 50) {
            self.medium = medium
            self.high = high
        }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            medium = try container.decodeIfPresent(Int.self, forKey: .medium) ?? 25
            high = try container.decodeIfPresent(Int.self, forKey: .high) ?? 50
        }
    }

    /// Materials that warp on a large flat footprint.
    public static let warpingMaterials: Set<String> = ["ABS", "ASA", "PC", "PA", "NYLON", "PA-CF", "PC-ABS", "PP"]

    public var thresholds: Thresholds

    public init(thresholds: Thresholds = .init()) { self.thresholds = thresholds }

    public func assess(_ stage: RiskStage, _ inputs: RiskInputs) -> RiskAssessment {
        var factors = geometry(inputs)
        if stage != .intent { factors += history(inputs, stage: stage) }
        factors += logistics(inputs)
        factors.sort { $0.weight > $1.weight }
        let score = factors.reduce(0) { $0 + $1.weight }
        let level: RiskLevel = score >= thresholds.high ? .high : score >= thresholds.medium ? .medium : .low
        return RiskAssessment(stage: stage, level: level, score: score, factors: factors)
    }

    private func geometry(_ inputs: RiskInputs) -> [RiskFactor] {
        guard let model = inputs.model else { return [] }
        var factors: [RiskFactor] = []
        if model.surfaceArea > 0 {
            let share = model.overhangArea / model.surfaceArea
            if share >= 0.25 {
                factors.append(
                    .init(
                        code: "geometry.overhang", sentence: "overhang area \(Self.percent(share)) of the surface",
                        weight: 25))
            } else if share >= 0.10 {
                factors.append(
                    .init(
                        code: "geometry.overhang", sentence: "overhang area \(Self.percent(share)) of the surface",
                        weight: 10))
            }
        }
        if let walls = model.wallThickness, walls.samples > 0 {
            // The 5th percentile, not the minimum: a sharp tip or edge measures near zero on any sound model (a
            // pyramid's apex is 1 % of its samples).
            if walls.percentile5 < 0.4 {
                factors.append(
                    .init(
                        code: "geometry.thinWalls",
                        sentence: "5 % of the walls thinner than \(Self.mm(walls.percentile5)), under one 0.4 mm line",
                        weight: 30))
            } else if walls.percentile5 < 0.8 {
                factors.append(
                    .init(
                        code: "geometry.thinWalls",
                        sentence: "5 % of the walls thinner than \(Self.mm(walls.percentile5)), under two lines",
                        weight: 15))
            }
        }
        let (width, depth, area) = Self.footprintExtent(model)
        if let size = model.size, width > 0, depth > 0 {
            let slenderness = size.z / min(width, depth)
            if slenderness >= 6 {
                factors.append(
                    .init(
                        code: "geometry.tallNarrow",
                        sentence:
                            "\(Self.mm(size.z)) tall on a base \(Self.mm(min(width, depth))) wide (\(Int(slenderness.rounded())):1)",
                        weight: 30))
            } else if slenderness >= 4 {
                factors.append(
                    .init(
                        code: "geometry.tallNarrow",
                        sentence:
                            "\(Self.mm(size.z)) tall on a base \(Self.mm(min(width, depth))) wide (\(Int(slenderness.rounded())):1)",
                        weight: 15))
            }
        }
        let warping = Self.warpingMaterials.contains(inputs.material.uppercased())
        if area >= 15_000, warping {
            factors.append(
                .init(
                    code: "geometry.warping",
                    sentence:
                        "a flat footprint of \(Int((area / 100).rounded())) cm² in \(inputs.material), which warps",
                    weight: 25))
        } else if area >= 30_000 {
            factors.append(
                .init(
                    code: "geometry.largeFootprint", sentence: "a flat footprint of \(Int((area / 100).rounded())) cm²",
                    weight: 10))
        }
        return factors
    }

    private func history(_ inputs: RiskInputs, stage: RiskStage) -> [RiskFactor] {
        var factors: [RiskFactor] = []
        if inputs.finishedRunsOfRevision == 0 {
            factors.append(
                .init(
                    code: "history.firstRun", sentence: "first print of this recipe (model, profile, slicer)",
                    weight: 10))
        }
        if let failures = inputs.failuresOfPlan, failures > 0 {
            factors.append(
                .init(
                    code: "history.planFailures", sentence: "this plan failed \(Self.times(failures)) before",
                    weight: min(45, 15 * failures)))
        }
        if stage == .run, let recent = inputs.printerFailures, recent.of > 0 {
            if recent.failed >= 3 || (recent.of >= 4 && Double(recent.failed) / Double(recent.of) >= 0.3) {
                factors.append(
                    .init(
                        code: "history.printer",
                        sentence: "the printer failed \(recent.failed) of its last \(recent.of) runs", weight: 20))
            } else if recent.failed > 0 {
                factors.append(
                    .init(
                        code: "history.printer",
                        sentence: "the printer failed \(recent.failed) of its last \(recent.of) runs", weight: 5))
            }
        }
        return factors
    }

    private func logistics(_ inputs: RiskInputs) -> [RiskFactor] {
        var factors: [RiskFactor] = []
        if let slack = inputs.slack {
            if slack < 0 {
                factors.append(
                    .init(
                        code: "logistics.late", sentence: "cannot meet the due date: \(Self.hours(-slack)) short",
                        weight: 40))
            } else if slack < 4 * 3600 {
                factors.append(.init(code: "logistics.slack", sentence: "SLA slack \(Self.hours(slack))", weight: 20))
            } else if slack < 24 * 3600 {
                factors.append(.init(code: "logistics.slack", sentence: "SLA slack \(Self.hours(slack))", weight: 10))
            }
        }
        // A worn nozzle under-extrudes and clogs; a sheet past cleaning loses adhesion: each is a likelier failure.
        for due in inputs.consumablesDue.prefix(2) {
            factors.append(.init(code: "logistics.consumable", sentence: due, weight: 15))
        }
        if inputs.materialLoaded == false {
            factors.append(
                .init(
                    code: "logistics.material", sentence: "\(inputs.material) is not loaded on any printer", weight: 15)
            )
        }
        return factors
    }

    /// Width and depth of the footprint's bounding box and the footprint's area (shoelace), in mm and mm².
    static func footprintExtent(_ model: ModelFacts) -> (width: Double, depth: Double, area: Double) {
        let points = model.footprint.filter { $0.count == 2 }
        guard points.count >= 3 else {
            guard let size = model.size else { return (0, 0, 0) }
            return (size.x, size.y, size.x * size.y)
        }
        let xs = points.map { $0[0] }
        let ys = points.map { $0[1] }
        var twice = 0.0
        for index in points.indices {
            let a = points[index]
            let b = points[(index + 1) % points.count]
            twice += a[0] * b[1] - b[0] * a[1]
        }
        return (xs.max()! - xs.min()!, ys.max()! - ys.min()!, abs(twice) / 2)
    }

    static func percent(_ share: Double) -> String { "\(Int((share * 100).rounded())) %" }
    static func mm(_ value: Double) -> String {
        value >= 10 ? "\(Int(value.rounded())) mm" : String(format: "%.1f mm", value)
    }
    static func times(_ count: Int) -> String { count == 1 ? "once" : count == 2 ? "twice" : "\(count) times" }
    static func hours(_ seconds: TimeInterval) -> String {
        seconds < 3600
            ? "\(Int((seconds / 60).rounded())) min"
            : seconds < 48 * 3600
                ? String(format: "%.1f h", seconds / 3600) : "\(Int((seconds / 86400).rounded())) days"
    }
}
