import Foundation
import Testing

@testable import FarmDomain

/// The production loop following the farm's plan ahead: changeovers asked of people, pins, rush, staggered starts.
@Suite("Production planner with the scheduler")
struct ProductionScheduleTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    var planner = ProductionPlanner(settings: ProductionSettings())

    struct Order {
        var intent: Intent
        var plan: Plan
        var key: PlanRevisionKey
    }

    func id(_ n: Int) -> UUID { UUID(uuidString: String(format: "01936a4e-0000-7000-8000-%012d", n))! }

    func order(
        _ n: Int, material: String = "PLA", colour: String? = "black", due: Date? = nil, quantity: Int = 1,
        scheduling: PlanScheduling? = nil
    ) -> Order {
        let item = LineItem(
            id: LineItemID(id(100 + n)), modelArtifact: "sha-cube", quantity: quantity, material: material,
            colour: colour)
        let intent = Intent(
            id: IntentID(id(200 + n)), source: .api, externalReference: nil, customer: nil, lineItems: [item],
            dueDate: due, paymentStatus: .paid, currency: nil, constraints: [], status: .inProduction,
            preflight: .pass, lineItemPreflights: nil, quotes: nil, statusReasons: [], notes: [], receivedAt: now,
            updatedAt: now)
        var plan = Plan(
            id: PlanID(id(300 + n)), intentID: intent.id, lineItemID: item.id,
            revisions: [
                PlanRevision(
                    number: 1,
                    spec: PlanSpec(profile: "\(material)@1", requirements: PrinterRequirements(material: material)),
                    status: .approved, reasons: [], createdAt: now)
            ],
            decisions: nil, createdAt: now, updatedAt: now)
        plan.scheduling = scheduling
        return Order(intent: intent, plan: plan, key: PlanRevisionKey(plan: plan.id, revision: 1))
    }

    func printer(
        _ n: Int, loaded: LoadedMaterial? = nil, status: PrinterStatus = .idle, circuit: String? = nil,
        group: String? = nil
    ) -> Printer {
        Printer(
            id: PrinterID(id(n)), name: "P\(n)", connector: .virtual, address: "http://127.0.0.1:1",
            capabilities: PrinterCapabilities(
                buildVolume: BuildVolume(x: 250, y: 210, z: 210), group: group, powerCircuit: circuit),
            status: status, observed: status == .busy ? .busy : .idle, lastMessage: nil, job: nil,
            loadedMaterial: loaded, calibrations: nil, desynced: nil, degraded: nil, registeredAt: now, updatedAt: now)
    }

    func farm(_ orders: [Order], printers: [Printer], minutes: [Double]? = nil, runs: [Run] = []) -> FarmSnapshot {
        var gcode: [PlanRevisionKey: SlicedGCode] = [:]
        for (index, order) in orders.enumerated() {
            gcode[order.key] = SlicedGCode(
                artifact: "gcode-\(index)", printSeconds: (minutes?[index] ?? 60) * 60)
        }
        return FarmSnapshot(
            now: now, intents: orders.map(\.intent), plans: orders.map(\.plan), runs: runs, printers: printers,
            models: [:], profiles: ["PLA": "PLA@1", "PETG": "PETG@1"], gcode: gcode)
    }

    func scheduled(_ steps: [ProductionStep]) -> [Attempt] {
        steps.compactMap { if case .schedule(let attempt) = $0 { attempt } else { nil } }
    }

    @Test("a plate that needs another material asks a person for the changeover; the printer waits for them")
    func changeoverAsked() throws {
        let petg = order(1, material: "PETG", colour: "black")
        let p1 = printer(1, loaded: LoadedMaterial(material: "PLA", colour: "black"))
        let first = planner.plan(farm([petg], printers: [p1]))
        #expect(scheduled(first.steps).isEmpty)
        let asked = first.steps.compactMap { step -> ChangeoverTask? in
            if case .requestChangeover(let printer, let task) = step, printer == p1.id { task } else { nil }
        }
        let task = try #require(asked.first, "\(first.steps)")
        #expect(task.steps == ["load PETG black"])
        #expect(task.plan == petg.plan.id)
        #expect(task.setup == PrinterSetup(material: "PETG", colour: "black"))
        #expect(task.before == now.addingTimeInterval(20 * 60), "a material change takes 20 minutes")

        // Asked for: nothing else goes there, and the plate is not asked for again.
        var waiting = p1
        waiting.changeover = task
        let pla = order(2, material: "PLA", colour: "black")
        let held = planner.plan(farm([petg, pla], printers: [waiting]))
        #expect(scheduled(held.steps).isEmpty, "the PLA plate does not jump the asked-for changeover")
        #expect(!held.steps.contains { if case .requestChangeover = $0 { true } else { false } })
        #expect(held.schedule.printers[0].prints.first?.awaitingChangeover == true)

        // Confirmed: the printer holds PETG black and the plate goes.
        let events = try PrinterDecider.decide(
            .confirmChangeover(nil), state: .exists(waiting),
            context: CommandContext(actor: EventActor(.user, "ada"), reason: .operatorRequest, time: now))
        let confirmed = try #require(events.reduce(PrinterState.exists(waiting), PrinterDecider.evolve).printer)
        #expect(confirmed.loadedMaterial == LoadedMaterial(material: "PETG", colour: "black"))
        #expect(confirmed.changeover == nil)
        let going = planner.plan(farm([petg, pla], printers: [confirmed]))
        #expect(scheduled(going.steps).map(\.plan) == [petg.plan.id])
    }

    @Test("an asked-for changeover is withdrawn when its plate no longer waits")
    func withdrawn() {
        var p1 = printer(1, loaded: LoadedMaterial(material: "PLA", colour: "black"))
        p1.changeover = ChangeoverTask(
            plan: PlanID(id(999)), setup: PrinterSetup(material: "PETG"), steps: ["load PETG black"], before: now)
        let steps = planner.steps(farm([], printers: [p1]))
        #expect(
            steps.contains {
                if case .withdrawChangeover(let printer, _) = $0 { printer == p1.id } else { false }
            }, "\(steps)")
    }

    @Test("printers with the material loaded take its plates; no changeover where one printer already holds it")
    func loadedMaterialFirst() {
        let petg = order(1, material: "PETG", colour: "black")
        let pla = order(2, material: "PLA", colour: "black")
        let printers = [
            printer(1, loaded: LoadedMaterial(material: "PLA", colour: "black")),
            printer(2, loaded: LoadedMaterial(material: "PETG", colour: "black")),
        ]
        let result = planner.plan(farm([petg, pla], printers: printers))
        let attempts = scheduled(result.steps)
        #expect(
            Set(attempts.map { "\($0.plan)@\($0.printer)" })
                == ["\(petg.plan.id)@\(printers[1].id)", "\(pla.plan.id)@\(printers[0].id)"])
        #expect(result.schedule.metrics.changeovers == 0)
    }

    @Test("a rush plate overtakes a 20-hour print, and a plain plate due at the same time, on the one free printer")
    func rush() {
        let long = order(1, due: now.addingTimeInterval(48 * 3600))
        let plain = order(2, due: now.addingTimeInterval(3600))
        let rushed = order(3, due: now.addingTimeInterval(3600), scheduling: PlanScheduling(rush: true))
        let p1 = printer(1)
        // Both hour-long plates are due in an hour: one of them will be an hour late. Plain, the first order goes
        // first; marked rush, its lateness weighs five times, so it goes first.
        let plainOnly = order(3, due: now.addingTimeInterval(3600))
        let withoutRush = planner.plan(farm([long, plain, plainOnly], printers: [p1], minutes: [20 * 60, 60, 60]))
        #expect(scheduled(withoutRush.steps).map(\.plan) == [plain.plan.id])
        let withRush = planner.plan(farm([long, plain, rushed], printers: [p1], minutes: [20 * 60, 60, 60]))
        #expect(scheduled(withRush.steps).map(\.plan) == [rushed.plan.id])
        #expect(withRush.schedule.printers[0].prints.map(\.plan) == [rushed.plan.id, plain.plan.id, long.plan.id])
        #expect(withRush.schedule.printers[0].prints.first?.rush == true)
        #expect(withRush.schedule.metrics.weightedTardiness == 60)
    }

    @Test("a plate pinned to a printer or a group goes only there, even when another printer is free")
    func pins() {
        let p1 = printer(1, group: "room A")
        let p2 = printer(2, status: .busy, group: "room B")
        let pinned = order(1, scheduling: PlanScheduling(pinnedPrinter: p2.id))
        let result = planner.plan(farm([pinned], printers: [p1, p2]))
        #expect(scheduled(result.steps).isEmpty, "P2 is busy; P1 is free but not the pin")
        #expect(result.schedule.printers.first { $0.printer == p2.id }?.prints.count == 1)
        let grouped = order(2, scheduling: PlanScheduling(pinnedGroup: "room a"))
        #expect(scheduled(planner.steps(farm([grouped], printers: [p1, p2]))).map(\.printer) == [p1.id])
        let nowhere = order(3, scheduling: PlanScheduling(pinnedGroup: "cellar"))
        let none = planner.steps(farm([nowhere], printers: [p1, p2]))
        #expect(
            none.contains {
                if case .waiting(_, let reason) = $0 { reason.contains("kept to group cellar") } else { false }
            }, "\(none)")
    }

    @Test("staggered starts: at most the farm's number of prints heat up at once on one power circuit")
    func staggered() {
        var planner = planner
        planner.settings.scheduling.startsPerCircuit = 2
        let printers = (1...4).map { printer($0, circuit: "A") }
        let orders = (1...4).map { order($0) }
        let first = planner.plan(farm(orders, printers: printers))
        #expect(scheduled(first.steps).count == 2, "\(first.steps)")
        #expect(
            first.steps.contains {
                if case .waiting(_, let reason) = $0 {
                    reason.hasPrefix("staggered start: 2 print(s) heating on circuit A")
                } else {
                    false
                }
            })
        // Two runs sent a minute ago still heat; six minutes later they do not.
        let runs = scheduled(first.steps).map { attempt in
            Run(
                id: attempt.run, plateID: attempt.plate, printerID: attempt.printer,
                items: [PlateItem(planID: attempt.plan, revision: 1)], status: .printing, dispatchToken: nil,
                progress: nil, failure: nil, inspections: [], risk: nil, scheduledAt: now.addingTimeInterval(-60),
                startedAt: now.addingTimeInterval(-60), endedAt: nil, updatedAt: now)
        }
        #expect(scheduled(planner.steps(farm(orders, printers: printers, runs: runs))).isEmpty)
        var later = farm(orders, printers: printers, runs: runs)
        later.now = now.addingTimeInterval(6 * 60)
        #expect(scheduled(planner.steps(later)).count == 2)
    }

    @Test("replanning keeps a queued plate on its printer for a small gain, and says how many moved")
    func stable() {
        let orders = (1...3).map { order($0, due: now.addingTimeInterval(Double(10 + $0) * 3600)) }
        let printers = [printer(1, status: .busy), printer(2, status: .busy)]
        let first = planner.plan(farm(orders, printers: printers))
        var next = farm(orders, printers: printers)
        next.previousSchedule = first.schedule
        next.now = now.addingTimeInterval(60)
        let second = planner.plan(next)
        #expect(second.schedule.moved == 0)
        #expect(
            second.schedule.printers.map { $0.prints.map(\.plan) }
                == first.schedule.printers.map { $0.prints.map(\.plan) })
    }
}
