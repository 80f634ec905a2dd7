import FarmDomain
import FarmStore
import Foundation

/// One order: what was promised and by when, its slack, each line item with its preflight verdict, quote and
/// plan, the runs that served it, the decisions taken on it, and its timeline.
enum OrderPage {
    static func render(
        _ order: OrderFacts, sale: Sale? = nil, printers: [PrinterID: String], events: [StoredEvent],
        actors: [String: String], viewer: Viewer, schedule: FarmSchedule? = nil, gcodes: [RunID: String] = [:],
        materials: [MaterialUse] = []
    ) -> HTML {
        let intent = order.intent
        let stamp = Timeline.stamper(viewer.timeZone)
        var facts: [HTML] = [
            "<dt>Status</dt><dd>\(OrdersPage.statusBadge(intent.status))\(intent.statusReasons.isEmpty ? HTML.empty : HTML(" <span class=\"why\">\(intent.statusReasons.joined(separator: "; "))</span>"))</dd>",
            "<dt>Source</dt><dd>\(intent.source.rawValue)\(intent.externalReference.map { " \($0)" } ?? "")</dd>",
        ]
        if let customer = intent.customer { facts.append("<dt>Customer</dt><dd>\(customer)</dd>") }
        facts.append("<dt>Received</dt><dd>\(stamp(intent.receivedAt))</dd>")
        facts.append("<dt>Due</dt><dd>\(intent.dueDate.map(stamp) ?? "no due date")</dd>")
        if order.slack != nil {
            facts.append(
                "<dt>Slack</dt><dd>\(OrdersPage.slack(order.slack)) <span class=\"quiet\">after the copies still to print</span></dd>"
            )
        }
        facts.append(
            "<dt>Payment</dt><dd>\(WebPage.words(intent.paymentStatus.rawValue))\(intent.currency.map { " (\($0))" } ?? "")</dd>"
        )
        if !intent.constraints.isEmpty {
            facts.append("<dt>Constraints</dt><dd>\(intent.constraints.joined(separator: "; "))</dd>")
        }
        if !intent.notes.isEmpty { facts.append("<dt>Notes</dt><dd>\(intent.notes.joined(separator: "; "))</dd>") }
        if let shipment = intent.shipment {
            facts.append("<dt>Shipped</dt><dd>\(shipmentWords(shipment))</dd>")
        }
        if let fulfilment = sale?.fulfilment {
            facts.append("<dt>Shop told</dt><dd>\(fulfilmentWords(fulfilment, stamp: stamp))</dd>")
        }
        let actions =
            intent.status == .needsReview
            ? WebPage.buttons(TriageBoard.Action.review(intent.id), version: order.version, viewer: viewer) : []

        let plansByItem = Dictionary(
            order.plans.map { ($0.model.lineItemID, $0.model) }, uniquingKeysWith: { first, _ in first })
        let items = intent.lineItems.enumerated().map { index, item in
            self.item(
                item, index: index, intent: intent, plan: plansByItem[item.id], runs: order.runs.map(\.model),
                planned: plansByItem[item.id].map { schedule?.prints(of: $0.id) ?? [] } ?? [], stamp: stamp)
        }
        let runs = order.runs.reversed().map { run, _ in
            RunPage.row(run, printer: printers[run.printerID], stamp: stamp, gcode: gcodes[run.id])
        }
        let decisions = (intent.decisions ?? []).map { decision in
            HTML(
                "<li>\(WebPage.riskChip(decision.risk, decision: decision)) \(decision.explanation) <span class=\"quiet\">\(stamp(decision.at))</span></li>"
            )
        }
        let ship =
            intent.status == .readyToShip && viewer.may(.operate)
            ? shipForm(intent, version: order.version, shop: sale != nil) : HTML.empty
        return WebPage.layout(
            title: OrdersPage.name(of: intent), viewer: viewer, current: "/orders",
            main: """
                <nav class="crumbs" aria-label="Breadcrumb"><a href="/orders">Orders</a> › \(OrdersPage.name(of: intent))</nav>
                <div class="page-head"><h1>\(OrdersPage.name(of: intent))</h1>\(WebPage.riskChip(intent.decisions?.last?.risk, decision: intent.decisions?.last))\(actions.isEmpty ? HTML.empty : HTML("<div class=\"actions\">\(actions)</div>"))</div>
                <dl class="facts">\(facts)</dl>
                \(ship)
                <section class="panel wide" aria-labelledby="items"><h2 id="items">Line items</h2>\(items)</section>
                \(materialsPanel(materials, intent: intent, stamp: stamp))
                <section class="panel wide" aria-labelledby="runs"><h2 id="runs">Runs</h2>\(runs.isEmpty ? HTML("<p class=\"empty\">No run yet.</p>") : HTML("<table class=\"list\">\(RunPage.rowHead)<tbody>\(runs)</tbody></table>"))</section>
                \(decisions.isEmpty ? HTML.empty : HTML("<section class=\"panel wide\" aria-labelledby=\"decisions\"><h2 id=\"decisions\">Decisions</h2><ul class=\"decisions\">\(decisions)</ul></section>"))
                <section class="panel wide" aria-labelledby="timeline"><h2 id="timeline">Timeline</h2>\(Timeline.render(events, actors: actors, stamp: stamp))</section>
                """)
    }

    /// The filament in one of the order's parts: from which spool and lot.
    struct MaterialUse: Sendable {
        var row: MaterialTrace.Row
        var lotNumber: String?
        var filament: String
    }

    /// Which lot made each part (what a recall asks of an order); nothing before the first print is counted.
    static func materialsPanel(_ uses: [MaterialUse], intent: Intent, stamp: (Date) -> String) -> HTML {
        guard !uses.isEmpty else { return .empty }
        let rows = uses.map { use in
            HTML(
                """
                <tr><td>\(use.filament)</td><td>\(use.lotNumber ?? "—")</td>\
                <td><a href="/spools/\(use.row.spool)">spool \(use.row.spool.description.suffix(6))</a></td>\
                <td><a href="/runs/\(use.row.run)">\(stamp(use.row.at))</a></td>\
                <td>\(String(format: "%.1f g", use.row.grams))</td></tr>
                """)
        }
        return """
            <section class="panel wide" aria-labelledby="materials"><h2 id="materials">Materials</h2>\
            <table class="list"><thead><tr><th scope="col">Filament</th><th scope="col">Lot</th>\
            <th scope="col">Spool</th><th scope="col">Run</th><th scope="col">Grams</th></tr></thead>\
            <tbody>\(rows)</tbody></table></section>
            """
    }

    static func shipmentWords(_ shipment: Shipment) -> HTML {
        let number: HTML =
            shipment.trackingNumber.map { number in
                shipment.trackingURL.map { HTML("<a href=\"\($0)\" rel=\"noopener noreferrer\">\(number)</a>") }
                    ?? HTML("\(number)")
            } ?? HTML.empty
        return "\(shipment.carrier ?? "no carrier") \(number)"
    }

    static func fulfilmentWords(_ fulfilment: SaleFulfilment, stamp: (Date) -> String) -> HTML {
        switch fulfilment.status {
        case .fulfilled:
            return "yes, \(fulfilment.fulfilledAt.map(stamp) ?? "")"
        case .pending where fulfilment.attempts == 0:
            return "being told"
        case .pending:
            let next = "try \(fulfilment.attempts + 1) at \(fulfilment.dueAt.map(stamp) ?? "soon")"
            return "not yet: \(fulfilment.lastError ?? "") <span class=\"quiet\">(\(next))</span>"
        case .failed:
            return """
                <strong>failed</strong>: \(fulfilment.lastError ?? "") \
                <span class="quiet">(retry from the board once fixed)</span>
                """
        }
    }

    /// Ship a ready order: the carrier and tracking number go to the shop it came from.
    static func shipForm(_ intent: Intent, version: Int, shop: Bool) -> HTML {
        let carriers = ["UPS", "USPS", "FedEx", "DHL Express", "Royal Mail", "Deutsche Post", "DPD", "GLS", "PostNL"]
            .map { HTML("<option value=\"\($0)\">") }
        let told = "The shop the order came from is told, with the tracking number."
        return """
            <section class="panel wide" aria-labelledby="ship"><h2 id="ship">Ship</h2>
            <form class="ship" data-post="/api/v1/intents/\(intent.id)/shipment" data-version="\(version)" \
            data-done="Shipped">
            <label>Carrier <input name="carrier" list="carriers" maxlength="60" autocomplete="off"></label>
            <datalist id="carriers">\(carriers)</datalist>
            <label>Tracking number <input name="trackingNumber" maxlength="64" pattern="[A-Za-z0-9 \\-]{1,64}"></label>
            <label>Tracking link <input name="trackingURL" type="url" maxlength="500"></label>
            <button type="submit" class="primary">Ship</button>
            <p class="quiet">\(shop ? told : "Leave the fields empty for a parcel without tracking.")</p>
            <p class="error" role="alert" hidden></p>
            </form></section>
            """
    }

    static func item(
        _ item: LineItem, index: Int, intent: Intent, plan: Plan?, runs: [Run],
        planned: [(printer: String, print: FarmSchedule.ScheduledPrint)] = [], stamp: (Date) -> String = { "\($0)" }
    ) -> HTML {
        var lines: [HTML] = []
        let what = [item.material, item.colour, item.finish].compactMap { $0 }.joined(separator: ", ")
        lines.append(
            "<p>\(item.quantity) × \(what)\(item.modelArtifact.map { HTML(" · model <code title=\"\($0)\">\($0.prefix(12))</code>") } ?? HTML(" · no model yet"))</p>"
        )
        if let preflight = intent.lineItemPreflights?.first(where: { $0.lineItemID == item.id })?.verdict {
            let findings = preflight.findings.map {
                HTML(
                    "<li class=\"finding-\($0.severity.rawValue)\"><strong>\($0.severity.rawValue)</strong> \($0.message)</li>"
                )
            }
            var about: [String] = []
            if let grams = preflight.massGrams { about.append(String(format: "about %.0f g", grams)) }
            about.append(
                preflight.printers.isEmpty
                    ? "no printer can make it" : "fits \(preflight.printers.joined(separator: ", "))")
            lines.append(
                "<p>Preflight: <span class=\"badge preflight-\(preflight.outcome.rawValue)\">\(preflight.outcome.rawValue)</span> \(about.joined(separator: "; "))</p>"
            )
            if !findings.isEmpty { lines.append("<ul class=\"findings\">\(findings)</ul>") }
        } else {
            lines.append("<p class=\"quiet\">Not preflighted yet.</p>")
        }
        if let quote = intent.quotes?.last(where: { $0.lineItemID == item.id })?.quote {
            let parts = quote.lines.map {
                HTML("<li>\($0.item): \($0.basis) — \("\($0.amount)") \(quote.currency)</li>")
            }
            lines.append(
                "<details><summary>Quote (\(quote.kind.rawValue)): \("\(quote.total)") \(quote.currency)</summary><ul>\(parts)</ul>\(quote.note.map { HTML("<p>\($0)</p>") } ?? .empty)</details>"
            )
        }
        if let plan {
            let progress = PlanProgress(plan: plan, runs: runs)
            lines.append(
                "<p>Plan: <a href=\"/plans/\(plan.id)\">revision \(plan.revisions.last?.number ?? 0), \(WebPage.words(plan.status.rawValue))</a> · \(progress.passed) of \(item.quantity) passed QA, \(progress.inFlight) on the way</p>"
            )
        }
        if !planned.isEmpty {
            let rows = planned.map { HTML("<li>\(SchedulePage.words($0.print, on: $0.printer, stamp: stamp))</li>") }
            lines.append("<div class=\"planned\">Planned prints: <ul>\(rows)</ul></div>")
        }
        return "<div class=\"item\" id=\"item-\(item.id)\"><h3>Item \(index + 1)</h3>\(lines)</div>"
    }
}
