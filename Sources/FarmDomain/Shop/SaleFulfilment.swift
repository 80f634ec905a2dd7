import Foundation

/// Telling the shop an order shipped: asked for when its intent ships, tried until the shop confirms, with waits
/// that grow between tries; a failure that persists waits for a person (the board's attention lane), who retries it
/// once the cause is fixed.
public struct SaleFulfilment: Sendable, Equatable, Codable {
    public var shipment: Shipment?
    public var status: FulfilmentStatus
    /// Failed tries since it was asked for (or last retried by a person).
    public var attempts: Int
    /// When the next try is due, while pending.
    public var dueAt: Date?
    /// The shop's words for the last failure.
    public var lastError: String?
    /// The shop's id for what it recorded (Shopify's fulfillment GID, Etsy's shipment id).
    public var reference: String?
    public var requestedAt: Date
    public var fulfilledAt: Date?

    public init(
        shipment: Shipment?, status: FulfilmentStatus, attempts: Int, dueAt: Date?, lastError: String?,
        reference: String?, requestedAt: Date, fulfilledAt: Date?
    ) {
        self.shipment = shipment
        self.status = status
        self.attempts = attempts
        self.dueAt = dueAt
        self.lastError = lastError
        self.reference = reference
        self.requestedAt = requestedAt
        self.fulfilledAt = fulfilledAt
    }

    /// The waits after each failed try; after the last one a person is asked.
    public static let backoff: [TimeInterval] = [60, 5 * 60, 15 * 60, 60 * 60]

    /// When to try again after `attempts` failures, or nil when it is time to ask a person.
    public static func retry(after attempts: Int, at now: Date) -> Date? {
        attempts <= backoff.count ? now.addingTimeInterval(backoff[attempts - 1]) : nil
    }
}

public enum FulfilmentStatus: String, Sendable, Codable, CaseIterable {
    /// To be tried (now or at `dueAt`).
    case pending
    /// The shop has it.
    case fulfilled
    /// Tried until the waits ran out, or refused for a reason another try will not fix: a person looks.
    case failed
}

public struct SaleFulfilmentRequested: Codable, Sendable, Equatable {
    public var shipment: Shipment?
    public var at: Date

    public init(shipment: Shipment?, at: Date) {
        self.shipment = shipment
        self.at = at
    }
}

public struct SaleFulfilmentFailed: Codable, Sendable, Equatable {
    public var error: String
    public var attempt: Int
    /// The next try; nil when a person must look.
    public var retryAt: Date?
    public var at: Date

    public init(error: String, attempt: Int, retryAt: Date?, at: Date) {
        self.error = error
        self.attempt = attempt
        self.retryAt = retryAt
        self.at = at
    }
}

public struct SaleFulfilled: Codable, Sendable, Equatable {
    public var reference: String?
    public var at: Date

    public init(reference: String?, at: Date) {
        self.reference = reference
        self.at = at
    }
}
