import FarmArtifacts
import FarmStore
import Foundation
import Logging
import Testing

@testable import FarmDomain
@testable import FarmProduction
@testable import FarmServer

/// What the production loop holds of the runs: the logic alone, runs made by hand.
@Suite("Run working set")
struct RunWorkingSetTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let printer = PrinterID(UUID())

    func run(_ status: RunStatus, plan: PlanID, ended minutes: Double, passed: Bool? = nil, id: RunID = RunID(UUID()))
        -> Run
    {
        let end = now.addingTimeInterval(minutes * 60)
        return Run(
            id: id, plateID: BuildPlateID(UUID()), printerID: printer, items: [PlateItem(planID: plan, revision: 1)],
            status: status,
            dispatchToken: nil, progress: nil, failure: nil,
            inspections: passed.map { [ItemInspection(planID: plan, passed: $0, reason: nil, at: end)] } ?? [],
            risk: nil,
            scheduledAt: end.addingTimeInterval(-600), startedAt: nil, endedAt: status.isTerminal ? end : nil,
            updatedAt: end)
    }

    @Test(
        "a finished run of a closed plan is held only while it is among its printer's last finished runs"
    )
    func recentPerPrinter() {
        var set = RunWorkingSet(keepPerPrinter: 3, tracking: [])
        let old = (0..<5).map { run($0 == 1 ? .failed : .completed, plan: PlanID(UUID()), ended: Double($0) * 60) }
        for (index, run) in old.enumerated() { set.absorb(run, version: index + 1) }
        #expect(Set(set.held.map(\.id)) == Set(old.suffix(3).map(\.id)))
        // A cancelled run is not an outcome: it does not push a finished one out.
        set.absorb(run(.cancelled, plan: PlanID(UUID()), ended: 400), version: 1)
        #expect(Set(set.held.map(\.id)) == Set(old.suffix(3).map(\.id)))
    }

    @Test(
        "every run of a tracked plan is held, however old; when the plan closes its finished runs go, its unfinished ones stay"
    )
    func trackedPlans() {
        let plan = PlanID(UUID())
        var set = RunWorkingSet(keepPerPrinter: 1, tracking: [plan])
        let failed = run(.failed, plan: plan, ended: 0)
        let printing = run(.printing, plan: plan, ended: 0)
        set.absorb(failed, version: 3)
        for minutes in 1...4 {
            set.absorb(run(.completed, plan: PlanID(UUID()), ended: Double(minutes) * 60), version: 1)
        }
        set.absorb(printing, version: 2)
        #expect(set.held.contains { $0.id == failed.id })
        #expect(set.held.contains { $0.id == printing.id })
        #expect(set.held.count == 3)
        set.keepTracking(only: [])
        #expect(!set.held.contains { $0.id == failed.id })
        #expect(set.held.contains { $0.id == printing.id })
        #expect(set.tracked.isEmpty)
        let later = PlanID(UUID())
        set.track(later)
        #expect(set.tracked == [later])
    }

    @Test("an older copy never replaces a newer one; a QA pass is reported once")
    func versions() {
        let plan = PlanID(UUID())
        var set = RunWorkingSet(keepPerPrinter: 2, tracking: [plan])
        let id = RunID(UUID())
        let started = set.absorb(run(.printing, plan: plan, ended: 0, id: id), version: 4)
        let passed = set.absorb(run(.completed, plan: plan, ended: 0, passed: true, id: id), version: 6)
        let stale = set.absorb(run(.printing, plan: plan, ended: 0, id: id), version: 5)
        #expect(!started && passed && !stale)
        #expect(set.held.first?.status == .completed)
        #expect(set.version(of: id) == 6)
        let again = set.absorb(run(.completed, plan: plan, ended: 0, passed: true, id: id), version: 7)
        #expect(!again, "a later change of a run that had passed is no new pass")
    }
}

/// The production loop's reading of the farm on the real stores: after changes of every kind, what it caught up
/// from the event log is what a loop reading everything afresh sees.
@Suite("Production loop reading")
struct LoopReadingTests {
    let context = CommandContext(actor: .cli, reason: .operatorRequest, time: Date())
    let printer = PrinterID(SystemIDs.uuidv7())

    /// An order in production with one plan.
    func order(_ store: Store) async throws -> (intent: IntentID, plan: PlanID) {
        let id = IntentID(SystemIDs.uuidv7())
        let plan = PlanID(SystemIDs.uuidv7())
        let item = LineItem(
            id: LineItemID(SystemIDs.uuidv7()), modelArtifact: String(repeating: "a", count: 64), quantity: 1,
            material: "PLA")
        for command: IntentCommand in [
            .receive(id, IntentDraft(source: .api, lineItems: [item])), .recordPreflight(.pass, findings: []), .accept,
            .startProduction,
        ] {
            _ = try await store.intents.execute(command, id: id.description, context: context)
        }
        _ = try await store.plans.execute(
            .create(plan, intentID: id, lineItemID: item.id, spec: PlanSpec(profile: "pla@1")), id: plan.description,
            context: context)
        return (id, plan)
    }

    /// A run of `plan` on a frozen plate, taken as far as `status`.
    @discardableResult
    func run(_ store: Store, _ plan: PlanID, _ status: RunStatus, passed: Bool? = nil, gcode: String = "gcode-a")
        async throws -> RunID
    {
        let id = RunID(SystemIDs.uuidv7())
        let plate = BuildPlateID(SystemIDs.uuidv7())
        let items = [PlateItem(planID: plan, revision: 1)]
        _ = try await store.plates.execute(.compose(plate, items: items), id: plate.description, context: context)
        _ = try await store.plates.execute(.freeze(gcodeArtifact: gcode), id: plate.description, context: context)
        var commands: [RunCommand] = [.schedule(id, plateID: plate, printerID: printer, items: items)]
        if status != .scheduled { commands += [.beginDispatch(token: "t"), .confirmStarted(token: "t")] }
        if status == .completed { commands.append(.complete) }
        if status == .failed { commands.append(.fail) }
        if let passed { commands.append(.inspect(planID: plan, passed: passed, code: passed ? nil : .surface)) }
        for command in commands { _ = try await store.runs.execute(command, id: id.description, context: context) }
        return id
    }

    func loop(_ store: Store, _ directory: URL) throws -> ProductionLoop {
        let artifacts = try ArtifactStore(root: directory.appendingPathComponent("artifacts"))
        return ProductionLoop(
            store: store, slicing: SliceService(store: store, artifacts: artifacts, slicerPath: nil, concurrency: 1),
            fleet: nil,
            settings: ProductionSettings(), now: { Date() }, logger: Logger(label: "loop"))
    }

    @Test(
        "the catch-up sees what a full read sees: new runs, finished runs, QA verdicts, new plans, closed orders",
        arguments: TestEngine.allCases)
    func catchUpAgreesWithFullRead(engine: TestEngine) async throws {
        let (storage, directory) = try location(engine)
        let store = try await Store.open(storage, logger: Logger(label: "test"))
        do {
            let first = try await order(store)
            let old = PlanID(SystemIDs.uuidv7())
            for index in 0..<12 {
                try await run(
                    store, old, index % 5 == 0 ? .failed : .completed, passed: index % 5 == 0 ? nil : true,
                    gcode: "gcode-old")
            }
            let failedEarly = try await run(store, first.plan, .failed)
            let reading = try loop(store, directory)
            let before = try await reading.snapshot()
            #expect(before.runs.contains { $0.id == failedEarly })
            // The printer's last ten finished runs: nine of the closed plan's twelve and the open plan's failure.
            #expect(before.runs.count == 10)
            #expect(before.provenGCode == ["gcode-old"])

            let reprint = try await run(store, first.plan, .printing)
            let second = try await order(store)
            let passed = try await run(store, second.plan, .completed, passed: true, gcode: "gcode-b")
            try await run(store, old, .scheduled)
            _ = try await store.runs.execute(.complete, id: reprint.description, context: context)
            let during = try await reading.snapshot()
            #expect(during.runs.contains { $0.id == reprint && $0.status == .completed })
            #expect(during.runs(of: second.plan).map(\.id) == [passed])
            #expect(during.provenGCode == ["gcode-old", "gcode-b"])

            _ = try await store.intents.execute(.markReadyToShip, id: first.intent.description, context: context)
            let after = try await reading.snapshot()
            let fresh = try await loop(store, directory).snapshot()
            #expect(Set(after.runs.map(\.id)) == Set(fresh.runs.map(\.id)))
            // The printer's last ten finished runs (seven old, the early failure, the pass, the reprint) and the one scheduled.
            #expect(after.runs.count == 11)
            #expect(after.runs.map(\.status) == fresh.runs.map(\.status))
            #expect(after.provenGCode == fresh.provenGCode)
            #expect(await reading.fullReads == 1)
        } catch {
            await store.shutdown()
            throw error
        }
        await store.shutdown()
    }
}
