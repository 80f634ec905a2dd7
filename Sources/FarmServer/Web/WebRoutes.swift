import FarmDomain
import FarmStore
import Foundation
import Hummingbird

/// The operator's web UI: sign-in, the triage board (whole page and the lanes alone, which the page reloads on
/// every event), and the UI's own stylesheet and script.
struct WebRoutes {
    let services: FarmServices
    let tokens: SessionTokens
    let timeZone: TimeZone
    let feed: BoardFeed
    /// Estimates slack as the production loop does.
    let planner: ProductionPlanner

    init(services: FarmServices, tokens: SessionTokens, timeZone: TimeZone, production: ProductionSettings) {
        self.services = services
        self.tokens = tokens
        self.timeZone = timeZone
        feed = BoardFeed(store: services.store)
        planner = ProductionPlanner(settings: production)
    }

    func register(on routes: SecuredRoutes) {
        // The sign-in page and its assets are how a person gets credentials; they show no farm data.
        routes.publicPage("/login") { request, _ in
            let query = QueryParameters(request)
            let next = query.values["next"].flatMap { $0.hasPrefix("/") && !$0.hasPrefix("//") && $0.count <= 500 ? $0 : nil } ?? "/"
            return WebPage.response(WebPage.signIn(next: next, expired: query.values["expired"] == "1"))
        }
        routes.publicPage("/ui/app.css") { request, _ in WebAssets.css.response(for: request) }
        routes.publicPage("/ui/app.js") { request, _ in WebAssets.js.response(for: request) }
        routes.page("/", .read) { request, context in
            let viewer = try viewer(context)
            let board = try await feed.board(now: services.now())
            return WebPage.response(WebPage.boardPage(board, viewer: viewer, wall: QueryParameters(request).values["wall"] == "1"))
        }
        routes.page("/runs/{id}", .read) { _, context in
            let viewer = try viewer(context)
            let id = try context.parameters.require("id")
            guard RunID(id) != nil, let (run, version) = try await services.store.runs.get(id: id) else {
                return WebPage.message(title: "No such run", text: "There is no run \(id.prefix(40)); it may have been mistyped.", status: .notFound)
            }
            let printer = try await services.store.printers.get(id: run.printerID.description)?.model.name
            let events = try await services.store.events.read(stream: RunDecider.stream(run.id))
            return WebPage.response(RunPage.render(run, version: version, printer: printer, events: events, actors: try await people(in: events), viewer: viewer))
        }
        routes.page("/orders", .read) { request, context in
            let viewer = try viewer(context)
            let query = QueryParameters(request)
            guard let filter = OrdersPage.Filter(query.values["status"]) else {
                return WebPage.message(
                    title: "No such list", text: "Orders can be listed as open or by status: \(IntentStatus.allCases.map(\.rawValue).joined(separator: ", ")).",
                    status: .badRequest)
            }
            let now = services.now()
            var intents: [(model: Intent, version: Int)] = []
            var total: Int?, next: String?
            switch filter {
            case .open:
                for status in OrderFacts.openStatuses { intents += try await services.store.intents.allVersioned(status: status.rawValue) }
                total = intents.count
                intents.sort { ($0.model.dueDate ?? .distantFuture, $0.model.id) < ($1.model.dueDate ?? .distantFuture, $1.model.id) }
                intents = Array(intents.prefix(OrdersPage.openLimit))
            case .status(let status):
                let after = query.values["after"].flatMap(IntentID.init)?.description
                let decoder = StoreCoding.decoder()
                let rows = try await services.store.intents.list(status: status.rawValue, after: after, limit: OrdersPage.pageSize)
                intents = try rows.map { (try decoder.decode(Intent.self, from: $0.body), $0.version) }
                if rows.count == OrdersPage.pageSize { next = rows.last?.id }
            }
            var orders: [OrderFacts] = []
            for (intent, version) in intents {
                orders.append(try await OrderFacts.load(intent, version: version, store: services.store, planner: planner, now: now))
            }
            return WebPage.response(OrdersPage.render(orders, filter: filter, total: total, next: next, now: now, viewer: viewer))
        }
        routes.page("/orders/{id}", .read) { _, context in
            let viewer = try viewer(context)
            let id = try context.parameters.require("id")
            guard IntentID(id) != nil, let (intent, version) = try await services.store.intents.get(id: id) else {
                return WebPage.message(title: "No such order", text: "There is no order \(id.prefix(40)); it may have been mistyped.", status: .notFound)
            }
            let order = try await OrderFacts.load(intent, version: version, store: services.store, planner: planner, now: services.now())
            let events = try await services.store.events.read(stream: IntentDecider.stream(intent.id))
            return WebPage.response(OrderPage.render(
                order, printers: try await printerNames(), events: events, actors: try await people(in: events), viewer: viewer))
        }
        routes.page("/plans/{id}", .read) { _, context in
            let viewer = try viewer(context)
            let id = try context.parameters.require("id")
            guard PlanID(id) != nil, let (plan, version) = try await services.store.plans.get(id: id) else {
                return WebPage.message(title: "No such plan", text: "There is no plan \(id.prefix(40)); it may have been mistyped.", status: .notFound)
            }
            let intent = try await services.store.intents.get(id: plan.intentID.description)?.model
            let after = RunID(UUIDv7.earliest(at: plan.createdAt)).description
            let runs = try await services.store.runs.allVersioned(after: after, mentioning: plan.id.uuid).map(\.model)
                .filter { run in run.items.contains { $0.planID == plan.id } }
            let events = try await services.store.events.read(stream: PlanDecider.stream(plan.id))
            return WebPage.response(PlanPage.render(
                plan, version: version, intent: intent, runs: runs, printers: try await printerNames(), events: events, actors: try await people(in: events),
                viewer: viewer))
        }
        routes.page("/printers", .read) { _, context in
            let viewer = try viewer(context)
            let printers = try await services.store.printers.allVersioned()
            var runs: [PrinterID: Run] = [:]
            for status in [RunStatus.dispatching, .printing, .paused] {
                for (run, _) in try await services.store.runs.allVersioned(status: status.rawValue) { runs[run.printerID] = run }
            }
            return WebPage.response(PrintersPage.render(printers, runs: runs, viewer: viewer))
        }
        routes.page("/ui/board", .read) { _, context in
            let viewer = try viewer(context)
            let board = try await feed.board(now: services.now())
            return WebPage.response(WebPage.boardLanes(board, viewer: viewer))
        }
    }

    /// People by name, not by id: a timeline says who.
    func people(in events: [StoredEvent]) async throws -> [String: String] {
        var names: [String: String] = [:]
        for actor in Set(events.map(\.actor)) where actor.hasPrefix("user:") {
            if let user = try await services.store.users.get(id: String(actor.dropFirst(5)))?.model { names[actor] = user.username }
        }
        return names
    }

    func printerNames() async throws -> [PrinterID: String] {
        Dictionary(try await services.store.printers.all().map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
    }

    /// Pages are for people: an API key gets no page (it has no session to carry a CSRF token).
    func viewer(_ context: FarmRequestContext) throws -> Viewer {
        guard let principal = context.principal, let session = principal.sessionID, let user = principal.user else { throw Problem.unauthorized }
        return Viewer(
            name: user.username, role: user.role.rawValue, permissions: principal.permissions, csrfToken: tokens.csrfToken(for: session),
            timeZone: timeZone)
    }
}
