import FarmDomain
import FarmShops
import FarmStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import Testing

@testable import FarmServer

@Suite("Shops in the web UI")
struct ShopPageTests {
    @Test(
        """
        the Shops page shows connections with their health and webhook address, held orders with a form per \
        unknown SKU, and the catalog; the board carries held orders and shipments the shop was not told of; the \
        order page ships
        """
    )
    func shopsPage() async throws {
        let clock = TestClock()
        try await withFarm { farm in
            let pages = WebPageTests()
            let owner = try await pages.cookie(farm, "olga", role: .owner)
            let operatorCookie = try await pages.cookie(farm, "otto", role: .operator)
            let viewer = try await pages.cookie(farm, "vera", role: .viewer)
            // No Admin API token: its shipments cannot be told, which the board must show.
            let connection = try await farm.connectShop(
                "shopify", name: "Main <store>", api: "https://farm.myshopify.com",
                secrets: ["webhookSecret": "test-client-secret"])
            try await farm.mapToCube("PF-DRAGON")
            let intake = ShopIntake(store: farm.store, now: { Date() }, logger: Logger(label: "t"))
            _ = try await farm.deliver(shopifyOrder(id: "1", sku: "PF-UNKNOWN"), to: connection.id.description)
            _ = try await farm.deliver(shopifyOrder(id: "2"), to: connection.id.description)
            try await intake.processWaiting()
            let held = SaleIdentity.sale(connection: connection.id, orderID: "1").description
            let shipped = SaleIdentity.sale(connection: connection.id, orderID: "2").description

            let page = try await farm.request(.get, "/shops", headers: [.cookie: owner])
            #expect(page.status == .ok)
            let html = page.text
            #expect(html.contains("Main &lt;store&gt;") && !html.contains("Main <store>"))
            #expect(html.contains("<code>/webhooks/shops/\(connection.id)</code>"))
            #expect(html.contains("data-post=\"/api/v1/shops\""), "owners may connect a shop")
            #expect(html.contains("id=\"sale-\(held)\""))
            #expect(html.contains("SKU PF-UNKNOWN is not in the catalog"))
            #expect(html.contains("data-post=\"/api/v1/catalog/PF-UNKNOWN\" data-method=\"PUT\""))
            #expect(
                !html.contains("data-post=\"/api/v1/catalog/SHIP-PROTECT\""),
                "a line that is not shipped needs no mapping")
            #expect(html.contains("<option value=\""), "stored models to choose from")
            #expect(html.contains("<code>PF-DRAGON</code>"), "the catalog")
            #expect(html.contains("<a href=\"/shops\" aria-current=\"page\">Shops</a>"))
            let operated = try await farm.request(.get, "/shops", headers: [.cookie: operatorCookie]).text
            #expect(!operated.contains("data-post=\"/api/v1/shops\"") && operated.contains("data-method=\"PUT\""))
            let viewed = try await farm.request(.get, "/shops", headers: [.cookie: viewer]).text
            #expect(!viewed.contains("data-post=") && viewed.contains("SKU PF-UNKNOWN is not in the catalog"))

            let board = try await farm.request(.get, "/", headers: [.cookie: operatorCookie]).text
            let heldCard = try #require(WebPageTests.card("card-sale-\(held)", in: board))
            #expect(heldCard.contains("is held") && heldCard.contains("SKU PF-UNKNOWN is not in the catalog"))

            // Ready to ship: the order page offers the form; shipping it asks the shop to be told, which fails.
            try await farm.readyToShip(shipped)
            let order = try await farm.request(.get, "/orders/\(shipped)", headers: [.cookie: operatorCookie]).text
            #expect(order.contains("data-post=\"/api/v1/intents/\(shipped)/shipment\""))
            #expect(order.contains("The shop the order came from is told"))
            let driver = FulfilmentDriver(farm: farm, clock: clock)
            _ = try await driver.ship(
                shipped, #"{"carrier":"UPS","trackingNumber":"1Z999","trackingURL":"https://ups.com/t?n=1Z999"}"#)
            #expect(try await driver.service.pass() == 0)
            let after = try await farm.request(.get, "/orders/\(shipped)", headers: [.cookie: operatorCookie]).text
            #expect(!after.contains("/shipment\""), "shipped: no form")
            #expect(after.contains("UPS <a href=\"https://ups.com/t?n=1Z999\" rel=\"noopener noreferrer\">1Z999</a>"))
            #expect(after.contains("<strong>failed</strong>: the connection Main &lt;store&gt; has no API credentials"))
            let boardAfter = try await farm.request(.get, "/", headers: [.cookie: operatorCookie]).text
            let untold = try #require(WebPageTests.card("card-sale-\(shipped)", in: boardAfter))
            #expect(untold.contains("the shop was not told") && untold.contains("has no API credentials"))
            #expect(untold.contains("data-action=\"/api/v1/sales/\(shipped)/fulfilment/retry\""))
            let viewerBoard = try await farm.request(.get, "/", headers: [.cookie: viewer]).text
            #expect(WebPageTests.card("card-sale-\(shipped)", in: viewerBoard)?.contains("data-action") == false)
        }
    }
}
