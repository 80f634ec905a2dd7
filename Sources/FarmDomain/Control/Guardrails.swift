import Foundation

/// Limits that stop automatic work when the evidence says it is going wrong. The numbers are the farm's to set.
public struct GuardrailSettings: Sendable, Equatable, Codable {
    /// Failed runs of one plan revision before it needs review (no more automatic reprints).
    public var loopBreakerFailures: Int
    /// A printer is degraded after `degradedFailures` failures among its last `degradedWindow` runs, or after
    /// `degradedConsecutive` failures in a row.
    public var degradedWindow: Int
    public var degradedFailures: Int
    public var degradedConsecutive: Int
    /// Automatic reprints of one line item before a person decides.
    public var reprintsPerItem: Int
    /// A print is paused when the connector reports an anomaly at least this confident (0…1).
    public var anomalyPauseConfidence: Double

    enum CodingKeys: String, CodingKey, CaseIterable {
        case loopBreakerFailures, degradedWindow, degradedFailures, degradedConsecutive, reprintsPerItem,
            anomalyPauseConfidence
    }

    public init(
        loopBreakerFailures: Int = 2, degradedWindow: Int = 10, degradedFailures: Int = 3, degradedConsecutive: Int = 2,
        reprintsPerItem: Int = 3, anomalyPauseConfidence: Double = 0.8
    ) {
        self.loopBreakerFailures = loopBreakerFailures
        self.degradedWindow = degradedWindow
        self.degradedFailures = degradedFailures
        self.degradedConsecutive = degradedConsecutive
        self.reprintsPerItem = reprintsPerItem
        self.anomalyPauseConfidence = anomalyPauseConfidence
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let defaults = GuardrailSettings()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        loopBreakerFailures =
            try container.decodeIfPresent(Int.self, forKey: .loopBreakerFailures) ?? defaults.loopBreakerFailures
        degradedWindow = try container.decodeIfPresent(Int.self, forKey: .degradedWindow) ?? defaults.degradedWindow
        degradedFailures =
            try container.decodeIfPresent(Int.self, forKey: .degradedFailures) ?? defaults.degradedFailures
        degradedConsecutive =
            try container.decodeIfPresent(Int.self, forKey: .degradedConsecutive) ?? defaults.degradedConsecutive
        reprintsPerItem = try container.decodeIfPresent(Int.self, forKey: .reprintsPerItem) ?? defaults.reprintsPerItem
        anomalyPauseConfidence =
            try container.decodeIfPresent(Double.self, forKey: .anomalyPauseConfidence)
            ?? defaults.anomalyPauseConfidence
    }

    public func validate() throws(DomainError) {
        for (field, value, range) in [
            ("loopBreakerFailures", loopBreakerFailures, 1...100), ("degradedWindow", degradedWindow, 1...1000),
            ("degradedFailures", degradedFailures, 1...1000), ("degradedConsecutive", degradedConsecutive, 1...1000),
            ("reprintsPerItem", reprintsPerItem, 0...100),
        ] where !range.contains(value) {
            throw .invalid(
                field: "guardrails.\(field)",
                reason: "between \(range.lowerBound) and \(range.upperBound), got \(value)")
        }
        guard degradedFailures <= degradedWindow else {
            throw .invalid(
                field: "guardrails.degradedFailures",
                reason: "at most degradedWindow (\(degradedWindow)), got \(degradedFailures)")
        }
        guard anomalyPauseConfidence.isFinite, (0...1).contains(anomalyPauseConfidence) else {
            throw .invalid(field: "guardrails.anomalyPauseConfidence", reason: "a confidence between 0 and 1, e.g. 0.8")
        }
    }
}

/// A guardrail that tripped: which rule, on what evidence, and what clears it.
public struct GuardTrip: Sendable, Equatable, Codable {
    public enum Rule: String, Sendable, Codable, CaseIterable {
        case loopBreaker, printerDegraded, retryCeiling, anomalyPause
    }

    public var rule: Rule
    public var evidence: String
    public var clears: String

    public var reason: ReasonCode {
        switch rule {
        case .loopBreaker: .guardLoopBreaker
        case .printerDegraded: .guardPrinterDegraded
        case .retryCeiling: .guardRetryCeiling
        case .anomalyPause: .guardAnomalyPause
        }
    }

    /// "loop breaker: … — cleared by …", for notes and logs.
    public var sentence: String { "\(rule.rawValue): \(evidence); \(clears)" }
}

/// The guardrails' checks. Pure: the caller passes the evidence.
public struct Guardrails: Sendable {
    public var settings: GuardrailSettings

    public init(settings: GuardrailSettings = .init()) { self.settings = settings }

    /// Trips when a plan revision has failed `loopBreakerFailures` times (the runs, oldest first).
    public func loopBreaker(revision: Int, failedRuns: [RunID]) -> GuardTrip? {
        guard failedRuns.count >= settings.loopBreakerFailures else { return nil }
        let runs = failedRuns.map { String($0.description.prefix(8)) }.joined(separator: ", ")
        return GuardTrip(
            rule: .loopBreaker,
            evidence:
                "revision \(revision) failed \(failedRuns.count) times (runs \(runs)), the limit is \(settings.loopBreakerFailures)",
            clears: "approve a changed revision or override the review; no automatic reprint until then")
    }

    /// Trips on a printer's recent run outcomes (oldest first, true = failed).
    public func degradation(recent outcomes: [Bool]) -> GuardTrip? {
        let window = outcomes.suffix(settings.degradedWindow)
        let failed = window.filter { $0 }.count
        let streak = outcomes.reversed().prefix { $0 }.count
        let clears = "an operator checks the printer and clears it (transition clearDegraded); no dispatch until then"
        if streak >= settings.degradedConsecutive {
            return GuardTrip(
                rule: .printerDegraded,
                evidence: "the last \(streak) runs failed in a row (limit \(settings.degradedConsecutive))",
                clears: clears)
        }
        if failed >= settings.degradedFailures {
            return GuardTrip(
                rule: .printerDegraded,
                evidence:
                    "\(failed) of the last \(window.count) runs failed (limit \(settings.degradedFailures) of \(settings.degradedWindow))",
                clears: clears)
        }
        return nil
    }

    /// Trips when a line item was already reprinted `reprintsPerItem` times.
    public func retryCeiling(reprints: Int) -> GuardTrip? {
        guard reprints >= settings.reprintsPerItem else { return nil }
        return GuardTrip(
            rule: .retryCeiling,
            evidence: "the item was reprinted \(reprints) times (limit \(settings.reprintsPerItem))",
            clears: "an operator reprints it by hand or changes the plan")
    }

    /// Trips when the connector reports an anomaly at least as confident as the setting.
    public func anomaly(kind: String, confidence: Double) -> GuardTrip? {
        guard confidence >= settings.anomalyPauseConfidence else { return nil }
        return GuardTrip(
            rule: .anomalyPause,
            evidence:
                "the printer reported \(kind) with confidence \(String(format: "%.2f", confidence)) (threshold \(String(format: "%.2f", settings.anomalyPauseConfidence)))",
            clears: "an operator looks at the print and resumes or cancels it")
    }
}
