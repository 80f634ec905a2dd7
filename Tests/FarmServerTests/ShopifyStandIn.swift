import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A Shopify store's Admin GraphQL API as the farm's connector uses it, from the reference pack and Shopify's
/// published rules: `POST /admin/api/2026-07/graphql.json` with `X-Shopify-Access-Token` (401 otherwise); every query
/// priced before it runs (`GraphQLCost`) and refused over 1,000 points (`MAX_COST_EXCEEDED`); a bucket of points
/// that refills at `restoreRate` a second on the stand-in's own clock, `THROTTLED` (HTTP 200) when it cannot pay;
/// `orders(query: "updated_at:>='…'", sortKey: UPDATED_AT)` paged by cursor; an order's line items paged.
actor ShopifyStandIn {
    struct Order {
        var id: String
        var updated: Date
        var financial: String = "PAID"
        var cancelled: Bool = false
        var lines: [(id: String, sku: String)]
        /// Its fulfilment orders (GID number, status, location); one open at location 1 when none are given.
        var fulfillmentOrders: [(id: String, status: String, location: String)] = []
    }

    let token: String
    var orders: [String: Order] = [:]
    var maximum: Double
    var available: Double
    var restoreRate: Double
    private var clock: Double = 0
    private var lastRefill: Double = 0
    /// Every query's page cursor and what it was priced at; THROTTLED answers counted apart.
    private(set) var priced: [(after: String?, cost: Int)] = []
    private(set) var throttled = 0
    /// The `fulfillment` input of every `fulfillmentCreate` taken or refused.
    private(set) var fulfillments: [ReceivedJSON] = []
    /// How many mutations to answer 503 before taking them.
    var failingMutations = 0

    init(token: String, maximum: Double = 2000, restoreRate: Double = 100) {
        self.token = token
        self.maximum = maximum
        self.available = maximum
        self.restoreRate = restoreRate
    }

    func put(_ order: Order) {
        var order = order
        if order.fulfillmentOrders.isEmpty { order.fulfillmentOrders = [(order.id + "1", "OPEN", "1")] }
        orders[order.id] = order
    }

    func failMutations(_ count: Int) { failingMutations = count }

    func fulfillmentOrders(of id: String) -> [(id: String, status: String, location: String)] {
        orders[id]?.fulfillmentOrders ?? []
    }

    func fulfillmentOrdersData(_ query: String, _ variables: [String: Any]) -> String {
        let id = (variables["id"] as? String ?? "").split(separator: "/").last.map(String.init) ?? ""
        guard let order = orders[id] else { return #"{"order":null}"# }
        let first = Self.firstArgument(query, after: "fulfillmentOrders") ?? 50
        let offset = (variables["after"] as? String).flatMap(Int.init) ?? 0
        let slice = order.fulfillmentOrders.dropFirst(offset).prefix(first)
        let next = offset + slice.count < order.fulfillmentOrders.count ? offset + slice.count : nil
        let nodes = slice.map {
            #"""
            {"id":"gid://shopify/FulfillmentOrder/\#($0.id)","status":"\#($0.status)",\#
            "assignedLocation":{"location":{"id":"gid://shopify/Location/\#($0.location)"}}}
            """#
        }
        return #"{"order":{"fulfillmentOrders":\#(Self.page(nodes, next: next))}}"#
    }

    /// `fulfillmentCreate`: every named fulfilment order must be open and at one location; they close.
    func fulfillmentCreate(_ variables: [String: Any]) -> String {
        let input = variables["fulfillment"] as? [String: Any] ?? [:]
        fulfillments.append(ReceivedJSON(value: input))
        let named = (input["lineItemsByFulfillmentOrder"] as? [[String: Any]] ?? []).compactMap {
            ($0["fulfillmentOrderId"] as? String)?.split(separator: "/").last.map(String.init)
        }
        func refuse(_ message: String) -> String {
            #"""
            {"fulfillmentCreate":{"fulfillment":null,"userErrors":[{"field":["fulfillment"],\#
            "message":"\#(message)"}]}}
            """#
        }
        var found: [(order: String, index: Int)] = []
        for id in named {
            guard let order = orders.values.first(where: { $0.fulfillmentOrders.contains { $0.id == id } }),
                let index = order.fulfillmentOrders.firstIndex(where: { $0.id == id })
            else { return refuse("Fulfillment order does not exist.") }
            let status = order.fulfillmentOrders[index].status
            guard ["OPEN", "IN_PROGRESS"].contains(status) else {
                return refuse(
                    "Fulfillment order gid://shopify/FulfillmentOrder/\(id) has an unfulfillable status= "
                        + "\(status.lowercased()).")
            }
            found.append((order.id, index))
        }
        let locations = Set(found.map { orders[$0.order]!.fulfillmentOrders[$0.index].location })
        guard !found.isEmpty, locations.count == 1, Set(found.map(\.order)).count == 1 else {
            return refuse("All fulfillment orders must belong to the same order and location.")
        }
        for (order, index) in found { orders[order]!.fulfillmentOrders[index].status = "CLOSED" }
        let tracking = input["trackingInfo"] as? [String: Any] ?? [:]
        return
            #"""
            {"fulfillmentCreate":{"fulfillment":\#
            {"id":"gid://shopify/Fulfillment/\#(255_858_046 + fulfillments.count)",\#
            "status":"SUCCESS","trackingInfo":[{"company":"\#(tracking["company"] ?? "")",\#
            "number":"\#(tracking["number"] ?? "")","url":null}]},"userErrors":[]}}
            """#
    }

    /// The stand-in's clock: the bucket refills as it moves.
    func advance(_ duration: Duration) {
        clock += Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    func setRestoreRate(_ rate: Double) { restoreRate = rate }

    func setBucket(available: Double) {
        self.available = available
        lastRefill = clock
    }

    static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    static func lineJSON(_ line: (id: String, sku: String)) -> String {
        """
        {"id":"gid://shopify/LineItem/\(line.id)","sku":"\(line.sku)","title":"Part","variantTitle":null,\
        "quantity":1,"currentQuantity":1,"requiresShipping":true,"isGiftCard":false,\
        "customAttributes":[{"key":"Colour","value":"Galaxy Black"}],\
        "variant":{"legacyResourceId":"8"},"product":{"legacyResourceId":"7"}}
        """
    }

    static func page(_ nodes: [String], next: Int?) -> String {
        let info =
            next.map { #"{"hasNextPage":true,"endCursor":"\#($0)"}"# } ?? #"{"hasNextPage":false,"endCursor":null}"#
        return #"{"pageInfo":\#(info),"nodes":[\#(nodes.joined(separator: ","))]}"#
    }

    func orderJSON(_ order: Order, lines first: Int) -> String {
        let shown = order.lines.prefix(first).map(Self.lineJSON)
        return """
            {"id":"gid://shopify/Order/\(order.id)","legacyResourceId":"\(order.id)","name":"#\(order.id.suffix(4))",\
            "createdAt":"\(Self.iso(order.updated))","updatedAt":"\(Self.iso(order.updated))",\
            "cancelledAt":\(order.cancelled ? "\"\(Self.iso(order.updated))\"" : "null"),\
            "displayFinancialStatus":"\(order.financial)","currencyCode":"EUR","note":null,\
            "customer":{"firstName":"Ada","lastName":"Lovelace"},\
            "lineItems":\(Self.page(shown, next: order.lines.count > first ? first : nil))}
            """
    }

    static func firstArgument(_ query: String, after field: String) -> Int? {
        guard let range = query.range(of: field + "(") else { return nil }
        let rest = query[range.upperBound...]
        guard let first = rest.range(of: "first:") else { return nil }
        return Int(rest[first.upperBound...].prefix { $0 == " " || $0.isNumber }.trimmingCharacters(in: .whitespaces))
    }

    func refill() {
        available = min(maximum, available + (clock - lastRefill) * restoreRate)
        lastRefill = clock
    }

    func answer(_ request: Request, body: ByteBuffer) -> Response {
        guard request.headers[HTTPField.Name("X-Shopify-Access-Token")!] == token else {
            return Self.json(
                #"{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}"#,
                status: .unauthorized)
        }
        guard let payload = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any],
            let query = payload["query"] as? String
        else { return Self.json(#"{"errors":[{"message":"Parse error"}]}"#, status: .badRequest) }
        let variables = payload["variables"] as? [String: Any] ?? [:]
        let cost: Int
        do {
            cost = try GraphQLCost.of(query)
        } catch {
            return Self.json(#"{"errors":[{"message":"\#(error)"}]}"#, status: .ok)
        }
        guard cost <= 1000 else {
            return Self.json(
                #"""
                {"errors":[{"message":"Query cost is \#(cost), which exceeds the single query max cost limit (1000).",\#
                "extensions":{"code":"MAX_COST_EXCEEDED","cost":\#(cost),"maxCost":1000}}]}
                """#,
                status: .ok)
        }
        refill()
        guard available + 1e-6 >= Double(cost) else {
            throttled += 1
            return Self.json(
                #"""
                {"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED",\#
                "documentation":"https://shopify.dev/api/usage/rate-limits"}}],\#
                "extensions":\#(extensions(cost))}
                """#,
                status: .ok)
        }
        available = max(0, available - Double(cost))
        priced.append((variables["after"] as? String, cost))
        let data: String
        if query.hasPrefix("mutation") {
            if failingMutations > 0 {
                failingMutations -= 1
                return Self.json(#"{"errors":"Service Unavailable"}"#, status: .serviceUnavailable)
            }
            data = fulfillmentCreate(variables)
        } else if query.contains("fulfillmentOrders(") {
            data = fulfillmentOrdersData(query, variables)
        } else if query.contains("orders(") {
            data = ordersData(query, variables)
        } else if query.contains("order(id:") {
            data = linesData(variables)
        } else {
            return Self.json(#"{"errors":[{"message":"the stand-in does not know this query"}]}"#, status: .ok)
        }
        return Self.json(#"{"data":\#(data),"extensions":\#(extensions(cost))}"#, status: .ok)
    }

    func extensions(_ cost: Int) -> String {
        #"""
        {"cost":{"requestedQueryCost":\#(cost),"actualQueryCost":\#(cost),\#
        "throttleStatus":{"maximumAvailable":\#(maximum),"currentlyAvailable":\#(available),\#
        "restoreRate":\#(restoreRate)}}}
        """#
    }

    func ordersData(_ query: String, _ variables: [String: Any]) -> String {
        let search = variables["query"] as? String ?? ""
        var since = Date.distantPast
        if let open = search.range(of: "updated_at:>='"), let close = search[open.upperBound...].firstIndex(of: "'") {
            let formatter = ISO8601DateFormatter()
            since = formatter.date(from: String(search[open.upperBound..<close])) ?? since
        }
        let first = Self.firstArgument(query, after: "orders") ?? 50
        let lines = Self.firstArgument(query, after: "lineItems") ?? 50
        let matching = orders.values.filter { $0.updated >= since }.sorted { ($0.updated, $0.id) < ($1.updated, $1.id) }
        let offset = (variables["after"] as? String).flatMap(Int.init) ?? 0
        let slice = matching.dropFirst(offset).prefix(first)
        let next = offset + slice.count < matching.count ? offset + slice.count : nil
        return #"{"orders":\#(Self.page(slice.map { orderJSON($0, lines: lines) }, next: next))}"#
    }

    func linesData(_ variables: [String: Any]) -> String {
        let id = (variables["id"] as? String ?? "").split(separator: "/").last.map(String.init) ?? ""
        guard let order = orders[id] else { return #"{"order":null}"# }
        let offset = (variables["after"] as? String).flatMap(Int.init) ?? 0
        let slice = order.lines.dropFirst(offset).prefix(50)
        let next = offset + slice.count < order.lines.count ? offset + slice.count : nil
        return #"{"order":{"lineItems":\#(Self.page(slice.map(Self.lineJSON), next: next))}}"#
    }

    static func json(_ text: String, status: HTTPResponse.Status) -> Response {
        var response = Response(status: status, body: .init(byteBuffer: ByteBuffer(string: text)))
        response.headers[.contentType] = "application/json"
        return response
    }

    /// Serves on a free port of 127.0.0.1 until the returned task is cancelled.
    func serve() async throws -> (port: Int, task: Task<Void, any Error>) {
        let router = Router()
        router.post("/admin/api/2026-07/graphql.json") { request, _ in
            let body = try await request.body.collect(upTo: 1 << 20)
            return await self.answer(request, body: body)
        }
        return try await serveStandIn(router)
    }
}

/// Shopify's published cost rules for a query: a scalar costs nothing, an object 1, a connection (a field with a
/// `first:` argument) 2 plus `first` times the cost of one of its `nodes`; the root is free. Applied to the reference
/// pack's fulfilment-order query it gives the 1,043 points the reference quotes.
enum GraphQLCost {
    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    /// What Shopify charges a mutation.
    static let mutation = 10

    static func of(_ query: String) throws -> Int {
        if query.hasPrefix("mutation") { return mutation }
        var tokens: [String] = []
        var word = ""
        for character in query {
            if character.isLetter || character.isNumber || character == "_" || character == "$" {
                word.append(character)
            } else {
                if !word.isEmpty { tokens.append(word) }
                word = ""
                if "{}():".contains(character) { tokens.append(String(character)) }
            }
        }
        if !word.isEmpty { tokens.append(word) }
        guard let open = tokens.firstIndex(of: "{") else { throw Malformed(description: "no selection set") }
        var index = open
        return try selection(tokens, &index)
    }

    /// The cost of the selection set opening at `index` (a "{"), leaving `index` after its "}".
    static func selection(_ tokens: [String], _ index: inout Int) throws -> Int {
        index += 1
        var total = 0
        while index < tokens.count, tokens[index] != "}" {
            let name = tokens[index]
            index += 1
            var first: Int?
            if index < tokens.count, tokens[index] == "(" {
                while index < tokens.count, tokens[index] != ")" {
                    if tokens[index] == "first", index + 2 < tokens.count { first = Int(tokens[index + 2]) }
                    index += 1
                }
                index += 1
            }
            guard index < tokens.count, tokens[index] == "{" else { continue }  // a scalar
            if let first {
                var nodes = 0
                var other = 0
                index += 1
                while index < tokens.count, tokens[index] != "}" {
                    let child = tokens[index]
                    index += 1
                    guard index < tokens.count, tokens[index] == "{" else { continue }
                    let cost = try selection(tokens, &index)
                    if child == "nodes" { nodes = 1 + cost } else { other += 1 + cost }
                }
                index += 1
                total += 2 + other + first * nodes
            } else {
                total += 1 + (try selection(tokens, &index))
            }
            _ = name
        }
        guard index < tokens.count else { throw Malformed(description: "an unclosed selection set") }
        index += 1
        return total
    }
}
