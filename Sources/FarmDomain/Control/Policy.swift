import Foundation

/// A point in the production loop where the farm decides whether work may go on by itself.
public enum Gate: String, Codable, Sendable, CaseIterable {
    case acceptIntent, approvePlan, slice, dispatch, reprint
}

/// What a gate decided: go on, wait for someone with a role, or stop with a reason (and whom to ask).
public enum GateOutcome: Sendable, Equatable, Codable {
    case autoAdvance
    case requireApproval(Role)
    case block(reason: String, ask: Role)

    public var name: String {
        switch self {
        case .autoAdvance: "autoAdvance"
        case .requireApproval: "requireApproval"
        case .block: "block"
        }
    }

    private enum CodingKeys: String, CodingKey { case decide, role, reason }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .decide) {
        case "autoAdvance": self = .autoAdvance
        case "requireApproval": self = .requireApproval(try container.decode(Role.self, forKey: .role))
        case "block":
            self = .block(
                reason: try container.decode(String.self, forKey: .reason),
                ask: try container.decode(Role.self, forKey: .role))
        case let other:
            throw DecodingError.dataCorruptedError(
                forKey: .decide, in: container,
                debugDescription: "'\(other.prefix(40))' is not a decision; use autoAdvance, requireApproval or block")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .decide)
        switch self {
        case .autoAdvance: break
        case .requireApproval(let role): try container.encode(role, forKey: .role)
        case .block(let reason, let ask):
            try container.encode(reason, forKey: .reason)
            try container.encode(ask, forKey: .role)
        }
    }
}

/// A printer's condition as a dispatch rule sees it.
public enum PrinterCondition: String, Codable, Sendable, CaseIterable {
    case degraded, desynced, maintenance, offline
}

/// The facts a gate decides on. A fact the caller does not know is nil, and a condition on it does not hold.
public struct GateFacts: Sendable, Equatable {
    public var risk: RiskLevel?
    public var preflight: PreflightOutcome?
    public var printer: Set<PrinterCondition>?
    /// The due date cannot be met with the work left.
    public var late: Bool?
    public var firstRunOfRevision: Bool?
    public var revision: Int?
    public var payment: PaymentStatus?
    /// The run this one makes up for was cancelled (by an operator, or on the printer).
    public var afterCancel: Bool?
    /// Where the order came from (a shop, an upload, the API).
    public var source: IntentSource?

    public init(
        risk: RiskLevel? = nil, preflight: PreflightOutcome? = nil, printer: Set<PrinterCondition>? = nil,
        late: Bool? = nil,
        firstRunOfRevision: Bool? = nil, revision: Int? = nil, payment: PaymentStatus? = nil, afterCancel: Bool? = nil,
        source: IntentSource? = nil
    ) {
        self.source = source
        self.afterCancel = afterCancel
        self.risk = risk
        self.preflight = preflight
        self.printer = printer
        self.late = late
        self.firstRunOfRevision = firstRunOfRevision
        self.revision = revision
        self.payment = payment
    }
}

/// Conditions of a rule; all that are given must hold. Lists mean "any of".
public struct RuleConditions: Sendable, Equatable, Codable {
    public var risk: [RiskLevel]?
    public var preflight: [PreflightOutcome]?
    public var printer: [PrinterCondition]?
    public var late: Bool?
    public var firstRunOfRevision: Bool?
    public var revisionAtLeast: Int?
    public var payment: [PaymentStatus]?
    public var afterCancel: Bool?
    public var source: [IntentSource]?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case risk, preflight, printer, late, firstRunOfRevision, revisionAtLeast, payment, afterCancel, source
    }

    public init(
        risk: [RiskLevel]? = nil, preflight: [PreflightOutcome]? = nil, printer: [PrinterCondition]? = nil,
        late: Bool? = nil,
        firstRunOfRevision: Bool? = nil, revisionAtLeast: Int? = nil, payment: [PaymentStatus]? = nil,
        afterCancel: Bool? = nil, source: [IntentSource]? = nil
    ) {
        self.source = source
        self.afterCancel = afterCancel
        self.risk = risk
        self.preflight = preflight
        self.printer = printer
        self.late = late
        self.firstRunOfRevision = firstRunOfRevision
        self.revisionAtLeast = revisionAtLeast
        self.payment = payment
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        risk = try container.decodeIfPresent([RiskLevel].self, forKey: .risk)
        preflight = try container.decodeIfPresent([PreflightOutcome].self, forKey: .preflight)
        printer = try container.decodeIfPresent([PrinterCondition].self, forKey: .printer)
        late = try container.decodeIfPresent(Bool.self, forKey: .late)
        firstRunOfRevision = try container.decodeIfPresent(Bool.self, forKey: .firstRunOfRevision)
        revisionAtLeast = try container.decodeIfPresent(Int.self, forKey: .revisionAtLeast)
        payment = try container.decodeIfPresent([PaymentStatus].self, forKey: .payment)
        afterCancel = try container.decodeIfPresent(Bool.self, forKey: .afterCancel)
        source = try container.decodeIfPresent([IntentSource].self, forKey: .source)
    }

    /// The conditions that hold, in words ("risk HIGH", "printer degraded"); nil when one does not hold.
    func matched(by facts: GateFacts) -> [String]? {
        var words: [String] = []
        if let risk {
            guard let level = facts.risk, risk.contains(level) else { return nil }
            words.append("risk \(level.rawValue)")
        }
        if let preflight {
            guard let outcome = facts.preflight, preflight.contains(outcome) else { return nil }
            words.append("preflight \(outcome.rawValue)")
        }
        if let printer {
            guard let conditions = facts.printer, let hit = printer.first(where: conditions.contains) else {
                return nil
            }
            words.append("printer \(hit.rawValue)")
        }
        if let late {
            guard facts.late == late else { return nil }
            words.append(late ? "the due date cannot be met" : "the due date can be met")
        }
        if let firstRunOfRevision {
            guard facts.firstRunOfRevision == firstRunOfRevision else { return nil }
            words.append(firstRunOfRevision ? "first run of the revision" : "the revision has run before")
        }
        if let revisionAtLeast {
            guard let revision = facts.revision, revision >= revisionAtLeast else { return nil }
            words.append("revision \(revision)")
        }
        if let payment {
            guard let status = facts.payment, payment.contains(status) else { return nil }
            words.append("payment \(status.rawValue)")
        }
        if let afterCancel {
            guard (facts.afterCancel ?? false) == afterCancel else { return nil }
            words.append(afterCancel ? "the last run was cancelled" : "the last run was not cancelled")
        }
        if let source {
            guard let origin = facts.source, source.contains(origin) else { return nil }
            words.append("the order came from \(origin.rawValue)")
        }
        return words
    }
}

public struct PolicyRule: Sendable, Equatable, Codable {
    /// Short and unique within its gate: it is what decisions name.
    public var name: String
    public var when: RuleConditions
    public var then: GateOutcome

    enum CodingKeys: String, CodingKey, CaseIterable { case name, when, then }

    public init(name: String, when: RuleConditions = .init(), then: GateOutcome) {
        self.name = name
        self.when = when
        self.then = then
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        when = try container.decodeIfPresent(RuleConditions.self, forKey: .when) ?? .init()
        then = try container.decode(GateOutcome.self, forKey: .then)
    }
}

/// A gate's decision with the rule that made it and why, as stored in the decision's event.
public struct PolicyDecision: Sendable, Equatable, Codable {
    public var gate: Gate
    public var outcome: GateOutcome
    /// The rule's name, or `default` when none matched.
    public var rule: String
    public var explanation: String
}

/// The farm's rules at each gate: the first rule whose conditions all hold decides; when none does, an operator
/// is asked — a gate never advances by itself unless a rule says so.
public struct Policy: Sendable, Equatable, Codable {
    public var gates: [Gate: [PolicyRule]]

    public init(gates: [Gate: [PolicyRule]]) { self.gates = gates }

    public func decide(_ gate: Gate, _ facts: GateFacts) -> PolicyDecision {
        for rule in gates[gate] ?? [] {
            guard let words = rule.when.matched(by: facts) else { continue }
            let because = words.isEmpty ? "" : " because \(words.joined(separator: " and "))"
            return PolicyDecision(
                gate: gate, outcome: rule.then, rule: rule.name,
                explanation: "\(gate.rawValue): rule “\(rule.name)”\(because) → \(Self.describe(rule.then))")
        }
        let outcome = GateOutcome.requireApproval(.operator)
        return PolicyDecision(
            gate: gate, outcome: outcome, rule: "default",
            explanation: "\(gate.rawValue): no rule matched → \(Self.describe(outcome))")
    }

    static func describe(_ outcome: GateOutcome) -> String {
        switch outcome {
        case .autoAdvance: "goes ahead"
        case .requireApproval(let role): "waits for approval by an \(role.rawValue)"
        case .block(let reason, let ask): "blocked: \(reason) (ask an \(ask.rawValue))"
        }
    }

    /// Rule names must be unique within a gate and non-empty, so decisions name one rule.
    public func validate() throws(DomainError) {
        for (gate, rules) in gates {
            var seen: Set<String> = []
            for (index, rule) in rules.enumerated() {
                let name = rule.name.trimmingCharacters(in: .whitespaces)
                guard !name.isEmpty, name.count <= 80 else {
                    throw .invalid(
                        field: "policy.gates.\(gate.rawValue)[\(index)].name",
                        reason: "name the rule (1 to 80 characters)")
                }
                guard seen.insert(name).inserted else {
                    throw .invalid(
                        field: "policy.gates.\(gate.rawValue)[\(index)].name",
                        reason: "“\(name)” is used twice in this gate")
                }
                if case .block(let reason, _) = rule.then, reason.trimmingCharacters(in: .whitespaces).isEmpty {
                    throw .invalid(
                        field: "policy.gates.\(gate.rawValue)[\(index)].then.reason",
                        reason: "say why the gate blocks and what to do")
                }
            }
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: SettingKey.self)
        var gates: [Gate: [PolicyRule]] = [:]
        for key in container.allKeys {
            guard let gate = Gate(rawValue: key.stringValue) else {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: container,
                    debugDescription:
                        "'\(key.stringValue.prefix(40))' is not a gate; use \(Gate.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            gates[gate] = try container.decode([PolicyRule].self, forKey: key)
        }
        self.gates = gates
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: SettingKey.self)
        for gate in Gate.allCases {
            if let rules = gates[gate] { try container.encode(rules, forKey: SettingKey(stringValue: gate.rawValue)) }
        }
    }
}
