import FarmPlates
import FarmStore
import Foundation
import HTTPTypes
import Testing

@testable import FarmDomain
@testable import FarmServer

/// The web UI as the server renders it (the browser tests drive it in Chromium): who sees what, escaping, the
/// sign-in redirects, the board's lanes from real farm state.
@Suite("Web pages")
struct WebPageTests {
    let context = CommandContext(actor: .cli, reason: .operatorRequest, time: Date())

    func cookie(_ farm: TestFarm, _ username: String, role: Role) async throws -> String {
        try await farm.createUser(username, role: role)
        let signedIn = try await farm.request(
            .post, "/api/v1/sessions",
            json: #"{"username":"\#(username)","password":"correct horse battery","cookie":true}"#,
            headers: [.contentType: "application/json"])
        let setCookie = try #require(signedIn.headers[.setCookie])
        return try #require(setCookie.split(separator: ";").first.map(String.init))
    }

    /// One card's markup on the board (up to the next card or lane).
    static func card(_ id: String, in board: String) -> String? {
        guard let start = board.range(of: "id=\"\(id)\"") else { return nil }
        let rest = board[start.upperBound...]
        let end =
            [rest.range(of: "<li class=\"card ")?.lowerBound, rest.range(of: "data-lane=")?.lowerBound].compactMap {
                $0
            }.min() ?? rest.endIndex
        return String(rest[..<end])
    }

    /// A printer whose name tries to inject markup, degraded; a run printing on it; one waiting for QA.
    func seed(_ store: Store) async throws -> (printer: PrinterID, printing: RunID, done: RunID) {
        let printer = PrinterID(SystemIDs.uuidv7())
        let capabilities = PrinterCapabilities(buildVolume: BuildVolume(x: 250, y: 210, z: 220), materials: ["PLA"])
        _ = try await store.printers.execute(
            .register(
                printer,
                PrinterRegistration(
                    name: "<script>alert(1)</script>mk4", connector: .virtual, address: "http://127.0.0.1:9",
                    capabilities: capabilities)),
            id: printer.description, context: context)
        _ = try await store.printers.execute(
            .markDegraded(reason: "3 of the last 10 runs failed"), id: printer.description, context: context)
        var ids: [RunID] = []
        for finish in [false, true] {
            let id = RunID(SystemIDs.uuidv7())
            var commands: [RunCommand] = [
                .schedule(
                    id, plateID: BuildPlateID(UUID()), printerID: printer,
                    items: [PlateItem(planID: PlanID(UUID()), revision: 1)]),
                .beginDispatch(token: "t"), .confirmStarted(token: "t"),
                .reportProgress(RunProgress(fraction: 0.42, layer: 21, totalLayers: 50, remainingSeconds: 1800)),
            ]
            if finish { commands += [.reportProgress(RunProgress(fraction: 0.9)), .complete] }
            for command in commands { _ = try await store.runs.execute(command, id: id.description, context: context) }
            ids.append(id)
        }
        return (printer, ids[0], ids[1])
    }

    @Test(
        "the board shows each lane's cards with why they are there; an operator gets the actions, a viewer none",
        arguments: TestEngine.allCases)
    func board(engine: TestEngine) async throws {
        try await withFarm(engine) { farm in
            let seeded = try await seed(farm.store)
            let operatorCookie = try await cookie(farm, "otto", role: .operator)
            let page = try await farm.request(.get, "/", headers: [.cookie: operatorCookie])
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
            let html = page.text
            for lane in ["Attention now", "At risk", "Running", "Ready for QA"] { #expect(html.contains(lane)) }
            #expect(html.contains("id=\"card-printer-\(seeded.printer)\""))
            #expect(html.contains("3 of the last 10 runs failed"))
            #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;mk4"))
            #expect(!html.contains("<script>alert(1)"), "a printer's name is text, never markup")
            #expect(html.contains("id=\"card-run-\(seeded.printing)\""))
            #expect(html.contains("42 %, layer 21 of 50, 30 min left"))
            #expect(html.contains("id=\"card-run-\(seeded.done)\""))
            #expect(html.contains("data-action=\"/api/v1/printers/\(seeded.printer)/transitions\""))
            #expect(html.contains("data-action=\"/api/v1/runs/\(seeded.printing)/pause\""))
            #expect(html.contains("<meta name=\"csrf-token\""))

            let viewerCookie = try await cookie(farm, "vera", role: .viewer)
            let viewed = try await farm.request(.get, "/", headers: [.cookie: viewerCookie]).text
            #expect(viewed.contains("id=\"card-run-\(seeded.printing)\""))
            #expect(!viewed.contains("data-action="), "a viewer sees the board but no buttons")

            let lanes = try await farm.request(.get, "/ui/board", headers: [.cookie: operatorCookie])
            #expect(lanes.status == .ok)
            #expect(lanes.text.contains("data-lane=\"qa\""))
            #expect(!lanes.text.contains("<html"), "the fragment is the lanes alone")

            // The board follows the event log: the printing run completes and moves to QA; the printer is cleared.
            func lane(of card: String, in html: String) -> String? {
                guard let at = html.range(of: "id=\"\(card)\"") else { return nil }
                return html[..<at.lowerBound].components(separatedBy: "data-lane=\"").last?.prefix { $0 != "\"" }
                    .description
            }
            #expect(lane(of: "card-run-\(seeded.printing)", in: lanes.text) == "running")
            _ = try await farm.store.runs.execute(.complete, id: seeded.printing.description, context: context)
            _ = try await farm.store.printers.execute(.clearDegraded, id: seeded.printer.description, context: context)
            let later = try await farm.request(.get, "/ui/board", headers: [.cookie: operatorCookie]).text
            #expect(lane(of: "card-run-\(seeded.printing)", in: later) == "qa")
            #expect(!later.contains("card-printer-\(seeded.printer)"))
            _ = try await farm.store.runs.execute(
                .inspect(
                    planID: try #require(
                        try await farm.store.runs.get(id: seeded.printing.description)?.model.items.first?.planID),
                    passed: true), id: seeded.printing.description, context: context)
            #expect(
                !(try await farm.request(.get, "/ui/board", headers: [.cookie: operatorCookie]).text.contains(
                    "card-run-\(seeded.printing)")))
        }
    }

    @Test(
        """
        a run's page shows its facts, items and timeline; an operator gets the QA form for a completed run, a \
        viewer only the verdicts
        """
    )
    func runPage() async throws {
        try await withFarm { farm in
            let seeded = try await seed(farm.store)
            let operatorCookie = try await cookie(farm, "otto", role: .operator)
            let page = try await farm.request(.get, "/runs/\(seeded.done)", headers: [.cookie: operatorCookie])
            #expect(page.status == .ok)
            let html = page.text
            #expect(html.contains("Run on &lt;script&gt;"))
            #expect(html.contains("Waits for QA"))
            #expect(html.contains("<form class=\"qa\" data-run=\"\(seeded.done)\""))
            #expect(html.contains("<option value=\"layerShift\">layer shift</option>"))
            #expect(
                html.contains("<strong>run completed</strong> by system:cli"), "the timeline names each event and who")
            #expect(
                html.contains("<strong>run progressed</strong> ×2 by system:cli"),
                "repeated progress reports are one line")
            // A verdict recorded by a person shows their name in the timeline.
            let csrf = try #require(
                html.range(of: "name=\"csrf-token\" content=\"").map { html[$0.upperBound...].prefix { $0 != "\"" } }
                    .map(String.init))
            let plan = try #require(
                try await farm.store.runs.get(id: seeded.done.description)?.model.items.first?.planID)
            let inspected = try await farm.request(
                .post, "/api/v1/runs/\(seeded.done)/inspections",
                json: #"{"items":[{"planID":"\#(plan)","passed":false,"failure":"warping","note":"corner lifted"}]}"#,
                headers: [.cookie: operatorCookie, .contentType: "application/json", CSRFCheck.header: csrf])
            #expect(inspected.status == .ok || inspected.status == .created, "\(inspected.text)")
            let after = try await farm.request(.get, "/runs/\(seeded.done)", headers: [.cookie: operatorCookie]).text
            #expect(after.contains("<strong>run itemInspected</strong> by otto"))
            #expect(after.contains("Failed — warping: corner lifted"))
            let printing = try await farm.request(.get, "/runs/\(seeded.printing)", headers: [.cookie: operatorCookie])
                .text
            #expect(!printing.contains("<form class=\"qa\""), "no QA before the run completed")
            let viewerCookie = try await cookie(farm, "vera", role: .viewer)
            #expect(
                !(try await farm.request(.get, "/runs/\(seeded.done)", headers: [.cookie: viewerCookie]).text.contains(
                    "<form")))
            let missing = try await farm.request(
                .get, "/runs/01936a4e-0000-7000-8000-000000000001", headers: [.cookie: operatorCookie])
            #expect(missing.status == .notFound)
            #expect(
                try await farm.request(.get, "/runs/not-a-run", headers: [.cookie: operatorCookie]).status == .notFound)
        }
    }

    @Test(
        """
        the printers page shows every printer with its state, badges and what it prints; operators get the \
        maintenance toggle
        """
    )
    func printersPage() async throws {
        try await withFarm { farm in
            let seeded = try await seed(farm.store)
            let operatorCookie = try await cookie(farm, "otto", role: .operator)
            let busy = PrinterID(SystemIDs.uuidv7())
            _ = try await farm.store.printers.execute(
                .register(
                    busy,
                    PrinterRegistration(
                        name: "xl", connector: .virtual, address: "http://127.0.0.1:9",
                        capabilities: PrinterCapabilities(buildVolume: BuildVolume(x: 360, y: 360, z: 360)))),
                id: busy.description, context: context)
            _ = try await farm.store.printers.execute(
                .observe(.busy, message: nil, job: PrinterJob(file: "cube.gcode", external: true)),
                id: busy.description, context: context)
            let html = try await farm.request(.get, "/printers", headers: [.cookie: operatorCookie]).text
            let busyTile = try #require(
                html.components(separatedBy: "id=\"printer-\(busy)\"").last?.components(separatedBy: "</li>").first)
            #expect(busyTile.contains("printing a job started elsewhere: cube.gcode"))
            #expect(
                !busyTile.contains("maintenance"),
                "a printing printer offers no maintenance switch (it would be refused)")
            #expect(html.contains("id=\"printer-\(seeded.printer)\""))
            #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;mk4"))
            #expect(html.contains("badge-degraded"))
            #expect(html.contains("<a href=\"/runs/\(seeded.printing)\">42 %, layer 21</a>"))
            #expect(html.contains("Start maintenance"))
            #expect(html.contains("<a href=\"/printers\" aria-current=\"page\">Printers</a>"))
            let viewerCookie = try await cookie(farm, "vera", role: .viewer)
            let viewed = try await farm.request(.get, "/printers", headers: [.cookie: viewerCookie]).text
            #expect(viewed.contains("id=\"printer-\(seeded.printer)\""))
            #expect(!viewed.contains("data-action="))
        }
    }

    @Test(
        """
        maintenance windows are planned and cancelled over the API and shown on the printer's page; overlaps, \
        backwards and past windows are refused
        """
    )
    func maintenanceWindows() async throws {
        try await withFarm { farm in
            let seeded = try await seed(farm.store)
            let operatorCookie = try await cookie(farm, "otto", role: .operator)
            let path = "/api/v1/printers/\(seeded.printer)/maintenance-windows"
            let start = Date().addingTimeInterval(3600)
            func iso(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
            let planned = try await farm.request(
                .post, path,
                json:
                    #"""
                    {"id":"belts","start":"\#(iso(start))","end":"\#(iso(start.addingTimeInterval(5400)))",\#
                    "reason":"belt <b>tension</b>"}
                    """#
            )
            #expect(planned.status == .ok, "\(planned.text)")
            let windows = try #require(planned.json["maintenanceWindows"] as? [[String: Any]])
            #expect(windows.first?["id"] as? String == "belts")
            let overlap = try await farm.request(
                .post, path,
                json:
                    #"""
                    {"start":"\#(iso(start.addingTimeInterval(600)))",\#
                    "end":"\#(iso(start.addingTimeInterval(9000)))","reason":"nozzle"}
                    """#
            )
            #expect(overlap.status == .unprocessableContent && overlap.text.contains("overlaps the window belts"))
            let backwards = try await farm.request(
                .post, path, json: #"{"start":"\#(iso(start))","end":"\#(iso(start))","reason":"x"}"#)
            #expect(backwards.status == .unprocessableContent && backwards.text.contains("ends after it starts"))
            let past = try await farm.request(
                .post, path,
                json: #"{"start":"2020-01-01T00:00:00Z","end":"2020-01-01T01:00:00Z","reason":"x"}"#)
            #expect(past.status == .unprocessableContent && past.text.contains("over already"))
            let page = try await farm.request(.get, "/printers/\(seeded.printer)", headers: [.cookie: operatorCookie])
                .text
            #expect(page.contains("belt &lt;b&gt;tension&lt;/b&gt;"))
            #expect(page.contains("data-post=\"\(path)/belts\" data-method=\"DELETE\""))
            #expect(page.contains("data-post=\"\(path)\""), "the form to plan one")
            let cancelled = try await farm.request(.delete, path + "/belts")
            #expect(cancelled.status == .ok && (cancelled.json["maintenanceWindows"] as? [Any])?.isEmpty == true)
            #expect(try await farm.request(.delete, path + "/belts").status == .unprocessableContent)
        }
    }

    @Test(
        """
        a printer's page shows its capabilities, calibration, health from its latest runs, history and timeline; \
        operators get its actions
        """,
        arguments: TestEngine.allCases)
    func printerPage(engine: TestEngine) async throws {
        try await withFarm(engine) { farm in
            let seeded = try await seed(farm.store)
            let store = farm.store
            let id = seeded.printer.description
            _ = try await store.printers.execute(
                .recordCalibration(
                    Calibration(
                        kind: "pressureAdvance", values: ["pa": 0.045], note: "PETG, 0.4 mm",
                        calibratedAt: context.time)),
                id: id, context: context)
            _ = try await store.printers.execute(
                .loadMaterial(LoadedMaterial(material: "PETG", colour: "black")), id: id, context: context)
            // Of its finished runs one completed (the seeded one), one failed: the printing one is not finished.
            let failed = RunID(SystemIDs.uuidv7())
            for command: RunCommand in [
                .schedule(
                    failed, plateID: BuildPlateID(UUID()), printerID: seeded.printer,
                    items: [PlateItem(planID: PlanID(UUID()), revision: 1)]),
                .beginDispatch(token: "f"), .confirmStarted(token: "f"), .fail,
            ] { _ = try await store.runs.execute(command, id: failed.description, context: context) }
            let operatorCookie = try await cookie(farm, "otto", role: .operator)
            let page = try await farm.request(.get, "/printers/\(id)", headers: [.cookie: operatorCookie])
            #expect(page.status == .ok)
            let html = page.text
            #expect(html.contains("<h1>&lt;script&gt;alert(1)&lt;/script&gt;mk4</h1>"))
            #expect(html.contains("250 × 210 × 220 mm"))
            #expect(html.contains("<th scope=\"row\">pressureAdvance</th><td>pa 0.045</td><td>PETG, 0.4 mm</td>"))
            #expect(html.contains("PETG black"))
            #expect(html.contains("1 of the last 2 runs completed"))
            #expect(html.contains("health-poor"))
            for run in [seeded.printing, seeded.done, failed] {
                #expect(html.contains("<a href=\"/runs/\(run)\">"), "history lists run \(run)")
            }
            #expect(html.contains("<strong>printer calibrated</strong> by system:cli"), "the timeline")
            #expect(html.contains("Clear degraded") && html.contains("Start maintenance"))
            let grid = try await farm.request(.get, "/ui/printers", headers: [.cookie: operatorCookie]).text
            #expect(
                grid.contains("<a href=\"/printers/\(id)\">") && grid.contains("1 of the last 2 runs completed")
                    && !grid.contains("<html"))
            // Parts left on the bed (where the farm requires cleared beds): a card with the playbook, a badge on the tile.
            _ = try await store.printers.execute(
                .markBedOccupied(reason: "run abc123 completed on it; take the parts off"), id: id, context: context)
            let board = try await farm.request(.get, "/ui/board", headers: [.cookie: operatorCookie]).text
            let card = try #require(Self.card("card-printer-\(id)", in: board))
            #expect(
                card.contains("bed to clear") && card.contains("Mark bed cleared")
                    && card.contains("{&quot;action&quot;:&quot;clearBed&quot;}"))
            #expect(
                try await farm.request(.get, "/ui/printers", headers: [.cookie: operatorCookie]).text.contains(
                    "badge-bed-to-clear"))
            _ = try await store.printers.execute(.clearBed, id: id, context: context)
            #expect(
                !(Self.card(
                    "card-printer-\(id)",
                    in: try await farm.request(.get, "/ui/board", headers: [.cookie: operatorCookie]).text)?.contains(
                        "bed to clear") ?? false))
            // Clearing the degradation starts the health record afresh, as the guardrail counts it.
            _ = try await store.printers.execute(
                .clearDegraded, id: id,
                context: CommandContext(actor: .cli, reason: .operatorRequest, time: Date().addingTimeInterval(1)))
            #expect(
                try await farm.request(.get, "/printers/\(id)", headers: [.cookie: operatorCookie]).text.contains(
                    "no finished run yet"))
            let viewerCookie = try await cookie(farm, "vera", role: .viewer)
            #expect(
                !(try await farm.request(.get, "/printers/\(id)", headers: [.cookie: viewerCookie]).text.contains(
                    "data-action=")))
            #expect(
                try await farm.request(
                    .get, "/printers/01936a4e-0000-7000-8000-000000000001", headers: [.cookie: operatorCookie]
                ).status == .notFound)
        }
    }

    @Test(
        """
        a run's telemetry: printing time, progress reports, pauses and the anomalies that caused them; the live \
        part is its own fragment
        """
    )
    func runTelemetry() async throws {
        try await withFarm { farm in
            let seeded = try await seed(farm.store)
            let id = seeded.printing.description
            let start = Date()
            let guardrails = CommandContext(
                actor: EventActor(.policy, "guardrails"), reason: .guardAnomalyPause,
                note: "spaghetti with confidence 0.93", time: start)
            _ = try await farm.store.runs.execute(.pause, id: id, context: guardrails)
            _ = try await farm.store.runs.execute(
                .resume, id: id,
                context: CommandContext(actor: .cli, reason: .operatorRequest, time: start.addingTimeInterval(600)))
            let operatorCookie = try await cookie(farm, "otto", role: .operator)
            let html = try await farm.request(.get, "/runs/\(id)", headers: [.cookie: operatorCookie]).text
            #expect(html.contains("spaghetti with confidence 0.93 — resumed"))
            #expect(html.contains("<dt>Pauses</dt><dd>1, 10 min in all</dd>"))
            #expect(html.contains("<dt>Progress reports</dt><dd>1, the last at"))
            #expect(html.contains("data-fragment=\"/ui/runs/\(id)\""))
            let fragment = try await farm.request(.get, "/ui/runs/\(id)", headers: [.cookie: operatorCookie]).text
            #expect(
                fragment.hasPrefix("<!--kind:printing-->") && fragment.contains("Anomalies")
                    && !fragment.contains("<html"))
            let events = try await farm.store.events.read(stream: RunDecider.stream(seeded.printing))
            let run = try #require(try await farm.store.runs.get(id: id)?.model)
            let telemetry = RunPage.Telemetry(run: run, events: events)
            #expect(telemetry.pauses.map(\.anomaly) == [true])
            #expect(telemetry.pausedFor == 600)
        }
    }

    @Test("pages show times in the farm's time zone")
    func farmTimeZone() async throws {
        let tokyo = try #require(TimeZone(identifier: "Asia/Tokyo"))
        try await withFarm(configure: { $0.timeZone = tokyo }) { farm in
            let seeded = try await seed(farm.store)
            let operatorCookie = try await cookie(farm, "otto", role: .operator)
            let run = try #require(try await farm.store.runs.get(id: seeded.done.description)?.model)
            let html = try await farm.request(.get, "/runs/\(seeded.done)", headers: [.cookie: operatorCookie]).text
            let inTokyo = Timeline.stamper(tokyo)(run.scheduledAt)
            let inUTC = Timeline.stamper(TimeZone(identifier: "UTC")!)(run.scheduledAt)
            #expect(inTokyo != inUTC)
            #expect(html.contains("<dt>Scheduled</dt><dd>\(inTokyo)</dd>"), "\(inTokyo)")
        }
    }

    @Test(
        """
        a reprint waiting for approval is a card on the board and a box on the plan page; the operator's go-ahead \
        clears it
        """,
        arguments: TestEngine.allCases)
    func reprintApproval(engine: TestEngine) async throws {
        try await withFarm(engine) { farm in
            let seeded = try await seedOrder(farm.store, due: Date().addingTimeInterval(48 * 3600))
            let id = seeded.plan.description
            _ = try await farm.store.plans.execute(.approve(revision: 2), id: id, context: context)
            let risk = RiskAssessor().assess(.run, RiskInputs(material: "PETG", failuresOfPlan: 3, slack: -3600))
            let held = GateRecord(
                gate: .reprint, outcome: .requireApproval(.operator), rule: "high-risk part",
                explanation: "reprint: rule “high-risk part” because risk HIGH → waits for approval by an operator",
                risk: risk, revision: 2, overridden: false, at: Date())
            _ = try await farm.store.plans.execute(.recordDecision(held), id: id, context: context)
            let operatorCookie = try await cookie(farm, "otto", role: .operator)
            let board = try await farm.request(.get, "/ui/board", headers: [.cookie: operatorCookie]).text
            let card = try #require(Self.card("card-plan-\(id)", in: board))
            #expect(
                card.contains("Reprint waits for approval") && card.contains("HIGH \(risk.score)")
                    && risk.level == .high)
            #expect(
                card.contains("data-action=\"/api/v1/plans/\(id)/revisions/2/decisions\"")
                    && card.contains("data-reason=\"1\""), "the go-ahead asks why")
            let page = try await farm.request(.get, "/plans/\(id)", headers: [.cookie: operatorCookie]).text
            #expect(page.contains("Reprint waits for your approval") && page.contains("Approve reprint"))
            // The go-ahead as the page sends it: an override with the operator's reason.
            let html = try await farm.request(.get, "/", headers: [.cookie: operatorCookie]).text
            let csrf = try #require(
                html.range(of: "name=\"csrf-token\" content=\"").map { html[$0.upperBound...].prefix { $0 != "\"" } }
                    .map(String.init))
            let version = try #require(try await farm.store.plans.get(id: id)?.version)
            let approved = try await farm.request(
                .post, "/api/v1/plans/\(id)/revisions/2/decisions",
                json: #"{"gate":"reprint","decide":"autoAdvance","note":"checked the bed, go"}"#,
                headers: [
                    .cookie: operatorCookie, .contentType: "application/json", CSRFCheck.header: csrf,
                    .ifMatch: "\"\(version)\"",
                ])
            #expect(approved.status == .ok, "\(approved.text)")
            #expect(
                !(try await farm.request(.get, "/ui/board", headers: [.cookie: operatorCookie]).text.contains(
                    "card-plan-\(id)")), "approved: no card")
        }
    }

    /// The first line item's model (not stored: without its geometry the estimate is an hour a copy).
    static let bracket = String(repeating: "b", count: 64)

    /// An order of two line items, held for review with a preflight warning and a quote; the first item's plan with
    /// an approved revision 1 and a drafted revision 2 (another profile, rotated, supports), a run queued from
    /// revision 1 and a completed run that passed QA.
    func seedOrder(_ store: Store, due: Date) async throws -> (
        intent: IntentID, plan: PlanID, queued: RunID, passed: RunID
    ) {
        let intent = IntentID(SystemIDs.uuidv7())
        let first = LineItemID(UUID())
        let second = LineItemID(UUID())
        let draft = IntentDraft(
            source: .shopify, externalReference: "#1042 <b>", customer: "Ada & Co",
            lineItems: [
                LineItem(id: first, modelArtifact: Self.bracket, quantity: 3, material: "PETG", colour: "orange"),
                LineItem(id: second, quantity: 1, material: "PLA"),
            ], dueDate: due, paymentStatus: .paid)
        let finding = PreflightFinding(code: "geometry.thinWalls", severity: .warn, message: "walls under 0.8 mm")
        let verdict = PreflightVerdict(
            outcome: .warn, findings: [finding], material: "PETG", massGrams: 42, printers: ["mk4"])
        let quote = Quote(
            kind: .estimate, currency: "EUR",
            lines: [QuoteLine(item: "material", basis: "42 g PETG", amount: Decimal(string: "1.17")!)],
            total: Decimal(string: "4.20")!, note: nil)
        for command: IntentCommand in [
            .receive(intent, draft),
            .recordPreflight(
                .warn, findings: ["walls under 0.8 mm"],
                lineItems: [LineItemPreflight(lineItemID: first, artifact: nil, verdict: verdict)]),
            .recordQuote(first, quote), .requestReview(reasons: ["preflight warned: walls under 0.8 mm"]),
        ] {
            _ = try await store.intents.execute(command, id: intent.description, context: context)
        }
        let plan = PlanID(SystemIDs.uuidv7())
        let spec = PlanSpec(profile: "petg-0.2", requirements: PrinterRequirements(material: "PETG"))
        var secondSpec = spec
        secondSpec.profile = "petg-0.15"
        secondSpec.orientation = Orientation(x: 90)
        secondSpec.supports = .buildPlateOnly
        for command: PlanCommand in [
            .create(plan, intentID: intent, lineItemID: first, spec: spec), .approve(revision: 1),
            .draftRevision(secondSpec),
        ] {
            _ = try await store.plans.execute(command, id: plan.description, context: context)
        }
        let printer = PrinterID(SystemIDs.uuidv7())
        _ = try await store.printers.execute(
            .register(
                printer,
                PrinterRegistration(
                    name: "mk4", connector: .virtual, address: "http://127.0.0.1:9",
                    capabilities: PrinterCapabilities(buildVolume: BuildVolume(x: 250, y: 210, z: 220)))),
            id: printer.description, context: context)
        var runs: [RunID] = []
        for finish in [false, true] {
            let id = RunID(SystemIDs.uuidv7())
            var commands: [RunCommand] = [
                .schedule(
                    id, plateID: BuildPlateID(UUID()), printerID: printer, items: [PlateItem(planID: plan, revision: 1)]
                )
            ]
            if finish {
                commands += [
                    .beginDispatch(token: "t"), .confirmStarted(token: "t"), .complete,
                    .inspect(planID: plan, passed: true),
                ]
            }
            for command in commands { _ = try await store.runs.execute(command, id: id.description, context: context) }
            runs.append(id)
        }
        // A run of another plan must not show as this order's.
        let other = RunID(SystemIDs.uuidv7())
        _ = try await store.runs.execute(
            .schedule(
                other, plateID: BuildPlateID(UUID()), printerID: printer,
                items: [PlateItem(planID: PlanID(UUID()), revision: 1)]), id: other.description, context: context)
        return (intent, plan, runs[0], runs[1])
    }

    @Test(
        """
        orders: open ones by due date with slack; an order's page shows line items, preflight, quote, plan, runs, \
        decisions and timeline
        """,
        arguments: TestEngine.allCases)
    func ordersPages(engine: TestEngine) async throws {
        try await withFarm(engine) { farm in
            let seeded = try await seedOrder(farm.store, due: Date().addingTimeInterval(6 * 3600))
            let operatorCookie = try await cookie(farm, "otto", role: .operator)
            let list = try await farm.request(.get, "/orders", headers: [.cookie: operatorCookie])
            #expect(list.status == .ok)
            #expect(list.text.contains("<a href=\"/orders/\(seeded.intent)\">Order #1042 &lt;b&gt;</a>"))
            #expect(list.text.contains("Ada &amp; Co"))
            #expect(list.text.contains("needs review"))
            // 6 h to the due date; 2 of the first item's copies and the second item are still to print (an hour
            // each without a model): slack 6 h − 3 h.
            let slack = try #require(
                list.text.range(of: "<span class=\"slack").map { String(list.text[$0.lowerBound...].prefix(60)) })
            #expect(slack.contains("tight") && (slack.contains("2 h 5") || slack.contains("3 h 0")), "\(slack)")
            // Once the loop has sliced the plan's revision, the slicer's print time counts (30 min a copy): 6 h − 2 h.
            let facts = GCodeFacts(
                generator: "PrusaSlicer", estimatedSeconds: 1800, estimatedSilentSeconds: nil, filamentMillimetres: nil,
                filamentCubicCentimetres: nil,
                filamentGrams: nil, filamentCost: nil, layerCount: 100, layerHeights: [0.2], firstLayerHeight: 0.2,
                maxZ: 20, objects: [], thumbnails: [], settings: [:])
            let slice = Slice(
                key: String(repeating: "c", count: 64),
                inputs: SliceInputs(model: Self.bracket, profile: "petg-0.2", slicer: "PrusaSlicer 2.9", copies: 1),
                gcode: String(repeating: "d", count: 64), gcodeSize: 1, facts: facts, pinnedToOneCore: false,
                slicerSeconds: 1, at: Date())
            _ = try await farm.store.slices.execute(.record(slice), id: slice.key, context: context)
            let sliced = try await farm.request(.get, "/orders", headers: [.cookie: operatorCookie]).text
            let slicedSlack = try #require(
                sliced.range(of: "<span class=\"slack").map { String(sliced[$0.lowerBound...].prefix(60)) })
            #expect(slicedSlack.contains("3 h 5") || slicedSlack.contains("4 h 0"), "\(slicedSlack)")
            let shipped = try await farm.request(.get, "/orders?status=shipped", headers: [.cookie: operatorCookie])
                .text
            #expect(!shipped.contains("/orders/\(seeded.intent)"))
            #expect(
                try await farm.request(.get, "/orders?status=lost", headers: [.cookie: operatorCookie]).status
                    == .badRequest)

            let page = try await farm.request(.get, "/orders/\(seeded.intent)", headers: [.cookie: operatorCookie])
            #expect(page.status == .ok)
            let html = page.text
            #expect(html.contains("3 × PETG, orange"))
            #expect(html.contains("preflight-warn"))
            #expect(html.contains("walls under 0.8 mm"))
            #expect(html.contains("Quote (estimate): 4.2 EUR"))
            #expect(
                html.contains(
                    "<a href=\"/plans/\(seeded.plan)\">revision 2, draft</a> · 1 of 3 passed QA, 1 on the way"))
            #expect(html.contains("<a href=\"/runs/\(seeded.queued)\">"))
            #expect(html.contains("<a href=\"/runs/\(seeded.passed)\">"))
            #expect(
                html.components(separatedBy: "<a href=\"/runs/").count - 1 == 2, "only the runs of this order's plans")
            #expect(
                html.contains("<strong>intent reviewRequested</strong> by system:cli"),
                "the timeline says what happened and who")
            #expect(
                html.contains("data-action=\"/api/v1/intents/\(seeded.intent)/transitions\""),
                "an operator may accept or reject it here")
            let viewerCookie = try await cookie(farm, "vera", role: .viewer)
            #expect(
                !(try await farm.request(.get, "/orders/\(seeded.intent)", headers: [.cookie: viewerCookie]).text
                    .contains("data-action=")))
            #expect(
                try await farm.request(
                    .get, "/orders/01936a4e-0000-7000-8000-000000000001", headers: [.cookie: operatorCookie]
                ).status == .notFound)
        }
    }

    @Test(
        """
        a plan's page shows each revision's changes from the one before and, for a draft, what approving it would \
        change
        """,
        arguments: TestEngine.allCases)
    func planPage(engine: TestEngine) async throws {
        try await withFarm(engine) { farm in
            let seeded = try await seedOrder(farm.store, due: Date().addingTimeInterval(48 * 3600))
            let operatorCookie = try await cookie(farm, "otto", role: .operator)
            let page = try await farm.request(.get, "/plans/\(seeded.plan)", headers: [.cookie: operatorCookie])
            #expect(page.status == .ok)
            let html = page.text
            #expect(
                html.contains(
                    "<th scope=\"row\">profile</th><td class=\"old\">petg-0.2</td><td class=\"new\">petg-0.15</td>"))
            #expect(
                html.contains(
                    "<th scope=\"row\">supports</th><td class=\"old\">none</td><td class=\"new\">build plate only</td>")
            )
            #expect(html.contains("x 90°"))
            #expect(
                !html.contains("<th scope=\"row\">material</th><td class=\"old\">"),
                "unchanged settings are not in the diff")
            #expect(html.contains("New runs print revision 2 instead of revision 1."))
            #expect(
                html.contains("1 queued run(s) keep their earlier revision (\(seeded.queued.description.suffix(6)))"))
            #expect(html.contains("1 of 3 copies still to schedule"))
            #expect(html.contains("data-action=\"/api/v1/plans/\(seeded.plan)/revisions/2/approve\""))
            let viewerCookie = try await cookie(farm, "vera", role: .viewer)
            let viewed = try await farm.request(.get, "/plans/\(seeded.plan)", headers: [.cookie: viewerCookie]).text
            #expect(
                viewed.contains("petg-0.15") && !viewed.contains("data-action="),
                "a viewer sees the diff, not the approval")
            #expect(try await farm.request(.get, "/plans/nope", headers: [.cookie: operatorCookie]).status == .notFound)

            // Scheduling: the form is there for an operator; a rush mark and a group pin set through the API show.
            #expect(html.contains("data-post=\"/api/v1/plans/\(seeded.plan)/scheduling\" data-method=\"PUT\""))
            #expect(html.contains("any printer that fits, by due date"))
            #expect(!viewed.contains("/scheduling\""), "a viewer gets no scheduling form")
            let pinned = try await farm.request(
                .put, "/api/v1/plans/\(seeded.plan)/scheduling", json: #"{"rush":true,"pinnedGroup":"room B"}"#)
            #expect(pinned.status == .ok, "\(pinned.text)")
            let both = try await farm.request(
                .put, "/api/v1/plans/\(seeded.plan)/scheduling",
                json: #"{"pinnedGroup":"room B","pinnedPrinter":"01936a4e-0000-7000-8000-00000000000a"}"#)
            #expect(both.status == .unprocessableContent, "an unknown printer: \(both.text)")
            let marked = try await farm.request(.get, "/plans/\(seeded.plan)", headers: [.cookie: operatorCookie]).text
            #expect(marked.contains("rush, kept to group room B"))

            // A guardrail stops the revision: the board says so with the reason, the plan page offers approval again.
            _ = try await farm.store.plans.execute(
                .requireReview(revision: 2, reasons: ["loop breaker: 2 runs of revision 2 failed"]),
                id: seeded.plan.description, context: context)
            let board = try await farm.request(.get, "/ui/board", headers: [.cookie: operatorCookie]).text
            let card = try #require(Self.card("card-plan-\(seeded.plan)", in: board))
            #expect(
                card.contains("Plan stopped at revision 2")
                    && card.contains("loop breaker: 2 runs of revision 2 failed"))
            #expect(card.contains("<a href=\"/plans/\(seeded.plan)\">"), "the card opens the plan")
            let stopped = try await farm.request(.get, "/plans/\(seeded.plan)", headers: [.cookie: operatorCookie]).text
            #expect(
                stopped.contains("review required")
                    && stopped.contains("data-action=\"/api/v1/plans/\(seeded.plan)/revisions/2/approve\""))
        }
    }

    @Test(
        """
        without a session a page sends you to sign in, saying so when the session expired; the sign-in page and \
        assets are public
        """
    )
    func signInRedirects() async throws {
        try await withFarm { farm in
            let none = try await farm.request(.get, "/?wall=1", headers: [:])
            #expect(none.status == .seeOther)
            #expect(none.headers[.location] == "/login?next=/")
            let expired = try await farm.request(.get, "/", headers: [.cookie: "printfarm_session=old.token.value"])
            #expect(expired.headers[.location] == "/login?next=/&expired=1")
            let login = try await farm.request(.get, "/login?next=/&expired=1", headers: [:])
            #expect(login.status == .ok)
            #expect(login.text.contains("Your session has expired"))
            #expect(login.text.contains("data-next=\"/\""))
            // Each of these leads a browser to another site: `\` reads as `/`, tabs and newlines are dropped.
            for offsite in [
                "//evil.example/", "/%5Cevil.example", "/%5C%5Cevil.example", "/%09/evil.example", "/%0A/evil.example",
                "%2F%2Fevil.example", "https://evil.example/", "/\u{7F}/x",
            ] {
                let page = try await farm.request(.get, "/login?next=\(offsite)", headers: [:])
                #expect(page.status == .ok)
                #expect(
                    page.text.contains("data-next=\"/\""),
                    "only paths on this server are followed after sign-in: \(offsite)")
            }
            let kept = try await farm.request(.get, "/login?next=/orders%3Fstatus%3Dheld", headers: [:])
            #expect(kept.text.contains("data-next=\"/orders?status=held\""), "a path of this server is kept")
            let css = try await farm.request(.get, "/ui/app.css", headers: [:])
            #expect(css.status == .ok)
            let etag = try #require(css.headers[.eTag])
            #expect(try await farm.request(.get, "/ui/app.css", headers: [.ifNoneMatch: etag]).status == .notModified)
            #expect(try await farm.request(.get, "/ui/app.js", headers: [:]).text.contains("EventSource"))
        }
    }

    /// A Moonraker printer as registered, with `events` after.
    static func registered(_ name: String, id: PrinterID, then events: [PrinterEvent] = []) -> Printer {
        PrinterDecider.replay(
            [
                .registered(
                    PrinterRegistered(
                        printerID: id,
                        registration: PrinterRegistration(
                            name: name, connector: .moonraker, address: "http://127.0.0.1:7125",
                            capabilities: PrinterCapabilities(buildVolume: BuildVolume(x: 300, y: 300, z: 250))),
                        at: Date()))
            ] + events
        ).printer!
    }

    @Test("a printer in error is a board card with Klipper's words and the recovery its live report calls for")
    func recoveryCard() throws {
        let id = PrinterID(UUID())
        var printer = Self.registered(
            "voron-2", id: id,
            then: [
                .stateObserved(
                    PrinterStateObserved(
                        state: .error, message: "Move out of range: 146.133 -3.000 0.800 [53.510]", at: Date()))
            ])
        var source = BoardSource()
        source.printers[id] = (printer, 2)
        for (recovery, label) in [
            (PrinterRecovery.resetJob, "Clear the failed job"), (.firmwareRestart, "Restart the firmware"),
        ] {
            let card = try #require(
                TriageBoard.make(source, now: Date(), recoveries: [id: recovery]).cards(.attention).first)
            #expect(card.why == "Move out of range: 146.133 -3.000 0.800 [53.510]")
            #expect(
                card.actions.first
                    == TriageBoard.Action(
                        label: label, path: "/api/v1/printers/\(id)/recover",
                        body: #"{"action":"\#(recovery.rawValue)"}"#, permission: .operate, style: .primary))
        }
        #expect(
            TriageBoard.make(source, now: Date()).cards(.attention).first?.actions.isEmpty == true,
            "no live report, no guess")
        printer.observed = .idle
        printer.status = .idle
        source.printers[id] = (printer, 3)
        #expect(TriageBoard.make(source, now: Date(), recoveries: [id: .resetJob]).cards(.attention).isEmpty)
    }

    @Test("a changeover the schedule asked for is a board card saying what to do, on which printer, by when")
    func changeoverCard() throws {
        let id = PrinterID(UUID())
        var printer = Self.registered("P03", id: id)
        printer.status = .idle
        let before = ISO8601DateFormatter().date(from: "2026-12-05T14:20:00Z")!
        printer.changeover = ChangeoverTask(
            plan: PlanID(UUID()), setup: PrinterSetup(material: "PETG", colour: "black"),
            steps: ["load PETG black", "fit the textured PEI sheet"], before: before)
        var source = BoardSource()
        source.printers[id] = (printer, 4)
        let card = try #require(
            TriageBoard.make(source, now: Date(), timeZone: TimeZone(identifier: "UTC")!).cards(.attention).first)
        #expect(card.title == "Load PETG black and fit the textured PEI sheet on P03 before 14:20")
        #expect(card.badges == ["changeover"])
        #expect(card.actions.map(\.path) == ["/api/v1/printers/\(id)/changeover/confirm"])
        #expect(card.version == 4, "the confirmation is sent with the printer's version")
        printer.changeover = nil
        source.printers[id] = (printer, 5)
        #expect(TriageBoard.make(source, now: Date()).cards(.attention).isEmpty)
    }

    @Test(
        """
        the Plates page: each bed drawn with its parts (estimate or slicer), the planned print on time or late, moves \
        offered only to compatible plates, actions only for operators; the menu shows Plates only in farm mode
        """
    )
    func platesPage() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let operatorViewer = Viewer(
            name: "ada", role: "operator", permissions: [.read, .operate], csrfToken: "t",
            timeZone: TimeZone(identifier: "UTC")!, plates: true)
        let (pla1, pla2, petg) = (PlanID(UUID()), PlanID(UUID()), PlanID(UUID()))
        func plate(_ items: [PlateItem], status: BuildPlateStatus) -> BuildPlate {
            BuildPlate(
                id: BuildPlateID(UUID()), items: items, status: status, gcodeArtifact: nil, outcomes: [],
                createdAt: now, updatedAt: now)
        }
        var composing = plate([PlateItem(planID: pla1, revision: 1, copies: 2)], status: .composing)
        let other = plate([PlateItem(planID: pla2, revision: 1)], status: .composing)
        let petgPlate = plate([PlateItem(planID: petg, revision: 1)], status: .composing)
        var frozen = plate([PlateItem(planID: pla2, revision: 1)], status: .frozen)
        frozen.objects = [PlateObject(name: "ITEM0_A", planID: pla2, copy: 0, minX: 10, minY: 20, maxX: 40, maxY: 50)]
        composing.locked = false
        let intent = IntentID(UUID())
        func facts(_ material: String) -> PlatesPage.PartFacts {
            PlatesPage.PartFacts(
                intent: intent, name: "box.stl", material: material, colour: "red", key: material, width: 25,
                depth: 25, profile: "p")
        }
        let parts = [pla1: facts("PLA"), pla2: facts("PLA"), petg: facts("PETG")]
        let bed = Bed(width: 250, depth: 210)
        let estimate = PlateComposer().reopen(
            id: composing.id.description, group: "PLA", bed: bed,
            parts: [
                WaitingPart(
                    item: pla1.description, group: "PLA", width: 25, depth: 25, copies: 2, minutes: 10, printers: [])
            ])
        let print = FarmSchedule.ScheduledPrint(
            job: "plate/x", plan: pla1, intent: intent, material: "PLA", colour: "red", changeover: [],
            changeoverStart: nil, start: now.addingTimeInterval(600), end: now.addingTimeInterval(4200),
            due: now.addingTimeInterval(3600), rush: false, awaitingChangeover: false, reason: "", plate: composing.id,
            plans: [pla1], parts: 2)
        let schedule = FarmSchedule(
            plannedAt: now,
            printers: [
                FarmSchedule.PrinterQueue(
                    printer: PrinterID(UUID()), name: "P1", busyUntil: nil, prints: [print], maintenance: [])
            ], unscheduled: [],
            metrics: FarmSchedule.Metrics(weightedTardiness: 10, changeovers: 0, tardyPlates: 1, finishes: nil),
            moved: 0)
        let shown = [
            PlatesPage.Shown(plate: composing, version: 3, estimate: estimate),
            PlatesPage.Shown(plate: other, version: 1), PlatesPage.Shown(plate: petgPlate, version: 1),
            PlatesPage.Shown(plate: frozen, version: 2, bed: bed),
        ]
        let html = PlatesPage.render(shown, parts: parts, schedule: schedule, now: now, viewer: operatorViewer).text
        #expect(html.contains(#"<a href="/plates" aria-current="page">Plates</a>"#))
        let first = try #require(html.components(separatedBy: "<article").dropFirst().first)
        #expect(first.components(separatedBy: #"<g class="part">"#).count - 1 == 2, "two copies drawn")
        #expect(first.contains(##"fill="#d9534f""##), "in the filament's colour")
        #expect(first.contains("on P1, 08:10–09:10, late (due"), "the planned print, late")
        #expect(first.contains(#"<option value="\#(other.id)">"#), "a PLA plate is offered")
        #expect(!first.contains(#"<option value="\#(petgPlate.id)">"#), "the PETG plate is not")
        #expect(first.contains(#"data-post="/api/v1/plates/\#(composing.id)/move" data-version="3""#))
        #expect(first.contains("Lock as it is") && first.contains("Split in two"))
        let last = try #require(html.components(separatedBy: "<article").last)
        #expect(last.contains("where the slicer put them") && !last.contains("Move to"), "a frozen plate is fixed")
        #expect(last.contains(#"<rect x="10.0" y="160.0" width="30.0" height="30.0""#), "drawn front edge down")
        #expect(last.contains("on a 250 × 210 mm bed"))
        var reader = operatorViewer
        reader.permissions = [.read]
        // A run of a plate of two objects: one cancelled (with its reason), the other may be while it prints.
        let objects = [
            PlateObject(name: "ITEM0_A", planID: pla1, copy: 0, minX: 0, minY: 0, maxX: 1, maxY: 1),
            PlateObject(name: "ITEM1_B", planID: pla2, copy: 0, minX: 5, minY: 0, maxX: 6, maxY: 1),
        ]
        var run = Run(
            id: RunID(UUID()), plateID: composing.id, printerID: PrinterID(UUID()),
            items: [PlateItem(planID: pla1, revision: 1), PlateItem(planID: pla2, revision: 1)], status: .printing,
            dispatchToken: nil, progress: nil, failure: nil, inspections: [], risk: nil, scheduledAt: now,
            startedAt: now, endedAt: nil, updatedAt: now)
        run.excluded = [ObjectExclusion(name: "ITEM0_A", planID: pla1, copy: 0, reason: "spaghetti", at: now)]
        let runPage = RunPage.render(
            run, version: 4, printer: "P1", events: [], objects: objects, viewer: operatorViewer
        ).text
        #expect(runPage.contains("<strong>cancelled</strong> (spaghetti)"))
        #expect(runPage.components(separatedBy: "Cancel this object").count - 1 == 1, "only the other one")
        #expect(runPage.contains(#"data-post="/api/v1/runs/\#(run.id)/excluded-objects""#))
        #expect(runPage.contains(#"value="ITEM1_B""#))
        #expect(
            !RunPage.render(run, version: 4, printer: "P1", events: [], objects: objects, viewer: reader).text
                .contains("Cancel this object"), "not for a viewer")
        let readOnly = PlatesPage.part(shown, parts: parts, schedule: schedule, now: now, viewer: reader).text
        #expect(!readOnly.contains("<form") && !readOnly.contains("data-action"))
        reader.plates = false
        let solo = WebPage.layout(title: "Today", viewer: reader, main: "").text
        #expect(!solo.contains(#"href="/plates""#), "solo farms never see plates")
    }

    @Test("the schedule page draws each printer's prints, changeovers, maintenance and late plates with their reasons")
    func schedulePage() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let viewer = Viewer(
            name: "ada", role: "operator", permissions: [.read], csrfToken: "t", timeZone: TimeZone(identifier: "UTC")!)
        let print = FarmSchedule.ScheduledPrint(
            job: "p/1", plan: PlanID(UUID()), intent: IntentID(UUID()), material: "PETG", colour: "black",
            changeover: ["load PETG black"], changeoverStart: now, start: now.addingTimeInterval(1200),
            end: now.addingTimeInterval(4800), due: now.addingTimeInterval(3600), rush: true,
            awaitingChangeover: false, reason: "P1: load PETG black first (20 min); late by 20 min (weight 5)")
        let window = MaintenanceWindow(
            id: "belts", start: now.addingTimeInterval(6000), end: now.addingTimeInterval(9000), reason: "belt check")
        let schedule = FarmSchedule(
            plannedAt: now,
            printers: [
                FarmSchedule.PrinterQueue(
                    printer: PrinterID(UUID()), name: "P1", busyUntil: nil, prints: [print], maintenance: [window])
            ],
            unscheduled: [
                FarmSchedule.UnscheduledPlate(
                    plan: PlanID(UUID()), intent: IntentID(UUID()), reason: "no printer can take it (too big)")
            ],
            metrics: FarmSchedule.Metrics(weightedTardiness: 100, changeovers: 1, tardyPlates: 1, finishes: print.end),
            moved: 0)
        let html = SchedulePage.part(schedule, unavailable: nil, now: now, viewer: viewer).text
        #expect(html.contains("<svg"))
        #expect(html.contains(#"<a class="print late rush" href="/plans/"#), "the late rush print is marked, a link")
        #expect(html.contains("late by 20 min (weight 5)"), "its reason is its tooltip and accessible name")
        #expect(html.contains(#"class="changeover""#) && html.contains("load PETG black before 08:20"))
        #expect(html.contains(#"class="maintenance""#) && html.contains("belt check"))
        #expect(html.contains(#"class="due late""#), "the missed due date is marked")
        #expect(html.contains("no printer can take it (too big)"))
        let none = SchedulePage.part(nil, unavailable: "This server does not plan the farm", now: now, viewer: viewer)
        #expect(none.text.contains("does not plan the farm"))
    }
}
