import Foundation

public struct IntentReceived: Codable, Sendable, Equatable {
    public var intentID: IntentID
    public var draft: IntentDraft
    public var receivedAt: Date
}

public struct IntentPreflighted: Codable, Sendable, Equatable {
    public var outcome: PreflightOutcome
    public var findings: [String]
    /// Per line item verdicts with codes; absent in events recorded before intake existed.
    public var lineItems: [LineItemPreflight]?

    public init(outcome: PreflightOutcome, findings: [String], lineItems: [LineItemPreflight]? = nil) {
        self.outcome = outcome
        self.findings = findings
        self.lineItems = lineItems
    }
}

/// A status change that needs nothing but the new status and why (accepted, shipped, cancelled, …).
public struct IntentStatusChanged: Codable, Sendable, Equatable {
    public var note: String?
    public var at: Date
}

/// Shipped, with how (absent in events recorded before shipments were).
public struct IntentShipped: Codable, Sendable, Equatable {
    public var note: String?
    public var at: Date
    public var shipment: Shipment?

    public init(note: String?, at: Date, shipment: Shipment?) {
        self.note = note
        self.at = at
        self.shipment = shipment
    }
}

public struct IntentReviewRequested: Codable, Sendable, Equatable {
    public var reasons: [String]
    public var at: Date
}

public struct IntentAmended: Codable, Sendable, Equatable {
    public var dueDate: Date?
    public var paymentStatus: PaymentStatus?
    public var note: String?
    public var at: Date
}

public struct IntentQuoted: Codable, Sendable, Equatable {
    public var lineItemID: LineItemID
    public var quote: Quote
    public var at: Date

    public init(lineItemID: LineItemID, quote: Quote, at: Date) {
        self.lineItemID = lineItemID
        self.quote = quote
        self.at = at
    }
}

public enum IntentEvent: DomainEvent {
    case received(IntentReceived)
    case preflighted(IntentPreflighted)
    case accepted(IntentStatusChanged)
    case reviewRequested(IntentReviewRequested)
    case rejected(IntentStatusChanged)
    case productionStarted(IntentStatusChanged)
    case readyToShip(IntentStatusChanged)
    case shipped(IntentShipped)
    case closed(IntentStatusChanged)
    case cancelled(IntentStatusChanged)
    case amended(IntentAmended)
    case quoted(IntentQuoted)
    case gateDecided(GateRecord)

    public static let aggregate = "intent"

    public static let codec = EventCodec<IntentEvent>(
        aggregate: aggregate,
        [
            .payload("received", IntentReceived.self, IntentEvent.received),
            .payload("preflighted", IntentPreflighted.self, IntentEvent.preflighted),
            .payload("accepted", IntentStatusChanged.self, IntentEvent.accepted),
            .payload("reviewRequested", IntentReviewRequested.self, IntentEvent.reviewRequested),
            .payload("rejected", IntentStatusChanged.self, IntentEvent.rejected),
            .payload("productionStarted", IntentStatusChanged.self, IntentEvent.productionStarted),
            .payload("readyToShip", IntentStatusChanged.self, IntentEvent.readyToShip),
            .payload("shipped", IntentShipped.self, IntentEvent.shipped),
            .payload("closed", IntentStatusChanged.self, IntentEvent.closed),
            .payload("cancelled", IntentStatusChanged.self, IntentEvent.cancelled),
            .payload("amended", IntentAmended.self, IntentEvent.amended),
            .payload("quoted", IntentQuoted.self, IntentEvent.quoted),
            .payload("gateDecided", GateRecord.self, IntentEvent.gateDecided),
        ])

    public var parts: (name: String, payload: any Encodable) {
        switch self {
        case .received(let p): ("received", p)
        case .preflighted(let p): ("preflighted", p)
        case .accepted(let p): ("accepted", p)
        case .reviewRequested(let p): ("reviewRequested", p)
        case .rejected(let p): ("rejected", p)
        case .productionStarted(let p): ("productionStarted", p)
        case .readyToShip(let p): ("readyToShip", p)
        case .shipped(let p): ("shipped", p)
        case .closed(let p): ("closed", p)
        case .cancelled(let p): ("cancelled", p)
        case .amended(let p): ("amended", p)
        case .quoted(let p): ("quoted", p)
        case .gateDecided(let p): ("gateDecided", p)
        }
    }
}
