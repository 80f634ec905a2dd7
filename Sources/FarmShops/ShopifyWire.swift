import FarmAuth
import FarmDomain
import Foundation

/// Shopify: `X-Shopify-Hmac-Sha256` is base64 HMAC-SHA256 of the raw body with the app's client secret; the event
/// id (same for every delivery of one merchant action) deduplicates, falling back to the webhook id.
public enum ShopifyWire: ShopWire {
    public static let platform = ShopPlatform.shopify
    static let orderTopics: Set<String> = [
        "orders/create", "orders/updated", "orders/paid", "orders/cancelled", "orders/fulfilled",
        "orders/partially_fulfilled",
    ]

    public static func receive(_ delivery: ShopDelivery, secrets: [String], now: Date) throws(ShopDeliveryError)
        -> ShopNotice
    {
        // Newer "events" deliveries carry the same headers without the X- prefix.
        func header(_ name: String) -> String? {
            delivery.header("x-shopify-\(name)") ?? delivery.header("shopify-\(name)")
        }
        guard let signature = header("hmac-sha256"), !signature.isEmpty else { throw .unsigned }
        guard !delivery.body.isEmpty,
            secrets.contains(where: {
                WebhookSignature(secret: Data($0.utf8)).isValid(signature, for: delivery.body, encoding: .base64)
            })
        else { throw .forged }
        guard let topic = header("topic") else { throw .missingHeader("X-Shopify-Topic") }
        guard let id = header("event-id") ?? header("webhook-id") else {
            throw .missingHeader("X-Shopify-Event-Id")
        }
        return try read(delivery.body, topic: topic, key: "\(topic) \(id)")
    }

    public static func read(_ body: Data, topic: String, key: String) throws(ShopDeliveryError) -> ShopNotice {
        if orderTopics.contains(topic) {
            do {
                return .order(try order(from: body), topic: topic, key: key)
            } catch {
                throw .unreadable(error)
            }
        }
        if topic == "orders/delete" {
            struct Deleted: Decodable { let id: ExactID }
            guard let deleted = try? JSONDecoder().decode(Deleted.self, from: body) else {
                throw .unreadable(ShopOrderError("the orders/delete body has no id"))
            }
            return .orderDeleted(orderID: deleted.id.text, topic: topic, key: key)
        }
        return .ignored(topic: topic)
    }

    public static func order(from body: Data) throws(ShopOrderError) -> ShopOrder {
        try ShopifyOrder.read(body)
    }
}
