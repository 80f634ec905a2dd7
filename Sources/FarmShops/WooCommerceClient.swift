import AsyncHTTPClient
import FarmDomain
import Foundation
import NIOCore
import NIOFoundationCompat

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
