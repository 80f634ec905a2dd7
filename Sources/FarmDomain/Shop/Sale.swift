import Foundation

/// One order on one shop connection, as the farm took it: the shop's latest state of it (updates apply in the order
/// the shop made them, by its timestamps), whether it waits for a catalog mapping, and the intent that serves it.
/// Its id derives from (connection, the shop's order id), so redelivery, polling and retries all land here.
public struct Sale: Sendable, Equatable, Codable {
    public var id: SaleID
    public var connectionID: ShopConnectionID
    public var order: ShopOrder
    public var status: SaleStatus
    /// Why it waits (held), in sentences a person can act on.
    public var reasons: [String]
    public var intentID: IntentID?
    /// Telling the shop it shipped, once its intent has.
    public var fulfilment: SaleFulfilment?
    public var receivedAt: Date
    public var updatedAt: Date

    public init(
        id: SaleID, connectionID: ShopConnectionID, order: ShopOrder, status: SaleStatus, reasons: [String],
        intentID: IntentID?, fulfilment: SaleFulfilment? = nil, receivedAt: Date, updatedAt: Date
    ) {
        self.fulfilment = fulfilment
        self.id = id
        self.connectionID = connectionID
        self.order = order
        self.status = status
        self.reasons = reasons
        self.intentID = intentID
        self.receivedAt = receivedAt
        self.updatedAt = updatedAt
    }
}

public enum SaleStatus: String, Sendable, Codable, CaseIterable {
    /// Taken, not yet mapped.
    case received
    /// Waiting for a person (a SKU not in the catalog, a quantity that cannot be right, nothing printable).
    case held
    /// Every line mapped: an intent serves it.
    case released
    /// The shop cancelled or refunded it.
    case cancelled
}

public enum SaleCommand: Sendable, Equatable {
    /// The shop's state of the order, delivered or polled; older than what is known, it changes nothing.
    case take(SaleID, ShopConnectionID, ShopOrder)
    case hold(reasons: [String])
    case release(IntentID)
    case cancel
    /// Its intent shipped: the shop is to be told.
    case requestFulfilment(Shipment?)
    /// A try failed with the shop's words; `persistent` when another try will not fix it (refused, not unreachable).
    case recordFulfilmentFailure(String, persistent: Bool)
    case recordFulfilled(reference: String?)
    /// A person fixed the cause of a failure: try again now.
    case retryFulfilment

    public var name: String {
        switch self {
        case .take: "take"
        case .hold: "hold"
        case .release: "release"
        case .cancel: "cancel"
        case .requestFulfilment: "request fulfilment of"
        case .recordFulfilmentFailure: "record a fulfilment failure of"
        case .recordFulfilled: "record the fulfilment of"
        case .retryFulfilment: "retry the fulfilment of"
        }
    }
}

public struct SaleTaken: Codable, Sendable, Equatable {
    public var saleID: SaleID
    public var connectionID: ShopConnectionID
    public var order: ShopOrder
    public var at: Date

    public init(saleID: SaleID, connectionID: ShopConnectionID, order: ShopOrder, at: Date) {
        self.saleID = saleID
        self.connectionID = connectionID
        self.order = order
        self.at = at
    }
}

public struct SaleUpdated: Codable, Sendable, Equatable {
    public var order: ShopOrder
    public var at: Date

    public init(order: ShopOrder, at: Date) {
        self.order = order
        self.at = at
    }
}

public struct SaleHeld: Codable, Sendable, Equatable {
    public var reasons: [String]
    public var at: Date

    public init(reasons: [String], at: Date) {
        self.reasons = reasons
        self.at = at
    }
}

public struct SaleReleased: Codable, Sendable, Equatable {
    public var intentID: IntentID
    public var at: Date

    public init(intentID: IntentID, at: Date) {
        self.intentID = intentID
        self.at = at
    }
}

public struct SaleCancelled: Codable, Sendable, Equatable {
    public var at: Date

    public init(at: Date) {
        self.at = at
    }
}

public enum SaleEvent: DomainEvent {
    case taken(SaleTaken)
    case updated(SaleUpdated)
    case held(SaleHeld)
    case released(SaleReleased)
    case cancelled(SaleCancelled)
    case fulfilmentRequested(SaleFulfilmentRequested)
    case fulfilmentFailed(SaleFulfilmentFailed)
    case fulfilled(SaleFulfilled)
    case fulfilmentRetried(SaleCancelled)

    public static let aggregate = "sale"

    public static let codec = EventCodec<SaleEvent>(
        aggregate: aggregate,
        [
            .payload("taken", SaleTaken.self, SaleEvent.taken),
            .payload("updated", SaleUpdated.self, SaleEvent.updated),
            .payload("held", SaleHeld.self, SaleEvent.held),
            .payload("released", SaleReleased.self, SaleEvent.released),
            .payload("cancelled", SaleCancelled.self, SaleEvent.cancelled),
            .payload("fulfilmentRequested", SaleFulfilmentRequested.self, SaleEvent.fulfilmentRequested),
            .payload("fulfilmentFailed", SaleFulfilmentFailed.self, SaleEvent.fulfilmentFailed),
            .payload("fulfilled", SaleFulfilled.self, SaleEvent.fulfilled),
            .payload("fulfilmentRetried", SaleCancelled.self, SaleEvent.fulfilmentRetried),
        ])

    public var parts: (name: String, payload: any Encodable) {
        switch self {
        case .taken(let e): ("taken", e)
        case .updated(let e): ("updated", e)
        case .held(let e): ("held", e)
        case .released(let e): ("released", e)
        case .cancelled(let e): ("cancelled", e)
        case .fulfilmentRequested(let e): ("fulfilmentRequested", e)
        case .fulfilmentFailed(let e): ("fulfilmentFailed", e)
        case .fulfilled(let e): ("fulfilled", e)
        case .fulfilmentRetried(let e): ("fulfilmentRetried", e)
        }
    }
}

public enum SaleDecider: Decider {
    public static let initialState: Sale? = nil

    public static func decide(_ command: SaleCommand, state: Sale?, context: CommandContext) throws(DomainError)
        -> [SaleEvent]
    {
        guard let sale = state else {
            guard case .take(let id, let connection, let order) = command else {
                throw .notFound(aggregate: "sale", command: command.name)
            }
            return [.taken(SaleTaken(saleID: id, connectionID: connection, order: order, at: context.time))]
        }
        switch command {
        case .take(_, let connection, let order):
            guard connection == sale.connectionID, order.platform == sale.order.platform,
                order.orderID == sale.order.orderID
            else { throw .alreadyExists(aggregate: "sale") }
            // why: deliveries arrive out of order and retries carry old payloads; a late orders/create must never
            // undo orders/paid.
            return order.updatedAt > sale.order.updatedAt ? [.updated(SaleUpdated(order: order, at: context.time))] : []
        case .hold(let reasons):
            switch sale.status {
            case .received: break
            case .held: if sale.reasons == reasons { return [] }
            case .released, .cancelled:
                throw .illegalTransition(aggregate: "sale", command: command.name, state: sale.status.rawValue)
            }
            return [.held(SaleHeld(reasons: reasons, at: context.time))]
        case .release(let intent):
            switch sale.status {
            case .received, .held: return [.released(SaleReleased(intentID: intent, at: context.time))]
            case .released where sale.intentID == intent: return []
            case .released, .cancelled:
                throw .illegalTransition(aggregate: "sale", command: command.name, state: sale.status.rawValue)
            }
        case .cancel:
            return sale.status == .cancelled ? [] : [.cancelled(SaleCancelled(at: context.time))]
        case .requestFulfilment(let shipment):
            // why: a cancelled order is never fulfilled, whatever its intent did.
            guard sale.status == .released else {
                throw .illegalTransition(aggregate: "sale", command: command.name, state: sale.status.rawValue)
            }
            if let fulfilment = sale.fulfilment, fulfilment.status == .fulfilled || fulfilment.shipment == shipment {
                return []
            }
            return [.fulfilmentRequested(SaleFulfilmentRequested(shipment: shipment, at: context.time))]
        case .recordFulfilmentFailure(let error, let persistent):
            guard let fulfilment = sale.fulfilment, fulfilment.status == .pending else {
                throw .illegalTransition(
                    aggregate: "sale", command: command.name, state: sale.fulfilment?.status.rawValue ?? "unshipped")
            }
            let attempt = fulfilment.attempts + 1
            let retry = persistent ? nil : SaleFulfilment.retry(after: attempt, at: context.time)
            return [
                .fulfilmentFailed(
                    SaleFulfilmentFailed(
                        error: String(error.prefix(1000)), attempt: attempt, retryAt: retry, at: context.time))
            ]
        case .recordFulfilled(let reference):
            guard let fulfilment = sale.fulfilment else {
                throw .illegalTransition(aggregate: "sale", command: command.name, state: "unshipped")
            }
            if fulfilment.status == .fulfilled { return [] }
            return [.fulfilled(SaleFulfilled(reference: reference, at: context.time))]
        case .retryFulfilment:
            guard sale.fulfilment?.status == .failed else {
                throw .illegalTransition(
                    aggregate: "sale", command: command.name, state: sale.fulfilment?.status.rawValue ?? "unshipped")
            }
            return [.fulfilmentRetried(SaleCancelled(at: context.time))]
        }
    }

    public static func evolve(_ state: Sale?, _ event: SaleEvent) -> Sale? {
        if case .taken(let e) = event {
            return Sale(
                id: e.saleID, connectionID: e.connectionID, order: e.order, status: .received, reasons: [],
                intentID: nil, receivedAt: e.at, updatedAt: e.at)
        }
        guard var sale = state else { return state }
        switch event {
        case .taken: break
        case .updated(let e):
            sale.order = e.order
            sale.updatedAt = e.at
        case .held(let e):
            sale.status = .held
            sale.reasons = e.reasons
            sale.updatedAt = e.at
        case .released(let e):
            sale.status = .released
            sale.reasons = []
            sale.intentID = e.intentID
            sale.updatedAt = e.at
        case .cancelled(let e):
            sale.status = .cancelled
            sale.updatedAt = e.at
        case .fulfilmentRequested(let e):
            sale.fulfilment = SaleFulfilment(
                shipment: e.shipment, status: .pending, attempts: 0, dueAt: e.at, lastError: nil, reference: nil,
                requestedAt: e.at, fulfilledAt: nil)
            sale.updatedAt = e.at
        case .fulfilmentFailed(let e):
            sale.fulfilment?.attempts = e.attempt
            sale.fulfilment?.lastError = e.error
            sale.fulfilment?.dueAt = e.retryAt
            sale.fulfilment?.status = e.retryAt == nil ? .failed : .pending
            sale.updatedAt = e.at
        case .fulfilled(let e):
            sale.fulfilment?.status = .fulfilled
            sale.fulfilment?.reference = e.reference
            sale.fulfilment?.fulfilledAt = e.at
            sale.fulfilment?.dueAt = nil
            sale.updatedAt = e.at
        case .fulfilmentRetried(let e):
            sale.fulfilment?.status = .pending
            sale.fulfilment?.attempts = 0
            sale.fulfilment?.dueAt = e.at
            sale.updatedAt = e.at
        }
        return sale
    }
}

extension Sale {
    /// The shop cancelled it, or gave all the money back.
    public var shopCancelled: Bool { order.cancelled || order.payment == .refunded }
}
