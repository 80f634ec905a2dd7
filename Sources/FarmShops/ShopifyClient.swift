import AsyncHTTPClient
import FarmDomain
import Foundation
import NIOCore
import NIOFoundationCompat

/// Shopify's Admin GraphQL API (`POST /admin/api/{version}/graphql.json`, `X-Shopify-Access-Token`).
///
/// Every query is priced by Shopify before it runs: a connection costs 2 plus `first` times what one of its nodes
/// costs, an object 1, a scalar nothing; a query over 1,000 points is refused (`MAX_COST_EXCEEDED`), and each shop
/// has a bucket of points that refills at `restoreRate` a second. The page sizes below keep the orders query at
/// `ordersQueryCost` points; before each query the client waits, when the bucket its last answer reported would not
/// hold the query, for as long as the bucket needs to refill; a `THROTTLED` answer (HTTP 200 with that error code) is
/// waited out the same way, up to `throttledTries` times, then reported as throttling.
public struct ShopifyClient: ShopClient {
    public static let apiVersion = "2026-07"
    static let ordersPerPage = 10
    static let linesPerOrder = 20
    static let linesPerPage = 50
    static let throttledTries = 4

    /// One line item as asked for: itself, its attribute list, its variant and product (1 point each).
    static let lineCost = 4
    /// A page of a connection: 2, its `pageInfo` 1, and `first` nodes.
    static func connection(_ first: Int, node: Int) -> Int { 2 + 1 + first * node }
    /// 10 × (the order 1 + its customer 1 + 20 lines) = 853 points.
    public static let ordersQueryCost = connection(
        ordersPerPage, node: 1 + 1 + connection(linesPerOrder, node: lineCost))
    /// The order 1 + 50 lines = 204 points.
    public static let linesQueryCost = 1 + connection(linesPerPage, node: lineCost)

    static let lineFields = """
        id sku title variantTitle quantity currentQuantity requiresShipping isGiftCard \
        customAttributes { key value } variant { legacyResourceId } product { legacyResourceId }
        """

    public static let ordersQuery = """
        query Orders($query: String!, $after: String) { \
        orders(first: \(ordersPerPage), after: $after, query: $query, sortKey: UPDATED_AT) { \
        pageInfo { hasNextPage endCursor } \
        nodes { id legacyResourceId name createdAt updatedAt cancelledAt displayFinancialStatus currencyCode note \
        customer { firstName lastName } \
        lineItems(first: \(linesPerOrder)) { pageInfo { hasNextPage endCursor } nodes { \(lineFields) } } } } }
        """

    public static let linesQuery = """
        query Lines($id: ID!, $after: String) { order(id: $id) { \
        lineItems(first: \(linesPerPage), after: $after) { pageInfo { hasNextPage endCursor } \
        nodes { \(lineFields) } } } }
        """

    let base: URL
    let accessToken: String
    let http: HTTPClient
    let pause: @Sendable (Duration) async throws -> Void

    public init(
        base: URL, accessToken: String, http: HTTPClient,
        pause: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.base = base
        self.accessToken = accessToken
        self.http = http
        self.pause = pause
    }

    /// Shopify's search syntax; `>=` because the cursor's own second may hold more changes (seen again, harmless).
    static func search(from date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return "updated_at:>='\(formatter.string(from: date))'"
    }

    public func changedOrders(since cursor: String?, start: Date) async throws -> (
        orders: [ShopOrder], cursor: String?
    ) {
        let from = cursor.flatMap(ShopTimestamp.parse) ?? start
        struct Page: Decodable {
            struct Orders: Decodable {
                let pageInfo: ShopifyGraphOrder.PageInfo
                let nodes: [ShopifyGraphOrder]
            }
            let orders: Orders
        }
        var orders: [ShopOrder] = []
        var after: String?
        var bucket = Bucket()
        repeat {
            let page: Page = try await query(
                Self.ordersQuery, variables: ["query": Self.search(from: from), "after": after ?? NSNull()],
                cost: Self.ordersQueryCost, bucket: &bucket)
            for node in page.orders.nodes {
                let extra = node.lineItems.pageInfo.hasNextPage ? try await moreLines(of: node, bucket: &bucket) : []
                do {
                    orders.append(try node.order(extraLines: extra))
                } catch {
                    throw ShopClientError("Shopify's order \(node.legacyResourceId.text) cannot be read: \(error)")
                }
            }
            after = page.orders.pageInfo.hasNextPage ? page.orders.pageInfo.endCursor : nil
        } while after != nil
        let latest = orders.map(\.updatedAt).max()
        let formatter = ISO8601DateFormatter()
        return (orders, latest.map { formatter.string(from: $0) } ?? cursor)
    }

    /// The lines of an order past its first page.
    func moreLines(of order: ShopifyGraphOrder, bucket: inout Bucket) async throws -> [ShopifyGraphOrder.Line] {
        struct Page: Decodable {
            struct Order: Decodable { let lineItems: ShopifyGraphOrder.Lines }
            let order: Order?
        }
        var lines: [ShopifyGraphOrder.Line] = []
        var after = order.lineItems.pageInfo.endCursor
        while let cursor = after {
            let page: Page = try await query(
                Self.linesQuery, variables: ["id": order.id, "after": cursor], cost: Self.linesQueryCost,
                bucket: &bucket)
            guard let items = page.order?.lineItems else { break }
            lines += items.nodes
            after = items.pageInfo.hasNextPage ? items.pageInfo.endCursor : nil
        }
        return lines
    }

    /// An order's fulfilment orders, five at a time: 19 points (the reference's ten with fifty nested line items each
    /// cost 1,043 and are refused). Line items are not asked for: a fulfilment order named without them is fulfilled
    /// whole, every line item in it.
    public static let fulfillmentOrdersQuery = """
        query FulfillmentOrders($id: ID!, $after: String) { order(id: $id) { \
        fulfillmentOrders(first: 5, after: $after) { pageInfo { hasNextPage endCursor } \
        nodes { id status assignedLocation { location { id } } } } } }
        """
    public static let fulfillmentOrdersQueryCost = 1 + connection(5, node: 3)

    public static let fulfillmentCreate = """
        mutation fulfillmentCreate($fulfillment: FulfillmentInput!) { fulfillmentCreate(fulfillment: $fulfillment) { \
        fulfillment { id status trackingInfo { company number url } } userErrors { field message } } }
        """
    /// What Shopify charges a mutation.
    static let mutationCost = 10

    struct FulfillmentOrder: Decodable {
        struct Assigned: Decodable {
            struct Location: Decodable { let id: String }
            let location: Location?
        }
        let id: String
        let status: String
        let assignedLocation: Assigned?
    }

    /// `fulfillmentCreate` over the order's open fulfilment orders (OPEN or IN_PROGRESS), one call per location as
    /// Shopify asks, with the tracking number and Shopify's name of the carrier; the customer is notified. An order
    /// with none open and some closed was fulfilled already (in Shopify's admin, or by a try whose answer was lost).
    public func fulfil(_ order: ShopOrder, shipment: Shipment?) async throws -> String? {
        struct Page: Decodable {
            struct Order: Decodable {
                struct Orders: Decodable {
                    let pageInfo: ShopifyGraphOrder.PageInfo
                    let nodes: [FulfillmentOrder]
                }
                let fulfillmentOrders: Orders
            }
            let order: Order?
        }
        var bucket = Bucket()
        var all: [FulfillmentOrder] = []
        var after: String?
        repeat {
            let page: Page = try await query(
                Self.fulfillmentOrdersQuery,
                variables: ["id": "gid://shopify/Order/\(order.orderID)", "after": after ?? NSNull()],
                cost: Self.fulfillmentOrdersQueryCost, bucket: &bucket)
            guard let orders = page.order?.fulfillmentOrders else {
                throw ShopClientError("Shopify has no order \(order.orderID)", persistent: true)
            }
            all += orders.nodes
            after = orders.pageInfo.hasNextPage ? orders.pageInfo.endCursor : nil
        } while after != nil
        let open = all.filter { ["OPEN", "IN_PROGRESS"].contains($0.status) }
        guard !open.isEmpty else {
            if all.contains(where: { $0.status == "CLOSED" }) { return nil }
            let statuses = Set(all.map(\.status)).sorted().joined(separator: ", ")
            throw ShopClientError(
                "Shopify has nothing to fulfil on order \(order.name ?? order.orderID) (its fulfilment orders are "
                    + "\(statuses.isEmpty ? "none" : statuses)): release them in Shopify's admin, then retry",
                persistent: true)
        }
        var tracking: [String: Any] = [:]
        if let carrier = shipment?.carrier { tracking["company"] = ShopCarrier.shopify(carrier) }
        if let number = shipment?.trackingNumber { tracking["number"] = number }
        if let url = shipment?.trackingURL { tracking["url"] = url }
        var references: [String] = []
        for location in Dictionary(grouping: open, by: { $0.assignedLocation?.location?.id ?? "" }).keys.sorted() {
            let group = open.filter { ($0.assignedLocation?.location?.id ?? "") == location }
            var fulfillment: [String: Any] = [
                "lineItemsByFulfillmentOrder": group.map { ["fulfillmentOrderId": $0.id] }, "notifyCustomer": true,
            ]
            if !tracking.isEmpty { fulfillment["trackingInfo"] = tracking }
            struct Created: Decodable {
                struct Result: Decodable {
                    struct Fulfillment: Decodable { let id: String }
                    struct UserError: Decodable { let message: String }
                    let fulfillment: Fulfillment?
                    let userErrors: [UserError]
                }
                let fulfillmentCreate: Result
            }
            let created: Created = try await query(
                Self.fulfillmentCreate, variables: ["fulfillment": fulfillment], cost: Self.mutationCost,
                bucket: &bucket)
            // why: Shopify answers a refused mutation with HTTP 200 and its reasons in userErrors.
            if !created.fulfillmentCreate.userErrors.isEmpty {
                throw ShopClientError(
                    "Shopify refused the fulfilment: "
                        + created.fulfillmentCreate.userErrors.map(\.message).joined(separator: "; "),
                    persistent: true)
            }
            if let id = created.fulfillmentCreate.fulfillment?.id { references.append(id) }
        }
        return references.isEmpty ? nil : references.joined(separator: " ")
    }

    struct Envelope<Payload: Decodable>: Decodable {
        struct Problem: Decodable {
            struct Extensions: Decodable { let code: String? }
            let message: String
            let extensions: Extensions?
        }
        struct Extensions: Decodable {
            struct Cost: Decodable {
                struct Throttle: Decodable {
                    let maximumAvailable: Double
                    let currentlyAvailable: Double
                    let restoreRate: Double
                }
                let requestedQueryCost: Double?
                let throttleStatus: Throttle?
            }
            let cost: Cost?
        }
        let data: Payload?
        let errors: [Problem]?
        let extensions: Extensions?
    }

    /// The shop's point bucket as its last answer left it.
    struct Bucket {
        var available: Double?
        var restoreRate: Double?

        /// How long the bucket needs to hold `cost` points, or nil when it holds them now.
        func refill(for cost: Int) -> Duration? {
            guard let available, let restoreRate, restoreRate > 0, Double(cost) > available else { return nil }
            return .milliseconds(Int64(((Double(cost) - available) * 1000 / restoreRate).rounded(.up)))
        }
    }

    /// Runs one GraphQL query, waiting for the shop's point bucket as Shopify asks.
    func query<Payload: Decodable>(
        _ text: String, variables: [String: Any], cost: Int, bucket: inout Bucket
    ) async throws -> Payload {
        for attempt in 1...Self.throttledTries {
            if let wait = bucket.refill(for: cost) { try await pause(wait) }
            let body = try await post(text, variables: variables)
            let envelope: Envelope<Payload>
            do {
                envelope = try JSONDecoder().decode(Envelope<Payload>.self, from: body)
            } catch {
                throw ShopClientError("Shopify's GraphQL answer cannot be read: \(error)")
            }
            let status = envelope.extensions?.cost?.throttleStatus
            bucket = Bucket(available: status?.currentlyAvailable, restoreRate: status?.restoreRate)
            let problems = envelope.errors ?? []
            if problems.contains(where: { $0.extensions?.code == "THROTTLED" }) {
                guard attempt < Self.throttledTries else {
                    throw ShopClientError("Shopify throttled the query \(attempt) times in a row", throttled: true)
                }
                if bucket.refill(for: cost) == nil { try await pause(.seconds(1)) }
                continue
            }
            if let problem = problems.first {
                let code = problem.extensions?.code.map { " (\($0))" } ?? ""
                throw ShopClientError("Shopify refused the query\(code): \(problem.message)")
            }
            guard let data = envelope.data else { throw ShopClientError("Shopify answered a query with no data") }
            return data
        }
        throw ShopClientError("Shopify throttled the query", throttled: true)
    }

    func post(_ text: String, variables: [String: Any]) async throws -> Data {
        let url = base.appendingPathComponent("admin/api/\(Self.apiVersion)/graphql.json")
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        request.headers.add(name: "X-Shopify-Access-Token", value: accessToken)
        request.headers.add(name: "Content-Type", value: "application/json")
        let payload: [String: Any] = ["query": text, "variables": variables]
        request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: payload)))
        let response = try await http.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 64 << 20)
        guard response.status.code == 200 else {
            throw ShopClientError.answered(
                response.status.code, by: "Shopify", to: "POST /admin/api/\(Self.apiVersion)/graphql.json",
                body: String(buffer: body))
        }
        return Data(buffer: body)
    }
}
