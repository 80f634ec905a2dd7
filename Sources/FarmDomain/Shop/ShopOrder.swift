import Foundation

/// An order as the farm needs it, whichever shop it came from: what to make, whether it is paid or cancelled, and
/// when the shop last changed it (updates apply in that order, never in the order they arrive).
public struct ShopOrder: Sendable, Equatable, Codable {
    public var platform: ShopPlatform
    /// The platform's id exactly as sent (Shopify's exceed 2^53: never through a floating-point number).
    public var orderID: String
    /// What the shop shows people: "#1001", "727".
    public var name: String?
    public var createdAt: Date?
    /// When the shop last changed the order.
    public var updatedAt: Date
    public var payment: ShopPayment
    public var cancelled: Bool
    /// ISO 4217, as the shop sent it.
    public var currency: String?
    public var customer: String?
    /// What the buyer wrote with the order.
    public var note: String?
    public var lines: [ShopLine]

    public init(
        platform: ShopPlatform, orderID: String, name: String?, createdAt: Date?, updatedAt: Date,
        payment: ShopPayment, cancelled: Bool, currency: String?, customer: String?, note: String?, lines: [ShopLine]
    ) {
        self.platform = platform
        self.orderID = orderID
        self.name = name
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.payment = payment
        self.cancelled = cancelled
        self.currency = currency
        self.customer = customer
        self.note = note
        self.lines = lines
    }
}

/// Where the money is, in the farm's words.
public enum ShopPayment: String, Codable, Sendable, CaseIterable {
    /// Not paid yet (awaiting payment, authorised only, on hold).
    case pending
    case paid
    case partiallyRefunded
    case refunded
    /// The payment was voided or failed: nothing will be paid.
    case voided
}

/// One line of an order: a product, how many, and what the buyer chose or wrote.
public struct ShopLine: Sendable, Equatable, Codable {
    public var lineID: String
    public var sku: String?
    public var productID: String?
    public var variantID: String?
    public var title: String
    /// The variant's own words ("Black / M"), when the shop gives them apart from the title.
    public var variant: String?
    /// As sent: may be zero or negative in a hostile or broken delivery; the catalog refuses those.
    public var quantity: Int
    /// Options and personalisation (Shopify line-item properties, WooCommerce meta data, Etsy variations).
    public var properties: [ShopProperty]
    /// False for what is not shipped and so not printed (gift cards, shipping protection), when the shop says so.
    public var physical: Bool

    public init(
        lineID: String, sku: String?, productID: String?, variantID: String?, title: String, variant: String?,
        quantity: Int, properties: [ShopProperty], physical: Bool
    ) {
        self.lineID = lineID
        self.sku = sku
        self.productID = productID
        self.variantID = variantID
        self.title = title
        self.variant = variant
        self.quantity = quantity
        self.properties = properties
        self.physical = physical
    }

    /// The value of the first property named `name`, ignoring case.
    public func property(_ name: String) -> String? {
        properties.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

public struct ShopProperty: Sendable, Equatable, Codable {
    public var name: String
    public var value: String
    /// Written by the buyer (Etsy personalisation), not chosen from a list.
    public var personalisation: Bool

    public init(name: String, value: String, personalisation: Bool = false) {
        self.name = name
        self.value = value
        self.personalisation = personalisation
    }
}
