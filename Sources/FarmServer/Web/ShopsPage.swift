import FarmDomain
import FarmStore
import Foundation

/// The shops: each connection with its health and the address its platform delivers to, a form to connect one
/// (owners), the orders held for a catalog mapping with a form per unknown SKU (mapping one releases every order it
/// held), the shipments a shop could not be told of, and the catalog.
enum ShopsPage {
    /// A held order and the SKUs on it the catalog does not know.
    struct Held: Sendable {
        var sale: Sale
        var unmapped: [String]
    }

    static func render(
        connections: [ShopConnectionView], held: [Held], unfulfilled: [(model: Sale, version: Int)],
        catalog: [CatalogEntry], models: [Artifact], viewer: Viewer
    ) -> HTML {
        let stamp = Timeline.stamper(viewer.timeZone)
        let names = Dictionary(connections.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let rows = connections.map { shop in
            HTML(
                """
                <tr><td>\(shop.name)\(authoriseButton(shop, viewer: viewer))</td><td>\(shop.platform.rawValue)</td>\
                <td><code>\(shop.webhookPath)</code></td>\
                <td>\(shop.health.lastDeliveryAt.map(stamp) ?? "never")</td>\
                <td>\(shop.health.lastPollAt.map(stamp) ?? "never")</td>\
                <td>\(shop.health.lastError.map { HTML("<span class=\"why\">\($0)</span>") } ?? HTML("none"))</td>\
                <td>\(shop.ordersTaken)</td><td>\(shop.ordersHeld)</td></tr>
                """)
        }
        let table: HTML =
            rows.isEmpty
            ? "<p class=\"empty\">No shop is connected.</p>"
            : """
            <table class="list"><thead><tr><th scope="col">Name</th><th scope="col">Platform</th>\
            <th scope="col">Webhook address</th><th scope="col">Last delivery</th><th scope="col">Last poll</th>\
            <th scope="col">Last error</th><th scope="col">Orders taken</th><th scope="col">Held</th></tr></thead>\
            <tbody>\(rows)</tbody></table>
            """
        let heldCards = held.map { heldCard($0, shop: names[$0.sale.connectionID], models: models, viewer: viewer) }
        let unfulfilledCards = unfulfilled.map { sale, version in
            HTML(
                """
                <li id="sale-\(sale.id)"><a href="/orders/\(sale.id)">\(sale.order.name ?? sale.order.orderID)</a> \
                (\(names[sale.connectionID] ?? sale.order.platform.rawValue)): \
                <span class="why">\(sale.fulfilment?.lastError ?? "telling the shop failed")</span> \
                \(WebPage.buttons([TriageBoard.Action.retryFulfilment(sale.id)], version: version, viewer: viewer))</li>
                """)
        }
        let entries = catalog.sorted { $0.sku < $1.sku }.map { entry in
            HTML(
                """
                <tr><td><code>\(entry.sku)</code></td><td>\(entry.printed ? "printed" : "not printed")</td>\
                <td>\(entry.modelArtifact.map { String($0.prefix(12)) } ?? "")</td><td>\(entry.material ?? "")</td>\
                <td>\(entry.colour ?? "")</td><td>\(entry.quantityPerUnit)</td></tr>
                """)
        }
        let heldPart: [HTML] = heldCards.isEmpty ? ["<p class=\"empty\">No order waits for a mapping.</p>"] : heldCards
        let untold: HTML =
            unfulfilledCards.isEmpty
            ? .empty
            : """
            <section class="panel wide" aria-labelledby="untold"><h2 id="untold">Shipped, shop not told</h2>\
            <ul>\(unfulfilledCards)</ul></section>
            """
        let catalogPart: HTML =
            entries.isEmpty
            ? "<p class=\"empty\">The catalog is empty.</p>"
            : """
            <table class="list"><thead><tr><th scope="col">SKU</th><th scope="col">Printed</th>\
            <th scope="col">Model</th>\
            <th scope="col">Material</th><th scope="col">Colour</th><th scope="col">Parts per unit</th></tr></thead>\
            <tbody>\(entries)</tbody></table>
            """
        return WebPage.layout(
            title: "Shops", viewer: viewer, current: "/shops",
            main: """
                <div class="page-head"><h1>Shops</h1></div>
                <section class="panel wide" aria-labelledby="connections"><h2 id="connections">Connections</h2>\
                \(table)</section>
                \(viewer.may(.administer) ? connectForm() : HTML.empty)
                <section class="panel wide" aria-labelledby="held"><h2 id="held">Held orders</h2>\(heldPart)</section>
                \(untold)
                <section class="panel wide" aria-labelledby="catalog"><h2 id="catalog">Catalog</h2>\
                \(catalogPart)</section>
                """)
    }

    /// Etsy's tokens come from its consent page: the button starts that (again, when Etsy stopped taking them).
    static func authoriseButton(_ shop: ShopConnectionView, viewer: Viewer) -> HTML {
        guard shop.platform == .etsy, viewer.may(.administer) else { return .empty }
        let label = shop.secretsSet.contains("refreshToken") ? "Authorise again with Etsy" : "Authorise with Etsy"
        return " <button type=\"button\" data-oauth=\"/api/v1/shops/\(shop.id)/oauth\">\(label)</button>"
    }

    static func heldCard(_ held: Held, shop: String?, models: [Artifact], viewer: Viewer) -> HTML {
        let sale = held.sale
        let reasons = sale.reasons.map { HTML("<li>\($0)</li>") }
        let forms = viewer.may(.operate) ? held.unmapped.map { mapForm(sku: $0, models: models) } : []
        let customer = sale.order.customer.map { ", for \($0)" } ?? ""
        return """
            <article class="held" id="sale-\(sale.id)" aria-labelledby="sale-title-\(sale.id)">\
            <h3 id="sale-title-\(sale.id)">\(sale.order.name ?? sale.order.orderID) \
            <span class="quiet">from \(shop ?? sale.order.platform.rawValue)\(customer)</span></h3>\
            <ul class="reasons">\(reasons)</ul>\(forms)</article>
            """
    }

    /// Map an unknown SKU to a stored model, or mark it as not printed.
    static func mapForm(sku: String, models: [Artifact]) -> HTML {
        let options = models.map { model in
            HTML("<option value=\"\(model.sha256)\">\(model.names.first ?? String(model.sha256.prefix(12)))</option>")
        }
        let field = sku.map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined()
        let path = "/api/v1/catalog/" + (sku.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? sku)
        return """
            <form class="map" data-post="\(path)" data-method="PUT" data-done="Mapped \(sku)" aria-label="Map \(sku)">
            <fieldset><legend>Map <code>\(sku)</code></legend>
            <label>Model <select name="modelArtifact" id="model-\(field)" required>\
            <option value="">choose…</option>\(options)</select></label>
            <label>Material <input name="material" required maxlength="100" value="PLA"></label>
            <label>Colour <input name="colour" maxlength="100"></label>
            <label>Parts per unit <input name="quantityPerUnit" type="number" min="1" max="1000" value="1"></label>
            <button type="submit" class="primary">Map \(sku)</button>
            <p class="error" role="alert" hidden></p></fieldset></form>
            <form class="map" data-post="\(path)" data-method="PUT" data-done="\(sku) is not printed" \
            aria-label="\(sku) is not printed">
            <input type="checkbox" name="printed" hidden aria-hidden="true" tabindex="-1">
            <button type="submit">Not printed (shipping protection, a gift card…)</button>
            <p class="error" role="alert" hidden></p></form>
            """
    }

    static func connectForm() -> HTML {
        """
        <section class="panel wide" aria-labelledby="connect"><h2 id="connect">Connect a shop</h2>
        <form class="connect" data-post="/api/v1/shops" data-done="Connected">
        <label>Platform <select name="platform" required><option value="shopify">Shopify</option>\
        <option value="woocommerce">WooCommerce</option><option value="etsy">Etsy</option></select></label>
        <label>Name <input name="name" required maxlength="100"></label>
        <label>Shop address \
        <input name="endpoints.api" type="url" placeholder="https://your-store.myshopify.com"></label>
        <label>Etsy shop id <input name="endpoints.shop" inputmode="numeric" maxlength="20"></label>
        <label>Webhook secret <input name="secrets.webhookSecret" type="password" autocomplete="off"></label>
        <label>Access token (Shopify Admin API, Etsy) \
        <input name="secrets.accessToken" type="password" autocomplete="off"></label>
        <label>API key (WooCommerce consumer key, Etsy keystring) \
        <input name="secrets.apiKey" autocomplete="off"></label>
        <label>API secret (WooCommerce consumer secret, Etsy shared secret) \
        <input name="secrets.apiSecret" type="password" autocomplete="off"></label>
        <button type="submit" class="primary">Connect</button>
        <p class="quiet">Secrets are stored apart from the farm's history and never shown again. \
        See docs/shops.md for what each platform needs.</p>
        <p class="error" role="alert" hidden></p>
        </form></section>
        """
    }
}
