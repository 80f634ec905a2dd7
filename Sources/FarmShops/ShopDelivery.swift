import FarmDomain
import Foundation

/// A webhook delivery as it arrived: header names in lower case (HTTP/2 sends them so; HTTP/1 in any case), and the
/// body's raw bytes, which are what the shop signed.
public struct ShopDelivery: Sendable {
    public var headers: [String: String]
    public var body: Data

    public init(headers: some Sequence<(String, String)>, body: Data) {
        var lowered: [String: String] = [:]
        for (name, value) in headers { lowered[name.lowercased()] = value }
        self.headers = lowered
        self.body = body
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// What a verified delivery says.
public enum ShopNotice: Sendable, Equatable {
    /// An order's state at `order.updatedAt`; `key` is the same for every redelivery of this change.
    case order(ShopOrder, topic: String, key: String)
    /// The shop deleted the order: only its id is sent.
    case orderDeleted(orderID: String, topic: String, key: String)
    /// Etsy says which receipt changed, not how: fetch it.
    case receiptChanged(receiptID: String, topic: String, key: String)
    /// WooCommerce's unsigned ping when a webhook is saved: it must get a 200, and changes nothing.
    case ping
    /// A genuine delivery of a topic the farm does not use: a 200 (so the shop does not retry), and nothing else.
    case ignored(topic: String)
}

/// Why a delivery is refused. `unsigned` and `forged` are 401s; the rest 400s.
public enum ShopDeliveryError: Error, Sendable, Equatable, CustomStringConvertible {
    case unsigned
    case forged
    case missingHeader(String)
    /// A replay of an old signed delivery (Etsy's timestamp is outside the tolerance).
    case stale(String)
    case unreadable(ShopOrderError)

    public var description: String {
        switch self {
        case .unsigned: "the delivery carries no signature"
        case .forged: "the signature does not match the connection's secret"
        case .missingHeader(let name): "the delivery has no \(name) header"
        case .stale(let detail): "the delivery is stale: \(detail)"
        case .unreadable(let error): error.description
        }
    }

    /// True when the sender could not prove it is the shop.
    public var isAuthentication: Bool { self == .unsigned || self == .forged }
}

/// What the farm knows of one platform's wire, without doing any IO: how its webhooks are signed and what they say,
/// and how its orders read. Each platform's connector builds on this; tests drive it with the reference samples.
public protocol ShopWire: Sendable {
    static var platform: ShopPlatform { get }
    /// Checks a delivery against the connection's secrets (the current one and, while a rotation settles, the one
    /// before) and reads it.
    static func receive(_ delivery: ShopDelivery, secrets: [String], now: Date) throws(ShopDeliveryError)
        -> ShopNotice
    /// What a delivery already verified (and stored in the inbox) says.
    static func read(_ body: Data, topic: String, key: String) throws(ShopDeliveryError) -> ShopNotice
    /// An order (or Etsy receipt) as the platform's API returns it.
    static func order(from body: Data) throws(ShopOrderError) -> ShopOrder
}

extension ShopPlatform {
    /// The wire of this platform.
    public var wire: any ShopWire.Type {
        switch self {
        case .shopify: ShopifyWire.self
        case .woocommerce: WooCommerceWire.self
        case .etsy: EtsyWire.self
        }
    }
}
