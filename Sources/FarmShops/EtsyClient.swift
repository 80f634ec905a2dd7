import AsyncHTTPClient
import FarmDomain
import Foundation
import NIOCore
import NIOFoundationCompat

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
