import AsyncHTTPClient
import FarmDomain
import Foundation
import NIOCore
import NIOFoundationCompat
import ServiceLifecycle

/// What the farm asks of a shop's API: the IO side of a connector, one implementation per platform over the same
/// `ShopOrder`. Reconciliation polling uses it to find what webhooks lost.
public protocol ShopClient: Sendable {
    /// Orders changed after `cursor` (or, with no cursor yet, after `start`), oldest change first, and the cursor to
    /// ask from next time (nil when nothing changed).
    func changedOrders(since cursor: String?, start: Date) async throws -> (orders: [ShopOrder], cursor: String?)
    /// Tells the shop the order shipped, with the carrier and tracking number when there are any; returns the shop's
    /// id for what it recorded. Trying again after a failure must not record the shipment twice.
    func fulfil(_ order: ShopOrder, shipment: Shipment?) async throws -> String?
}

/// Builds a connection's API client from its secrets; tests give their own in place of the intake's.
public typealias ShopClientFactory = @Sendable (ShopConnection, ShopSecrets) -> (any ShopClient)?

extension ShopIntake {
    /// The connection's client: `override`'s when a test gives one, else the intake's (with Etsy's token keeper).
    func client(for connection: ShopConnection, override: ShopClientFactory?) async throws -> (any ShopClient)? {
        guard let override else { return try await client(for: connection) }
        return override(connection, try await secrets(of: connection.id))
    }
}

/// Runs `body` every `interval` until the service group shuts down (a cancelled body ends it too).
func repeatUntilShutdown(every interval: Duration, _ body: @escaping @Sendable () async -> Void) async {
    await cancelWhenGracefulShutdown {
        while !Task.isCancelled {
            await body()
            try? await Task.sleep(for: interval)
        }
    }
}

/// Why a shop's API call failed, in words for the connection's health.
public struct ShopClientError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    /// The shop asked us to slow down (HTTP 429, Shopify THROTTLED): try again later, not an outage.
    public var throttled: Bool
    /// The shop refused the request itself (a 4xx, Shopify's `userErrors`): trying again will not help until a person
    /// fixes the cause (credentials, the order's state in the shop).
    public var persistent: Bool

    public init(_ description: String, throttled: Bool = false, persistent: Bool = false) {
        self.description = description
        self.throttled = throttled
        self.persistent = persistent
    }

    /// An HTTP answer that is not what was asked for, in the shop's words.
    static func answered(_ status: UInt, by shop: String, to request: String, body: String) -> ShopClientError {
        ShopClientError(
            "\(shop) answered \(status) to \(request): \(body.prefix(300))", throttled: status == 429,
            persistent: (400..<500).contains(status) && status != 408 && status != 429)
    }
}

extension ShopConnection {
    /// The API client of this connection, when its secrets are there. Etsy's token comes from `tokens` (which refreshes
    /// it), or as given when there is none.
    public func client(
        secrets: ShopSecrets, tokens: (any EtsyTokenSource)? = nil, http: HTTPClient = .shared
    ) -> (any ShopClient)? {
        switch platform {
        case .woocommerce:
            guard let key = secrets.apiKey, let secret = secrets.apiSecret, let base = URL(string: endpoints.api) else {
                return nil
            }
            return WooCommerceClient(base: base, consumerKey: key, consumerSecret: secret, http: http)
        case .etsy:
            guard let keystring = secrets.apiKey, let shared = secrets.apiSecret, let shop = endpoints.shop,
                let base = URL(string: endpoints.api),
                let tokens = tokens ?? secrets.accessToken.map(FixedEtsyToken.init)
            else { return nil }
            return EtsyClient(base: base, shop: shop, apiKey: "\(keystring):\(shared)", tokens: tokens, http: http)
        case .shopify:
            guard let token = secrets.accessToken, let base = URL(string: endpoints.api) else { return nil }
            return ShopifyClient(base: base, accessToken: token, http: http)
        }
    }
}
