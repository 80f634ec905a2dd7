import Foundation

/// How the farm's stock is held for orders (`production.materials` in the config file). Every scheduled print of a
/// paid order (or one that needs no payment: typed in, uploaded, over the API) reserves its filament; an unpaid shop
/// order reserves for `unpaidHoldHours` after it arrived, then gives way; 0: only paid orders reserve.
public struct MaterialSettings: Sendable, Equatable, Codable {
    public var unpaidHoldHours: Double

    enum CodingKeys: String, CodingKey, CaseIterable { case unpaidHoldHours }

    public init(unpaidHoldHours: Double = 72) { self.unpaidHoldHours = unpaidHoldHours }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        unpaidHoldHours = try container.decodeIfPresent(Double.self, forKey: .unpaidHoldHours) ?? 72
    }

    func validate() throws(DomainError) {
        guard unpaidHoldHours.isFinite, (0...8760).contains(unpaidHoldHours) else {
            throw .invalid(
                field: "materials.unpaidHoldHours",
                reason: "hours an unpaid shop order holds stock, 0 (paid only) to 8760")
        }
    }

    /// Whether `intent`'s scheduled prints hold their filament at `now`.
    public func hold(of intent: Intent, now: Date) -> MaterialHold {
        switch intent.status {
        case .cancelled, .rejected, .shipped, .closed: return .released
        default: break
        }
        let shop: Set<IntentSource> = [.shopify, .woocommerce, .etsy]
        guard shop.contains(intent.source), intent.paymentStatus == .pending || intent.paymentStatus == .refunded else {
            return .held
        }
        if intent.paymentStatus == .refunded { return .released }
        guard unpaidHoldHours > 0 else { return .notHeld }
        let until = intent.receivedAt.addingTimeInterval(unpaidHoldHours * 3600)
        return now < until ? .heldUntil(until) : .notHeld
    }
}

/// An order's claim on the stock.
public enum MaterialHold: Sendable, Equatable {
    /// Paid, or needing no payment: its prints are served first.
    case held
    /// Unpaid, holding until then.
    case heldUntil(Date)
    /// Unpaid (past its hold, or the farm reserves for paid orders only): served from what the held orders leave.
    case notHeld
    /// Cancelled, refunded or done: it holds nothing, even while the schedule still shows its prints.
    case released

    var reserves: Bool {
        switch self {
        case .held, .heldUntil: true
        case .notHeld, .released: false
        }
    }
}
