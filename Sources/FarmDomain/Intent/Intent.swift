import Foundation

/// The customer promise: what was ordered, by when, from where. Append-only: amendments are new events.
public struct Intent: Sendable, Equatable, Codable {
    public var id: IntentID
    public var source: IntentSource
    public var externalReference: String?
    public var customer: String?
    public var lineItems: [LineItem]
    public var dueDate: Date?
    public var paymentStatus: PaymentStatus
    /// The ISO 4217 code the customer pays in; quotes are in it. Nil: the farm's own currency.
    public var currency: String?
    public var constraints: [String]
    public var status: IntentStatus
    public var preflight: PreflightOutcome?
    /// The verdict per line item from the latest preflight.
    public var lineItemPreflights: [LineItemPreflight]?
    /// The latest quote per line item.
    public var quotes: [LineItemQuote]?
    public var statusReasons: [String]
    public var notes: [String]
    /// The latest decision at each of its gates (accept), with the risk it was taken on.
    public var decisions: [GateRecord]?
    /// How it left the farm, once shipped.
    public var shipment: Shipment?
    public var receivedAt: Date
    public var updatedAt: Date
}

public enum IntentStatus: String, Codable, Sendable, CaseIterable {
    case received, preflighted, accepted, needsReview, rejected, inProduction, readyToShip, shipped, closed, cancelled
}

public enum IntentSource: String, Codable, Sendable, CaseIterable {
    case upload, shopify, woocommerce, etsy, api
}

public enum PaymentStatus: String, Codable, Sendable, CaseIterable {
    case pending, paid, refunded, notRequired
}

public enum PreflightOutcome: String, Codable, Sendable, CaseIterable {
    case pass, warn, fail
}

/// One thing to make: a model, how many, in what.
public struct LineItem: Sendable, Equatable, Codable {
    public var id: LineItemID
    /// The model artifact (its SHA-256), once intake has stored it.
    public var modelArtifact: String?
    public var quantity: Int
    public var material: String
    public var colour: String?
    public var finish: String?

    public init(
        id: LineItemID, modelArtifact: String? = nil, quantity: Int, material: String, colour: String? = nil,
        finish: String? = nil
    ) {
        self.id = id
        self.modelArtifact = modelArtifact
        self.quantity = quantity
        self.material = material
        self.colour = colour
        self.finish = finish
    }
}

/// What an Intent is made from when it is received.
public struct IntentDraft: Sendable, Equatable, Codable {
    public var source: IntentSource
    public var externalReference: String?
    public var customer: String?
    public var lineItems: [LineItem]
    public var dueDate: Date?
    public var paymentStatus: PaymentStatus
    public var currency: String?
    public var constraints: [String]
    /// What travels with the order for the people making it (a shop's personalisation); absent in older events.
    public var notes: [String]?

    public init(
        source: IntentSource, externalReference: String? = nil, customer: String? = nil, lineItems: [LineItem],
        dueDate: Date? = nil, paymentStatus: PaymentStatus = .pending, currency: String? = nil,
        constraints: [String] = [], notes: [String]? = nil
    ) {
        self.notes = notes
        self.source = source
        self.externalReference = externalReference
        self.customer = customer
        self.lineItems = lineItems
        self.dueDate = dueDate
        self.paymentStatus = paymentStatus
        self.currency = currency
        self.constraints = constraints
    }

    func validate() throws(DomainError) {
        guard !lineItems.isEmpty else {
            throw .invalid(field: "lineItems", reason: "an intent needs at least one line item")
        }
        guard lineItems.count <= 500 else {
            throw .invalid(field: "lineItems", reason: "at most 500 line items per intent")
        }
        guard Set(lineItems.map(\.id)).count == lineItems.count else {
            throw .invalid(field: "lineItems", reason: "line item ids must be unique")
        }
        for (index, item) in lineItems.enumerated() {
            guard (1...100_000).contains(item.quantity) else {
                throw .invalid(
                    field: "lineItems[\(index)].quantity", reason: "must be between 1 and 100000, got \(item.quantity)")
            }
            guard !item.material.isBlank, item.material.count <= 100 else {
                throw .invalid(
                    field: "lineItems[\(index)].material", reason: "name the material, for example PLA or PETG")
            }
        }
        if let currency, !Quote.isCurrencyCode(currency) {
            throw .invalid(
                field: "currency",
                reason: "a three-letter ISO 4217 code in capitals such as EUR or USD, got \(currency.prefix(20))")
        }
        if let reference = externalReference, reference.count > 200 {
            throw .invalid(field: "externalReference", reason: "at most 200 characters")
        }
        if let notes, notes.count > 200 || notes.contains(where: { $0.count > 2000 }) {
            throw .invalid(field: "notes", reason: "at most 200 notes of at most 2000 characters each")
        }
    }
}

public struct LineItemQuote: Sendable, Equatable, Codable {
    public var lineItemID: LineItemID
    public var quote: Quote
    public var at: Date
}
