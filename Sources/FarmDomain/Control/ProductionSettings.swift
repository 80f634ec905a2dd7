import Foundation

/// The farm's rules for its production loop, as one settings document (JSON): the policy at each gate, the
/// guardrails' limits, the risk thresholds and QA. Validated on load; a misspelt key is an error.
public struct ProductionSettings: Sendable, Equatable, Codable {
    public struct QA: Sendable, Equatable, Codable {
        /// Completed runs whose quality risk (the run's risk without its logistics factors) was LOW pass QA without
        /// a person looking.
        public var autoPassLowRisk: Bool

        enum CodingKeys: String, CodingKey, CaseIterable { case autoPassLowRisk }

        public init(autoPassLowRisk: Bool = false) { self.autoPassLowRisk = autoPassLowRisk }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            autoPassLowRisk =
                try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(Bool.self, forKey: .autoPassLowRisk)
                ?? false
        }
    }

    public struct Dispatch: Sendable, Equatable, Codable {
        /// A printer gets no new print until an operator marks its bed cleared after the last one ended (farms
        /// without automatic part removal).
        public var requireClearedBed: Bool

        enum CodingKeys: String, CodingKey, CaseIterable { case requireClearedBed }

        public init(requireClearedBed: Bool = false) { self.requireClearedBed = requireClearedBed }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            requireClearedBed =
                try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(Bool.self, forKey: .requireClearedBed)
                ?? false
        }
    }

    public var policy: Policy
    public var guardrails: GuardrailSettings
    public var risk: RiskAssessor.Thresholds
    public var qa: QA
    public var dispatch: Dispatch
    public var scheduling: SchedulingSettings
    public var plates: PlateSettings
    public var materials: MaterialSettings

    enum CodingKeys: String, CodingKey, CaseIterable {
        case policy, guardrails, risk, qa, dispatch, scheduling, plates, materials
    }

    public init(
        policy: Policy = Self.standardPolicy, guardrails: GuardrailSettings = .init(),
        risk: RiskAssessor.Thresholds = .init(), qa: QA = .init(),
        dispatch: Dispatch = .init(), scheduling: SchedulingSettings = .init(), plates: PlateSettings = .init(),
        materials: MaterialSettings = .init()
    ) {
        self.materials = materials
        self.plates = plates
        self.scheduling = scheduling
        self.policy = policy
        self.guardrails = guardrails
        self.risk = risk
        self.qa = qa
        self.dispatch = dispatch
    }

    /// Missing sections take the standard values, so a farm writes down only what it changes.
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        policy = try container.decodeIfPresent(Policy.self, forKey: .policy) ?? Self.standardPolicy
        guardrails = try container.decodeIfPresent(GuardrailSettings.self, forKey: .guardrails) ?? .init()
        risk = try container.decodeIfPresent(RiskAssessor.Thresholds.self, forKey: .risk) ?? .init()
        qa = try container.decodeIfPresent(QA.self, forKey: .qa) ?? .init()
        dispatch = try container.decodeIfPresent(Dispatch.self, forKey: .dispatch) ?? .init()
        scheduling = try container.decodeIfPresent(SchedulingSettings.self, forKey: .scheduling) ?? .init()
        plates = try container.decodeIfPresent(PlateSettings.self, forKey: .plates) ?? .init()
        materials = try container.decodeIfPresent(MaterialSettings.self, forKey: .materials) ?? .init()
    }

    public func validate() throws(DomainError) {
        try policy.validate()
        try guardrails.validate()
        try scheduling.validate()
        try plates.validate()
        try materials.validate()
        guard risk.medium > 0, risk.high > risk.medium else {
            throw .invalid(field: "risk", reason: "0 < medium < high, got medium \(risk.medium), high \(risk.high)")
        }
    }

    /// The rules a farm starts with; docs/production.md explains each.
    public static let standardPolicy = Policy(gates: [
        .acceptIntent: [
            // A shop order is made once it is paid (issue 18); orders typed in or uploaded carry no payment state.
            PolicyRule(
                name: "shop order not paid", when: .init(payment: [.pending], source: [.shopify, .woocommerce, .etsy]),
                then: .block(
                    reason: "the shop has not reported payment yet; it goes ahead by itself once the order is paid",
                    ask: .operator)),
            PolicyRule(
                name: "preflight failed", when: .init(preflight: [.fail]),
                then: .block(
                    reason: "the model failed preflight; ask the customer for a corrected file", ask: .operator)),
            PolicyRule(
                name: "due date cannot be met", when: .init(late: true),
                then: .block(
                    reason: "the due date cannot be met with the work queued; agree a new date with the customer",
                    ask: .owner)),
            PolicyRule(
                name: "passed preflight at low risk", when: .init(risk: [.low], preflight: [.pass]), then: .autoAdvance),
        ],
        .approvePlan: [
            PolicyRule(name: "high-risk part", when: .init(risk: [.high]), then: .requireApproval(.operator)),
            PolicyRule(name: "otherwise", then: .autoAdvance),
        ],
        .slice: [PolicyRule(name: "always", then: .autoAdvance)],
        .dispatch: [
            PolicyRule(
                name: "printer degraded", when: .init(printer: [.degraded]),
                then: .block(
                    reason:
                        "the printer is degraded; clear it after checking the machine, or the run waits for another printer",
                    ask: .operator)),
            PolicyRule(
                name: "printer desynced", when: .init(printer: [.desynced]),
                then: .block(
                    reason: "the printer's state is uncertain; resync it after checking the machine", ask: .operator)),
            PolicyRule(name: "otherwise", then: .autoAdvance),
        ],
        .reprint: [
            PolicyRule(name: "high-risk part", when: .init(risk: [.high]), then: .requireApproval(.operator)),
            PolicyRule(name: "otherwise", then: .autoAdvance),
        ],
    ])

    /// Reads and validates a settings document.
    public static func load(_ data: Data) throws(DomainError) -> ProductionSettings {
        let settings: ProductionSettings
        do {
            settings = try JSONDecoder().decode(ProductionSettings.self, from: data)
        } catch let error as DecodingError {
            throw .invalid(field: Self.path(of: error), reason: Self.describe(error))
        } catch {
            throw .invalid(field: "settings", reason: "not a JSON settings document: \(error)")
        }
        try settings.validate()
        return settings
    }

    static func path(of error: DecodingError) -> String {
        let path: [any CodingKey]
        switch error {
        case .dataCorrupted(let context), .typeMismatch(_, let context), .valueNotFound(_, let context):
            path = context.codingPath
        case .keyNotFound(let key, let context): path = context.codingPath + [key]
        @unknown default: path = []
        }
        let text = path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return text.isEmpty ? "settings" : String(text.drop { $0 == "." })
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .dataCorrupted(let context): context.debugDescription
        case .keyNotFound(let key, _): "missing; add \"\(key.stringValue)\""
        case .typeMismatch(let type, _): "expected \(type)"
        case .valueNotFound(let type, _): "expected \(type), found null"
        @unknown default: "\(error)"
        }
    }
}
