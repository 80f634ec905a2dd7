import FarmAuth
import FarmDomain
import Foundation

/// WooCommerce: `X-WC-Webhook-Signature` is base64 HMAC-SHA256 of the body exactly as WordPress encoded it (`\/`
/// escapes and all). Saving a webhook sends an unsigned form body `webhook_id=N` that must get a 200. There is no
/// event id and no retry: the order id and its modification time deduplicate, and polling finds what was lost.
public enum WooCommerceWire: ShopWire {
    public static let platform = ShopPlatform.woocommerce

    public static func receive(_ delivery: ShopDelivery, secrets: [String], now: Date) throws(ShopDeliveryError)
        -> ShopNotice
    {
        guard let signature = delivery.header("x-wc-webhook-signature"), !signature.isEmpty else {
            if isPing(delivery.body) { return .ping }
            throw .unsigned
        }
        guard
            secrets.contains(where: {
                WebhookSignature(secret: Data($0.utf8)).isValid(signature, for: delivery.body, encoding: .base64)
            })
        else { throw .forged }
        guard let topic = delivery.header("x-wc-webhook-topic") else { throw .missingHeader("X-WC-Webhook-Topic") }
        return try read(delivery.body, topic: topic, key: nil)
    }

    public static func read(_ body: Data, topic: String, key: String) throws(ShopDeliveryError) -> ShopNotice {
        try read(body, topic: topic, key: Optional(key))
    }

    /// Without a key, the order's id and modification time make one: WooCommerce sends no event id.
    static func read(_ body: Data, topic: String, key: String?) throws(ShopDeliveryError) -> ShopNotice {
        switch topic {
        case "order.created", "order.updated", "order.restored":
            do {
                let order = try order(from: body)
                return .order(
                    order, topic: topic, key: key ?? "order \(order.orderID) \(order.updatedAt.timeIntervalSince1970)")
            } catch {
                throw .unreadable(error)
            }
        case "order.deleted":
            struct Deleted: Decodable { let id: ExactID }
            guard let deleted = try? JSONDecoder().decode(Deleted.self, from: body) else {
                throw .unreadable(ShopOrderError("the order.deleted body has no id"))
            }
            return .orderDeleted(orderID: deleted.id.text, topic: topic, key: key ?? "deleted \(deleted.id.text)")
        default:
            return .ignored(topic: topic)
        }
    }

    public static func order(from body: Data) throws(ShopOrderError) -> ShopOrder {
        try WooCommerceOrder.read(body)
    }

    /// `webhook_id=<digits>`, form-encoded, nothing else.
    static func isPing(_ body: Data) -> Bool {
        guard body.count < 64, let text = String(data: body, encoding: .utf8) else { return false }
        let parts = text.split(separator: "=", maxSplits: 1)
        return parts.count == 2 && parts[0] == "webhook_id" && parts[1].allSatisfy(\.isNumber)
    }
}
