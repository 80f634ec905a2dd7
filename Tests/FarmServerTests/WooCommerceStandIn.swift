import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A WooCommerce site as the farm's poller sees it, from the reference pack's wire facts: `GET
/// /wp-json/wc/v3/orders` with the REST key as HTTP Basic credentials (401 otherwise), `modified_after` exclusive and
/// read as GMT under `dates_are_gmt=true`, `orderby=modified&order=asc`, pages of `per_page` (at most 100) with
/// `X-WP-Total` and `X-WP-TotalPages`.
actor WooCommerceStandIn {
    struct Order {
        var id: Int
        var status: String
        var modified: Date
        var sku: String
    }

    let key: String
    let secret: String
    var orders: [Int: Order] = [:]
    /// The `modified_after` of every authorised request, as sent.
    private(set) var modifiedAfter: [String] = []

    init(key: String, secret: String) {
        self.key = key
        self.secret = secret
    }

    func put(_ order: Order) { orders[order.id] = order }

    static func gmt(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return String(formatter.string(from: date).dropLast())
    }

    static func json(_ order: Order) -> String {
        let modified = gmt(order.modified)
        return """
            {"id":\(order.id),"number":"\(order.id)","status":"\(order.status)","currency":"EUR",\
            "date_created_gmt":"\(modified)","date_modified_gmt":"\(modified)",\
            "date_paid_gmt":\(order.status == "processing" ? "\"\(modified)\"" : "null"),\
            "customer_note":"","billing":{"first_name":"Jo","last_name":"Bloggs"},\
            "line_items":[{"id":\(order.id * 10),"name":"Box","product_id":93,"variation_id":0,"quantity":1,\
            "sku":"\(order.sku)","meta_data":[]}]}
            """
    }

    func answer(_ request: Request) -> Response {
        let expected = "Basic " + Data("\(key):\(secret)".utf8).base64EncodedString()
        guard request.headers[.authorization] == expected else {
            return Response(
                status: .unauthorized,
                body: .init(
                    byteBuffer: ByteBuffer(
                        string:
                            #"{"code":"woocommerce_rest_cannot_view","message":"Sorry, you cannot list resources.","data":{"status":401}}"#
                    )))
        }
        let query = request.uri.queryParameters
        let after = query["modified_after"].map(String.init) ?? ""
        modifiedAfter.append(after)
        let since = after.isEmpty ? Date.distantPast : Self.parse(after) ?? Date.distantPast
        let perPage = min(100, query["per_page"].flatMap { Int(String($0)) } ?? 10)
        let page = max(1, query["page"].flatMap { Int(String($0)) } ?? 1)
        let matching = orders.values.filter { $0.modified > since }.sorted {
            ($0.modified, $0.id) < ($1.modified, $1.id)
        }
        let pages = max(1, (matching.count + perPage - 1) / perPage)
        let slice = matching.dropFirst((page - 1) * perPage).prefix(perPage)
        var response = Response(
            status: .ok,
            body: .init(byteBuffer: ByteBuffer(string: "[" + slice.map(Self.json).joined(separator: ",") + "]")))
        response.headers[.contentType] = "application/json"
        response.headers[HTTPField.Name("X-WP-Total")!] = String(matching.count)
        response.headers[HTTPField.Name("X-WP-TotalPages")!] = String(pages)
        return response
    }

    static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text + "Z")
    }

    /// Serves on a free port of 127.0.0.1 until the returned task is cancelled.
    func serve() async throws -> (port: Int, task: Task<Void, any Error>) {
        let router = Router()
        router.get("/wp-json/wc/v3/orders") { request, _ in await self.answer(request) }
        return try await serveStandIn(router)
    }
}
