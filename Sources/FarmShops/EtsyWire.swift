import Crypto
import FarmAuth
import FarmDomain
import Foundation

/// Etsy: webhooks (commercial apps only) are signed the Standard Webhooks way — base64 HMAC-SHA256 of
/// `id.timestamp.body` with the base64-decoded `whsec_` secret, `v1,`-prefixed, several allowed — and only say
/// which receipt changed. Most farms poll receipts instead; both paths read receipts with `order(from:)`.
public enum EtsyWire: ShopWire {
    public static let platform = ShopPlatform.etsy
    /// Deliveries signed further from now than this are refused as replays.
    public static let tolerance: TimeInterval = 300

    public static func receive(_ delivery: ShopDelivery, secrets: [String], now: Date) throws(ShopDeliveryError)
        -> ShopNotice
    {
        guard let signatures = delivery.header("webhook-signature"), !signatures.isEmpty else { throw .unsigned }
        guard let id = delivery.header("webhook-id") else { throw .missingHeader("webhook-id") }
        guard let stamp = delivery.header("webhook-timestamp"), let seconds = TimeInterval(stamp) else {
            throw .missingHeader("webhook-timestamp")
        }
        var content = Data("\(id).\(stamp).".utf8)
        content.append(delivery.body)
        let presented = signatures.split(separator: " ").compactMap { part -> Data? in
            let pieces = part.split(separator: ",", maxSplits: 1)
            guard pieces.count == 2, pieces[0] == "v1" else { return nil }
            return Data(base64Encoded: String(pieces[1]))
        }
        let genuine = secrets.contains { secret in
            guard let key = Data(base64Encoded: String(secret.trimmingPrefix("whsec_"))) else { return false }
            return presented.contains {
                HMAC<SHA256>.isValidAuthenticationCode($0, authenticating: content, using: SymmetricKey(data: key))
            }
        }
        guard genuine else { throw .forged }
        guard abs(now.timeIntervalSince1970 - seconds) <= tolerance else {
            throw .stale("signed at \(stamp), more than \(Int(tolerance)) s from now")
        }
        return try read(delivery.body, topic: "", key: id)
    }

    public static func read(_ body: Data, topic: String, key: String) throws(ShopDeliveryError) -> ShopNotice {
        try notice(body, key: key)
    }

    /// The two envelopes Etsy has described: `{event_type, resource_url, shop_id}` and
    /// `{event_type, event_id, created_at, data: {receipt_id}}`.
    static func notice(_ body: Data, key: String) throws(ShopDeliveryError) -> ShopNotice {
        struct Envelope: Decodable {
            struct Payload: Decodable { let receiptId: ExactID? }
            let eventType: String?
            let resourceUrl: String?
            let data: Payload?
        }
        guard let envelope = try? ShopJSON.decoder.decode(Envelope.self, from: body) else {
            throw .unreadable(ShopOrderError("the body is not an Etsy webhook notification"))
        }
        let topic = envelope.eventType ?? "unknown"
        let fromURL = envelope.resourceUrl.flatMap { url -> String? in
            guard let range = url.range(of: "/receipts/") else { return nil }
            let id = url[range.upperBound...].prefix { $0.isNumber }
            return id.isEmpty ? nil : String(id)
        }
        guard let receipt = envelope.data?.receiptId?.text ?? fromURL else { return .ignored(topic: topic) }
        return .receiptChanged(receiptID: receipt, topic: topic, key: key)
    }

    public static func order(from body: Data) throws(ShopOrderError) -> ShopOrder {
        try EtsyReceipt.read(body)
    }

    /// The receipts of one `getShopReceipts` page and the total count.
    public static func receipts(from body: Data) throws(ShopOrderError) -> (orders: [ShopOrder], total: Int) {
        let page: EtsyReceiptPage
        do {
            page = try ShopJSON.decoder.decode(EtsyReceiptPage.self, from: body)
        } catch {
            throw .decoding(error, platform: .etsy)
        }
        var orders: [ShopOrder] = []
        for receipt in page.results { orders.append(try receipt.order()) }
        return (orders, page.count)
    }
}
