import FarmDomain
import Foundation
import Testing

@Suite("Shops: sales, the catalog, connections")
struct ShopTests {
    let connection = ShopConnectionID(UUID(uuidString: "01936a4e-0000-7000-8000-0000000000e1")!)
    let saleID = SaleID(UUID(uuidString: "01936a4e-0000-7000-8000-0000000000e2")!)
    let model = String(repeating: "ab", count: 32)

    func order(updated: TimeInterval, payment: ShopPayment = .paid, cancelled: Bool = false, lines: [ShopLine]? = nil)
        -> ShopOrder
    {
        ShopOrder(
            platform: .shopify, orderID: "820982911946154508", name: "#1001", createdAt: nil,
            updatedAt: Date(timeIntervalSince1970: updated), payment: payment, cancelled: cancelled, currency: "eur",
            customer: "Ada Lovelace", note: nil,
            lines: lines ?? [line(sku: "PF-DRAGON", quantity: 2)])
    }

    func line(sku: String?, quantity: Int = 1, properties: [ShopProperty] = [], physical: Bool = true) -> ShopLine {
        ShopLine(
            lineID: "1", sku: sku, productID: nil, variantID: nil, title: sku ?? "Mystery", variant: nil,
            quantity: quantity, properties: properties, physical: physical)
    }

    func entry(_ sku: String, printed: Bool = true, perUnit: Int = 1) -> CatalogEntry {
        CatalogEntry(
            sku: sku, printed: printed, modelArtifact: printed ? model : nil, material: printed ? "PETG" : nil,
            colour: printed ? "Silk gold" : nil, quantityPerUnit: perUnit, removed: false, updatedBy: "user:ada",
            updatedAt: Date(timeIntervalSince1970: 0))
    }

    @Test("updates apply in the shop's order: a late orders/create never undoes orders/paid")
    func ordering() {
        let taken = SaleEvent.taken(
            SaleTaken(
                saleID: saleID, connectionID: connection, order: order(updated: 200, payment: .paid),
                at: Date(timeIntervalSince1970: 1_800_000_000)))
        let scenario = Scenario<SaleDecider>(given: [taken])
        scenario.then(.take(saleID, connection, order(updated: 100, payment: .pending)), [])
        scenario.then(.take(saleID, connection, order(updated: 200, payment: .pending)), [])
        scenario.then(
            .take(saleID, connection, order(updated: 300, cancelled: true)),
            [.updated(SaleUpdated(order: order(updated: 300, cancelled: true), at: scenario.time))])
        var other = order(updated: 400)
        other.orderID = "1"
        #expect(scenario.thenRefused(.take(saleID, connection, other)) == .alreadyExists(aggregate: "sale"))
    }

    @Test("held, then released once; a released or cancelled sale is not held again")
    func lifecycle() {
        let taken = SaleEvent.taken(
            SaleTaken(
                saleID: saleID, connectionID: connection, order: order(updated: 1), at: Date(timeIntervalSince1970: 0)))
        let scenario = Scenario<SaleDecider>(given: [taken])
        let held = Scenario<SaleDecider>(given: [taken, .held(SaleHeld(reasons: ["a"], at: scenario.time))])
        held.then(.hold(reasons: ["a"]), [])
        held.then(.hold(reasons: ["b"]), [.held(SaleHeld(reasons: ["b"], at: held.time))])
        let intent = IntentID(saleID.uuid)
        held.then(.release(intent), [.released(SaleReleased(intentID: intent, at: held.time))])
        let released = Scenario<SaleDecider>(given: [taken, .released(SaleReleased(intentID: intent, at: held.time))])
        released.then(.release(intent), [])
        #expect(released.thenRefused(.hold(reasons: ["x"])) != nil)
        released.then(.cancel, [.cancelled(SaleCancelled(at: released.time))])
    }

    @Test(
        """
        fulfilment: asked for once the intent ships, retried after 1, 5, 15 and 60 minutes, then a person's; \
        refused at once is a person's too
        """
    )
    func fulfilment() {
        let taken = SaleEvent.taken(
            SaleTaken(
                saleID: saleID, connectionID: connection, order: order(updated: 1), at: Date(timeIntervalSince1970: 0)))
        let released = SaleEvent.released(
            SaleReleased(intentID: IntentID(saleID.uuid), at: Date(timeIntervalSince1970: 0)))
        let ups = Shipment(carrier: "UPS", trackingNumber: "1Z001985YW99744790")
        let unshipped = Scenario<SaleDecider>(given: [taken, released])
        #expect(unshipped.thenRefused(.recordFulfilled(reference: nil)) != nil)
        let requested = SaleEvent.fulfilmentRequested(SaleFulfilmentRequested(shipment: ups, at: unshipped.time))
        unshipped.then(.requestFulfilment(ups), [requested])
        #expect(
            Scenario<SaleDecider>(given: [taken, .cancelled(SaleCancelled(at: unshipped.time))])
                .thenRefused(.requestFulfilment(ups)) != nil, "a cancelled order is never fulfilled")

        var history: [SaleEvent] = [taken, released, requested]
        Scenario<SaleDecider>(given: history).then(.requestFulfilment(ups), [])
        var waits: [TimeInterval?] = []
        for attempt in 1...5 {
            let scenario = Scenario<SaleDecider>(given: history)
            guard case .success(let events) = scenario.when(.recordFulfilmentFailure("503", persistent: false)),
                case .fulfilmentFailed(let failed) = events.first
            else {
                Issue.record("attempt \(attempt) was not recorded")
                return
            }
            #expect(failed.attempt == attempt)
            waits.append(failed.retryAt.map { $0.timeIntervalSince(scenario.time) })
            history += events
        }
        #expect(waits == [60, 300, 900, 3600, nil])
        var sale = history.reduce(SaleDecider.initialState, SaleDecider.evolve)
        #expect(sale?.fulfilment?.status == .failed && sale?.fulfilment?.lastError == "503")
        #expect(
            Scenario<SaleDecider>(given: history).thenRefused(.recordFulfilmentFailure("x", persistent: false)) != nil)
        let retried = Scenario<SaleDecider>(given: history)
        retried.then(.retryFulfilment, [.fulfilmentRetried(SaleCancelled(at: retried.time))])
        history.append(.fulfilmentRetried(SaleCancelled(at: retried.time)))
        sale = history.reduce(SaleDecider.initialState, SaleDecider.evolve)
        #expect(sale?.fulfilment?.status == .pending && sale?.fulfilment?.attempts == 0)
        #expect(Scenario<SaleDecider>(given: history).thenRefused(.retryFulfilment) != nil, "only a failed one")

        let refused = Scenario<SaleDecider>(given: [taken, released, requested])
        guard case .success(let events) = refused.when(.recordFulfilmentFailure("invalid tracking", persistent: true))
        else { return #expect(Bool(false)) }
        #expect(
            events == [
                .fulfilmentFailed(
                    SaleFulfilmentFailed(error: "invalid tracking", attempt: 1, retryAt: nil, at: refused.time))
            ])

        let done = Scenario<SaleDecider>(given: [taken, released, requested])
        done.then(
            .recordFulfilled(reference: "gid://shopify/Fulfillment/1"),
            [.fulfilled(SaleFulfilled(reference: "gid://shopify/Fulfillment/1", at: done.time))])
        let fulfilled = Scenario<SaleDecider>(
            given: [taken, released, requested, .fulfilled(SaleFulfilled(reference: nil, at: done.time))])
        fulfilled.then(.requestFulfilment(Shipment(carrier: "DHL")), [])
        fulfilled.then(.recordFulfilled(reference: nil), [])
    }

    @Test("a shipment: a number needs its carrier, a URL its number; odd characters are refused")
    func shipment() {
        #expect(throws: Never.self) { try Shipment().validate() }
        #expect(throws: Never.self) {
            try Shipment(
                carrier: "DHL Express", trackingNumber: "JD014600006281230704", trackingURL: "https://dhl.com/t"
            ).validate()
        }
        for bad in [
            Shipment(trackingNumber: "1Z999"), Shipment(carrier: " "),
            Shipment(carrier: "UPS", trackingNumber: "1Z<script>"),
            Shipment(carrier: "UPS", trackingURL: "https://ups.com"),
            Shipment(carrier: "UPS", trackingNumber: "1", trackingURL: "javascript:alert(1)"),
            Shipment(carrier: String(repeating: "x", count: 61)),
        ] {
            #expect(throws: DomainError.self, "\(bad)") { try bad.validate() }
        }
    }

    @Test("mapping: SKUs through the catalog, the line's own material and colour, personalisation as notes")
    func mapping() throws {
        let catalog = [
            "PF-DRAGON": entry("PF-DRAGON", perUnit: 3), "SHIP-PROTECT": entry("SHIP-PROTECT", printed: false),
        ]
        let ids = (0..<10).map { _ in LineItemID(UUID()) }
        let mapped = SaleMapping.map(
            order(
                updated: 1,
                lines: [
                    line(
                        sku: "PF-DRAGON", quantity: 2,
                        properties: [
                            ShopProperty(name: "Colour", value: "Galaxy Black"),
                            ShopProperty(name: "Engraving", value: "ALEX", personalisation: true),
                            ShopProperty(name: "_model_file", value: "hidden.3mf"),
                        ]),
                    line(sku: "SHIP-PROTECT"), line(sku: nil, physical: false),
                ]), catalog: { catalog[$0] }, lineItemID: { ids[$0] })
        let draft = try #require(mapped.draft, "\(mapped.reasons)")
        #expect(
            draft.lineItems == [
                LineItem(id: ids[0], modelArtifact: model, quantity: 6, material: "PETG", colour: "Galaxy Black")
            ])
        #expect(draft.notes == ["line 1 (PF-DRAGON): Engraving: ALEX"])
        #expect(draft.source == .shopify && draft.externalReference == "#1001" && draft.currency == "EUR")
        #expect(draft.paymentStatus == .paid)
    }

    @Test(
        "what cannot be mapped holds the order with a sentence: unknown SKU, no SKU, odd quantities, nothing to print")
    func unmappable() {
        let catalog = ["PF-DRAGON": entry("PF-DRAGON"), "GIFT": entry("GIFT", printed: false)]
        func reasons(_ lines: [ShopLine]) -> [String] {
            SaleMapping.map(
                order(updated: 1, lines: lines), catalog: { catalog[$0] }, lineItemID: { _ in LineItemID(UUID()) }
            )
            .reasons
        }
        #expect(
            reasons([line(sku: "PF-DRAGON-PETG-SILKGOLD")]) == [
                "SKU PF-DRAGON-PETG-SILKGOLD is not in the catalog (line 1 (PF-DRAGON-PETG-SILKGOLD)): add it, or mark it as not printed"
            ])
        #expect(reasons([line(sku: nil)]).first?.hasPrefix("line 1 (Mystery) has no SKU") == true)
        #expect(reasons([line(sku: "PF-DRAGON", quantity: -2)]).first?.contains("asks for -2 pieces") == true)
        #expect(
            reasons([line(sku: "PF-DRAGON", quantity: 1_000_000)]).first?.contains("asks for 1000000 pieces") == true)
        #expect(
            reasons([line(sku: "GIFT")]) == [
                "the order has nothing to print: no line is in the catalog as a printed SKU"
            ])
        #expect(reasons([]) == ["the order has nothing to print: no line is in the catalog as a printed SKU"])
        var euro = order(updated: 1)
        euro.currency = "EURO"
        let bad = SaleMapping.map(euro, catalog: { catalog[$0] }, lineItemID: { _ in LineItemID(UUID()) })
        #expect(bad.draft == nil && bad.reasons.first?.contains("currency") == true)
    }

    @Test("catalog entries and connections validate what a person typed")
    func validation() {
        let catalog = Scenario<CatalogDecider>()
        #expect(catalog.thenRefused(.set(CatalogEntrySpec(sku: "X", modelArtifact: nil, material: "PLA"))) != nil)
        #expect(catalog.thenRefused(.set(CatalogEntrySpec(sku: " ", printed: false))) != nil)
        #expect(
            catalog.thenRefused(
                .set(CatalogEntrySpec(sku: "X", modelArtifact: model, material: "PLA", quantityPerUnit: 0)))
                != nil)
        if case .success(let events) = catalog.when(.set(CatalogEntrySpec(sku: "GIFT", printed: false))) {
            #expect(events.count == 1)
        } else {
            Issue.record("a not-printed SKU needs no model")
        }
        let shops = Scenario<ShopConnectionDecider>()
        #expect(
            shops.thenRefused(
                .connect(
                    connection,
                    ShopConnectionSpec(platform: .shopify, name: "Main", endpoints: ShopEndpoints(api: "ftp://x"))))
                != nil)
        #expect(
            shops.thenRefused(
                .connect(
                    connection,
                    ShopConnectionSpec(
                        platform: .etsy, name: "Etsy",
                        endpoints: ShopEndpoints(api: "https://api.etsy.com", authorize: "https://www.etsy.com"))))
                == .invalid(field: "endpoints.shop", reason: "Etsy connections need the numeric shop id"))
    }
}
