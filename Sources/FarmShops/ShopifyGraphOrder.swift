import FarmDomain
import Foundation

/// Shopify's GraphQL `Order`, as `ShopifyClient.ordersQuery` asks for it. Ids are turned into the REST ids webhooks
/// carry (`legacyResourceId`, the number at the end of a line item's GID), so an order polled and the same order
/// delivered are one sale with the same lines.
struct ShopifyGraphOrder: Decodable {
    struct PageInfo: Decodable {
        let hasNextPage: Bool
        let endCursor: String?
    }
    struct Reference: Decodable {
        let legacyResourceId: ExactID
    }
    struct Attribute: Decodable {
        let key: String
        let value: String?
    }
    struct Line: Decodable {
        let id: String
        let sku: String?
        let title: String
        let variantTitle: String?
        let quantity: Int
        let currentQuantity: Int?
        let requiresShipping: Bool?
        let isGiftCard: Bool?
        let customAttributes: [Attribute]?
        let variant: Reference?
        let product: Reference?
    }
    struct Lines: Decodable {
        let pageInfo: PageInfo
        let nodes: [Line]
    }
    struct Customer: Decodable {
        let firstName: String?
        let lastName: String?
    }
    let id: String
    let legacyResourceId: ExactID
    let name: String?
    let createdAt: String?
    let updatedAt: String
    let cancelledAt: String?
    let displayFinancialStatus: String?
    let currencyCode: String?
    let note: String?
    let customer: Customer?
    let lineItems: Lines

    /// The number a GID ends with (`gid://shopify/LineItem/866550311766439020` → `866550311766439020`).
    static func legacyID(_ gid: String) -> String {
        gid.split(separator: "/").last.map(String.init) ?? gid
    }

    func order(extraLines: [Line] = []) throws(ShopOrderError) -> ShopOrder {
        guard let updated = ShopTimestamp.parse(updatedAt) else {
            throw ShopOrderError("the shopify order's updatedAt \"\(updatedAt)\" is not a time")
        }
        let customer = [customer?.firstName, customer?.lastName].compactMap { $0 }.joined(separator: " ")
        return ShopOrder(
            platform: .shopify, orderID: legacyResourceId.text, name: name,
            createdAt: createdAt.flatMap(ShopTimestamp.parse), updatedAt: updated,
            payment: ShopifyOrder.payment(displayFinancialStatus?.lowercased()), cancelled: cancelledAt != nil,
            currency: currencyCode, customer: customer.isEmpty ? nil : customer, note: note,
            lines: (lineItems.nodes + extraLines).map { line in
                ShopLine(
                    lineID: Self.legacyID(line.id), sku: line.sku.flatMap { $0.isEmpty ? nil : $0 },
                    productID: line.product?.legacyResourceId.text, variantID: line.variant?.legacyResourceId.text,
                    title: line.title, variant: line.variantTitle, quantity: line.currentQuantity ?? line.quantity,
                    properties: (line.customAttributes ?? []).map { ShopProperty(name: $0.key, value: $0.value ?? "") },
                    physical: line.isGiftCard != true && line.requiresShipping != false)
            })
    }
}
