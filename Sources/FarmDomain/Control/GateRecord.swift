import Foundation

/// A gate's decision as stored on its subject (an intent, or a plan and its revision): what the policy decided,
/// by which rule, why, on what risk — or an operator's override of it.
public struct GateRecord: Codable, Sendable, Equatable {
    public var gate: Gate
    public var outcome: GateOutcome
    /// The rule's name, `default`, or `override` for an operator's decision.
    public var rule: String
    public var explanation: String
    public var risk: RiskAssessment?
    /// The plan revision the decision is about (plan gates only).
    public var revision: Int?
    /// An operator decided instead of the policy.
    public var overridden: Bool
    public var at: Date

    public init(
        gate: Gate, outcome: GateOutcome, rule: String, explanation: String, risk: RiskAssessment? = nil,
        revision: Int? = nil,
        overridden: Bool = false, at: Date
    ) {
        self.gate = gate
        self.outcome = outcome
        self.rule = rule
        self.explanation = explanation
        self.risk = risk
        self.revision = revision
        self.overridden = overridden
        self.at = at
    }

    public init(_ decision: PolicyDecision, risk: RiskAssessment?, revision: Int? = nil, at: Date) {
        self.init(
            gate: decision.gate, outcome: decision.outcome, rule: decision.rule, explanation: decision.explanation,
            risk: risk, revision: revision, at: at)
    }

    /// The same decision for the same reasons: recording it again would add nothing.
    func repeats(_ other: GateRecord) -> Bool {
        gate == other.gate && revision == other.revision && outcome == other.outcome && rule == other.rule
            && overridden == other.overridden && risk?.level == other.risk?.level
    }

    func validate() throws(DomainError) {
        guard explanation.count <= 2000, rule.count <= 80 else {
            throw .invalid(field: "decision", reason: "rule at most 80 and explanation at most 2000 characters")
        }
    }
}

extension [GateRecord] {
    /// The latest decision at `gate` (for `revision`, on plans).
    public func latest(_ gate: Gate, revision: Int? = nil) -> GateRecord? {
        last { $0.gate == gate && $0.revision == revision }
    }

    /// Keeps one record per gate and revision: the newest.
    mutating func record(_ record: GateRecord) {
        removeAll { $0.gate == record.gate && $0.revision == record.revision }
        append(record)
    }
}
