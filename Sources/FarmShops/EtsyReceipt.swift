import FarmDomain
import Foundation

/// Etsy's `ShopReceipt` (from `getShopReceipt(s)`; Etsy's webhooks only say which receipt changed).
struct EtsyReceipt: Decodable {
    struct Money: Decodable {
        let currencyCode: String?
    }
    struct Transaction: Decodable {
        struct Variation: Decodable {
            let formattedName: String?
            let formattedValue: LooseText?
            let questionId: ExactID?
        }
        let transactionId: ExactID
        let title: String?
        let quantity: Int
        let sku: String?
        let listingId: ExactID?
        let productId: ExactID?
        let isDigital: Bool?
        let variations: [Variation]?
    }
    let receiptId: ExactID
    let name: String?
    let status: String?
    let isPaid: Bool?
    let messageFromBuyer: String?
    let createdTimestamp: Int64?
    let createTimestamp: Int64?
    let updatedTimestamp: Int64?
    let updateTimestamp: Int64?
    let grandtotal: Money?
    let transactions: [Transaction]

    static func read(_ body: Data) throws(ShopOrderError) -> ShopOrder {
        let receipt: EtsyReceipt
        do {
            receipt = try ShopJSON.decoder.decode(EtsyReceipt.self, from: body)
        } catch {
            throw .decoding(error, platform: .etsy)
        }
        return try receipt.order()
    }

    func order() throws(ShopOrderError) -> ShopOrder {
        guard let updated = updatedTimestamp ?? updateTimestamp else {
            throw ShopOrderError("the etsy receipt has no updated_timestamp")
        }
        let created = createdTimestamp ?? createTimestamp
        let status = status?.lowercased() ?? ""
        let payment: ShopPayment =
            switch status {
            case "fully refunded": .refunded
            case "partially refunded": .partiallyRefunded
            case "canceled": isPaid == true ? .refunded : .voided
            default: isPaid == true ? .paid : .pending
            }
        return ShopOrder(
            platform: .etsy, orderID: receiptId.text, name: receiptId.text,
            createdAt: created.map { Date(timeIntervalSince1970: TimeInterval($0)) },
            updatedAt: Date(timeIntervalSince1970: TimeInterval(updated)), payment: payment,
            cancelled: status == "canceled" || status == "fully refunded", currency: grandtotal?.currencyCode,
            customer: name, note: messageFromBuyer.flatMap { $0.isEmpty ? nil : $0 },
            lines: transactions.map { transaction in
                ShopLine(
                    lineID: transaction.transactionId.text, sku: transaction.sku.flatMap { $0.isEmpty ? nil : $0 },
                    productID: transaction.listingId?.text, variantID: transaction.productId?.text,
                    title: HTMLEntities.decode(transaction.title ?? ""), variant: nil, quantity: transaction.quantity,
                    properties: (transaction.variations ?? []).map {
                        ShopProperty(
                            name: $0.formattedName ?? "", value: $0.formattedValue?.text ?? "",
                            personalisation: $0.questionId != nil)
                    },
                    physical: transaction.isDigital != true)
            })
    }
}

/// `getShopReceipts`: `count` is the total, not the page's size.
struct EtsyReceiptPage: Decodable {
    let count: Int
    let results: [EtsyReceipt]
}
