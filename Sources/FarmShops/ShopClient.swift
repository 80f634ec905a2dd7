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
            return nil
        }
    }
}

/// Etsy Open API v3: `getShopReceipts` with `min_last_modified` (unix seconds, inclusive), oldest change first, 100 a
/// page by `offset` (`count` is the total); `x-api-key: keystring:shared_secret` and the OAuth bearer token. A 429
/// carries no rate headers: it is reported as throttling, and the next poll tries again.
public struct EtsyClient: ShopClient {
    let base: URL
    let shop: String
    let apiKey: String
    let accessToken: String
    let http: HTTPClient

    public init(base: URL, shop: String, apiKey: String, accessToken: String, http: HTTPClient) {
        self.base = base
        self.shop = shop
        self.apiKey = apiKey
        self.accessToken = accessToken
        self.http = http
    }

    public func changedOrders(since cursor: String?, start: Date) async throws -> (
        orders: [ShopOrder], cursor: String?
    ) {
        let from = cursor.flatMap { Int64($0) } ?? Int64(start.timeIntervalSince1970)
        var orders: [ShopOrder] = []
        var offset = 0
        while true {
            let body = try await get(
                "v3/application/shops/\(shop)/receipts",
                query: [
                    ("min_last_modified", String(from)), ("sort_on", "updated"), ("sort_order", "asc"),
                    ("limit", "100"), ("offset", String(offset)),
                ])
            let page: (orders: [ShopOrder], total: Int)
            do {
                page = try EtsyWire.receipts(from: body)
            } catch {
                throw ShopClientError("Etsy's receipts cannot be read: \(error)")
            }
            orders += page.orders
            offset += page.orders.count
            if page.orders.isEmpty || offset >= page.total { break }
        }
        let latest = orders.map { Int64($0.updatedAt.timeIntervalSince1970) }.max()
        return (orders, latest.map(String.init) ?? cursor)
    }

    /// One receipt, as an Etsy webhook names it.
    public func receipt(_ id: String) async throws -> ShopOrder {
        let body = try await get("v3/application/shops/\(shop)/receipts/\(id)", query: [])
        do {
            return try EtsyWire.order(from: body)
        } catch {
            throw ShopClientError("Etsy's receipt \(id) cannot be read: \(error)")
        }
    }

    func get(_ path: String, query: [(String, String)]) async throws -> Data {
        var components = URLComponents(url: base.appendingPathComponent(path), resolvingAgainstBaseURL: false)
        if !query.isEmpty { components?.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) } }
        guard let url = components?.url else { throw ShopClientError("Etsy's API address is not a URL") }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.headers.add(name: "x-api-key", value: apiKey)
        request.headers.add(name: "Authorization", value: "Bearer \(accessToken)")
        let response = try await http.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 64 << 20)
        guard response.status.code == 200 else {
            throw ShopClientError(
                "Etsy answered \(response.status.code) to GET /\(path): \(String(buffer: body).prefix(200))",
                throttled: response.status.code == 429)
        }
        return Data(buffer: body)
    }
}

/// WooCommerce's REST API v3: `GET /wp-json/wc/v3/orders?modified_after=…&dates_are_gmt=true`, oldest change first,
/// a page of 100 at a time (`X-WP-TotalPages`), with the REST key as HTTP Basic credentials.
public struct WooCommerceClient: ShopClient {
    let base: URL
    let consumerKey: String
    let consumerSecret: String
    let http: HTTPClient

    public init(base: URL, consumerKey: String, consumerSecret: String, http: HTTPClient) {
        self.base = base
        self.consumerKey = consumerKey
        self.consumerSecret = consumerSecret
        self.http = http
    }

    /// WooCommerce's GMT form, without a zone.
    static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return String(formatter.string(from: date).dropLast())  // "…Z" → GMT by `dates_are_gmt`
    }

    public func changedOrders(since cursor: String?, start: Date) async throws -> (
        orders: [ShopOrder], cursor: String?
    ) {
        // `modified_after` is exclusive and counts whole seconds: ask from a second before, and take what was seen
        // again (taking an order twice changes nothing).
        let after = (cursor.flatMap(ShopTimestamp.parse) ?? start).addingTimeInterval(-1)
        var orders: [ShopOrder] = []
        var page = 1
        while true {
            let query = [
                ("modified_after", Self.format(after)), ("dates_are_gmt", "true"), ("orderby", "modified"),
                ("order", "asc"), ("per_page", "100"), ("page", String(page)),
            ]
            var components = URLComponents(
                url: base.appendingPathComponent("wp-json/wc/v3/orders"), resolvingAgainstBaseURL: false)
            components?.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) }
            guard let url = components?.url else { throw ShopClientError("the shop's address is not a URL") }
            var request = HTTPClientRequest(url: url.absoluteString)
            let credentials = Data("\(consumerKey):\(consumerSecret)".utf8).base64EncodedString()
            request.headers.add(name: "Authorization", value: "Basic \(credentials)")
            request.headers.add(name: "Accept", value: "application/json")
            let response = try await http.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 64 << 20)
            guard response.status.code == 200 else {
                let text = String(buffer: body).prefix(200)
                throw ShopClientError(
                    "WooCommerce answered \(response.status.code) to GET /wp-json/wc/v3/orders: \(text)",
                    throttled: response.status.code == 429)
            }
            do {
                orders += try WooCommerceOrder.readList(Data(buffer: body))
            } catch {
                throw ShopClientError("WooCommerce's order list cannot be read: \(error)")
            }
            let pages = response.headers.first(name: "X-WP-TotalPages").flatMap(Int.init) ?? 1
            if page >= pages { break }
            page += 1
        }
        let latest = orders.map(\.updatedAt).max()
        return (orders, latest.map(Self.format) ?? cursor)
    }
}
