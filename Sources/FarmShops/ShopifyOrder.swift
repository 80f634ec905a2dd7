import FarmDomain
import Foundation

/// Shopify's REST `Order` (the body of `orders/*` webhooks), only what the farm reads.
struct ShopifyOrder: Decodable {
    struct Line: Decodable {
        struct Property: Decodable {
            let name: String
            let value: LooseText?
        }
        let id: ExactID
        let sku: String?
        let productId: ExactID?
        let variantId: ExactID?
        let title: String
        let variantTitle: String?
        let quantity: Int
        /// After order edits; absent in older payloads.
        let currentQuantity: Int?
        let properties: [Property]?
        let requiresShipping: Bool?
        let giftCard: Bool?
    }
    struct Customer: Decodable {
        let firstName: String?
        let lastName: String?
    }
    let id: ExactID
    let name: String?
    let createdAt: String?
    let updatedAt: String
    let financialStatus: String?
    let cancelledAt: String?
    let currency: String?
    let note: String?
    let customer: Customer?
    let lineItems: [Line]

    static func read(_ body: Data) throws(ShopOrderError) -> ShopOrder {
        let order: ShopifyOrder
        do {
            order = try ShopJSON.decoder.decode(ShopifyOrder.self, from: body)
        } catch {
            throw .decoding(error, platform: .shopify)
        }
        guard let updated = ShopTimestamp.parse(order.updatedAt) else {
            throw ShopOrderError("the shopify order's updated_at \"\(order.updatedAt)\" is not a time")
        }
        let customer = [order.customer?.firstName, order.customer?.lastName].compactMap { $0 }.joined(separator: " ")
        return ShopOrder(
            platform: .shopify, orderID: order.id.text, name: order.name,
            createdAt: order.createdAt.flatMap(ShopTimestamp.parse), updatedAt: updated,
            payment: payment(order.financialStatus), cancelled: order.cancelledAt != nil, currency: order.currency,
            customer: customer.isEmpty ? nil : customer, note: order.note,
            lines: order.lineItems.map { line in
                ShopLine(
                    lineID: line.id.text, sku: line.sku.flatMap { $0.isEmpty ? nil : $0 },
                    productID: line.productId?.text, variantID: line.variantId?.text, title: line.title,
                    variant: line.variantTitle, quantity: line.currentQuantity ?? line.quantity,
                    properties: (line.properties ?? []).map {
                        ShopProperty(name: $0.name, value: $0.value?.text ?? "")
                    },
                    physical: line.giftCard != true && line.requiresShipping != false)
            })
    }

    /// `financial_status`: pending, authorized, partially_paid, paid, partially_refunded, refunded, voided, expired.
    static func payment(_ status: String?) -> ShopPayment {
        switch status {
        case "paid": .paid
        case "partially_refunded": .partiallyRefunded
        case "refunded": .refunded
        case "voided", "expired": .voided
        default: .pending
        }
    }
}
