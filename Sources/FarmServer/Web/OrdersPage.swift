import FarmDomain
import Foundation

/// The orders (intents): open ones by due date with their SLA slack, or every order of one status page by page.
enum OrdersPage {
    /// Which orders the list shows.
    enum Filter: Equatable {
        case open
        case status(IntentStatus)

        init?(_ text: String?) {
            guard let text, text != "open" else {
                self = .open
                return
            }
            guard let status = IntentStatus(rawValue: text) else { return nil }
            self = .status(status)
        }

        var query: String {
            switch self {
            case .open: "open"
            case .status(let status): status.rawValue
            }
        }
    }

    /// Open orders beyond this many are counted, not listed (the earliest due first).
    static let openLimit = 100
    static let pageSize = 50

    /// `total`: how many orders the filter matches when that is known (open ones); `next`: the cursor of the next
    /// page, when there is one.
    static func render(_ orders: [OrderFacts], filter: Filter, total: Int?, next: String?, viewer: Viewer) -> HTML {
        let stamp = Timeline.stamper(viewer.timeZone)
        let tabs = ([Filter.open] + IntentStatus.allCases.map(Filter.status)).map { tab in
            HTML(
                "<a href=\"/orders?status=\(tab.query)\"\(tab == filter ? HTML(" aria-current=\"page\"") : .empty)>\(label(tab))</a>"
            )
        }
        let rows = orders.map { row($0, stamp: stamp) }
        var summary = ""
        if let total {
            summary =
                total > orders.count
                ? "\(orders.count) of \(total), the earliest due first" : "\(total), the earliest due first"
        }
        let empty: HTML = orders.isEmpty ? "<p class=\"empty\">No orders here.</p>" : .empty
        let more: HTML =
            next.map {
                HTML("<p><a class=\"quiet\" href=\"/orders?status=\(filter.query)&amp;after=\($0)\">Next page</a></p>")
            } ?? .empty
        let table: HTML =
            orders.isEmpty
            ? .empty
            : HTML(
                """
                <table class="list">
                  <thead><tr><th scope="col">Order</th><th scope="col">Items</th><th scope="col">Status</th>\
                <th scope="col">Due</th><th scope="col">Slack</th><th scope="col">Risk</th><th scope="col">Received</th>\
                </tr></thead>
                  <tbody>\(rows)</tbody>
                </table>
                """)
        return WebPage.layout(
            title: "Orders", viewer: viewer, current: "/orders",
            main: """
                <div class="page-head"><h1>Orders</h1><span class="quiet">\(summary)</span></div>
                <nav class="tabs" aria-label="Order status">\(tabs)</nav>
                \(table)
                \(empty)\(more)
                """)
    }

    static func row(_ order: OrderFacts, stamp: (Date) -> String) -> HTML {
        let intent = order.intent
        let items = intent.lineItems.map { "\($0.quantity)× \($0.material)\($0.colour.map { " \($0)" } ?? "")" }.joined(
            separator: ", ")
        return """
            <tr id="order-\(intent.id)">
              <td><a href="/orders/\(intent.id)">\(name(of: intent))</a>\(intent.customer.map { HTML("<br><span class=\"quiet\">\($0)</span>") } ?? .empty)</td>
              <td>\(items)</td>
              <td>\(statusBadge(intent.status))</td>
              <td>\(intent.dueDate.map(stamp) ?? "—")</td>
              <td>\(slack(order.slack))</td>
              <td>\(WebPage.riskChip(intent.decisions?.last?.risk, decision: intent.decisions?.last))</td>
              <td>\(stamp(intent.receivedAt))</td>
            </tr>
            """
    }

    /// The slack, marked when it is below the board's at-risk threshold or gone.
    static func slack(_ slack: TimeInterval?) -> HTML {
        guard let slack else { return "<span class=\"quiet\">—</span>" }
        if slack < 0 { return "<span class=\"slack late\">late by \(TriageBoard.duration(-slack))</span>" }
        return
            "<span class=\"slack\(slack < TriageBoard.slackThreshold ? " tight" : "")\">\(TriageBoard.duration(slack))</span>"
    }

    static func name(of intent: Intent) -> String {
        "Order \(intent.externalReference ?? String(intent.id.description.suffix(6)))"
    }

    static func statusBadge(_ status: IntentStatus) -> HTML {
        "<span class=\"badge intent-\(status.rawValue)\">\(WebPage.words(status.rawValue))</span>"
    }

    static func label(_ filter: Filter) -> String {
        switch filter {
        case .open: "Open"
        case .status(let status): WebPage.words(status.rawValue).capitalizedFirst
        }
    }
}
