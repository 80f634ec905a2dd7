import FarmDomain
import FarmReactions
import FarmShops
import FarmStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import MeshTestSupport
import Testing

@testable import FarmServer

/// The two steps after an intent ships, driven by hand: the reaction asks for the fulfilment, the service tries it.
struct FulfilmentDriver {
    let farm: TestFarm
    let clock: TestClock

    var reaction: FulfilmentReaction {
        FulfilmentReaction(store: farm.store, now: { clock.now }, logger: Logger(label: "t"))
    }
    var service: ShopFulfilment {
        ShopFulfilment(
            store: farm.store, intake: ShopIntake(store: farm.store, now: { clock.now }, logger: Logger(label: "t")),
            now: { clock.now }, logger: Logger(label: "t"))
    }

    /// Ships the intent over the API and lets the reaction see it.
    func ship(_ intent: String, _ body: String) async throws -> TestResponse {
        let shipped = try await farm.request(.post, "/api/v1/intents/\(intent)/shipment", json: body)
        try await reaction.pass()
        return shipped
    }
}

@Suite("Shop fulfilment")
struct ShopFulfilmentTests {
    @Test(
        """
        Shopify: fulfillmentCreate over the open fulfilment orders, one call per location, with Shopify's carrier \
        name; a 503 is retried after a minute; a refusal waits for a person's retry
        """
    )
    func shopify() async throws {
        let standIn = ShopifyStandIn(token: "shpat_test")
        let (port, server) = try await standIn.serve()
        defer { server.cancel() }
        let clock = TestClock()
        // why: the retry route stamps its command with the farm's clock; on a real clock a test that ran longer than
        // the minute it advanced its own clock found the retry not yet due (seen once, 183 s for the test).
        try await withFarm(now: { clock.now }) { farm in
            let connection = try await farm.connectShop(
                "shopify", name: "Main", api: "http://127.0.0.1:\(port)",
                secrets: ["webhookSecret": "test-client-secret", "accessToken": "shpat_test"]
            ).id.description
            try await farm.mapToCube("PF-DRAGON")
            _ = try await farm.request(.put, "/api/v1/catalog/SHIP-PROTECT", json: #"{"printed":false}"#)
            let intake = ShopIntake(store: farm.store, now: { Date() }, logger: Logger(label: "t"))
            for id in ["820982911946154508", "77", "78"] {
                #expect(try await farm.deliver(shopifyOrder(id: id), to: connection).status == .ok)
            }
            try await intake.processWaiting()
            let connectionID = try #require(ShopConnectionID(connection))
            let first = SaleIdentity.sale(connection: connectionID, orderID: "820982911946154508").description
            let held = SaleIdentity.sale(connection: connectionID, orderID: "77").description
            let cancelled = SaleIdentity.sale(connection: connectionID, orderID: "78").description
            for id in [first, held, cancelled] {
                #expect(try await farm.sale(id)?.status == .released)
                try await farm.readyToShip(id)
            }
            await standIn.put(
                .init(
                    id: "820982911946154508", updated: Date(), lines: [("487817672276298554", "PF-DRAGON")],
                    fulfillmentOrders: [
                        ("11", "OPEN", "1"), ("12", "IN_PROGRESS", "1"), ("21", "OPEN", "2"), ("31", "CLOSED", "1"),
                    ]))
            await standIn.put(
                .init(
                    id: "77", updated: Date(), lines: [("487817672276298554", "PF-DRAGON")],
                    fulfillmentOrders: [("771", "ON_HOLD", "1")]))
            await standIn.put(.init(id: "78", updated: Date(), lines: [("487817672276298554", "PF-DRAGON")]))
            let driver = FulfilmentDriver(farm: farm, clock: clock)

            let shipped = try await driver.ship(first, #"{"carrier":"ups","trackingNumber":"1Z001985YW99744790"}"#)
            #expect(shipped.status == .ok, "\(shipped.text)")
            #expect((shipped.json["shipment"] as? [String: Any])?["trackingNumber"] as? String == "1Z001985YW99744790")
            #expect(try await farm.sale(first)?.fulfilment?.status == .pending)

            // Shopify is down for the first try: recorded, and tried again a minute later, not before.
            await standIn.failMutations(1)
            #expect(try await driver.service.pass() == 0)
            let failed = try #require(try await farm.sale(first)?.fulfilment)
            #expect(failed.status == .pending && failed.attempts == 1 && failed.lastError?.contains("503") == true)
            #expect(failed.dueAt.map { abs($0.timeIntervalSince(clock.now) - 60) < 0.01 } == true)
            #expect(try await driver.service.pass() == 0)
            #expect(await standIn.fulfillments.isEmpty, "the 503 took nothing, and it is not due again yet")
            clock.advance(61)
            #expect(try await driver.service.pass() == 1)
            let calls = await standIn.fulfillments
            #expect(calls.count == 2, "one per location")
            let byLocation = calls.map {
                ($0["lineItemsByFulfillmentOrder"] as? [[String: Any]] ?? []).compactMap {
                    $0["fulfillmentOrderId"] as? String
                }
            }
            #expect(
                byLocation == [
                    ["gid://shopify/FulfillmentOrder/11", "gid://shopify/FulfillmentOrder/12"],
                    ["gid://shopify/FulfillmentOrder/21"],
                ])
            for call in calls {
                let tracking = call["trackingInfo"] as? [String: Any]
                #expect(
                    tracking?["company"] as? String == "UPS" && tracking?["number"] as? String == "1Z001985YW99744790")
                #expect(call["notifyCustomer"] as? Bool == true)
                #expect(
                    (call["lineItemsByFulfillmentOrder"] as? [[String: Any]])?.allSatisfy {
                        $0["fulfillmentOrderLineItems"] == nil
                    } == true, "a fulfilment order named alone is fulfilled whole")
            }
            let done = try #require(try await farm.sale(first)?.fulfilment)
            #expect(done.status == .fulfilled && done.reference?.hasPrefix("gid://shopify/Fulfillment/") == true)
            #expect(try await driver.service.pass() == 0)
            #expect(await standIn.fulfillments.count == 2, "told once")

            // Held in Shopify: refused outright, a person's; after it is released there, the retry goes through.
            _ = try await driver.ship(held, #"{"carrier":"DHL Express","trackingNumber":"JD014600006281230704"}"#)
            #expect(try await driver.service.pass() == 0)
            let refused = try #require(try await farm.sale(held)?.fulfilment)
            #expect(refused.status == .failed && refused.lastError?.contains("ON_HOLD") == true, "\(refused)")
            let queue = try await farm.store.sales.list(queue: ReadQueue.fulfilmentFailed, limit: 10).map(\.id)
            #expect(queue == [held])
            await standIn.put(
                .init(
                    id: "77", updated: Date(), lines: [("487817672276298554", "PF-DRAGON")],
                    fulfillmentOrders: [("771", "OPEN", "1")]))
            let retried = try await farm.request(.post, "/api/v1/sales/\(held)/fulfilment/retry")
            #expect(retried.status == .ok, "\(retried.text)")
            #expect(try await driver.service.pass() == 1)
            #expect(try await farm.sale(held)?.fulfilment?.status == .fulfilled)
            let retryAgain = try await farm.request(.post, "/api/v1/sales/\(held)/fulfilment/retry")
            #expect(retryAgain.status == .conflict, "only a failed fulfilment is retried")

            // Cancelled in the shop while it waited to ship: shipping it tells the shop nothing.
            let cancel = shopifyOrder(id: "78", updated: "2026-03-02T08:00:00Z", financial: "refunded", cancelled: true)
            #expect(try await farm.deliver(cancel, to: connection, topic: "orders/cancelled").status == .ok)
            try await intake.processWaiting()
            #expect(try await farm.sale(cancelled)?.status == .cancelled)
            #expect(try await driver.ship(cancelled, "{}").status == .ok)
            #expect(try await farm.sale(cancelled)?.fulfilment == nil)

            // Bad shipments are refused with the field to fix, and the intent does not ship.
            let bad = try await farm.request(
                .post, "/api/v1/intents/\(cancelled)/shipment", json: #"{"trackingNumber":"1Z<script>"}"#)
            #expect(bad.status == .unprocessableContent && bad.problemCode == "invalid-field", "\(bad.text)")
            #expect(bad.text.contains("trackingNumber"))
        }
    }

    @Test("WooCommerce: a customer note with the tracking number, then completed; a retry does not add the note twice")
    func wooCommerce() async throws {
        let standIn = WooCommerceStandIn(key: "ck_test", secret: "cs_test")
        let (port, server) = try await standIn.serve()
        defer { server.cancel() }
        let clock = TestClock()
        // why: the retry route stamps its command with the farm's clock; on a real clock a test that ran longer than
        // the minute it advanced its own clock found the retry not yet due (seen once, 183 s for the test).
        try await withFarm(now: { clock.now }) { farm in
            let connection = try await farm.connectShop(
                "woocommerce", name: "Woo", api: "http://127.0.0.1:\(port)",
                secrets: ["webhookSecret": "s", "apiKey": "ck_test", "apiSecret": "cs_test"])
            let id = connection.id
            try await farm.mapToCube("PF-BOX")
            await standIn.put(.init(id: 901, status: "processing", modified: Date(), sku: "PF-BOX"))
            let polling = ShopPolling(
                store: farm.store, intake: ShopIntake(store: farm.store, now: { Date() }, logger: Logger(label: "t")),
                now: { Date() }, logger: Logger(label: "t"))
            #expect(try await polling.poll(connection) == 1)
            let sale = SaleIdentity.sale(connection: id, orderID: "901").description
            try await farm.readyToShip(sale)
            let driver = FulfilmentDriver(farm: farm, clock: clock)
            #expect(try await driver.ship(sale, #"{"carrier":"DHL","trackingNumber":"JD0146"}"#).status == .ok)

            await standIn.failUpdates(1)
            #expect(try await driver.service.pass() == 0)
            #expect(try await farm.sale(sale)?.fulfilment?.attempts == 1)
            clock.advance(61)
            #expect(try await driver.service.pass() == 1)
            let notes = await standIn.notes[901] ?? []
            #expect(notes.map(\.note) == ["Your order has shipped with DHL, tracking number JD0146."])
            #expect(notes.allSatisfy { $0.customer })
            let changes = await standIn.statusChanges
            #expect(changes.map(\.status) == ["completed"] && changes.map(\.order) == [901])
            #expect(try await farm.sale(sale)?.fulfilment?.reference == "note \(notes.first?.id ?? -1)")
        }
    }

    @Test(
        """
        Etsy: createReceiptShipment with Etsy's carrier slug (other, named to the buyer, for one it does not \
        know); a shipped receipt is not sent again
        """
    )
    func etsy() async throws {
        let standIn = EtsyStandIn(apiKey: "keystring:shared", token: "12345678.token")
        let (port, server) = try await standIn.serve()
        defer { server.cancel() }
        let clock = TestClock()
        // why: the retry route stamps its command with the farm's clock; on a real clock a test that ran longer than
        // the minute it advanced its own clock found the retry not yet due (seen once, 183 s for the test).
        try await withFarm(now: { clock.now }) { farm in
            let connection = try await farm.connectShop(
                "etsy", name: "Etsy", api: "http://127.0.0.1:\(port)", shop: "123456",
                secrets: [
                    "apiKey": "keystring", "apiSecret": "shared", "accessToken": "12345678.token",
                    "webhookSecret": "whsec_AAAA",
                ])
            let id = connection.id
            try await farm.mapToCube("KEYCHAIN-NAME")
            let sample = try String(
                contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                    .appendingPathComponent("FarmShopsTests/Reference/etsy-receipt-sample.json"), encoding: .utf8)
            let recent = Int64(Date().timeIntervalSince1970) - 60
            for receipt in ["3412345678", "555"] {
                await standIn.put(
                    receipt, updated: recent,
                    json: sample.replacingOccurrences(of: "3412345678", with: receipt)
                        .replacingOccurrences(of: "1758153700", with: String(recent)))
            }
            let polling = ShopPolling(
                store: farm.store, intake: ShopIntake(store: farm.store, now: { Date() }, logger: Logger(label: "t")),
                now: { Date() }, logger: Logger(label: "t"))
            #expect(try await polling.poll(connection) == 2)
            let driver = FulfilmentDriver(farm: farm, clock: clock)
            let royal = SaleIdentity.sale(connection: id, orderID: "3412345678").description
            let hermes = SaleIdentity.sale(connection: id, orderID: "555").description
            for sale in [royal, hermes] { try await farm.readyToShip(sale) }
            _ = try await driver.ship(royal, #"{"carrier":"Royal Mail","trackingNumber":"RM123456789GB"}"#)
            _ = try await driver.ship(hermes, #"{"carrier":"Hermes","trackingNumber":"H1000"}"#)
            #expect(try await driver.service.pass() == 2)
            let calls = await standIn.shipments
            #expect(calls.map(\.receipt).sorted() == ["3412345678", "555"])
            let royalCall = try #require(calls.first { $0.receipt == "3412345678" }?.body)
            let hermesCall = try #require(calls.first { $0.receipt == "555" }?.body)
            #expect(royalCall["carrier_name"] as? String == "royal-mail")
            #expect(royalCall["tracking_code"] as? String == "RM123456789GB")
            #expect(royalCall["send_bcc"] as? Bool == false)
            #expect(hermesCall["carrier_name"] as? String == "other")
            #expect((hermesCall["note_to_buyer"] as? String)?.contains("Hermes") == true)
            let done = try #require(try await farm.sale(royal)?.fulfilment)
            #expect(done.status == .fulfilled && done.reference?.hasPrefix("100000") == true)

            // Told again (a try whose answer was lost): the receipt shows shipped, so nothing is sent.
            let client = try #require(
                connection.client(
                    secrets: try await ShopIntake(store: farm.store, now: { Date() }, logger: Logger(label: "t"))
                        .secrets(of: id)))
            let order = try #require(try await farm.sale(royal)?.order)
            #expect(try await client.fulfil(order, shipment: Shipment(carrier: "Royal Mail")) == done.reference)
            #expect(await standIn.shipments.count == 2)
        }
    }
}
