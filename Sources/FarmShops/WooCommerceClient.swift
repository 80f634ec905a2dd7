import AsyncHTTPClient
import FarmDomain
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// WooCommerce's REST API v3: `GET /wp-json/wc/v3/orders?modified_after=…&dates_are_gmt=true`, oldest change first,
/// a page of 100 at a time (`X-WP-TotalPages`), with the REST key as HTTP Basic credentials. A shipment goes back as
/// the status `completed` (which emails the customer) and a customer note with the tracking number: core
/// WooCommerce has no tracking field.
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
            let (body, headers) = try await send(
                .GET, "orders",
                query: [
                    ("modified_after", Self.format(after)), ("dates_are_gmt", "true"), ("orderby", "modified"),
                    ("order", "asc"), ("per_page", "100"), ("page", String(page)),
                ])
            do {
                orders += try WooCommerceOrder.readList(body)
            } catch {
                throw ShopClientError("WooCommerce's order list cannot be read: \(error)")
            }
            let pages = headers.first(name: "X-WP-TotalPages").flatMap(Int.init) ?? 1
            if page >= pages { break }
            page += 1
        }
        let latest = orders.map(\.updatedAt).max()
        return (orders, latest.map(Self.format) ?? cursor)
    }

    /// The note first, then `completed`: a retry after a failed status change finds the note there and does not add
    /// it again, and an order already completed is not touched.
    public func fulfil(_ order: ShopOrder, shipment: Shipment?) async throws -> String? {
        struct Note: Decodable {
            let id: ExactID
            let note: String
        }
        struct Status: Decodable { let status: String }
        let path = "orders/\(order.orderID)"
        let text = ShopCarrier.note(shipment)
        let notes = try ShopJSON.decoder.decode([Note].self, from: try await send(.GET, path + "/notes").body)
        var noteID = notes.first { $0.note == text }?.id.text
        if noteID == nil {
            let added = try await send(
                .POST, path + "/notes",
                json: try JSONSerialization.data(
                    withJSONObject: ["note": text, "customer_note": true], options: [.sortedKeys]))
            noteID = try? ShopJSON.decoder.decode(Note.self, from: added.body).id.text
        }
        let current = try ShopJSON.decoder.decode(Status.self, from: try await send(.GET, path).body)
        if current.status != "completed" {
            _ = try await send(.PUT, path, json: Data(#"{"status":"completed"}"#.utf8))
        }
        return noteID.map { "note \($0)" }
    }

    func send(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], json: Data? = nil) async throws
        -> (body: Data, headers: HTTPHeaders)
    {
        var components = URLComponents(
            url: base.appendingPathComponent("wp-json/wc/v3/" + path), resolvingAgainstBaseURL: false)
        if !query.isEmpty { components?.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) } }
        guard let url = components?.url else { throw ShopClientError("the shop's address is not a URL") }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = method
        let credentials = Data("\(consumerKey):\(consumerSecret)".utf8).base64EncodedString()
        request.headers.add(name: "Authorization", value: "Basic \(credentials)")
        request.headers.add(name: "Accept", value: "application/json")
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: json))
        }
        let response = try await http.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 64 << 20)
        guard (200..<300).contains(response.status.code) else {
            throw ShopClientError.answered(
                response.status.code, by: "WooCommerce", to: "\(method.rawValue) /wp-json/wc/v3/\(path)",
                body: String(buffer: body))
        }
        return (Data(buffer: body), response.headers)
    }
}
