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
    /// Order notes by order: (id, text, for the customer).
    private(set) var notes: [Int: [(id: Int, note: String, customer: Bool)]] = [:]
    /// Status changes asked for, in order.
    private(set) var statusChanges: [(order: Int, status: String)] = []
    /// How many status changes to answer 503 (the site briefly down) before taking them.
    var failingUpdates = 0

    init(key: String, secret: String) {
        self.key = key
        self.secret = secret
    }

    func put(_ order: Order) { orders[order.id] = order }
    func failUpdates(_ count: Int) { failingUpdates = count }

    static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        var response = Response(status: status, body: .init(byteBuffer: ByteBuffer(string: text)))
        response.headers[.contentType] = "application/json"
        return response
    }

    /// `GET`/`PUT /orders/{id}` and `GET`/`POST /orders/{id}/notes`, as the fulfilment uses them.
    func order(_ request: Request, id: Int, notesPath: Bool, body: ByteBuffer) -> Response {
        if let refusal = refusal(request) { return refusal }
        guard var order = orders[id] else {
            return Self.json(
                .notFound,
                #"{"code":"woocommerce_rest_shop_order_invalid_id","message":"Invalid ID.","data":{"status":404}}"#)
        }
        let fields = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
        switch (request.method, notesPath) {
        case (.get, false):
            return Self.json(.ok, Self.json(order))
        case (.put, false):
            if failingUpdates > 0 {
                failingUpdates -= 1
                return Self.json(.serviceUnavailable, "<html>Service Unavailable</html>")
            }
            guard let status = fields["status"] as? String else { return Self.json(.badRequest, "{}") }
            order.status = status
            order.modified = Date()
            orders[id] = order
            statusChanges.append((id, status))
            return Self.json(.ok, Self.json(order))
        case (.get, true):
            let list = (notes[id] ?? []).map {
                #"{"id":\#($0.id),"note":\#(Self.quoted($0.note)),"customer_note":\#($0.customer)}"#
            }
            return Self.json(.ok, "[" + list.joined(separator: ",") + "]")
        case (.post, true):
            guard let text = fields["note"] as? String else {
                return Self.json(
                    .badRequest,
                    #"""
                    {"code":"rest_missing_callback_param","message":"Missing parameter(s): note",\#
                    "data":{"status":400}}
                    """#
                )
            }
            let note = (
                id: 280 + (notes.values.map(\.count).reduce(0, +)), note: text,
                customer: fields["customer_note"] as? Bool ?? false
            )
            notes[id, default: []].append(note)
            return Self.json(
                .created, #"{"id":\#(note.id),"note":\#(Self.quoted(text)),"customer_note":\#(note.customer)}"#)
        default:
            return Self.json(.methodNotAllowed, "{}")
        }
    }

    static func quoted(_ text: String) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: [text])) ?? Data("[\"\"]".utf8), as: UTF8.self)
            .dropFirst().dropLast().description
    }

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

    func refusal(_ request: Request) -> Response? {
        let expected = "Basic " + Data("\(key):\(secret)".utf8).base64EncodedString()
        guard request.headers[.authorization] != expected else { return nil }
        return Self.json(
            .unauthorized,
            #"""
            {"code":"woocommerce_rest_cannot_view","message":"Sorry, you cannot list resources.",\#
            "data":{"status":401}}
            """#
        )
    }

    func answer(_ request: Request) -> Response {
        if let refusal = refusal(request) { return refusal }
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
        for (path, notes) in [("/wp-json/wc/v3/orders/{id}", false), ("/wp-json/wc/v3/orders/{id}/notes", true)] {
            for method in [HTTPRequest.Method.get, .put, .post] {
                router.on(RouterPath(path), method: method) { request, context in
                    let body = try await request.body.collect(upTo: 1 << 20)
                    let id = Int(context.parameters.get("id") ?? "") ?? -1
                    return await self.order(request, id: id, notesPath: notes, body: body)
                }
            }
        }
        return try await serveStandIn(router)
    }
}
