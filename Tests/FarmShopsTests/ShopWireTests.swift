import Crypto
import FarmAuth
import FarmDomain
import Foundation
import Testing

@testable import FarmShops

func reference(_ name: String) throws -> Data {
    let url = try #require(Bundle.module.url(forResource: "Reference/\(name)", withExtension: nil))
    return try Data(contentsOf: url)
}

func signed(_ body: Data, secret: String) -> String {
    WebhookSignature(secret: Data(secret.utf8)).sign(body, encoding: .base64)
}

@Suite("Shopify's wire")
struct ShopifyWireTests {
    let now = Date(timeIntervalSince1970: 1_790_000_000)

    func delivery(_ body: Data, signature: String?, topic: String = "orders/create", lowerCase: Bool = false)
        -> ShopDelivery
    {
        var headers = [
            ("X-Shopify-Topic", topic), ("X-Shopify-Shop-Domain", "farm.myshopify.com"),
            ("X-Shopify-API-Version", "2026-07"), ("X-Shopify-Webhook-Id", "545ebdd4-b7be-4d3d-b14e-54aa78e0e0f9"),
            ("X-Shopify-Event-Id", "59d6d79c-595f-4e7e-bc6f-72f5c3d0c66f"),
        ]
        if let signature { headers.append(("X-Shopify-Hmac-Sha256", signature)) }
        return ShopDelivery(headers: headers.map { lowerCase ? ($0.0.lowercased(), $0.1) : $0 }, body: body)
    }

    @Test("the reference's own test vector verifies; the order reads with its 64-bit ids exact")
    func referenceVector() throws {
        let body = try reference("shopify-orders-create.json")
        #expect(body.count == 14_894)
        let signature = "Uh+aOq2/hdGqI0ViyQ0EZ9zsv2TzwW8aumi0QIgOKvw="
        #expect(signed(body, secret: "test-client-secret") == signature)
        for lowerCase in [false, true] {
            let notice = try ShopifyWire.receive(
                delivery(body, signature: signature, lowerCase: lowerCase), secrets: ["test-client-secret"], now: now)
            guard case .order(let order, let topic, let key) = notice else {
                Issue.record("not an order: \(notice)")
                return
            }
            #expect(topic == "orders/create")
            #expect(key == "orders/create 59d6d79c-595f-4e7e-bc6f-72f5c3d0c66f")
            #expect(order.orderID == "820982911946154508", "above 2^53: a Double would give ...500")
            #expect(order.name == "#9999")
            #expect(order.lines.map(\.lineID).first == "487817672276298554")
            #expect(
                order.lines.map(\.sku) == [
                    "SKU2006-001", "LENS-PROTECT-2YR", "CASE-LEATHER-PREM", "SKU2006-020", "SKU2006-035",
                ])
            #expect(order.updatedAt == Date(timeIntervalSince1970: 1_640_995_200), "2021-12-31T19:00:00-05:00")
            #expect(order.currency == "USD")
            // The sample is synthetic: voided and cancelled even for orders/create.
            #expect(order.payment == .voided && order.cancelled)
        }
    }

    @Test("tampered, pretty-printed, wrong-secret and unsigned deliveries are refused; a rotated secret still verifies")
    func forgeries() throws {
        let body = try reference("shopify-orders-create.json")
        let signature = signed(body, secret: "test-client-secret")
        var tampered = body
        tampered[tampered.count / 2] ^= 0x01
        let pretty = try JSONSerialization.data(
            withJSONObject: try JSONSerialization.jsonObject(with: body), options: [.prettyPrinted])
        let secrets = ["test-client-secret"]
        #expect(throws: ShopDeliveryError.forged) {
            try ShopifyWire.receive(delivery(tampered, signature: signature), secrets: secrets, now: now)
        }
        #expect(throws: ShopDeliveryError.forged) {
            try ShopifyWire.receive(delivery(pretty, signature: signature), secrets: secrets, now: now)
        }
        #expect(throws: ShopDeliveryError.forged) {
            try ShopifyWire.receive(delivery(body, signature: signature), secrets: ["another-secret"], now: now)
        }
        #expect(throws: ShopDeliveryError.forged) {
            try ShopifyWire.receive(delivery(body, signature: "not base64 at all"), secrets: secrets, now: now)
        }
        #expect(throws: ShopDeliveryError.unsigned) {
            try ShopifyWire.receive(delivery(body, signature: nil), secrets: secrets, now: now)
        }
        #expect(throws: ShopDeliveryError.forged, "an empty body is never genuine") {
            try ShopifyWire.receive(
                delivery(Data(), signature: signed(Data(), secret: "test-client-secret")), secrets: secrets, now: now)
        }
        let rotated = try ShopifyWire.receive(
            delivery(body, signature: signature), secrets: ["new-secret", "test-client-secret"], now: now)
        if case .order = rotated {} else { Issue.record("the secret before a rotation is still accepted") }
    }

    @Test("a signed body that is not an order is a clear error; other topics are ignored; a delete names its order")
    func contents() throws {
        let secrets = ["s"]
        let notJSON = Data("{\"id\": 1, \"line_items\": [".utf8)
        #expect(throws: ShopDeliveryError.unreadable(ShopOrderError("the body is not JSON"))) {
            try ShopifyWire.receive(
                delivery(notJSON, signature: signed(notJSON, secret: "s")), secrets: secrets, now: now)
        }
        let noLines = Data(#"{"id": 5, "updated_at": "2026-01-01T00:00:00Z"}"#.utf8)
        #expect(throws: ShopDeliveryError.unreadable(ShopOrderError("the shopify order has no line_items"))) {
            try ShopifyWire.receive(
                delivery(noLines, signature: signed(noLines, secret: "s")), secrets: secrets, now: now)
        }
        let product = Data(#"{"id": 5}"#.utf8)
        #expect(
            try ShopifyWire.receive(
                delivery(product, signature: signed(product, secret: "s"), topic: "products/update"), secrets: secrets,
                now: now) == .ignored(topic: "products/update"))
        let deleted = Data(#"{"id": 820982911946154508}"#.utf8)
        #expect(
            try ShopifyWire.receive(
                delivery(deleted, signature: signed(deleted, secret: "s"), topic: "orders/delete"), secrets: secrets,
                now: now)
                == .orderDeleted(
                    orderID: "820982911946154508", topic: "orders/delete",
                    key: "orders/delete 59d6d79c-595f-4e7e-bc6f-72f5c3d0c66f"))
    }

    @Test("line-item properties, edited quantities, gift cards and a 5 MiB body")
    func lines() throws {
        let body = Data(
            """
            {"id": 1, "name": "#1001", "updated_at": "2026-03-01T10:00:00.250Z", "financial_status": "paid",
             "cancelled_at": null, "currency": "EUR", "note": "\(String(repeating: "x", count: 5 << 20))",
             "customer": {"first_name": "Ada", "last_name": "Lovelace"},
             "line_items": [
              {"id": 11, "sku": "PF-DRAGON", "product_id": 7, "variant_id": 8, "title": "Dragon", "variant_title": "Gold",
               "quantity": 3, "current_quantity": 2, "requires_shipping": true, "gift_card": false,
               "properties": [{"name": "Colour", "value": "Galaxy Black"}, {"name": "Material", "value": "PLA"},
                              {"name": "_model_file", "value": "keychain-v3.3mf"}, {"name": "Count", "value": 4}]},
              {"id": 12, "sku": "", "title": "Gift card", "quantity": 1, "gift_card": true, "requires_shipping": false}
             ]}
            """.utf8)
        let order = try ShopifyWire.order(from: body)
        #expect(order.payment == .paid && !order.cancelled)
        #expect(order.customer == "Ada Lovelace")
        #expect(order.updatedAt == Date(timeIntervalSince1970: 1_772_359_200.25))
        let dragon = order.lines[0]
        #expect(dragon.quantity == 2, "the quantity after edits")
        #expect(dragon.property("colour") == "Galaxy Black" && dragon.property("Count") == "4")
        #expect(dragon.physical && dragon.variant == "Gold" && dragon.variantID == "8")
        #expect(order.lines[1].sku == nil && !order.lines[1].physical)
    }
}

@Suite("WooCommerce's wire")
struct WooCommerceWireTests {
    let now = Date(timeIntervalSince1970: 1_790_000_000)

    func delivery(_ body: Data, signature: String?, topic: String = "order.created") -> ShopDelivery {
        var headers = [
            ("X-WC-Webhook-Source", "https://shop.example.com/"), ("X-WC-Webhook-Topic", topic),
            ("X-WC-Webhook-Resource", "order"), ("X-WC-Webhook-ID", "12"),
            ("X-WC-Webhook-Delivery-ID", "8f3a0c1e9d"),
        ]
        if let signature { headers.append(("X-WC-Webhook-Signature", signature)) }
        return ShopDelivery(headers: headers, body: body)
    }

    @Test("the reference's test vector over the \\/-escaped wire body verifies; the same order pretty-printed does not")
    func referenceVector() throws {
        let wire = try reference("woocommerce-order-created.wire-body.txt")
        let signature = "XdkRDoAU8eDMEiTU5Rnlb8yIj/s/7Qz1naQ+ZSunlGk="
        #expect(signed(wire, secret: "test-webhook-secret") == signature)
        let notice = try WooCommerceWire.receive(
            delivery(wire, signature: signature), secrets: ["test-webhook-secret"], now: now)
        guard case .order(let order, "order.created", let key) = notice else {
            Issue.record("not an order: \(notice)")
            return
        }
        #expect(order.orderID == "727" && order.name == "727")
        #expect(key == "order 727 \(order.updatedAt.timeIntervalSince1970)")
        #expect(order.updatedAt == ShopTimestamp.parse("2017-03-22T19:28:08Z"), "date_modified_gmt is GMT")
        #expect(order.payment == .paid, "processing means paid")
        #expect(order.lines.count == 2)
        #expect(order.lines[0].sku == nil && order.lines[0].variantID == nil && order.lines[0].quantity == 2)
        #expect(order.lines[1].title == "Ship Your Idea – Color: Black, Size: M Test")
        #expect(order.lines[1].sku == "Bar3" && order.lines[1].variantID == "23")
        #expect(order.lines[1].property("pa_color") == "black" && order.lines[1].property("size") == "M Test")

        let pretty = try reference("woocommerce-order-created.json")
        #expect(throws: ShopDeliveryError.forged) {
            try WooCommerceWire.receive(
                delivery(pretty, signature: signature), secrets: ["test-webhook-secret"], now: now)
        }
    }

    @Test("the unsigned creation ping is a ping; anything else unsigned is refused")
    func ping() throws {
        #expect(
            try WooCommerceWire.receive(delivery(Data("webhook_id=12".utf8), signature: nil), secrets: ["s"], now: now)
                == .ping)
        #expect(throws: ShopDeliveryError.unsigned) {
            try WooCommerceWire.receive(
                delivery(try reference("woocommerce-order-created.wire-body.txt"), signature: nil), secrets: ["s"],
                now: now)
        }
        #expect(throws: ShopDeliveryError.unsigned) {
            try WooCommerceWire.receive(
                delivery(Data("webhook_id=12&x=1".utf8), signature: nil), secrets: ["s"], now: now)
        }
    }

    @Test("statuses: on-hold waits for payment, cancelled and refunded orders are cancelled")
    func statuses() throws {
        func order(_ status: String, paid: Bool) throws -> ShopOrder {
            try WooCommerceWire.order(
                from: Data(
                    """
                    {"id": 9, "status": "\(status)", "date_modified_gmt": "2026-01-01T00:00:00",
                     "date_paid_gmt": \(paid ? "\"2026-01-01T00:00:00\"" : "null"), "line_items": []}
                    """.utf8))
        }
        #expect(try order("on-hold", paid: false).payment == .pending)
        #expect(try order("pending", paid: false).cancelled == false)
        #expect(try order("cancelled", paid: false).cancelled)
        #expect(try order("cancelled", paid: false).payment == .voided)
        #expect(try order("refunded", paid: true).payment == .refunded)
        #expect(try order("completed", paid: true).payment == .paid)
    }
}

@Suite("Etsy's wire")
struct EtsyWireTests {
    let key = Data((0..<32).map { UInt8($0 * 7 & 0xFF) })
    var secret: String { "whsec_" + key.base64EncodedString() }
    let now = Date(timeIntervalSince1970: 1_790_000_000)

    func delivery(_ body: Data, id: String = "msg_2Lq", at: Date, signatures: [String]? = nil) -> ShopDelivery {
        let stamp = String(Int(at.timeIntervalSince1970))
        var content = Data("\(id).\(stamp).".utf8)
        content.append(body)
        let mac = Data(HMAC<SHA256>.authenticationCode(for: content, using: SymmetricKey(data: key)))
        let header = (signatures ?? []) + ["v1," + mac.base64EncodedString()]
        return ShopDelivery(
            headers: [
                ("webhook-id", id), ("webhook-timestamp", stamp), ("webhook-signature", header.joined(separator: " ")),
            ],
            body: body)
    }

    @Test("a receipt reads: exact ids, payment, variations and the buyer's personalisation")
    func receipt() throws {
        let order = try EtsyWire.order(from: try reference("etsy-receipt-sample.json"))
        #expect(order.orderID == "3412345678" && order.payment == .paid && !order.cancelled)
        #expect(order.updatedAt == Date(timeIntervalSince1970: 1_758_153_700))
        #expect(order.note == "Please make it glow-in-the-dark if possible!")
        let line = try #require(order.lines.first)
        #expect(line.lineID == "4123456789" && line.sku == "KEYCHAIN-NAME" && line.quantity == 1)
        #expect(line.property("Primary color") == "Galaxy Black" && line.property("material") == "PLA")
        #expect(line.properties.filter(\.personalisation).map(\.value) == ["ALEX"])
    }

    @Test("Standard Webhooks signatures: either envelope names the receipt; forged, stale and unsigned are refused")
    func webhooks() throws {
        let thin = Data(
            #"{"event_type": "order.paid", "resource_url": "https://api.etsy.com/v3/application/shops/123456/receipts/234567890", "shop_id": "123456"}"#
                .utf8)
        #expect(
            try EtsyWire.receive(delivery(thin, at: now), secrets: [secret], now: now)
                == .receiptChanged(receiptID: "234567890", topic: "order.paid", key: "msg_2Lq"))
        let official = Data(
            #"{"event_type": "ORDER_PAID", "event_id": "e1", "created_at": 1790000000, "data": {"receipt_id": 99}}"#
                .utf8)
        #expect(
            try EtsyWire.receive(delivery(official, at: now, signatures: ["v1,AAAA"]), secrets: [secret], now: now)
                == .receiptChanged(receiptID: "99", topic: "ORDER_PAID", key: "msg_2Lq"))
        #expect(throws: ShopDeliveryError.forged) {
            try EtsyWire.receive(
                delivery(thin, at: now), secrets: ["whsec_" + Data(count: 32).base64EncodedString()], now: now)
        }
        var tampered = delivery(thin, at: now)
        tampered.body.append(0x20)
        #expect(throws: ShopDeliveryError.forged) { try EtsyWire.receive(tampered, secrets: [secret], now: now) }
        #expect(throws: ShopDeliveryError.self) {
            try EtsyWire.receive(delivery(thin, at: now.addingTimeInterval(-600)), secrets: [secret], now: now)
        }
        #expect(throws: ShopDeliveryError.unsigned) {
            try EtsyWire.receive(ShopDelivery(headers: [], body: thin), secrets: [secret], now: now)
        }
    }

    @Test("a receipts page: count is the total, not the page's size")
    func page() throws {
        let receipt = try reference("etsy-receipt-sample.json")
        var body = Data(#"{"count": 57, "results": ["#.utf8)
        body.append(receipt)
        body.append(Data("]}".utf8))
        let page = try EtsyWire.receipts(from: body)
        #expect(page.total == 57 && page.orders.count == 1)
    }
}

@Suite("Shop values")
struct ShopValueTests {
    @Test("ids beyond 2^53 and 2^63 stay exact, from numbers or strings; timestamps in every shop's form")
    func values() throws {
        struct Holder: Decodable { let a: ExactID, b: ExactID, c: ExactID }
        let holder = try JSONDecoder().decode(
            Holder.self, from: Data(#"{"a": 9007199254740993, "b": 18446744073709551615, "c": "gid-7"}"#.utf8))
        #expect(
            [holder.a.text, holder.b.text, holder.c.text] == ["9007199254740993", "18446744073709551615", "gid-7"])
        #expect(ShopTimestamp.parse("2021-12-31T19:00:00-05:00") == Date(timeIntervalSince1970: 1_640_995_200))
        #expect(ShopTimestamp.parse("2025-07-10T16:15:47.500000Z") == Date(timeIntervalSince1970: 1_752_164_147.5))
        #expect(ShopTimestamp.parse("2017-03-22T19:28:08") == Date(timeIntervalSince1970: 1_490_210_888))
        #expect(ShopTimestamp.parse("yesterday") == nil)
        #expect(HTMLEntities.decode("A &amp; B &#8211; C &hellip; &bogus; &") == "A & B – C … &bogus; &")
    }
}
