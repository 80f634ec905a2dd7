import Foundation
import Testing

@testable import FarmDomain

@Suite("Materials: records, spools and what prints use")
struct MaterialTests {
    let filament = FilamentID(UUID(uuidString: "01936a4e-0000-7000-8000-0000000000f1")!)
    let lot = LotID(UUID(uuidString: "01936a4e-0000-7000-8000-0000000000f2")!)
    let spoolID = SpoolID(UUID(uuidString: "01936a4e-0000-7000-8000-0000000000f3")!)
    let printer = PrinterID(UUID(uuidString: "01936a4e-0000-7000-8000-0000000000f4")!)
    let other = PrinterID(UUID(uuidString: "01936a4e-0000-7000-8000-0000000000f5")!)
    let run = RunID(UUID(uuidString: "01936a4e-0000-7000-8000-0000000000f6")!)
    let plan = PlanID(UUID(uuidString: "01936a4e-0000-7000-8000-0000000000f7")!)
    let second = PlanID(UUID(uuidString: "01936a4e-0000-7000-8000-0000000000f8")!)
    let at = Date(timeIntervalSince1970: 1_800_000_000)

    var registered: SpoolEvent {
        .registered(
            SpoolRegistered(id: spoolID, spec: SpoolSpec(filament: filament, lot: lot, initialWeight: 1000), at: at))
    }

    func usage(_ grams: Double, run: RunID? = nil) -> SpoolUsed {
        SpoolUsed(
            run: run ?? self.run, printer: printer, outcome: "completed", share: 1, grams: grams,
            parts: [SpoolUsedPart(plan: plan, copies: 1, grams: grams)], at: at)
    }

    @Test("filaments, vendors and lots refuse impossible figures with the field; a retired record can be restored")
    func records() {
        let pla = FilamentSpec(material: "PLA", colour: "black", colourHex: "1A1A1A", density: 1.24)
        let s = Scenario<RecordDecider<FilamentSpec>>()
        s.then(.register(filament, pla), [.registered(RecordRegistered(id: filament, spec: pla, at: s.time))])
        var bad = pla
        bad.density = -1
        #expect(s.thenRefused(.register(filament, bad))?.invalidField == "density")
        bad = pla
        bad.colourHex = "#1A1A1A"
        #expect(s.thenRefused(.register(filament, bad))?.invalidField == "colourHex")
        bad = pla
        bad.nominalWeight = 0
        #expect(s.thenRefused(.register(filament, bad))?.invalidField == "nominalWeight")
        #expect(
            Scenario<RecordDecider<VendorSpec>>().thenRefused(
                .register(VendorID(UUID()), VendorSpec(name: " ", emptySpoolWeight: 140)))?.invalidField == "name")
        #expect(
            Scenario<RecordDecider<VendorSpec>>().thenRefused(
                .register(VendorID(UUID()), VendorSpec(name: "Prusament", emptySpoolWeight: -5)))?.invalidField
                == "emptySpoolWeight")
        let given = Scenario<RecordDecider<FilamentSpec>>(given: [
            .registered(RecordRegistered(id: filament, spec: pla, at: at)), .retired(RecordRetired(at: at)),
        ])
        given.then(.retire, [])
        given.then(.restore, [.restored(RecordRetired(at: given.time))])
        #expect(abs(pla.grams(millimetres: 1000) - 2.98255) < 0.0001, "Spoolman's figure for 1 m of 1.75 mm PLA")
    }

    @Test(
        "a spool's weights: registered full, usage subtracts once per run, a weigh-in sets what is left and the drift")
    func weights() {
        let s = Scenario<SpoolDecider>(given: [registered])
        s.then(.use(usage(12.5)), [.used(usage(12.5))])
        let used = Scenario<SpoolDecider>(given: [registered, .used(usage(12.5))])
        used.then(.use(usage(12.5)), [])
        let spool = SpoolDecider.replay([registered, .used(usage(12.5)), .used(usage(990, run: RunID(UUID())))])
        #expect(spool?.remaining == 0, "more used than left leaves 0, never less")
        #expect(spool?.used == 1002.5)
        #expect(spool?.runs.count == 2)
        used.then(
            .weigh(gross: 1100, net: 960),
            [.weighed(SpoolWeighed(gross: 1100, net: 960, estimated: 987.5, at: used.time))])
        let weighed = SpoolDecider.replay([
            registered, .used(usage(12.5)), .weighed(SpoolWeighed(gross: nil, net: 960, estimated: 987.5, at: at)),
        ])
        #expect(weighed?.remaining == 960 && weighed?.lastWeighIn?.drift == -27.5)
        #expect(used.thenRefused(.weigh(gross: 100, net: -40))?.invalidField == "gross", "lighter than its spool")
        #expect(used.thenRefused(.weigh(gross: nil, net: .nan))?.invalidField == "net")
        #expect(s.thenRefused(.use(usage(-3)))?.invalidField == "grams")
        #expect(
            Scenario<SpoolDecider>().thenRefused(
                .register(spoolID, SpoolSpec(filament: filament, initialWeight: 1000, remaining: 1200)))?.invalidField
                == "remaining")
        #expect(
            Scenario<SpoolDecider>().thenRefused(.register(spoolID, SpoolSpec(filament: filament, initialWeight: 0)))?
                .invalidField == "initialWeight")
    }

    @Test("a spool is on one printer at a time: loading it on another is refused until unloaded; archiving unloads it")
    func loading() {
        let s = Scenario<SpoolDecider>(given: [registered])
        let load = SpoolLoad(printer: printer, tool: 0, at: s.time)
        s.then(.load(printer: printer, tool: 0), [.loaded(load)])
        let loaded = Scenario<SpoolDecider>(given: [registered, .loaded(load)])
        loaded.then(.load(printer: printer, tool: 0), [])
        guard case .illegalTransition(_, _, let state) = loaded.thenRefused(.load(printer: other, tool: 0)) else {
            Issue.record("loading on a second printer must be refused")
            return
        }
        #expect(state.contains("unload it there first"))
        loaded.then(
            .archive,
            [.unloaded(SpoolUnloaded(printer: printer, at: loaded.time)), .archived(SpoolChanged(at: loaded.time))])
        let archived = Scenario<SpoolDecider>(given: [registered, .archived(SpoolChanged(at: at))])
        #expect(archived.thenRefused(.load(printer: printer, tool: 0)) != nil, "an archived spool is not loaded")
        #expect(s.thenRefused(.load(printer: printer, tool: 99))?.invalidField == "tool")
        #expect(SpoolDecider.replay([registered, .loaded(load)])?.status == .loaded)
        #expect(SpoolDecider.replay([registered, .loaded(load)])?.openedAt == at, "loading opens it")
    }

    @Test("usage: completed is the whole plate; a failure the share printed; an excluded object stops where it was")
    func printUsage() {
        let items = [
            PlateItem(planID: plan, revision: 1, copies: 2), PlateItem(planID: second, revision: 1, copies: 1),
        ]
        let objects = [
            PrintUsage.Object(name: "A0", plan: plan, grams: 10), PrintUsage.Object(name: "A1", plan: plan, grams: 10),
            PrintUsage.Object(name: "B0", plan: second, grams: 20),
        ]
        let whole = PrintUsage.compute(total: 44, objects: objects, items: items, share: 1)
        #expect(whole.grams == 44, "the purge line and skirt (4 g) are used too")
        #expect(whole.parts.map(\.grams) == [22, 22], "shared in proportion to the objects' own grams")
        let half = PrintUsage.compute(total: 44, objects: objects, items: items, share: 0.5)
        #expect(half.grams == 22 && half.share == 0.5)
        let excluded = PrintUsage.compute(total: 44, objects: objects, items: items, share: 1, excludedAt: ["B0": 0.25])
        #expect(excluded.parts.map(\.grams) == [22, 7], "B stopped at a quarter: 5 g of it, and its 2 g of the rest")
        #expect(excluded.grams == 29)
        let unlabelled = PrintUsage.compute(total: 30, objects: [], items: items, share: 1)
        #expect(unlabelled.parts.map(\.grams) == [20, 10], "without labels, by copies")
        #expect(PrintUsage.compute(total: 30, objects: [], items: items, share: .nan).grams == 0)
    }

    @Test(
        """
        the forecast weighs the schedule against the spools: the first print the stock does not cover, a reorder \
        point crossed, prints not yet sliced counted apart, archived and other colours' spools left out
        """
    )
    func forecast() {
        let black = FilamentID(UUID())
        let orange = FilamentID(UUID())
        let filaments = [
            Filament(
                id: black, spec: FilamentSpec(material: "PLA", colour: "black", density: 1.24, reorderPoint: 500),
                registeredAt: at, updatedAt: at),
            Filament(
                id: orange, spec: FilamentSpec(material: "PLA", colour: "orange", density: 1.24), registeredAt: at,
                updatedAt: at),
        ]
        func spool(_ filament: FilamentID, _ remaining: Double, archived: Bool = false) -> Spool {
            var spool = SpoolDecider.replay([
                .registered(
                    SpoolRegistered(
                        id: SpoolID(UUID()),
                        spec: SpoolSpec(filament: filament, initialWeight: 1000, remaining: remaining),
                        at: at))
            ])!
            spool.archived = archived
            return spool
        }
        let spools = [spool(black, 300), spool(black, 250), spool(black, 900, archived: true), spool(orange, 800)]
        let intent = IntentID(UUID())
        func print(_ job: String, hours: Double, grams: Double?, colour: String = "Black", due: Double? = nil)
            -> FarmSchedule.ScheduledPrint
        {
            var print = FarmSchedule.ScheduledPrint(
                job: job, plan: plan, intent: intent, material: "PLA", colour: colour, changeover: [],
                changeoverStart: nil, start: at.addingTimeInterval(hours * 3600),
                end: at.addingTimeInterval(hours * 3600 + 3600), due: due.map { at.addingTimeInterval($0 * 3600) },
                rush: false, awaitingChangeover: false, reason: "")
            print.grams = grams
            return print
        }
        var schedule = FarmSchedule.empty(at: at)
        schedule.printers = [
            FarmSchedule.PrinterQueue(
                printer: printer, name: "a", busyUntil: nil,
                prints: [print("a1", hours: 0, grams: 200), print("a2", hours: 2, grams: 200, due: 6)],
                maintenance: []),
            FarmSchedule.PrinterQueue(
                printer: other, name: "b", busyUntil: nil,
                prints: [
                    print("b1", hours: 1, grams: 200), print("b2", hours: 3, grams: nil),
                    print("b3", hours: 1, grams: 50, colour: "orange"),
                ], maintenance: []),
        ]
        let forecast = MaterialForecast.compute(schedule: schedule, spools: spools, filaments: filaments)
        let line = forecast.lines.first { $0.colour == "Black" }
        #expect(line?.inStock == 550 && line?.spools == 2, "the archived spool is not stock")
        #expect(line?.needed == 600 && line?.unweighed == 1)
        #expect(line?.runsOut?.job == "a2" && line?.runsOut?.printer == printer, "200 + 200 + 200 > 550 at a2")
        #expect(line?.runsOut?.short == 50 && line?.runsOut?.due == at.addingTimeInterval(6 * 3600))
        #expect(line?.reorder == true, "short after the schedule, under the 500 g reorder point")
        let orangeLine = forecast.lines.first { $0.colour == "orange" }
        #expect(orangeLine?.runsOut == nil && orangeLine?.reorder == false && orangeLine?.needed == 50)
        #expect(forecast.attention.map(\.colour) == ["Black"])
    }

    @Test(
        """
        reservations: a paid order's later print takes the stock before an unpaid shop order past its hold, which is \
        the one that runs out; an unpaid order within its hold reserves until then; a cancelled order holds nothing; \
        typed-in orders hold like paid ones; 0 hours reserves for paid orders only
        """)
    func reservations() throws {
        let settings = MaterialSettings(unpaidHoldHours: 72)
        func intent(_ source: IntentSource, _ payment: PaymentStatus, hoursAgo: Double) throws -> Intent {
            let draft = IntentDraft(
                source: source, lineItems: [LineItem(id: LineItemID(UUID()), quantity: 1, material: "PLA")],
                paymentStatus: payment)
            let received = IntentEvent.received(
                IntentReceived(
                    intentID: IntentID(UUID()), draft: draft, receivedAt: at.addingTimeInterval(-hoursAgo * 3600)))
            return try #require(IntentDecider.replay([received]).intent)
        }
        let paid = try intent(.shopify, .paid, hoursAgo: 1)
        let stale = try intent(.etsy, .pending, hoursAgo: 80)
        let fresh = try intent(.woocommerce, .pending, hoursAgo: 10)
        let typed = try intent(.upload, .pending, hoursAgo: 500)
        #expect(settings.hold(of: paid, now: at) == .held && settings.hold(of: typed, now: at) == .held)
        #expect(settings.hold(of: stale, now: at) == .notHeld)
        #expect(settings.hold(of: fresh, now: at) == .heldUntil(at.addingTimeInterval(62 * 3600)))
        #expect(MaterialSettings(unpaidHoldHours: 0).hold(of: fresh, now: at) == .notHeld)
        var cancelled = paid
        cancelled.status = .cancelled
        #expect(settings.hold(of: cancelled, now: at) == .released)

        let filament = Filament(
            id: FilamentID(UUID()), spec: FilamentSpec(material: "PLA", colour: "black", density: 1.24),
            registeredAt: at, updatedAt: at)
        let spool = SpoolDecider.replay([
            .registered(
                SpoolRegistered(
                    id: SpoolID(UUID()), spec: SpoolSpec(filament: filament.id, initialWeight: 1000, remaining: 100),
                    at: at))
        ])!
        func print(_ job: String, _ owner: Intent, hours: Double, grams: Double) -> FarmSchedule.ScheduledPrint {
            var print = FarmSchedule.ScheduledPrint(
                job: job, plan: PlanID(UUID()), intent: owner.id, material: "PLA", colour: "black", changeover: [],
                changeoverStart: nil, start: at.addingTimeInterval(hours * 3600),
                end: at.addingTimeInterval(hours * 3600 + 3600), due: nil, rush: false, awaitingChangeover: false,
                reason: "")
            print.grams = grams
            return print
        }
        var schedule = FarmSchedule.empty(at: at)
        schedule.printers = [
            FarmSchedule.PrinterQueue(
                printer: printer, name: "a", busyUntil: nil,
                prints: [print("unpaid", stale, hours: 1, grams: 50), print("paid", paid, hours: 2, grams: 80)],
                maintenance: [])
        ]
        let everyone = MaterialForecast.compute(schedule: schedule, spools: [spool], filaments: [filament])
        #expect(everyone.lines.first?.runsOut?.job == "paid", "without holds, in start order: the paid print is short")
        var holds = [paid.id: settings.hold(of: paid, now: at), stale.id: settings.hold(of: stale, now: at)]
        let held = MaterialForecast.compute(schedule: schedule, spools: [spool], filaments: [filament], holds: holds)
        let line = try #require(held.lines.first)
        #expect(line.runsOut?.job == "unpaid" && line.runsOut?.short == 30, "the unpaid one gives way")
        #expect(line.reserved == 80 && line.free == 20)
        #expect(held.reservations.map(\.hold) == ["held", "notHeld"])
        #expect(held.reservations.map(\.covered) == [true, false])
        holds[paid.id] = .released
        let released = MaterialForecast.compute(
            schedule: schedule, spools: [spool], filaments: [filament], holds: holds)
        #expect(
            released.lines.first?.needed == 50 && released.lines.first?.runsOut == nil, "the cancelled order let go")
    }

    @Test(
        """
        a nozzle counts each print once, wears out at its hours or grams, moves between printers and comes off \
        when retired; a sheet is due for cleaning after its prints and cleaning clears it
        """)
    func consumables() throws {
        let id = ConsumableID(UUID())
        let context = CommandContext(actor: .cli, reason: .operatorRequest, time: at)
        func run(_ events: [ConsumableEvent], _ command: ConsumableCommand) throws -> [ConsumableEvent] {
            try ConsumableDecider.decide(command, state: ConsumableDecider.replay(events), context: context)
        }
        #expect(
            throws: DomainError.invalid(field: "diameter", reason: "a nozzle's diameter in mm, from 0.1 to 2 (0.4)")
        ) {
            try run([], .register(id, ConsumableSpec(kind: .nozzle, diameter: 3)))
        }
        var events = try run([], .register(id, ConsumableSpec(kind: .nozzle, diameter: 0.4, wearGrams: 100)))
        events += try run(events, .install(printer: printer))
        let use = ConsumableUsed(run: self.run, printer: printer, hours: 1.5, grams: 60, at: at)
        events += try run(events, .use(use))
        #expect(try run(events, .use(use)).isEmpty, "a run is counted once")
        events += try run(
            events, .use(ConsumableUsed(run: RunID(UUID()), printer: printer, hours: 2, grams: 45, at: at)))
        var nozzle = try #require(ConsumableDecider.replay(events))
        #expect(nozzle.prints == 2 && nozzle.hours == 3.5 && nozzle.grams == 105)
        #expect(nozzle.due == ["worn: 105 g of filament of 100"])
        let moved = try run(events, .install(printer: other))
        #expect(moved.count == 2, "off the first printer, onto the other: \(moved)")
        events += moved
        events += try run(events, .retire)
        nozzle = try #require(ConsumableDecider.replay(events))
        #expect(nozzle.retired && nozzle.installed == nil)
        #expect(throws: DomainError.self) { try run(events, .install(printer: printer)) }

        let sheetID = ConsumableID(UUID())
        var sheet = try run([], .register(sheetID, ConsumableSpec(kind: .sheet, surface: "smooth PEI", cleanEvery: 2)))
        for _ in 0..<2 {
            sheet += try run(
                sheet, .use(ConsumableUsed(run: RunID(UUID()), printer: printer, hours: 1, grams: 5, at: at)))
        }
        #expect(ConsumableDecider.replay(sheet)?.due == ["to clean: 2 prints since cleaning (every 2)"])
        sheet += try run(sheet, .clean)
        #expect(ConsumableDecider.replay(sheet)?.due == [] && ConsumableDecider.replay(sheet)?.prints == 2)
    }

    @Test("a worn nozzle on the printer raises the next run's risk, in its own words")
    func wornNozzleRisk() {
        var inputs = RiskInputs(material: "PLA")
        let calm = RiskAssessor().assess(.run, inputs)
        inputs.consumablesDue = ["0.4 mm nozzle worn: 512 print hours of 500"]
        let risky = RiskAssessor().assess(.run, inputs)
        #expect(risky.score == calm.score + 15)
        #expect(risky.factors.contains { $0.code == "logistics.consumable" && $0.sentence.contains("512 print hours") })
    }
}
