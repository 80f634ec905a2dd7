import Foundation

/// One print attempt of one plate on one printer.
public struct Run: Sendable, Equatable, Codable {
    public var id: RunID
    public var plateID: BuildPlateID
    public var printerID: PrinterID
    public var items: [PlateItem]
    public var status: RunStatus
    /// The claim token of the dispatch in progress or done; a second dispatch needs the same token.
    public var dispatchToken: String?
    public var progress: RunProgress?
    public var failure: String?
    public var inspections: [ItemInspection]
    public var risk: RiskAssessment?
    public var scheduledAt: Date
    public var startedAt: Date?
    public var endedAt: Date?
    public var updatedAt: Date
    /// Objects cancelled mid-print, each a failed copy.
    public var excluded: [ObjectExclusion]?
    /// Cameras' pictures at its start, end, failure and pauses, oldest first.
    public var snapshots: [RunSnapshot]?
    /// On a plate of several plans, each plan's own risk (`risk` is the riskiest).
    public var itemRisks: [ItemRisk]?

    /// The risk QA weighs for one item: its own on a shared plate, else the run's.
    public func risk(of plan: PlanID) -> RiskAssessment? { itemRisks?.first { $0.planID == plan }?.risk ?? risk }

    /// Copies of `plan` cancelled mid-print.
    public func excludedCopies(of plan: PlanID) -> Int { excluded?.filter { $0.planID == plan }.count ?? 0 }

    /// Items with a copy left on the plate: the ones QA looks at.
    public var inspectedItems: [PlateItem] { items.filter { excludedCopies(of: $0.planID) < $0.copies } }

    /// QA state over all items: pending until every item with a copy left has a verdict, then passed or failed.
    public var qa: QAStatus {
        guard status == .completed else { return .notApplicable }
        let inspected = inspectedItems
        // Every object cancelled: nothing came off the plate to pass.
        if inspected.isEmpty { return .failed }
        let verdicts = inspected.map { item in inspections.last { $0.planID == item.planID }?.passed }
        if verdicts.contains(where: { $0 == nil }) { return .pending }
        return verdicts.allSatisfy { $0 == true } ? .passed : .failed
    }
}

public enum RunStatus: String, Codable, Sendable, CaseIterable {
    case scheduled, dispatching, printing, paused, completed, failed, cancelled, interrupted

    public var isTerminal: Bool { [.completed, .failed, .cancelled, .interrupted].contains(self) }
}

public enum QAStatus: String, Codable, Sendable, CaseIterable {
    case notApplicable, pending, passed, failed
}

public struct RunProgress: Sendable, Equatable, Codable {
    /// 0…1, by file position as the printer reports it.
    public var fraction: Double
    public var layer: Int?
    public var totalLayers: Int?
    public var elapsedSeconds: Double?
    public var remainingSeconds: Double?

    public init(
        fraction: Double, layer: Int? = nil, totalLayers: Int? = nil, elapsedSeconds: Double? = nil,
        remainingSeconds: Double? = nil
    ) {
        self.fraction = fraction
        self.layer = layer
        self.totalLayers = totalLayers
        self.elapsedSeconds = elapsedSeconds
        self.remainingSeconds = remainingSeconds
    }
}

extension RunProgress {
    /// The fraction as a whole percentage, for people.
    public var percent: Int { Int((fraction * 100).rounded()) }
}

public struct ItemInspection: Sendable, Equatable, Codable {
    public var planID: PlanID
    public var passed: Bool
    /// The inspector's note.
    public var reason: String?
    /// Why the item failed; absent for a pass (and in inspections recorded before codes existed).
    public var code: QAReason?
    /// Photos and measurements (artifact SHA-256s).
    public var evidence: [String]?
    public var at: Date
}

/// Why an item failed QA, as a stable code.
public enum QAReason: String, Codable, Sendable, CaseIterable {
    case dimensions, surface, layerShift, warping, stringing, other

    public var reasonCode: ReasonCode { ReasonCode(rawValue: "qa.failed.\(rawValue)")! }
}
