import FarmDomain
import FarmFleet
import FarmPlates
import FarmProduction
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
    /// The machines' live reports (temperatures), when this process is connected to the printers.
    let fleet: PrinterFleet?
    /// Renders connections for the Shops page as the API does.
    let shops: ShopRoutes
    /// The production loop whose plan the schedule page shows, when this process runs it.
    let loop: ProductionLoop?
    /// The bed of a profile version, to lay out plates still composing.
    let bed: @Sendable (String) async -> Bed?

    init(
        services: FarmServices, tokens: SessionTokens, timeZone: TimeZone, production: ProductionSettings,
        fleet: PrinterFleet?, shops: ShopRoutes, loop: ProductionLoop?,
        bed: @escaping @Sendable (String) async -> Bed? = { _ in nil }
    ) {
        self.bed = bed
        self.loop = loop
        self.shops = shops
        self.services = services
        self.tokens = tokens
        self.timeZone = timeZone
        self.fleet = fleet
        feed = BoardFeed(store: services.store)
        planner = ProductionPlanner(settings: production)
    }

    func register(on routes: SecuredRoutes) {
        // The sign-in page and its assets are how a person gets credentials; they show no farm data.
        routes.publicPage("/login") { request, _ in
            let query = QueryParameters(request)
            let next = LocalRedirect.path(query.values["next"]) ?? "/"
            return WebPage.response(WebPage.signIn(next: next, expired: query.values["expired"] == "1"))
        }
        routes.publicPage("/ui/app.css") { request, _ in WebAssets.css.response(for: request) }
        routes.publicPage("/ui/app.js") { request, _ in WebAssets.js.response(for: request) }
        routes.page("/", .read) { request, context in
            let viewer = try viewer(context)
            let board = try await feed.board(
                now: services.now(), recoveries: await fleet?.recoveries() ?? [:], timeZone: timeZone,
                materials: try await materialAttention(),
                consumables: try await services.store.consumables.allVersioned(status: "installed"))
            return WebPage.response(
                WebPage.boardPage(board, viewer: viewer, wall: QueryParameters(request).values["wall"] == "1"))
        }
        routes.page("/runs/{id}", .read) { _, context in
            let viewer = try viewer(context)
            guard let run = try await run(context) else { return Self.missing("run", context) }
            let plate = try await services.store.plates.get(id: run.run.plateID.description)?.model
            return WebPage.response(
                RunPage.render(
                    run.run, version: run.version, printer: run.printer, events: run.events,
                    actors: try await people(in: run.events), objects: plate?.objects ?? [],
                    gcode: plate?.gcodeArtifact, viewer: viewer))
        }
        routes.page("/ui/runs/{id}", .read) { _, context in
            let viewer = try viewer(context)
            guard let run = try await run(context) else { return Self.missing("run", context) }
            return WebPage.response(
                RunPage.live(
                    run.run, printer: run.printer, events: run.events, actors: try await people(in: run.events),
                    viewer: viewer))
        }
        routes.page("/orders", .read) { request, context in
            let viewer = try viewer(context)
            let query = QueryParameters(request)
            guard let filter = OrdersPage.Filter(query.values["status"]) else {
                return WebPage.message(
                    title: "No such list",
                    text:
                        "Orders can be listed as open or by status: \(IntentStatus.allCases.map(\.rawValue).joined(separator: ", ")).",
                    status: .badRequest)
            }
            let now = services.now()
            var intents: [(model: Intent, version: Int)] = []
            var total: Int?
            var next: String?
            switch filter {
            case .open:
                for status in OrderFacts.openStatuses {
                    intents += try await services.store.intents.allVersioned(status: status.rawValue)
                }
                total = intents.count
                intents.sort {
                    ($0.model.dueDate ?? .distantFuture, $0.model.id) < (
                        $1.model.dueDate ?? .distantFuture, $1.model.id
                    )
                }
                intents = Array(intents.prefix(OrdersPage.openLimit))
            case .status(let status):
                let after = query.values["after"].flatMap(IntentID.init)?.description
                let decoder = StoreCoding.decoder()
                let rows = try await services.store.intents.list(
                    status: status.rawValue, after: after, limit: OrdersPage.pageSize)
                intents = try rows.map { (try decoder.decode(Intent.self, from: $0.body), $0.version) }
                if rows.count == OrdersPage.pageSize { next = rows.last?.id }
            }
            var orders: [OrderFacts] = []
            for (intent, version) in intents {
                orders.append(
                    try await OrderFacts.load(
                        intent, version: version, store: services.store, planner: planner, now: now))
            }
            return WebPage.response(OrdersPage.render(orders, filter: filter, total: total, next: next, viewer: viewer))
        }
        routes.page("/orders/{id}", .read) { _, context in
            let viewer = try viewer(context)
            let id = try context.parameters.require("id")
            guard let id = IntentID(id)?.description,
                let (intent, version) = try await services.store.intents.get(id: id)
            else {
                return Self.missing("order", context)
            }
            let order = try await OrderFacts.load(
                intent, version: version, store: services.store, planner: planner, now: services.now())
            let events = try await services.store.events.read(stream: IntentDecider.stream(intent.id))
            // Each run's plate, for the picture of what it prints (an order has a handful of runs).
            var gcodes: [RunID: String] = [:]
            for (run, _) in order.runs {
                gcodes[run.id] = try await services.store.plates.get(id: run.plateID.description)?.model.gcodeArtifact
            }
            return WebPage.response(
                OrderPage.render(
                    order, sale: try await services.store.sales.get(id: id)?.model, printers: try await printerNames(),
                    events: events, actors: try await people(in: events), viewer: viewer,
                    schedule: await loop?.schedule, gcodes: gcodes, materials: try await materialUses(of: intent.id)))
        }
        routes.page("/plans/{id}", .read) { _, context in
            let viewer = try viewer(context)
            let id = try context.parameters.require("id")
            guard let id = PlanID(id)?.description, let (plan, version) = try await services.store.plans.get(id: id)
            else {
                return Self.missing("plan", context)
            }
            let intent = try await services.store.intents.get(id: plan.intentID.description)?.model
            let runs = try await services.store.runs.allVersioned(linkedTo: plan.id.description).map(\.model)
            let events = try await services.store.events.read(stream: PlanDecider.stream(plan.id))
            return WebPage.response(
                PlanPage.render(
                    plan, version: version, intent: intent, runs: runs, printers: try await printerNames(),
                    events: events, actors: try await people(in: events),
                    viewer: viewer, schedule: await loop?.schedule))
        }
        routes.page("/oauth/etsy/callback", .administer) { request, _ in try await shops.finishOAuth(request) }
        routes.page("/shops", .read) { _, context in
            let viewer = try viewer(context)
            let store = services.store
            var connections: [ShopConnectionView] = []
            for connection in try await store.shops.all() where connection.status == .active {
                connections.append(try await shops.render(connection))
            }
            let catalog = try await store.catalog.all().filter { !$0.removed }
            let known = Set(catalog.map(\.sku))
            let held = try await store.sales.allVersioned(queue: ReadQueue.saleHeld).map { sale, _ in
                var seen = known
                let skus = sale.order.lines.filter(\.physical).compactMap(\.sku).filter { seen.insert($0).inserted }
                return ShopsPage.Held(sale: sale, unmapped: skus)
            }
            let decoder = StoreCoding.decoder()
            let models = try await store.artifacts.list(
                status: ArtifactKind.model.rawValue, newestFirst: true, limit: 200
            )
            .compactMap { try? decoder.decode(Artifact.self, from: $0.body) }
            return WebPage.response(
                ShopsPage.render(
                    connections: connections, held: held,
                    unfulfilled: try await store.sales.allVersioned(queue: ReadQueue.fulfilmentFailed),
                    catalog: catalog, models: models, viewer: viewer))
        }
        registerMaterials(on: routes)
        routes.page("/printers", .read) { _, context in
            let viewer = try viewer(context)
            let printers = try await services.store.printers.allVersioned()
            return WebPage.response(
                PrintersPage.render(printers, live: try await live(printers.map(\.model)), viewer: viewer))
        }
        routes.page("/ui/printers", .read) { _, context in
            let viewer = try viewer(context)
            let printers = try await services.store.printers.allVersioned()
            return WebPage.response(
                PrintersPage.grid(printers, live: try await live(printers.map(\.model)), viewer: viewer))
        }
        for (path, part) in [("/printers/{id}", false), ("/ui/printers/{id}", true)] {
            routes.page(path, .read) { _, context in
                let viewer = try viewer(context)
                let id = try context.parameters.require("id")
                guard let id = PrinterID(id)?.description,
                    let (printer, version) = try await services.store.printers.get(id: id)
                else {
                    return Self.missing("printer", context)
                }
                let history = try await services.store.runs.newest(ref: id, limit: 20).map(\.model)
                let events = try await services.store.events.read(stream: PrinterDecider.stream(printer.id), last: 100)
                // Its run under way, if any, is among its latest runs: no read of the farm's running runs for one printer.
                let running = history.first { [.dispatching, .printing, .paused].contains($0.status) }
                var live = try await live([printer], running: [printer.id: running].compactMapValues { $0 })[
                    printer.id]!
                live.camera = await PrinterRoutes.liveCamera(of: printer, fleet: fleet)
                let actors = try await people(in: events)
                return WebPage.response(
                    part
                        ? PrintersPage.detail(
                            printer, version: version, live: live, history: history, events: events, actors: actors,
                            viewer: viewer)
                        : PrintersPage.page(
                            printer, version: version, live: live, history: history, events: events, actors: actors,
                            viewer: viewer))
            }
        }
        for (path, part) in [("/schedule", false), ("/ui/schedule", true)] {
            routes.page(path, .read) { _, context in
                let viewer = try viewer(context)
                var schedule: FarmSchedule?
                var unavailable: String?
                do {
                    schedule = try await ScheduleRoutes.current(loop)
                } catch let problem as Problem {
                    unavailable = "\(problem.title): \(problem.detail)."
                }
                let now = services.now()
                return WebPage.response(
                    part
                        ? SchedulePage.part(schedule, unavailable: unavailable, now: now, viewer: viewer)
                        : SchedulePage.render(schedule, unavailable: unavailable, now: now, viewer: viewer))
            }
        }
        for (path, part) in [("/plates", false), ("/ui/plates", true)] {
            routes.page(path, .read) { _, context in
                let viewer = try viewer(context)
                let (plates, parts) = try await platesShown()
                let schedule = await loop?.schedule
                return WebPage.response(
                    part
                        ? PlatesPage.part(plates, parts: parts, schedule: schedule, now: services.now(), viewer: viewer)
                        : PlatesPage.render(
                            plates, parts: parts, schedule: schedule, now: services.now(), viewer: viewer))
            }
        }
        routes.page("/ui/board", .read) { _, context in
            let viewer = try viewer(context)
            let board = try await feed.board(
                now: services.now(), recoveries: await fleet?.recoveries() ?? [:], timeZone: timeZone,
                materials: try await materialAttention(),
                consumables: try await services.store.consumables.allVersioned(status: "installed"))
            return WebPage.response(WebPage.boardLanes(board, viewer: viewer))
        }
    }

    /// The plates not yet printing, oldest first, and what the page says of each plan on them.
    func platesShown() async throws -> ([PlatesPage.Shown], [PlanID: PlatesPage.PartFacts]) {
        let store = services.store
        var plates: [PlatesPage.Shown] = []
        for status in [BuildPlateStatus.composing, .frozen] {
            plates += try await store.plates.allVersioned(status: status.rawValue).map {
                PlatesPage.Shown(plate: $0.model, version: $0.version)
            }
        }
        plates.sort { $0.plate.createdAt < $1.plate.createdAt }
        var parts: [PlanID: PlatesPage.PartFacts] = [:]
        for item in plates.flatMap(\.plate.items) where parts[item.planID] == nil {
            guard let plan = try await store.plans.get(id: item.planID.description)?.model,
                let spec = plan.revisions.first(where: { $0.number == item.revision })?.spec,
                let intent = try await store.intents.get(id: plan.intentID.description)?.model,
                let line = intent.lineItems.first(where: { $0.id == plan.lineItemID })
            else { continue }
            var name: String?
            if let model = line.modelArtifact { name = try await store.artifacts.get(id: model)?.model.names.first }
            let size = spec.requirements.minimumVolume
            parts[item.planID] = PlatesPage.PartFacts(
                intent: intent.id, name: name ?? "plan \(plan.id.description.suffix(6))",
                material: line.material, colour: line.colour, key: PlateCompatibility.key(spec, line),
                width: size?.x ?? 1, depth: size?.y ?? 1, profile: spec.profile, due: intent.dueDate)
        }
        // Plates still composing, laid out by the composer's estimate as they stand now.
        var beds: [String: Bed?] = [:]
        for index in plates.indices {
            let plate = plates[index].plate
            guard let profile = plate.items.first.flatMap({ parts[$0.planID]?.profile }) else { continue }
            if beds[profile] == nil { beds[profile] = .some(await bed(profile)) }
            guard let bed = beds[profile] ?? nil else { continue }
            plates[index].bed = bed
            guard plate.status == .composing else { continue }
            let waiting = plate.items.compactMap { item in
                parts[item.planID].map {
                    WaitingPart(
                        item: item.planID.description, group: $0.key, width: $0.width, depth: $0.depth,
                        copies: item.copies, minutes: 1, printers: [])
                }
            }
            plates[index].estimate = PlateComposer().reopen(
                id: plate.id.description, group: waiting.first?.group ?? "", bed: bed, parts: waiting)
        }
        return (plates, parts)
    }

    /// A run with its version, its printer's name and its events, when `{id}` names one.
    func run(_ context: FarmRequestContext) async throws -> (
        run: Run, version: Int, printer: String?, events: [StoredEvent]
    )? {
        let id = try context.parameters.require("id")
        guard let id = RunID(id)?.description, let (run, version) = try await services.store.runs.get(id: id) else {
            return nil
        }
        let printer = try await services.store.printers.get(id: run.printerID.description)?.model.name
        return (run, version, printer, try await services.store.events.read(stream: RunDecider.stream(run.id)))
    }

    static func missing(_ noun: String, _ context: FarmRequestContext) -> Response {
        let id = context.parameters.get("id") ?? ""
        return WebPage.message(
            title: "No such \(noun)", text: "There is no \(noun) \(id.prefix(40)); it may have been mistyped.",
            status: .notFound)
    }

    /// People and printers by name, not by id: a timeline says who.
    func people(in events: [StoredEvent]) async throws -> [String: String] {
        var names: [String: String] = [:]
        for actor in Set(events.map(\.actor)) {
            if actor.hasPrefix("user:"),
                let user = try await services.store.users.get(id: String(actor.dropFirst(5)))?.model
            {
                names[actor] = user.username
            } else if actor.hasPrefix("connector:"),
                let printer = try await services.store.printers.get(id: String(actor.dropFirst(10)))?.model
            {
                names[actor] = "\(printer.name)'s connector"
            }
        }
        return names
    }

    /// Each printer's run under way (read here unless given), its machine's last report and its recent health.
    func live(_ printers: [Printer], running given: [PrinterID: Run]? = nil) async throws -> [PrinterID: PrintersPage
        .Live]
    {
        var running = given ?? [:]
        if given == nil {
            for status in [RunStatus.dispatching, .printing, .paused] {
                for (run, _) in try await services.store.runs.allVersioned(status: status.rawValue) {
                    running[run.printerID] = run
                }
            }
        }
        let reports = await fleet?.reports ?? [:]
        // Statuses only: a thousand printers' health without decoding a run.
        let recent = try await services.store.runs.newestStatuses(
            of: printers.map(\.id.description), among: PrintersPage.Health.finishedStatuses,
            limit: planner.settings.guardrails.degradedWindow)
        var live: [PrinterID: PrintersPage.Live] = [:]
        for printer in printers {
            // Counted from when an operator last cleared it: the newest runs are those scheduled since.
            let since = printer.healthySince.map { RunID(UUIDv7.earliest(at: $0)).description } ?? ""
            let outcomes = (recent[printer.id.description] ?? []).filter { $0.id > since }.map(\.status)
            live[printer.id] = PrintersPage.Live(
                run: running[printer.id], report: reports[printer.id], health: PrintersPage.Health(outcomes))
        }
        return live
    }

    func printerNames() async throws -> [PrinterID: String] {
        Dictionary(
            try await services.store.printers.all().map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
    }

    /// Pages are for people: an API key gets no page (it has no session to carry a CSRF token).
    func viewer(_ context: FarmRequestContext) throws -> Viewer {
        guard let principal = context.principal, let session = principal.sessionID, let user = principal.user else {
            throw Problem.unauthorized
        }
        return Viewer(
            name: user.username, role: user.role.rawValue, permissions: principal.permissions,
            csrfToken: tokens.csrfToken(for: session),
            timeZone: timeZone, plates: planner.settings.plates.mode == .farm)
    }
}
