import AsyncHTTPClient
import FarmDomain
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Etsy Open API v3: `getShopReceipts` with `min_last_modified` (unix seconds, inclusive), oldest change first, 100 a
/// page by `offset` (`count` is the total); `x-api-key: keystring:shared_secret` and the OAuth bearer token. A 429
/// carries no rate headers: it is reported as throttling, and the next poll tries again. Shipments go back with
/// `createReceiptShipment`.
public struct EtsyClient: ShopClient {
    let base: URL
    let shop: String
    let apiKey: String
    let tokens: any EtsyTokenSource
    let http: HTTPClient

    public init(base: URL, shop: String, apiKey: String, tokens: any EtsyTokenSource, http: HTTPClient) {
        self.base = base
        self.shop = shop
        self.apiKey = apiKey
        self.tokens = tokens
        self.http = http
    }

    public func changedOrders(since cursor: String?, start: Date) async throws -> (
        orders: [ShopOrder], cursor: String?
    ) {
        let from = cursor.flatMap { Int64($0) } ?? Int64(start.timeIntervalSince1970)
        var orders: [ShopOrder] = []
        var offset = 0
        while true {
            let body = try await send(
                .GET, "v3/application/shops/\(shop)/receipts",
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
        let body = try await send(.GET, "v3/application/shops/\(shop)/receipts/\(id)")
        do {
            return try EtsyWire.order(from: body)
        } catch {
            throw ShopClientError("Etsy's receipt \(id) cannot be read: \(error)")
        }
    }

    /// `createReceiptShipment`: Etsy's carrier slug (`other` for one it does not know, named in the note to the
    /// buyer) and the tracking code; each call emails the buyer and adds a shipment, so a receipt Etsy already shows
    /// as shipped is not sent again.
    public func fulfil(_ order: ShopOrder, shipment: Shipment?) async throws -> String? {
        struct Shipped: Decodable {
            struct Entry: Decodable { let receiptShippingId: ExactID? }
            let isShipped: Bool?
            let shipments: [Entry]?
        }
        func read(_ body: Data) -> Shipped? { try? ShopJSON.decoder.decode(Shipped.self, from: body) }
        let current = read(try await send(.GET, "v3/application/shops/\(shop)/receipts/\(order.orderID)"))
        if current?.isShipped == true {
            return current?.shipments?.last?.receiptShippingId?.text
        }
        var fields: [String: Any] = ["send_bcc": false, "note_to_buyer": ShopCarrier.note(shipment)]
        if let carrier = shipment?.carrier {
            fields["carrier_name"] = ShopCarrier.etsy(carrier) ?? "other"
        }
        if let number = shipment?.trackingNumber { fields["tracking_code"] = number }
        let body = try await send(
            .POST, "v3/application/shops/\(shop)/receipts/\(order.orderID)/tracking",
            json: try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]))
        return read(body)?.shipments?.last?.receiptShippingId?.text
    }

    func send(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], json: Data? = nil) async throws
        -> Data
    {
        var components = URLComponents(url: base.appendingPathComponent(path), resolvingAgainstBaseURL: false)
        if !query.isEmpty { components?.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) } }
        guard let url = components?.url else { throw ShopClientError("Etsy's API address is not a URL") }
        var token = try await tokens.token()
        var (response, body) = try await call(method, url, json: json, token: token)
        // An access token lives an hour; one Etsy refuses is refreshed once and the call made again.
        if response.status.code == 401 {
            token = try await tokens.refresh(rejected: token)
            (response, body) = try await call(method, url, json: json, token: token)
        }
        guard response.status.code == 200 || response.status.code == 201 else {
            throw ShopClientError.answered(
                response.status.code, by: "Etsy", to: "\(method.rawValue) /\(path)", body: String(buffer: body))
        }
        return Data(buffer: body)
    }

    func call(_ method: HTTPMethod, _ url: URL, json: Data?, token: String) async throws -> (
        HTTPClientResponse, ByteBuffer
    ) {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = method
        request.headers.add(name: "x-api-key", value: apiKey)
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: json))
        }
        let response = try await http.execute(request, timeout: .seconds(30))
        return (response, try await response.body.collect(upTo: 64 << 20))
    }
}
