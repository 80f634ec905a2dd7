import FarmDomain
import Foundation

/// WooCommerce's REST v3 order (the body of `order.*` webhooks), only what the farm reads.
struct WooCommerceOrder: Decodable {
    struct Line: Decodable {
        struct Meta: Decodable {
            let key: String
            let value: LooseText?
            let displayKey: String?
            let displayValue: LooseText?
        }
        let id: ExactID
        let name: String
        let productId: ExactID?
        let variationId: ExactID?
        let quantity: Int
        let sku: String?
        let metaData: [Meta]?
    }
    struct Address: Decodable {
        let firstName: String?
        let lastName: String?
    }
    let id: ExactID
    let number: String?
    let status: String
    let currency: String?
    let dateCreatedGmt: String?
    let dateModifiedGmt: String?
    let dateModified: String?
    let datePaidGmt: String?
    let customerNote: String?
    let billing: Address?
    let lineItems: [Line]

    static func read(_ body: Data) throws(ShopOrderError) -> ShopOrder {
        let order: WooCommerceOrder
        do {
            order = try ShopJSON.decoder.decode(WooCommerceOrder.self, from: body)
        } catch {
            throw .decoding(error, platform: .woocommerce)
        }
        return try order.order()
    }

    /// `GET /orders`: a JSON array of orders.
    static func readList(_ body: Data) throws(ShopOrderError) -> [ShopOrder] {
        let list: [WooCommerceOrder]
        do {
            list = try ShopJSON.decoder.decode([WooCommerceOrder].self, from: body)
        } catch {
            throw .decoding(error, platform: .woocommerce)
        }
        var orders: [ShopOrder] = []
        for order in list { orders.append(try order.order()) }
        return orders
    }

    func order() throws(ShopOrderError) -> ShopOrder {
        let order = self
        guard let modified = (order.dateModifiedGmt ?? order.dateModified).flatMap(ShopTimestamp.parse) else {
            throw ShopOrderError("the woocommerce order has no readable date_modified_gmt")
        }
        let customer = [order.billing?.firstName, order.billing?.lastName].compactMap { $0 }
            .filter { !$0.isEmpty }.joined(separator: " ")
        let note = order.customerNote.flatMap { $0.isEmpty ? nil : $0 }
        return ShopOrder(
            platform: .woocommerce, orderID: order.id.text, name: order.number,
            createdAt: order.dateCreatedGmt.flatMap(ShopTimestamp.parse), updatedAt: modified,
            payment: Self.payment(order.status, paid: order.datePaidGmt != nil),
            cancelled: ["cancelled", "refunded", "failed", "trash"].contains(order.status), currency: order.currency,
            customer: customer.isEmpty ? nil : customer, note: note,
            lines: order.lineItems.map { line in
                ShopLine(
                    lineID: line.id.text, sku: line.sku.flatMap { $0.isEmpty ? nil : $0 },
                    productID: line.productId?.text,
                    variantID: line.variationId.flatMap { $0.text == "0" ? nil : $0.text },
                    title: HTMLEntities.decode(line.name), variant: nil, quantity: line.quantity,
                    // Keys starting with "_" are WooCommerce's and plugins' own, not the buyer's choices.
                    properties: (line.metaData ?? []).filter { !$0.key.hasPrefix("_") }.map {
                        ShopProperty(
                            name: $0.displayKey ?? $0.key, value: ($0.displayValue ?? $0.value)?.text ?? "")
                    },
                    physical: true)
            })
    }

    /// Paid orders arrive as `processing`; `completed` is shipped; `on-hold` waits for a bank transfer.
    static func payment(_ status: String, paid: Bool) -> ShopPayment {
        switch status {
        case "processing", "completed": .paid
        case "refunded": .refunded
        case "failed", "cancelled", "trash": paid ? .refunded : .voided
        default: paid ? .paid : .pending
        }
    }
}

/// The few HTML entities WordPress writes into product names (`Ship Your Idea &ndash; Color: Black`).
enum HTMLEntities {
    static let named: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "#039": "'", "ndash": "–", "mdash": "—",
        "nbsp": "\u{A0}", "hellip": "…", "times": "×", "rsquo": "’", "lsquo": "‘", "rdquo": "”", "ldquo": "“",
    ]

    static func decode(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var result = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            result += rest[..<amp]
            let after = rest[rest.index(after: amp)...]
            if let semicolon = after.prefix(10).firstIndex(of: ";") {
                let name = String(after[..<semicolon])
                if let value = named[name] ?? numeric(name) {
                    result += value
                    rest = after[after.index(after: semicolon)...]
                    continue
                }
            }
            result += "&"
            rest = after
        }
        return result + rest
    }

    private static func numeric(_ name: String) -> String? {
        guard name.hasPrefix("#") else { return nil }
        let digits = name.dropFirst()
        let code = digits.hasPrefix("x") ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
        return code.flatMap(Unicode.Scalar.init).map { String(Character($0)) }
    }
}
