import Foundation

public enum IntentCommand: Sendable, Equatable {
    case receive(IntentID, IntentDraft)
    /// A failed verdict also asks for review, with the findings as reasons.
    case recordPreflight(PreflightOutcome, findings: [String], lineItems: [LineItemPreflight] = [])
    case accept
    case requestReview(reasons: [String])
    case reject
    case startProduction
    case markReadyToShip
    /// With the carrier and tracking number when there are any; the shop the order came from is told.
    case ship(Shipment? = nil)
    case close
    case cancel
    case amend(dueDate: Date?, paymentStatus: PaymentStatus?)
    /// A price for a line item (an operator's, or an estimate from its slice); the latest one stands.
    case recordQuote(LineItemID, Quote)
    /// A gate's decision (or an operator's override) about this intent; nothing is recorded when it repeats the last.
    case recordDecision(GateRecord)

    public var name: String {
        switch self {
        case .receive: "receive"
        case .recordPreflight: "record preflight of"
        case .accept: "accept"
        case .requestReview: "request review of"
        case .reject: "reject"
        case .startProduction: "start production of"
        case .markReadyToShip: "mark ready to ship"
        case .ship: "ship"
        case .close: "close"
        case .cancel: "cancel"
        case .amend: "amend"
        case .recordQuote: "quote"
        case .recordDecision: "record a gate decision on"
        }
    }
}

public enum IntentState: Sendable, Equatable {
    case none
    case exists(Intent)

    public var intent: Intent? {
        if case .exists(let intent) = self { intent } else { nil }
    }
}

/// Intent lifecycle: received → preflighted → accepted | needsReview | rejected → inProduction → readyToShip
/// → shipped → closed, or cancelled before shipping.
public enum IntentDecider: Decider {
    public static let initialState = IntentState.none

    /// The statuses each status-changing command may start from.
    static let transitions: [IntentStatus: Set<IntentStatus>] = [
        .accepted: [.received, .preflighted, .needsReview],
        .needsReview: [.received, .preflighted, .accepted],
        .rejected: [.received, .preflighted, .needsReview],
        .inProduction: [.accepted],
        .readyToShip: [.inProduction],
        .shipped: [.readyToShip],
        .closed: [.shipped],
        .cancelled: [.received, .preflighted, .needsReview, .accepted, .inProduction],
    ]

    public static func decide(_ command: IntentCommand, state: IntentState, context: CommandContext) throws(DomainError)
        -> [IntentEvent]
    {
        guard case .exists(let intent) = state else {
            guard case .receive(let id, let draft) = command else {
                throw .notFound(aggregate: "intent", command: command.name)
            }
            try draft.validate()
            return [.received(IntentReceived(intentID: id, draft: draft, receivedAt: context.time))]
        }
        let change = IntentStatusChanged(note: context.note, at: context.time)
        switch command {
        case .receive(let id, let draft):
            guard id == intent.id, draft.lineItems == intent.lineItems, draft.source == intent.source,
                draft.externalReference == intent.externalReference
            else { throw .alreadyExists(aggregate: "intent") }
            return []
        case .recordPreflight(let outcome, let findings, let items):
            guard [.received, .preflighted, .needsReview].contains(intent.status) else {
                throw .illegalTransition(aggregate: "intent", command: command.name, state: intent.status.rawValue)
            }
            let settled = outcome == .fail ? IntentStatus.needsReview : .preflighted
            if intent.status == settled, intent.preflight == outcome, intent.lineItemPreflights ?? [] == items {
                return []
            }
            let recorded = IntentEvent.preflighted(
                IntentPreflighted(outcome: outcome, findings: findings, lineItems: items.isEmpty ? nil : items))
            guard outcome == .fail else { return [recorded] }
            return [recorded, .reviewRequested(IntentReviewRequested(reasons: findings, at: context.time))]
        case .requestReview(let reasons):
            return try move(intent, to: .needsReview, command) {
                .reviewRequested(IntentReviewRequested(reasons: reasons, at: context.time))
            }
        case .accept: return try move(intent, to: .accepted, command) { .accepted(change) }
        case .reject: return try move(intent, to: .rejected, command) { .rejected(change) }
        case .startProduction: return try move(intent, to: .inProduction, command) { .productionStarted(change) }
        case .markReadyToShip: return try move(intent, to: .readyToShip, command) { .readyToShip(change) }
        case .ship(let shipment):
            try shipment?.validate()
            return try move(intent, to: .shipped, command) {
                .shipped(IntentShipped(note: context.note, at: context.time, shipment: shipment))
            }
        case .close: return try move(intent, to: .closed, command) { .closed(change) }
        case .cancel: return try move(intent, to: .cancelled, command) { .cancelled(change) }
        case .recordQuote(let item, let quote):
            guard ![.closed, .cancelled, .rejected].contains(intent.status) else {
                throw .illegalTransition(aggregate: "intent", command: command.name, state: intent.status.rawValue)
            }
            guard intent.lineItems.contains(where: { $0.id == item }) else {
                throw .invalid(field: "lineItemID", reason: "the intent has no line item \(item)")
            }
            if let currency = intent.currency, quote.currency != currency {
                throw .invalid(
                    field: "currency",
                    reason: "the order is in \(currency); a quote in \(quote.currency) cannot stand for it")
            }
            if intent.quotes?.first(where: { $0.lineItemID == item })?.quote == quote { return [] }
            return [.quoted(IntentQuoted(lineItemID: item, quote: quote, at: context.time))]
        case .recordDecision(let record):
            guard record.gate == .acceptIntent, record.revision == nil else {
                throw .invalid(
                    field: "gate",
                    reason:
                        "an intent has one gate, acceptIntent; \(record.gate.rawValue) decisions belong to its plans")
            }
            try record.validate()
            if let last = intent.decisions?.latest(record.gate), last.repeats(record) { return [] }
            return [.gateDecided(record)]
        case .amend(let dueDate, let paymentStatus):
            guard ![.closed, .cancelled, .rejected].contains(intent.status) else {
                throw .illegalTransition(aggregate: "intent", command: command.name, state: intent.status.rawValue)
            }
            let newDue = dueDate.flatMap { $0 == intent.dueDate ? nil : $0 }
            let newPayment = paymentStatus.flatMap { $0 == intent.paymentStatus ? nil : $0 }
            if newDue == nil, newPayment == nil, context.note == nil { return [] }
            return [
                .amended(
                    IntentAmended(dueDate: newDue, paymentStatus: newPayment, note: context.note, at: context.time))
            ]
        }
    }

    private static func move(
        _ intent: Intent, to target: IntentStatus, _ command: IntentCommand, _ event: () -> IntentEvent
    ) throws(DomainError) -> [IntentEvent] {
        if intent.status == target { return [] }
        guard transitions[target, default: []].contains(intent.status) else {
            throw .illegalTransition(aggregate: "intent", command: command.name, state: intent.status.rawValue)
        }
        return [event()]
    }

    public static func evolve(_ state: IntentState, _ event: IntentEvent) -> IntentState {
        if case .received(let e) = event {
            let d = e.draft
            return .exists(
                Intent(
                    id: e.intentID, source: d.source, externalReference: d.externalReference, customer: d.customer,
                    lineItems: d.lineItems, dueDate: d.dueDate, paymentStatus: d.paymentStatus, currency: d.currency,
                    constraints: d.constraints,
                    status: .received, preflight: nil, lineItemPreflights: nil, quotes: nil, statusReasons: [],
                    notes: d.notes ?? [], receivedAt: e.receivedAt,
                    updatedAt: e.receivedAt))
        }
        guard case .exists(var intent) = state else { return state }
        func apply(_ status: IntentStatus, _ change: IntentStatusChanged) {
            intent.status = status
            intent.updatedAt = change.at
            if let note = change.note { intent.notes.append(note) }
        }
        switch event {
        case .received: break
        case .preflighted(let e):
            intent.status = .preflighted
            intent.preflight = e.outcome
            intent.lineItemPreflights = e.lineItems
            intent.statusReasons = e.findings
        case .reviewRequested(let e):
            intent.status = .needsReview
            intent.statusReasons = e.reasons
            intent.updatedAt = e.at
        case .accepted(let c): apply(.accepted, c)
        case .rejected(let c): apply(.rejected, c)
        case .productionStarted(let c): apply(.inProduction, c)
        case .readyToShip(let c): apply(.readyToShip, c)
        case .shipped(let e):
            apply(.shipped, IntentStatusChanged(note: e.note, at: e.at))
            intent.shipment = e.shipment
        case .closed(let c): apply(.closed, c)
        case .cancelled(let c): apply(.cancelled, c)
        case .quoted(let e):
            var quotes = intent.quotes ?? []
            quotes.removeAll { $0.lineItemID == e.lineItemID }
            quotes.append(LineItemQuote(lineItemID: e.lineItemID, quote: e.quote, at: e.at))
            intent.quotes = quotes
            intent.updatedAt = e.at
        case .gateDecided(let record):
            var decisions = intent.decisions ?? []
            decisions.record(record)
            intent.decisions = decisions
            intent.updatedAt = record.at
        case .amended(let e):
            if let due = e.dueDate { intent.dueDate = due }
            if let payment = e.paymentStatus { intent.paymentStatus = payment }
            if let note = e.note { intent.notes.append(note) }
            intent.updatedAt = e.at
        }
        return .exists(intent)
    }
}
