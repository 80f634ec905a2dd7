import Crypto
import FarmDomain
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

@Suite("Shop polling")
struct ShopPollingTests {
    @Test("a WooCommerce order whose webhook was lost is found by polling, page by page; the cursor survives a restart")
    func wooCommerce() async throws {
        let standIn = WooCommerceStandIn(key: "ck_test", secret: "cs_test")
        let (port, server) = try await standIn.serve()
        defer { server.cancel() }
        try await withFarm { farm in
            let connection = try await farm.connectShop(
                "woocommerce", name: "Woo", api: "http://127.0.0.1:\(port)",
                secrets: ["webhookSecret": "s", "apiKey": "ck_test", "apiSecret": "cs_test"])
            let id = connection.id
            try await farm.mapToCube("PF-BOX")
            _ = try await farm.request(.put, "/api/v1/catalog/GIFT", json: #"{"printed":false}"#)

            let now = Date()
            await standIn.put(
                .init(id: 901, status: "processing", modified: now.addingTimeInterval(-3600), sku: "PF-BOX"))
            await standIn.put(.init(id: 902, status: "on-hold", modified: now.addingTimeInterval(-1800), sku: "PF-BOX"))
            await standIn.put(
                .init(id: 899, status: "processing", modified: now.addingTimeInterval(-3 * 86400), sku: "PF-BOX"))
            for n in 0..<101 {
                await standIn.put(
                    .init(id: 1000 + n, status: "processing", modified: now.addingTimeInterval(-600), sku: "GIFT"))
            }
            func polling() -> ShopPolling {
                ShopPolling(
                    store: farm.store,
                    intake: ShopIntake(store: farm.store, now: { Date() }, logger: Logger(label: "t")),
                    now: { Date() }, logger: Logger(label: "t"))
            }
            #expect(try await polling().poll(connection) == 103, "899 is older than the first poll looks back")
            let first = await standIn.modifiedAfter
            #expect(first.count == 2, "two pages of 100: \(first)")
            #expect(
                first.first.flatMap(WooCommerceStandIn.parse).map {
                    abs($0.timeIntervalSince(connection.createdAt.addingTimeInterval(-ShopPolling.firstLookBack - 1)))
                        < 2
                } == true)
            func sale(_ order: Int) async throws -> Sale? {
                try await farm.store.sales.get(
                    id: SaleIdentity.sale(connection: id, orderID: String(order)).description)?
                    .model
            }
            #expect(try await sale(901)?.status == .released)
            #expect(
                try await farm.store.intents.get(id: SaleIdentity.sale(connection: id, orderID: "901").description)?
                    .model.paymentStatus == .paid)
            let onHold = try await sale(902)
            #expect(onHold?.status == .released && onHold?.order.payment == .pending)
            #expect(try await sale(899) == nil)
            #expect(try await sale(1000)?.status == .held)
            let health = try await farm.store.shopData.health(of: id)
            #expect(health.lastPollAt != nil && health.pollCursor != nil && health.lastError == nil)

            // The shop cancels 902; a new poller (after a restart) asks only from its cursor.
            await standIn.put(.init(id: 902, status: "cancelled", modified: Date(), sku: "PF-BOX"))
            let giftStream = "sale-\(SaleIdentity.sale(connection: id, orderID: "1000"))"
            let giftEvents = try await farm.store.events.read(stream: giftStream).count
            // The cursor's own second is asked again (modified_after is exclusive and counts whole seconds): the 101
            // orders changed in it come again and change nothing.
            #expect(try await polling().poll(connection) == 102)
            #expect(try await farm.store.events.read(stream: giftStream).count == giftEvents)
            let second = await standIn.modifiedAfter.dropFirst(2).first
            #expect(
                second.flatMap(WooCommerceStandIn.parse).map {
                    abs($0.timeIntervalSince(now.addingTimeInterval(-601))) < 2
                } == true, "\(String(describing: second))")
            #expect(try await sale(902)?.status == .cancelled)
            #expect(
                try await farm.store.intents.get(id: SaleIdentity.sale(connection: id, orderID: "902").description)?
                    .model.status == .cancelled)

            // Wrong credentials: the poll fails and the connection's health says why.
            _ = try await farm.request(
                .put, "/api/v1/shops/\(id)/secrets", json: #"{"secrets":{"apiSecret":"cs_wrong"}}"#)
            await #expect(throws: ShopClientError.self) { try await polling().poll(connection) }
            let failed = try await farm.request(.get, "/api/v1/shops/\(id)")
            let error = (failed.json["health"] as? [String: Any])?["lastError"] as? String
            #expect(error?.hasPrefix("WooCommerce answered 401") == true, "\(String(describing: error))")
        }
    }

    @Test(
        """
        Etsy: receipts are polled with the bearer token and keystring:secret; a webhook names a receipt that is \
        fetched
        """
    )
    func etsy() async throws {
        let standIn = EtsyStandIn(apiKey: "keystring:shared", token: "12345678.token")
        let (port, server) = try await standIn.serve()
        defer { server.cancel() }
        let key = Data((0..<32).map { UInt8($0) })
        try await withFarm { farm in
            let connection = try await farm.connectShop(
                "etsy", name: "Etsy", api: "http://127.0.0.1:\(port)", shop: "123456",
                secrets: [
                    "apiKey": "keystring", "apiSecret": "shared", "accessToken": "12345678.token",
                    "webhookSecret": "whsec_\(key.base64EncodedString())",
                ])
            let id = connection.id
            try await farm.mapToCube("KEYCHAIN-NAME")
            let sample = try String(
                contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                    .appendingPathComponent("FarmShopsTests/Reference/etsy-receipt-sample.json"), encoding: .utf8)
            let recent = Int64(Date().timeIntervalSince1970) - 3600
            func receipt(_ id: String) -> String {
                sample.replacingOccurrences(of: "3412345678", with: id)
                    .replacingOccurrences(of: "1758153700", with: String(recent))
            }
            await standIn.put("3412345678", updated: recent, json: receipt("3412345678"))
            let polling = ShopPolling(
                store: farm.store, intake: ShopIntake(store: farm.store, now: { Date() }, logger: Logger(label: "t")),
                now: { Date() }, logger: Logger(label: "t"))
            #expect(try await polling.poll(connection) == 1)
            let saleID = SaleIdentity.sale(connection: id, orderID: "3412345678")
            #expect(try await farm.store.sales.get(id: saleID.description)?.model.status == .released)
            let intent = try #require(try await farm.store.intents.get(id: saleID.description)?.model)
            #expect(intent.source == .etsy && intent.paymentStatus == .paid)
            #expect(intent.lineItems.first?.colour == "Galaxy Black")
            #expect(
                intent.notes.contains("line 1 (Custom 3D Printed Name Keychain): Personalization: ALEX"),
                "\(intent.notes)")

            // A webhook names receipt 555; the farm fetches it.
            await standIn.put("555", updated: recent + 10, json: receipt("555"))
            let body = Data(
                #"""
                {"event_type":"order.paid",\#
                "resource_url":"https://api.etsy.com/v3/application/shops/123456/receipts/555",\#
                "shop_id":"123456"}
                """#
                .utf8)
            let stamp = String(Int(Date().timeIntervalSince1970))
            var content = Data("msg_1.\(stamp).".utf8)
            content.append(body)
            let mac = Data(HMAC<SHA256>.authenticationCode(for: content, using: SymmetricKey(data: key)))
            let delivered = try await farm.client.execute(
                uri: "/webhooks/shops/\(id)", method: .post,
                headers: [
                    .contentType: "application/json", HTTPField.Name("webhook-id")!: "msg_1",
                    HTTPField.Name("webhook-timestamp")!: stamp,
                    HTTPField.Name("webhook-signature")!: "v1," + mac.base64EncodedString(),
                ], body: ByteBuffer(data: body))
            #expect(delivered.json["status"] as? String == "stored", "\(delivered.text)")
            try await ShopIntake(store: farm.store, now: { Date() }, logger: Logger(label: "t")).processWaiting()
            let fetched = SaleIdentity.sale(connection: id, orderID: "555")
            #expect(try await farm.store.sales.get(id: fetched.description)?.model.status == .released)

            // A webhook names receipt 777 while Etsy throttles: the delivery waits (30 s) out of the way, then is
            // taken.
            await standIn.put("777", updated: recent + 20, json: receipt("777"))
            await standIn.setThrottle(true)
            let clock = TestClock()
            let later = ShopIntake(store: farm.store, now: { clock.now }, logger: Logger(label: "t"))
            let named = Data(
                #"""
                {"event_type":"order.paid",\#
                "resource_url":"https://api.etsy.com/v3/application/shops/123456/receipts/777",\#
                "shop_id":"123456"}
                """#
                .utf8)
            var signed = Data("msg_2.\(stamp).".utf8)
            signed.append(named)
            let signature = Data(HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: key)))
            _ = try await farm.client.execute(
                uri: "/webhooks/shops/\(id)", method: .post,
                headers: [
                    .contentType: "application/json", HTTPField.Name("webhook-id")!: "msg_2",
                    HTTPField.Name("webhook-timestamp")!: stamp,
                    HTTPField.Name("webhook-signature")!: "v1," + signature.base64EncodedString(),
                ], body: ByteBuffer(data: named))
            #expect(try await later.processWaiting() == 1)
            let waiting = SaleIdentity.sale(connection: id, orderID: "777").description
            #expect(try await farm.store.sales.get(id: waiting) == nil)
            #expect(try await farm.store.shopData.health(of: id).lastError?.hasPrefix("Etsy answered 429") == true)
            #expect(try await later.processWaiting() == 0, "not due yet")
            await standIn.setThrottle(false)
            clock.advance(31)
            #expect(try await later.processWaiting() == 1)
            #expect(try await farm.store.sales.get(id: waiting)?.model.status == .released)

            // Throttled: the poll fails and says so; the next one goes on from the cursor.
            await standIn.setThrottle(true)
            await #expect(throws: ShopClientError.self) { try await polling.poll(connection) }
            let health = try await farm.store.shopData.health(of: id)
            #expect(health.lastError?.hasPrefix("Etsy answered 429") == true, "\(String(describing: health.lastError))")
            await standIn.setThrottle(false)
            // From the cursor (the first poll's latest, inclusive): that receipt again, and 555 and 777, which the
            // webhooks brought; none changes anything now.
            #expect(try await polling.poll(connection) == 3)
            #expect(await standIn.minLastModified.last == String(recent))
        }
    }

    @Test(
        """
        Shopify: orders are polled over GraphQL within the cost limit, the bucket is waited for, long orders are \
        paged, and the webhook for a polled order changes nothing
        """
    )
    func shopify() async throws {
        let standIn = ShopifyStandIn(token: "shpat_test", maximum: 1000, restoreRate: 50)
        let (port, server) = try await standIn.serve()
        defer { server.cancel() }
        try await withFarm { farm in
            let connection = try await farm.connectShop(
                "shopify", name: "Main", api: "http://127.0.0.1:\(port)",
                secrets: ["webhookSecret": "test-client-secret", "accessToken": "shpat_test"])
            let id = connection.id
            try await farm.mapToCube("PF-DRAGON")
            _ = try await farm.request(.put, "/api/v1/catalog/SHIP-PROTECT", json: #"{"printed":false}"#)

            // Whole seconds, as Shopify's timestamps are.
            let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
            await standIn.put(
                .init(
                    id: "820982911946154508", updated: now.addingTimeInterval(-3600),
                    lines: [("487817672276298554", "PF-DRAGON"), ("2", "SHIP-PROTECT")]))
            await standIn.put(
                .init(
                    id: "9000", updated: now.addingTimeInterval(-1800),
                    lines: (0..<25).map { ("\(90_000 + $0)", "PF-DRAGON") }))
            for n in 0..<12 {
                await standIn.put(
                    .init(
                        id: String(9100 + n), updated: now.addingTimeInterval(-600),
                        lines: [("\(91_000 + n)", "PF-DRAGON")]))
            }
            let pauses = PauseRecorder()
            let polling = ShopPolling(
                store: farm.store, intake: ShopIntake(store: farm.store, now: { Date() }, logger: Logger(label: "t")),
                now: { Date() }, logger: Logger(label: "t"),
                client: { connection, secrets in
                    ShopifyClient(
                        base: URL(string: connection.endpoints.api)!, accessToken: secrets.accessToken ?? "",
                        http: .shared,
                        pause: {
                            await pauses.record($0)
                            await standIn.advance($0)
                        })
                })
            #expect(try await polling.poll(connection) == 14)
            let priced = await standIn.priced
            #expect(
                priced.map(\.cost) == [
                    ShopifyClient.ordersQueryCost, ShopifyClient.linesQueryCost, ShopifyClient.ordersQueryCost,
                ])
            #expect(priced.allSatisfy { $0.cost <= 1000 })
            #expect(await standIn.throttled == 0, "the client waited for the bucket instead of being refused")
            // 1000 − 853 leaves 147; the lines query (204) waits 57 / 50 s and empties it; the second page (853)
            // waits 853 / 50 s.
            let waited = await pauses.recorded
            #expect(waited == [.milliseconds(1140), .milliseconds(17_060)], "\(waited)")

            let saleID = SaleIdentity.sale(connection: id, orderID: "820982911946154508")
            let sale = try #require(try await farm.store.sales.get(id: saleID.description)?.model)
            #expect(sale.status == .released && sale.order.payment == .paid)
            #expect(sale.order.lines.map(\.lineID) == ["487817672276298554", "2"], "the ids a webhook carries")
            let long = try await farm.store.sales.get(
                id: SaleIdentity.sale(connection: id, orderID: "9000").description)?.model
            #expect(long?.order.lines.count == 25)
            let intent = try #require(try await farm.store.intents.get(id: saleID.description)?.model)
            #expect(intent.lineItems.count == 1 && intent.lineItems.first?.colour == "Galaxy Black")

            // The webhook Shopify sent for that order (lost, then retried late) is the same sale: nothing changes.
            let before = try await farm.store.events.read(stream: "sale-\(saleID)").count
            let iso = ShopifyStandIn.iso(now.addingTimeInterval(-3600))
            let delivered = try await farm.deliver(shopifyOrder(updated: iso, quantity: 1), to: id.description)
            #expect(delivered.status == .ok)
            try await ShopIntake(store: farm.store, now: { Date() }, logger: Logger(label: "t")).processWaiting()
            #expect(try await farm.store.events.read(stream: "sale-\(saleID)").count == before)
            #expect(try await farm.store.intents.get(id: saleID.description)?.model.lineItems == intent.lineItems)

            // An empty bucket that does not refill: four THROTTLED answers, then the poll fails and says so.
            await standIn.setBucket(available: 0)
            await standIn.setRestoreRate(0)
            await #expect(throws: ShopClientError.self) { try await polling.poll(connection) }
            #expect(await standIn.throttled == 4)
            let health = try await farm.store.shopData.health(of: id)
            #expect(health.lastError?.hasPrefix("Shopify throttled") == true, "\(String(describing: health.lastError))")
        }
    }

    @Test("the stand-in prices queries by Shopify's rules: the reference's fulfilment-order query is 1,043 points")
    func shopifyCost() throws {
        let reference = """
            query ($id: ID!) { order(id: $id) { fulfillmentOrders(first: 10) { nodes { id status \
            assignedLocation { name } \
            lineItems(first: 50) { nodes { id remainingQuantity lineItem { id sku } } } } } } }
            """
        #expect(try GraphQLCost.of(reference) == 1043)
        #expect(try GraphQLCost.of(ShopifyClient.ordersQuery) == ShopifyClient.ordersQueryCost)
        #expect(try GraphQLCost.of(ShopifyClient.linesQuery) == ShopifyClient.linesQueryCost)
    }
}
