import FarmArtifacts
import FarmDomain
import FarmIntake
import FarmStore
import Foundation
import Logging
import PrinterLink
import PrinterTestSupport
import Testing
import VirtualPrinter

@testable import FarmProduction
@testable import FarmServer

/// The production loop end to end: the real PrusaSlicer, a virtual printer speaking Moonraker, the real store.
@Suite("Production loop", .serialized)
struct ProductionLoopTests {
    let context = CommandContext(actor: .cli, reason: .operatorRequest, time: Date())

    /// A model uploaded and an order for it, preflighted, with PLA bound to the slicer's default profile.
    func order(
        _ rig: FleetRig, slicing: SliceService, quantity: Int = 1, shape: String = "box.stl", material: String = "PLA"
    ) async throws -> IntentID {
        let (profile, _, _) = try await slicing.storeProfile(
            text: try await SliceAPITests.profileText(), name: "pla.ini", context: context, correlationID: nil)
        let binding = ProfileBinding.id(printerModel: "virtual", material: material)
        _ = try await rig.store.profileBindings.execute(
            .bind(printerModel: "virtual", material: material, profile: profile.version), id: binding,
            context: context)
        let stored = try rig.artifacts.put(
            Data(contentsOf: URL(fileURLWithPath: "/usr/share/PrusaSlicer/shapes/\(shape)")))
        _ = try await rig.store.artifacts.execute(
            .register(
                ArtifactUpload(sha256: stored.sha256, size: stored.size, mediaType: "model/stl", name: shape)),
            id: stored.sha256, context: context)
        let id = IntentID(SystemIDs.uuidv7())
        let item = LineItem(
            id: LineItemID(SystemIDs.uuidv7()), modelArtifact: stored.sha256, quantity: quantity, material: material)
        _ = try await rig.store.intents.execute(
            .receive(id, IntentDraft(source: .api, lineItems: [item])), id: id.description, context: context)
        let preflighted = try await IntentPreflighting(
            store: rig.store, analyst: ModelAnalyst(store: rig.store, artifacts: rig.artifacts)
        )
        .run(intentID: id.description, context: context, correlationID: nil)
        #expect(preflighted.model.status == .preflighted, "\(preflighted.model.statusReasons)")
        return id
    }

    func waitFor<T>(_ seconds: Double, _ probe: () async throws -> T?) async throws -> T? {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if let value = try await probe() { return value }
            try await Task.sleep(for: .milliseconds(200))
        }
        return nil
    }

    @Test(
        "an order goes from preflight to a passed part by itself: accepted, planned, approved, sliced, dispatched, printed, auto-passed, ready to ship"
    )
    func happyPath() async throws {
        let settings = ProductionSettings(qa: .init(autoPassLowRisk: true))
        try await withLoop([VirtualPrinter(name: "virtual-0", speed: 300)], settings: settings) { rig, slicing, _ in
            let printerID = try await DispatchTests().register(rig, 0)
            #expect(try await DispatchTests().printer(rig, printerID, within: 30) { $0.status == .idle } != nil)
            let intentID = try await order(rig, slicing: slicing)
            let shipped = try await waitFor(120) { () -> Intent? in
                guard let intent = try await rig.store.intents.get(id: intentID.description)?.model,
                    intent.status == .readyToShip
                else { return nil }
                return intent
            }
            let last = try await rig.store.intents.get(id: intentID.description)?.model
            let intent = try #require(
                shipped,
                "the order did not reach readyToShip: \(String(describing: last?.status)) \(last?.statusReasons ?? [])")
            #expect(intent.decisions?.latest(.acceptIntent)?.outcome == .autoAdvance)
            #expect(intent.decisions?.latest(.acceptIntent)?.risk?.level == .low)

            let types = try await rig.store.events.read(stream: IntentDecider.stream(intentID.description)).map(\.type)
            #expect(
                types
                    == ["received", "preflighted", "gateDecided", "accepted", "productionStarted", "readyToShip"].map {
                        "printfarm.intent.\($0).v1"
                    })
            let plan = try #require(try await rig.store.plans.list(ref: intentID.description, limit: 10).first)
            let planEvents = try await rig.store.events.read(stream: PlanDecider.stream(plan.id))
            #expect(planEvents.map(\.type).contains("printfarm.plan.revisionApproved.v1"))
            #expect(
                planEvents.filter { $0.type == "printfarm.plan.gateDecided.v1" }.count >= 3,
                "approvePlan, slice and dispatch decisions are recorded")
            #expect(planEvents.allSatisfy { $0.actor == "policy:production" })

            let runs = try await rig.store.runs.all()
            #expect(runs.count == 1, "one run for one copy")
            let run = try #require(runs.first)
            #expect(run.status == .completed)
            #expect(run.qa == .passed)
            #expect(run.risk?.level == .low)
            // The run's end picture may be recorded after the inspection: the inspection is found by its type.
            let inspections = try await rig.store.events.read(stream: RunDecider.stream(run.id.description))
                .filter { $0.type == "printfarm.run.itemInspected.v1" }
            #expect(inspections.count == 1 && inspections.first?.reason == "qa.passed", "\(inspections)")
            #expect(
                try await DispatchTests().jobs(rig, 0, run.id).map(\.status) == ["completed"], "printed exactly once")
        }
    }

    @Test(
        "a mixed farm: one order's two copies print on a Moonraker virtual printer and a real OctoPrint, each through its own connector"
    )
    func mixedFarm() async throws {
        let octoprint = try RealOctoPrint(throttle: 0)
        try await octoprint.start()
        defer { octoprint.stop() }
        let settings = ProductionSettings(qa: .init(autoPassLowRisk: true))
        try await withLoop([VirtualPrinter(name: "virtual-0", speed: 10)], settings: settings) { rig, slicing, _ in
            let klipper = try await DispatchTests().register(rig, 0)
            let prusa = PrinterID(UUID())
            let registration = PrinterRegistration(
                name: "octoprint-0", connector: .octoprint, address: octoprint.base.absoluteString,
                capabilities: PrinterCapabilities(buildVolume: BuildVolume(x: 250, y: 210, z: 210), model: "virtual"))
            _ = try await rig.store.printers.execute(
                .register(prusa, registration), id: prusa.description, context: context)
            try await rig.store.credentials.savePrinterAPIKey(octoprint.apiKey, of: prusa, at: Date())
            for id in [klipper, prusa] {
                #expect(try await DispatchTests().printer(rig, id, within: 60) { $0.status == .idle } != nil)
            }
            let intentID = try await order(rig, slicing: slicing, quantity: 2)
            let shipped = try await waitFor(400) { () -> Intent? in
                let intent = try await rig.store.intents.get(id: intentID.description)?.model
                return intent?.status == .readyToShip ? intent : nil
            }
            let runs = try await rig.store.runs.all()
            #expect(shipped != nil, "\(runs.map { "\($0.printerID) \($0.status) \($0.failure ?? "")" })")
            let byPrinter = Dictionary(grouping: runs, by: \.printerID)
            #expect(byPrinter[prusa]?.contains { $0.status == .completed && $0.qa == .passed } == true, "\(runs)")
            #expect(byPrinter[klipper]?.contains { $0.status == .completed } == true, "\(runs)")
            // OctoPrint printed the farm's file from the farm's folder, and the file was removed afterwards.
            let done = try #require(byPrinter[prusa]?.first { $0.status == .completed })
            let events = try await rig.store.events.read(stream: RunDecider.stream(done.id.description))
            #expect(events.contains { $0.type == "printfarm.run.progressed.v1" }, "progress came from OctoPrint")
            let left = try await waitFor(30) { () -> Bool? in
                let folder = try await octoprint.get("/api/files/local/printfarm")
                let children = folder["children"] as? [[String: Any]] ?? []
                return children.isEmpty ? true : nil
            }
            #expect(left == true, "the finished run's file is deleted from OctoPrint")
        }
    }

    /// A rig with `machines` and a loop over it with fast passes, running while `body` runs; both stop either way.
    func withLoop(
        _ machines: [VirtualPrinter], settings: ProductionSettings = ProductionSettings(),
        _ body: (FleetRig, SliceService, ProductionLoop) async throws -> Void
    ) async throws {
        let rig = try await FleetRig(machines)
        let slicing = SliceService(store: rig.store, artifacts: rig.artifacts, slicerPath: nil, concurrency: 1)
        let production = loop(rig, slicing, settings)
        let running = Task { try await production.run() }
        do {
            try await body(rig, slicing, production)
        } catch {
            running.cancel()
            await rig.stop()
            throw error
        }
        running.cancel()
        await rig.stop()
    }

    /// A loop over `rig` with fast passes.
    func loop(_ rig: FleetRig, _ slicing: SliceService, _ settings: ProductionSettings = ProductionSettings())
        -> ProductionLoop
    {
        ProductionLoop(
            store: rig.store, slicing: slicing, fleet: rig.fleet, settings: settings, now: { Date() },
            logger: Logger(label: "loop"), interval: .milliseconds(200))
    }

    func runs(_ rig: FleetRig, within seconds: Double, _ matches: @escaping ([Run]) -> Bool) async throws -> [Run]? {
        try await waitFor(seconds) { () -> [Run]? in
            let runs = try await rig.store.runs.all().sorted { $0.scheduledAt < $1.scheduledAt }
            return matches(runs) ? runs : nil
        }
    }

    @Test(
        "a failed run is reprinted on another printer; the second failure of the revision trips the loop breaker and nothing more is printed"
    )
    func loopBreaker() async throws {
        let machines = [VirtualPrinter(name: "virtual-0", speed: 10), VirtualPrinter(name: "virtual-1", speed: 10)]
        try await withLoop([machines[0], machines[1]]) { rig, slicing, production in
            let ids = [try await DispatchTests().register(rig, 0), try await DispatchTests().register(rig, 1)]
            for id in ids {
                #expect(try await DispatchTests().printer(rig, id, within: 30) { $0.status == .idle } != nil)
            }
            let intentID = try await order(rig, slicing: slicing)
            for attempt in 0..<2 {
                let printing = try #require(
                    try await runs(rig, within: 60) { $0.count == attempt + 1 && $0.last?.status == .printing },
                    "attempt \(attempt + 1) never printed")
                let run = try #require(printing.last)
                await machines[ids.firstIndex(of: run.printerID)!].inject(.thermalError)
                let failed = try await DispatchTests().run(rig, run.id, within: 20) { $0.status.isTerminal }
                #expect(failed?.status == .failed)
                #expect(
                    failed?.failure?.contains("Heater extruder not heating") == true,
                    "\(String(describing: failed?.failure))")
                if attempt == 1 {
                    #expect(
                        run.printerID != printing.first?.printerID,
                        "the reprint went to the other printer (the first is shut down)")
                }
            }
            let plan = try #require(try await rig.store.plans.list(ref: intentID.description, limit: 10).first)
            let stopped = try await waitFor(10) { () -> Plan? in
                guard let plan = try await rig.store.plans.get(id: plan.id)?.model, plan.status == .reviewRequired
                else { return nil }
                return plan
            }
            #expect(
                stopped?.revisions.first?.reasons.first?.hasPrefix("loopBreaker: revision 1 failed 2 times") == true,
                "\(String(describing: stopped?.revisions))")
            let events = try await rig.store.events.read(stream: PlanDecider.stream(plan.id))
            #expect(
                events.last { $0.type == "printfarm.plan.revisionReviewRequired.v1" }?.reason == "guard.loopBreaker")
            #expect(
                events.contains {
                    $0.type == "printfarm.plan.gateDecided.v1"
                        && String(decoding: $0.data, as: UTF8.self).contains("\"gate\":\"reprint\"")
                })
            try await Task.sleep(for: .seconds(2))
            #expect(try await rig.store.runs.all().count == 2, "no third attempt after the breaker tripped")
        }
    }

    @Test("a HIGH-risk revision waits for an operator's approval, then goes on; its run waits for a person's QA")
    func approvalThenProceed() async throws {
        // Strict thresholds: the plan stage's "first run of this revision" (+10) alone is HIGH; the intent stage is LOW.
        let settings = ProductionSettings(risk: .init(medium: 5, high: 10), qa: .init(autoPassLowRisk: true))
        try await withLoop([VirtualPrinter(name: "virtual-0", speed: 300)], settings: settings) { rig, slicing, _ in
            let printerID = try await DispatchTests().register(rig, 0)
            #expect(try await DispatchTests().printer(rig, printerID, within: 30) { $0.status == .idle } != nil)
            let intentID = try await order(rig, slicing: slicing)
            let waiting = try await waitFor(20) { () -> Plan? in
                guard let plan = try await rig.store.plans.list(ref: intentID.description, limit: 10).first,
                    let decoded = try? StoreCoding.decoder().decode(Plan.self, from: plan.body),
                    decoded.decisions?.latest(.approvePlan, revision: 1) != nil
                else { return nil }
                return decoded
            }
            let plan = try #require(waiting)
            #expect(plan.status == .draft)
            #expect(plan.decisions?.latest(.approvePlan, revision: 1)?.outcome == .requireApproval(.operator))
            #expect(
                plan.decisions?.latest(.approvePlan, revision: 1)?.explanation
                    == "approvePlan: rule “high-risk part” because risk HIGH → waits for approval by an operator")
            try await Task.sleep(for: .seconds(1))
            #expect(try await rig.store.runs.all().isEmpty, "nothing is printed before the approval")

            let operatorContext = CommandContext(
                actor: EventActor(.user, "ada"), reason: .operatorRequest, note: "checked the orientation", time: Date()
            )
            _ = try await rig.store.plans.execute(
                .approve(revision: 1), id: plan.id.description, context: operatorContext)
            let done = try #require(try await runs(rig, within: 60) { $0.first?.status == .completed })
            #expect(done.first?.risk?.level == .high)
            try await Task.sleep(for: .seconds(1))
            #expect(
                try await rig.store.runs.get(id: done[0].id.description)?.model.qa == .pending,
                "a HIGH-risk run is not auto-passed")
            #expect(try await rig.store.intents.get(id: intentID.description)?.model.status == .inProduction)
            _ = try await rig.store.runs.execute(
                .inspect(planID: plan.id, passed: true), id: done[0].id.description, context: operatorContext)
            let shipped = try await waitFor(10) {
                try await rig.store.intents.get(id: intentID.description)?.model.status == .readyToShip ? true : nil
            }
            #expect(shipped == true)
        }
    }

    @Test("a degraded printer gets no dispatch; once an operator clears it the waiting run goes to it")
    func degradedPrinterWaits() async throws {
        try await withLoop(
            [VirtualPrinter(name: "virtual-0", speed: 300)],
            settings: ProductionSettings(qa: .init(autoPassLowRisk: true))
        ) { rig, slicing, production in
            let printerID = try await DispatchTests().register(rig, 0)
            #expect(try await DispatchTests().printer(rig, printerID, within: 30) { $0.status == .idle } != nil)
            _ = try await rig.store.printers.execute(
                .markDegraded(reason: "nozzle clogged twice"), id: printerID.description, context: context)
            let intentID = try await order(rig, slicing: slicing)
            let approved = try await waitFor(20) { () -> Bool? in
                guard let row = try await rig.store.plans.list(ref: intentID.description, limit: 10).first,
                    let plan = try? StoreCoding.decoder().decode(Plan.self, from: row.body), plan.status == .approved
                else { return nil }
                return true
            }
            #expect(approved == true)
            try await Task.sleep(for: .seconds(3))
            #expect(try await rig.store.runs.all().isEmpty, "the only printer is degraded: nothing is scheduled")
            _ = try await rig.store.printers.execute(.clearDegraded, id: printerID.description, context: context)
            let done = try await runs(rig, within: 60) { $0.first?.status == .completed }
            #expect(done?.first?.printerID == printerID)
        }
    }

    @Test("a crash after the loop scheduled a run and a restart of loop and fleet print it once, under the same run")
    func restartPrintsOnce() async throws {
        let rig = try await FleetRig(VirtualPrinter(name: "virtual-0", speed: 300), startFleet: false)
        let slicing = SliceService(store: rig.store, artifacts: rig.artifacts, slicerPath: nil, concurrency: 1)
        let settings = ProductionSettings(qa: .init(autoPassLowRisk: true))
        let first = loop(rig, slicing, settings)
        let crashed = Task { try await first.run() }
        var restarted: Task<Void, any Error>?
        do {
            let printerID = try await DispatchTests().register(rig, 0)
            // Without a fleet the printer is never seen idle; tell the loop it is, as a previous process had seen.
            _ = try await rig.store.printers.execute(
                .observe(.idle, message: nil), id: printerID.description, context: context)
            let intentID = try await order(rig, slicing: slicing)
            let scheduled = try #require(try await runs(rig, within: 60) { $0.count == 1 })
            crashed.cancel()
            _ = await crashed.result
            await rig.restartFleet()
            let second = loop(rig, slicing, settings)
            restarted = Task { try await second.run() }
            let shipped = try await waitFor(60) {
                try await rig.store.intents.get(id: intentID.description)?.model.status == .readyToShip ? true : nil
            }
            #expect(shipped == true)
            let runs = try await rig.store.runs.all()
            #expect(runs.map(\.id) == [scheduled[0].id], "the restarted loop planned no second run")
            #expect(try await rig.store.plates.all().count == 1)
            #expect(
                try await DispatchTests().jobs(rig, 0, scheduled[0].id).map(\.status) == ["completed"],
                "printed exactly once")
        } catch {
            crashed.cancel()
            restarted?.cancel()
            await rig.stop()
            throw error
        }
        restarted?.cancel()
        await rig.stop()
    }

    @Test("a QA failure is reprinted by the loop, and the order is ready once the reprint passes")
    func qaFailureReprinted() async throws {
        try await withLoop([VirtualPrinter(name: "virtual-0", speed: 300)]) { rig, slicing, production in
            let printerID = try await DispatchTests().register(rig, 0)
            #expect(try await DispatchTests().printer(rig, printerID, within: 30) { $0.status == .idle } != nil)
            let intentID = try await order(rig, slicing: slicing)
            let first = try #require(try await runs(rig, within: 60) { $0.first?.status == .completed }).first!
            let inspector = CommandContext(
                actor: EventActor(.user, "ada"), reason: QAReason.layerShift.reasonCode, note: "shifted at 12 mm",
                time: Date())
            let planID = first.items[0].planID
            _ = try await rig.store.runs.execute(
                .inspect(planID: planID, passed: false, code: .layerShift), id: first.id.description, context: inspector
            )
            let again = try #require(
                try await runs(rig, within: 60) { $0.count == 2 && $0.last?.status == .completed },
                "the failed part was reprinted")
            #expect(again.last?.risk?.factors.contains { $0.code == "history.planFailures" } == true)
            let plan = try #require(try await rig.store.plans.get(id: planID.description)?.model)
            #expect(plan.decisions?.latest(.reprint, revision: 1)?.outcome == .autoAdvance)
            #expect(
                try await rig.store.intents.get(id: intentID.description)?.model.status == .inProduction,
                "the reprint waits for QA")
            _ = try await rig.store.runs.execute(
                .inspect(planID: planID, passed: true), id: again[1].id.description, context: inspector)
            let shipped = try await waitFor(10) {
                try await rig.store.intents.get(id: intentID.description)?.model.status == .readyToShip ? true : nil
            }
            #expect(shipped == true)
        }
    }

    @Test(
        "the printer's Moonraker drops every connection mid-print: the farm reconnects, the run goes on and is printed once"
    )
    func connectionLostMidPrint() async throws {
        let machine = VirtualPrinter(name: "virtual-0", speed: 60)
        try await withLoop([machine], settings: ProductionSettings(qa: .init(autoPassLowRisk: true))) {
            rig, slicing, production in
            let printerID = try await DispatchTests().register(rig, 0)
            #expect(try await DispatchTests().printer(rig, printerID, within: 30) { $0.status == .idle } != nil)
            let intentID = try await order(rig, slicing: slicing)
            let printing = try #require(try await runs(rig, within: 60) { ($0.first?.progress?.fraction ?? 0) > 0.05 })
                .first!
            await machine.inject(.disconnect)
            let shipped = try await waitFor(90) {
                try await rig.store.intents.get(id: intentID.description)?.model.status == .readyToShip ? true : nil
            }
            #expect(shipped == true)
            #expect(try await rig.store.runs.all().map(\.id) == [printing.id], "no second run")
            #expect(
                try await DispatchTests().jobs(rig, 0, printing.id).map(\.status) == ["completed"],
                "printed exactly once")
            let observed = try await rig.store.events.read(stream: PrinterDecider.stream(printerID.description)).filter
            { $0.type == "printfarm.printer.stateObserved.v1" }
            #expect(
                observed.contains { String(decoding: $0.data, as: UTF8.self).contains("\"offline\"") },
                "the drop was seen")
        }
    }

    @Test(
        """
        a printer holding another material gets a changeover task, not the print; once a person confirms it the \
        printer holds PLA and prints the order; the loop's plan shows the plate on it
        """)
    func changeoverConfirmed() async throws {
        try await withLoop(
            [VirtualPrinter(name: "virtual-0", speed: 300)],
            settings: ProductionSettings(qa: .init(autoPassLowRisk: true))
        ) { rig, slicing, production in
            let printerID = try await DispatchTests().register(rig, 0)
            _ = try await rig.store.printers.execute(
                .loadMaterial(LoadedMaterial(material: "PETG", colour: "black")), id: printerID.description,
                context: context)
            #expect(try await DispatchTests().printer(rig, printerID, within: 30) { $0.status == .idle } != nil)
            let intentID = try await order(rig, slicing: slicing)
            let asked = try #require(
                try await DispatchTests().printer(rig, printerID, within: 120) { $0.changeover != nil }?.changeover)
            #expect(asked.steps == ["load PLA"], "\(asked)")
            #expect(try await rig.store.runs.all().isEmpty, "nothing prints before the changeover")
            // The next pass plans the plate as waiting on the printer for the changeover.
            let planned = try #require(
                try await waitFor(30) { () -> FarmSchedule.ScheduledPrint? in
                    guard let first = await production.schedule?.printers.first?.prints.first, first.awaitingChangeover
                    else { return nil }
                    return first
                })
            #expect(planned.intent == intentID)
            let person = CommandContext(actor: EventActor(.user, "ada"), reason: .operatorRequest, time: Date())
            _ = try await rig.store.printers.execute(
                .confirmChangeover(nil), id: printerID.description, context: person)
            let printer = try #require(try await rig.store.printers.get(id: printerID.description)?.model)
            #expect(printer.loadedMaterial == LoadedMaterial(material: "PLA"))
            let shipped = try await waitFor(120) {
                try await rig.store.intents.get(id: intentID.description)?.model.status == .readyToShip ? true : nil
            }
            #expect(shipped == true)
            #expect(try await rig.store.runs.all().map(\.printerID) == [printerID])
            let types = try await rig.store.events.read(stream: PrinterDecider.stream(printerID.description)).map(
                \.type)
            #expect(
                types.filter { $0.contains("changeover") } == [
                    "printfarm.printer.changeoverRequested.v1", "printfarm.printer.changeoverConfirmed.v1",
                ])
        }
    }
}
