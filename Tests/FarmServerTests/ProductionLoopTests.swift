import FarmArtifacts
import FarmDomain
@testable import FarmServer
import FarmStore
import Foundation
import Logging
import PrinterLink
import Testing
import VirtualPrinter

/// The production loop end to end: the real PrusaSlicer, a virtual printer speaking Moonraker, the real store.
@Suite("Production loop", .serialized)
struct ProductionLoopTests {
    let context = CommandContext(actor: .cli, reason: .operatorRequest, time: Date())

    /// A model uploaded and an order for it, preflighted, with PLA bound to the slicer's default profile.
    func order(_ rig: FleetRig, slicing: SliceService, quantity: Int = 1) async throws -> IntentID {
        let (profile, _, _) = try await slicing.storeProfile(text: try await SliceAPITests.profileText(), name: "pla.ini", context: context, correlationID: nil)
        let binding = ProfileBinding.id(printerModel: "virtual", material: "PLA")
        _ = try await rig.store.profileBindings.execute(.bind(printerModel: "virtual", material: "PLA", profile: profile.version), id: binding, context: context)
        let stored = try rig.artifacts.put(Data(contentsOf: URL(fileURLWithPath: "/usr/share/PrusaSlicer/shapes/box.stl")))
        _ = try await rig.store.artifacts.execute(
            .register(ArtifactUpload(sha256: stored.sha256, size: stored.size, mediaType: "model/stl", name: "box.stl")), id: stored.sha256, context: context)
        let id = IntentID(SystemIDs.uuidv7())
        let item = LineItem(id: LineItemID(SystemIDs.uuidv7()), modelArtifact: stored.sha256, quantity: quantity, material: "PLA")
        _ = try await rig.store.intents.execute(.receive(id, IntentDraft(source: .api, lineItems: [item])), id: id.description, context: context)
        let preflighted = try await IntentPreflighting(store: rig.store, analyst: ModelAnalyst(store: rig.store, artifacts: rig.artifacts))
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

    @Test("an order goes from preflight to a passed part by itself: accepted, planned, approved, sliced, dispatched, printed, auto-passed, ready to ship")
    func happyPath() async throws {
        let rig = try await FleetRig(VirtualPrinter(name: "virtual-0", speed: 300))
        let slicing = SliceService(store: rig.store, artifacts: rig.artifacts, slicerPath: nil, concurrency: 1)
        let loop = ProductionLoop(
            store: rig.store, slicing: slicing, fleet: rig.fleet, settings: ProductionSettings(qa: .init(autoPassLowRisk: true)), now: { Date() },
            logger: Logger(label: "loop"), interval: .milliseconds(200))
        let running = Task { try await loop.run() }
        do {
            let printerID = try await DispatchTests().register(rig, 0)
            #expect(try await DispatchTests().printer(rig, printerID, within: 30) { $0.status == .idle } != nil)
            let intentID = try await order(rig, slicing: slicing)
            let shipped = try await waitFor(120) { () -> Intent? in
                guard let intent = try await rig.store.intents.get(id: intentID.description)?.model, intent.status == .readyToShip else { return nil }
                return intent
            }
            let last = try await rig.store.intents.get(id: intentID.description)?.model
            let intent = try #require(shipped, "the order did not reach readyToShip: \(String(describing: last?.status)) \(last?.statusReasons ?? [])")
            #expect(intent.decisions?.latest(.acceptIntent)?.outcome == .autoAdvance)
            #expect(intent.decisions?.latest(.acceptIntent)?.risk?.level == .low)

            let types = try await rig.store.events.read(stream: IntentDecider.stream(intentID.description)).map(\.type)
            #expect(types == ["received", "preflighted", "gateDecided", "accepted", "productionStarted", "readyToShip"].map { "printfarm.intent.\($0).v1" })
            let plan = try #require(try await rig.store.plans.list(ref: intentID.description, limit: 10).first)
            let planEvents = try await rig.store.events.read(stream: PlanDecider.stream(plan.id))
            #expect(planEvents.map(\.type).contains("printfarm.plan.revisionApproved.v1"))
            #expect(planEvents.filter { $0.type == "printfarm.plan.gateDecided.v1" }.count >= 3, "approvePlan, slice and dispatch decisions are recorded")
            #expect(planEvents.allSatisfy { $0.actor == "policy:production" })

            let runs = try await rig.store.runs.all()
            #expect(runs.count == 1, "one run for one copy")
            let run = try #require(runs.first)
            #expect(run.status == .completed)
            #expect(run.qa == .passed)
            #expect(run.risk?.level == .low)
            let inspection = try await rig.store.events.read(stream: RunDecider.stream(run.id.description)).last
            #expect(inspection?.type == "printfarm.run.itemInspected.v1")
            #expect(inspection?.reason == "qa.passed")
            #expect(try await DispatchTests().jobs(rig, 0, run.id).map(\.status) == ["completed"], "printed exactly once")
        } catch {
            running.cancel()
            await rig.stop()
            throw error
        }
        running.cancel()
        await rig.stop()
    }
}
