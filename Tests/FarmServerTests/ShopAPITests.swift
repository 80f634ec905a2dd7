import FarmArtifacts
import FarmAuth
import FarmDomain
import FarmIntake
import FarmReactions
import FarmShops
import FarmStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import MeshTestSupport
import Testing

@testable import FarmServer

/// A Shopify `orders/*` body with our values, in the shape of the reference sample.
func shopifyOrder(
    id: String = "820982911946154508", updated: String = "2026-03-01T10:00:00Z", financial: String = "paid",
    cancelled: Bool = false, sku: String = "PF-DRAGON", quantity: Int = 2, colour: String = "Galaxy Black"
) -> Data {
    Data(
        """
        {"id": \(id), "name": "#1001", "created_at": "2026-03-01T09:00:00Z", "updated_at": "\(updated)",
         "financial_status": "\(financial)", "cancelled_at": \(cancelled ? "\"\(updated)\"" : "null"), "currency": "EUR",
         "note": "Please gift wrap", "customer": {"first_name": "Ada", "last_name": "Lovelace"},
         "line_items": [
          {"id": 487817672276298554, "sku": "\(sku)", "product_id": 7, "variant_id": 8, "title": "Dragon",
           "quantity": \(quantity), "requires_shipping": true, "gift_card": false,
           "properties": [{"name": "Colour", "value": "\(colour)"}, {"name": "Engraving", "value": "ALEX"}]},
          {"id": 2, "sku": "SHIP-PROTECT", "title": "Shipping protection", "quantity": 1, "requires_shipping": false}
         ]}
        """.utf8)
}

extension TestFarm {
    func deliver(
        _ body: Data, to connection: String, topic: String = "orders/create", event: String = UUID().uuidString,
        secret: String? = "test-client-secret"
    ) async throws -> TestResponse {
        var headers: HTTPFields = [
            .contentType: "application/json", HTTPField.Name("X-Shopify-Topic")!: topic,
            HTTPField.Name("X-Shopify-Shop-Domain")!: "farm.myshopify.com",
            HTTPField.Name("X-Shopify-API-Version")!: "2026-07",
            HTTPField.Name("X-Shopify-Webhook-Id")!: UUID().uuidString,
            HTTPField.Name("x-shopify-event-id")!: event,
        ]
        if let secret {
            headers[HTTPField.Name("X-Shopify-Hmac-Sha256")!] = WebhookSignature(secret: Data(secret.utf8)).sign(
                body, encoding: .base64)
        }
        return try await client.execute(
            uri: "/webhooks/shops/\(connection)", method: .post, headers: headers, body: ByteBuffer(data: body))
    }
}

@Suite("Shops over HTTP")
struct ShopAPITests {
    func intake(_ farm: TestFarm) -> ShopIntake {
        ShopIntake(store: farm.store, now: { Date() }, logger: Logger(label: "test"))
    }

    func connectShopify(_ farm: TestFarm) async throws -> String {
        let created = try await farm.request(
            .post, "/api/v1/shops",
            json:
                #"{"platform":"shopify","name":"Main store","endpoints":{"api":"https://farm.myshopify.com"},"secrets":{"webhookSecret":"test-client-secret","accessToken":"shpat_secret"}}"#
        )
        #expect(created.status == .created, "\(created.text)")
        #expect(!created.text.contains("test-client-secret") && !created.text.contains("shpat_secret"))
        let id = try #require(created.json["id"] as? String)
        #expect(created.json["webhookPath"] as? String == "/webhooks/shops/\(id)")
        #expect(created.json["secretsSet"] as? [String] == ["webhookSecret", "accessToken"])
        return id
    }

    func mapDragon(_ farm: TestFarm) async throws -> String {
        let uploaded = try await farm.upload(MeshFixtures.binarySTL(MeshFixtures.cube(size: 20)), name: "dragon.stl")
        let sha = try #require(uploaded.json["sha256"] as? String)
        let set = try await farm.request(
            .put, "/api/v1/catalog/PF-DRAGON",
            json: #"{"modelArtifact":"\#(sha)","material":"PETG","colour":"Silk gold","quantityPerUnit":1}"#)
        #expect(set.status == .created, "\(set.text)")
        let notPrinted = try await farm.request(.put, "/api/v1/catalog/SHIP-PROTECT", json: #"{"printed":false}"#)
        #expect(notPrinted.status == .created, "\(notPrinted.text)")
        return sha
    }

    @Test(
        "a signed Shopify order becomes one intent, however often it is delivered; secrets never leave",
        arguments: TestEngine.allCases)
    func shopifyOrderBecomesIntent(engine: TestEngine) async throws {
        try await withFarm(engine) { farm in
            let connection = try await connectShopify(farm)
            let sha = try await mapDragon(farm)
            let body = shopifyOrder()
            let first = try await farm.deliver(body, to: connection, event: "e-1")
            #expect(first.status == .ok && first.json["status"] as? String == "stored", "\(first.text)")
            let again = try await farm.deliver(body, to: connection, event: "e-1")
            #expect(again.json["status"] as? String == "duplicate")
            #expect(try await intake(farm).processWaiting() == 1)
            // The same order again under a new event id (a retry of another topic): stored, taken, changes nothing.
            _ = try await farm.deliver(body, to: connection, topic: "orders/updated", event: "e-2")
            #expect(try await intake(farm).processWaiting() == 1)

            let saleID = SaleIdentity.sale(connection: ShopConnectionID(connection)!, orderID: "820982911946154508")
            let sale = try #require(try await farm.store.sales.get(id: saleID.description)?.model)
            #expect(sale.status == .released && sale.order.orderID == "820982911946154508")
            let intent = try #require(try await farm.store.intents.get(id: saleID.description)?.model)
            #expect(intent.source == .shopify && intent.externalReference == "#1001" && intent.paymentStatus == .paid)
            #expect(
                intent.lineItems.map { [$0.modelArtifact, $0.material, $0.colour, String($0.quantity)] } == [
                    [sha, "PETG", "Galaxy Black", "2"]
                ])
            #expect(intent.notes == ["from the buyer: Please gift wrap", "line 1 (Dragon): Engraving: ALEX"])
            #expect(try await farm.store.intents.all().count == 1)
            let sales = try await farm.request(.get, "/api/v1/sales?connection=\(connection)")
            #expect((sales.json["items"] as? [[String: Any]])?.count == 1)
            let shop = try await farm.request(.get, "/api/v1/shops/\(connection)")
            #expect(shop.json["ordersTaken"] as? Int == 1 && shop.json["ordersHeld"] as? Int == 0)
            #expect((shop.json["health"] as? [String: Any])?["lastDeliveryAt"] != nil)

            let events = try await farm.store.events.read(after: 0, limit: 10_000)
            #expect(!events.contains { String(decoding: $0.data, as: UTF8.self).contains("test-client-secret") })
        }
    }

    @Test("forged, tampered, re-encoded, unknown and oversized deliveries are refused and change nothing")
    func forgeries() async throws {
        try await withFarm { farm in
            let connection = try await connectShopify(farm)
            let body = shopifyOrder()
            let before = try await farm.eventCount()
            let wrong = try await farm.deliver(body, to: connection, secret: "another-secret")
            #expect(wrong.status == .unauthorized && wrong.problemCode == "webhook-signature-invalid")
            #expect(try await farm.deliver(body, to: connection, secret: nil).status == .unauthorized)
            var headers: HTTPFields = [
                HTTPField.Name("X-Shopify-Hmac-Sha256")!: WebhookSignature(secret: Data("test-client-secret".utf8))
                    .sign(
                        body, encoding: .base64),
                HTTPField.Name("X-Shopify-Topic")!: "orders/create", HTTPField.Name("X-Shopify-Event-Id")!: "e",
            ]
            let pretty = try JSONSerialization.data(
                withJSONObject: try JSONSerialization.jsonObject(with: body), options: [.prettyPrinted])
            let reencoded = try await farm.client.execute(
                uri: "/webhooks/shops/\(connection)", method: .post, headers: headers, body: ByteBuffer(data: pretty))
            #expect(reencoded.status == .unauthorized, "the signature is over the bytes as sent")
            headers[HTTPField.Name("X-Shopify-Topic")!] = nil
            let noTopic = try await farm.client.execute(
                uri: "/webhooks/shops/\(connection)", method: .post, headers: headers, body: ByteBuffer(data: body))
            #expect(noTopic.status == .badRequest && noTopic.problemCode == "webhook-unreadable")
            let notJSON = Data("{\"id\": 1, \"line_items\": [".utf8)
            #expect(try await farm.deliver(notJSON, to: connection).status == .badRequest)
            #expect(try await farm.deliver(body, to: UUID().uuidString).status == .notFound)
            #expect(try await farm.deliver(body, to: "not-a-uuid").status == .notFound)
            let huge = Data(repeating: 0x20, count: 17 << 20)
            #expect(try await farm.deliver(huge, to: connection).status == .contentTooLarge)
            #expect(try await farm.eventCount() == before, "nothing recorded")
            #expect(try await farm.store.shopData.waiting().isEmpty, "nothing stored")

            // Several MiB of genuine order is fine.
            let big = shopifyOrder(colour: String(repeating: "x", count: 5 << 20))
            #expect(try await farm.deliver(big, to: connection).json["status"] as? String == "stored")
        }
    }

    @Test(
        "a SKU mapped any way (not only through the API route) releases the orders it held: a reaction to catalog.set")
    func catalogReaction() async throws {
        try await withFarm { farm in
            let connection = try await farm.connectShop(
                "shopify", name: "S", api: "https://x.myshopify.com", secrets: ["webhookSecret": "test-client-secret"])
            _ = try await farm.deliver(shopifyOrder(id: "5", sku: "PF-LATER"), to: connection.id.description)
            try await intake(farm).processWaiting()
            let sale = SaleIdentity.sale(connection: connection.id, orderID: "5").description
            #expect(try await farm.sale(sale)?.status == .held)
            let reaction = CatalogReaction(store: farm.store, intake: intake(farm), logger: Logger(label: "t"))
            try await reaction.pass()
            #expect(try await farm.sale(sale)?.status == .held, "nothing mapped yet")
            let uploaded = try await farm.upload(MeshFixtures.binarySTL(MeshFixtures.cube(size: 20)), name: "c.stl")
            let sha = try #require(uploaded.json["sha256"] as? String)
            _ = try await farm.store.catalog.execute(
                .set(CatalogEntrySpec(sku: "PF-LATER", modelArtifact: sha, material: "PLA")), id: "PF-LATER",
                context: CommandContext(actor: .cli, reason: .operatorRequest, time: Date()))
            #expect(try await farm.sale(sale)?.status == .held, "set in the store directly: no route settled it")
            #expect(try await reaction.pass() == 1)
            #expect(try await farm.sale(sale)?.status == .released)
        }
    }

    @Test("an unknown SKU holds the order with the reason; mapping it releases the order; updates apply in shop order")
    func heldThenMapped() async throws {
        try await withFarm { farm in
            let connection = try await connectShopify(farm)
            let saleID = SaleIdentity.sale(connection: ShopConnectionID(connection)!, orderID: "77")
            // orders/paid arrives before the older orders/create.
            _ = try await farm.deliver(
                shopifyOrder(id: "77", updated: "2026-03-01T10:05:00Z", sku: "PF-DRAGON-PETG-SILKGOLD"), to: connection,
                topic: "orders/paid")
            _ = try await farm.deliver(
                shopifyOrder(
                    id: "77", updated: "2026-03-01T10:00:00Z", financial: "pending", sku: "PF-DRAGON-PETG-SILKGOLD"),
                to: connection)
            try await intake(farm).processWaiting()
            let held = try #require(try await farm.store.sales.get(id: saleID.description)?.model)
            #expect(held.status == .held && held.order.payment == .paid, "the late orders/create did not undo paid")
            #expect(held.reasons.first?.hasPrefix("SKU PF-DRAGON-PETG-SILKGOLD is not in the catalog") == true)
            let shop = try await farm.request(.get, "/api/v1/shops/\(connection)")
            #expect(shop.json["ordersHeld"] as? Int == 1)

            let uploaded = try await farm.upload(MeshFixtures.binarySTL(MeshFixtures.cube(size: 20)), name: "d.stl")
            let sha = try #require(uploaded.json["sha256"] as? String)
            _ = try await farm.request(.put, "/api/v1/catalog/SHIP-PROTECT", json: #"{"printed":false}"#)
            let mapped = try await farm.request(
                .put, "/api/v1/catalog/PF-DRAGON-PETG-SILKGOLD", json: #"{"modelArtifact":"\#(sha)","material":"PETG"}"#
            )
            #expect(mapped.status == .created, "\(mapped.text)")
            let released = try #require(try await farm.store.sales.get(id: saleID.description)?.model)
            #expect(released.status == .released)
            #expect(try await farm.store.intents.get(id: saleID.description)?.model.paymentStatus == .paid)

            // The shop cancels: the sale and its intent are cancelled.
            _ = try await farm.deliver(
                shopifyOrder(id: "77", updated: "2026-03-02T08:00:00Z", financial: "refunded", cancelled: true),
                to: connection, topic: "orders/cancelled")
            try await intake(farm).processWaiting()
            #expect(try await farm.store.sales.get(id: saleID.description)?.model.status == .cancelled)
            #expect(try await farm.store.intents.get(id: saleID.description)?.model.status == .cancelled)
        }
    }

    @Test("WooCommerce: the creation ping gets a 200; its signed order over the \\/-escaped body is stored and taken")
    func wooCommerce() async throws {
        try await withFarm { farm in
            let created = try await farm.request(
                .post, "/api/v1/shops",
                json:
                    #"{"platform":"woocommerce","name":"Woo","endpoints":{"api":"https://shop.example.com"},"secrets":{"webhookSecret":"test-webhook-secret"}}"#
            )
            let connection = try #require(created.json["id"] as? String)
            let ping = try await farm.client.execute(
                uri: "/webhooks/shops/\(connection)", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: "webhook_id=12"))
            #expect(ping.status == .ok && ping.json["status"] as? String == "acknowledged")
            let wire = try Data(
                contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                    .appendingPathComponent("FarmShopsTests/Reference/woocommerce-order-created.wire-body.txt"))
            let delivered = try await farm.client.execute(
                uri: "/webhooks/shops/\(connection)", method: .post,
                headers: [
                    .contentType: "application/json", HTTPField.Name("X-WC-Webhook-Topic")!: "order.created",
                    HTTPField.Name("X-WC-Webhook-Signature")!: "XdkRDoAU8eDMEiTU5Rnlb8yIj/s/7Qz1naQ+ZSunlGk=",
                ], body: ByteBuffer(data: wire))
            #expect(delivered.json["status"] as? String == "stored", "\(delivered.text)")
            try await ShopIntake(store: farm.store, now: { Date() }, logger: Logger(label: "t")).processWaiting()
            let sale = try #require(
                try await farm.store.sales.get(
                    id: SaleIdentity.sale(connection: ShopConnectionID(connection)!, orderID: "727").description)?.model
            )
            #expect(sale.status == .held)
            #expect(sale.reasons.first?.hasPrefix("line 1 (Woo Single #1) has no SKU") == true, "\(sale.reasons)")
        }
    }

    @Test("bad connections and catalog entries are refused with the field named")
    func badInput() async throws {
        try await withFarm { farm in
            let noSecret = try await farm.request(
                .post, "/api/v1/shops",
                json: #"{"platform":"shopify","name":"S","endpoints":{"api":"https://x.myshopify.com"},"secrets":{}}"#)
            #expect(noSecret.status == .unprocessableContent && noSecret.json["detail"] as? String != nil)
            let noAPI = try await farm.request(
                .post, "/api/v1/shops", json: #"{"platform":"shopify","name":"S","secrets":{"webhookSecret":"s"}}"#)
            #expect(noAPI.status == .unprocessableContent, "\(noAPI.text)")
            let badURL = try await farm.request(
                .post, "/api/v1/shops",
                json:
                    #"{"platform":"woocommerce","name":"S","endpoints":{"api":"javascript:alert(1)"},"secrets":{"webhookSecret":"s"}}"#
            )
            #expect(badURL.status == .unprocessableContent)
            let noModel = try await farm.request(.put, "/api/v1/catalog/X", json: #"{"material":"PLA"}"#)
            #expect(noModel.status == .unprocessableContent)
            let unknownModel = try await farm.request(
                .put, "/api/v1/catalog/X",
                json: #"{"modelArtifact":"\#(String(repeating: "ab", count: 32))","material":"PLA"}"#)
            #expect(
                unknownModel.status == .unprocessableContent && unknownModel.text.contains("upload the model first"))
        }
    }
}
