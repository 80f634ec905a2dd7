import AsyncHTTPClient
import FarmDomain
import Foundation
import NIOCore
import NIOFoundationCompat

/// What the farm asks of a shop's API: the IO side of a connector, one implementation per platform over the same
/// `ShopOrder`. Reconciliation polling uses it to find what webhooks lost.
public protocol ShopClient: Sendable {
    /// Orders changed after `cursor` (or, with no cursor yet, after `start`), oldest change first, and the cursor to
    /// ask from next time (nil when nothing changed).
    func changedOrders(since cursor: String?, start: Date) async throws -> (orders: [ShopOrder], cursor: String?)
}

/// Why a shop's API call failed, in words for the connection's health.
public struct ShopClientError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    /// The shop asked us to slow down (HTTP 429, Shopify THROTTLED): try again later, not an outage.
    public var throttled: Bool

    public init(_ description: String, throttled: Bool = false) {
        self.description = description
        self.throttled = throttled
    }
}

extension ShopConnection {
    /// The API client of this connection, when the platform's client is built and its secrets are there.
    public func client(secrets: ShopSecrets, http: HTTPClient = .shared) -> (any ShopClient)? {
        switch platform {
        case .woocommerce:
            guard let key = secrets.apiKey, let secret = secrets.apiSecret, let base = URL(string: endpoints.api) else {
                return nil
            }
            return WooCommerceClient(base: base, consumerKey: key, consumerSecret: secret, http: http)
        case .etsy:
            guard let keystring = secrets.apiKey, let shared = secrets.apiSecret, let token = secrets.accessToken,
                let shop = endpoints.shop, let base = URL(string: endpoints.api)
            else { return nil }
            return EtsyClient(base: base, shop: shop, apiKey: "\(keystring):\(shared)", accessToken: token, http: http)
        case .shopify:
            guard let token = secrets.accessToken, let base = URL(string: endpoints.api) else { return nil }
            return ShopifyClient(base: base, accessToken: token, http: http)
        }
    }
}
