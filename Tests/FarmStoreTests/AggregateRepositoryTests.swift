import Foundation
import Testing

@testable import FarmDomain
@testable import FarmStore

@Suite("Aggregates on the store")
struct AggregateRepositoryTests {
    static func draft(_ material: String = "PETG") -> IntentDraft {
        IntentDraft(source: .api, lineItems: [LineItem(id: LineItemID(UUID()), quantity: 1, material: material)])
    }

    @Test("a command appends its events and updates the read model in the same step", arguments: TestEngine.allCases)
    func execute(engine: TestEngine) async throws {
        try await withStore(engine) { store in
            let id = IntentID(UUID())
            let created = try await store.intents.execute(
                .receive(id, Self.draft()), id: id.description, context: testContext, correlationID: "c1")
            #expect(created.version == 1)
            #expect(created.events.map(\.type) == ["printfarm.intent.received.v1"])
            #expect(created.events.first?.correlationID == "c1")
            let accepted = try await store.intents.execute(
                .accept, id: id.description, expectedVersion: 1, context: testContext)
            #expect(accepted.version == 2)
            #expect(accepted.model.status == .accepted)
            let row = try #require(try await store.intents.row(id: id.description))
            #expect(row.version == 2)
            #expect(row.status == "accepted")
            #expect(try await store.intents.get(id: id.description)?.model == accepted.model)
            let events = try await store.events.read(stream: IntentDecider.stream(id))
            #expect(events.map(\.reason) == ["operator.request", "operator.request"])
            #expect(events.map(\.actor) == ["user:ada", "user:ada"])
        }
    }

    @Test(
        """
        a repeated command appends nothing; a stale expected version and an illegal command are refused and change \
        nothing
        """,
        arguments: TestEngine.allCases)
    func refusals(engine: TestEngine) async throws {
        try await withStore(engine) { store in
            let id = IntentID(UUID())
            let draft = Self.draft()
            _ = try await store.intents.execute(.receive(id, draft), id: id.description, context: testContext)
            let again = try await store.intents.execute(.receive(id, draft), id: id.description, context: testContext)
            #expect(again.events.isEmpty)
            _ = try await store.intents.execute(.accept, id: id.description, context: testContext)
            await #expect(
                throws: StoreError.concurrencyConflict(stream: IntentDecider.stream(id), expected: 1, actual: 2)
            ) {
                try await store.intents.execute(.cancel, id: id.description, expectedVersion: 1, context: testContext)
            }
            await #expect(
                throws: DomainError.illegalTransition(aggregate: "intent", command: "ship", state: "accepted")
            ) {
                try await store.intents.execute(.ship(), id: id.description, context: testContext)
            }
            #expect(try await store.intents.row(id: id.description)?.version == 2)
            #expect(try await store.events.read(stream: IntentDecider.stream(id)).count == 2)
        }
    }

    @Test(
        """
        lists page through rows in creation order, filtered by status, parent or link (a run's plans, kept through \
        a rebuild); newest first for a parent
        """,
        arguments: TestEngine.allCases)
    func list(engine: TestEngine) async throws {
        try await withStore(engine) { store in
            let printers = [PrinterID(SystemIDs.uuidv7()), PrinterID(SystemIDs.uuidv7())]
            let plans = [PlanID(UUID()), PlanID(UUID())]
            var ids: [RunID] = []
            for index in 0..<5 {
                let id = RunID(SystemIDs.uuidv7())
                ids.append(id)
                _ = try await store.runs.execute(
                    .schedule(
                        id, plateID: BuildPlateID(UUID()), printerID: printers[index % 2],
                        items: [PlateItem(planID: plans[index / 3], revision: 1)]),
                    id: id.description, context: testContext)
            }
            #expect(
                try await store.runs.allVersioned(linkedTo: plans[1].description).map(\.model.id) == [ids[3], ids[4]])
            #expect(
                try await store.runs.allVersioned(after: ids[0].description, linkedTo: plans[0].description).map(
                    \.model.id) == [ids[1], ids[2]])
            #expect(try await store.runs.allVersioned(linkedTo: UUID().uuidString.lowercased()).isEmpty)
            // The links are part of the read models: a rebuild makes them again.
            _ = try await store.projections.rebuild()
            #expect(
                try await store.runs.allVersioned(linkedTo: plans[1].description).map(\.model.id) == [ids[3], ids[4]])
            #expect(
                try await store.runs.newest(ref: printers[0].description, limit: 2).map(\.model.id) == [ids[4], ids[2]])
            _ = try await store.runs.execute(.cancel, id: ids[4].description, context: testContext)
            let outcomes = try await store.runs.newestStatuses(
                of: printers.map(\.description), among: ["scheduled", "cancelled"], limit: 5)
            #expect(outcomes[printers[0].description]?.map(\.status) == ["cancelled", "scheduled", "scheduled"])
            #expect(outcomes[printers[0].description]?.map(\.id) == [ids[4], ids[2], ids[0]].map(\.description))
            #expect(outcomes[printers[1].description]?.map(\.status) == ["scheduled", "scheduled"])
            let newest = try await store.runs.newestStatuses(
                of: printers.map(\.description), among: ["scheduled"], limit: 1)
            #expect(
                newest[printers[0].description]?.map(\.id) == [ids[2].description],
                "each printer's newest of the statuses asked for")
            #expect(newest[printers[1].description]?.map(\.id) == [ids[3].description])
            let firstPage = try await store.runs.list(limit: 2)
            #expect(firstPage.map(\.id) == ids.prefix(2).map(\.description))
            let secondPage = try await store.runs.list(after: firstPage.last?.id, limit: 10)
            #expect(secondPage.map(\.id) == ids.dropFirst(2).map(\.description))
            #expect(try await store.runs.list(status: "cancelled", limit: 10).map(\.id) == [ids[4].description])
            #expect(
                try await store.runs.list(ref: printers[1].description, limit: 10).map(\.id) == [
                    ids[1].description, ids[3].description,
                ])
        }
    }

    @Test(
        "a completed run waits in the QA queue until every item is inspected; a rebuild puts it back there",
        arguments: TestEngine.allCases)
    func qaQueue(engine: TestEngine) async throws {
        try await withStore(engine) { store in
            let plans = [PlanID(UUID()), PlanID(UUID())]
            var ids: [RunID] = []
            for _ in 0..<3 {
                let id = RunID(SystemIDs.uuidv7())
                ids.append(id)
                for command: RunCommand in [
                    .schedule(
                        id, plateID: BuildPlateID(UUID()), printerID: PrinterID(UUID()),
                        items: plans.map { PlateItem(planID: $0, revision: 1) }),
                    .beginDispatch(token: "t"), .confirmStarted(token: "t"), .complete,
                ] {
                    _ = try await store.runs.execute(command, id: id.description, context: testContext)
                }
            }
            func waiting() async throws -> [String] {
                try await store.runs.list(queue: ReadQueue.qa, limit: 10).map(\.id)
            }
            #expect(try await waiting() == ids.map(\.description))
            // One item of two inspected: still waiting; both: out of the queue, whatever the verdict.
            _ = try await store.runs.execute(
                .inspect(planID: plans[0], passed: true), id: ids[0].description, context: testContext)
            #expect(try await waiting() == ids.map(\.description))
            _ = try await store.runs.execute(
                .inspect(planID: plans[1], passed: false, code: .warping), id: ids[0].description, context: testContext)
            #expect(try await waiting() == ids.dropFirst().map(\.description))
            _ = try await store.projections.rebuild()
            #expect(try await waiting() == ids.dropFirst().map(\.description))
        }
    }

    @Test(
        "rebuilding the projections from the events gives exactly the live read models", arguments: TestEngine.allCases)
    func rebuild(engine: TestEngine) async throws {
        try await withStore(engine) { store in
            try await FarmScenario.populate(store)
            func snapshot() async throws -> [String: [ReadModelRow]] {
                [
                    "intents": try await store.intents.list(limit: 1000),
                    "plans": try await store.plans.list(limit: 1000),
                    "plates": try await store.plates.list(limit: 1000), "runs": try await store.runs.list(limit: 1000),
                    "printers": try await store.printers.list(limit: 1000),
                ]
            }
            let live = try await snapshot()
            #expect(live.values.allSatisfy { !$0.isEmpty })
            // Spoil the read models first, so a rebuild that did nothing would be caught.
            try await store.engine.transaction { db in
                try await db.raw("UPDATE read_runs SET body = '{}', version = 0").run()
            }
            let report = try await store.projections.rebuild()
            #expect(report.events == Int(try await store.events.headSequence()))
            #expect(report.streams == live.values.map(\.count).reduce(0, +))
            #expect(try await snapshot() == live)
        }
    }

    @Test(
        """
        If-Match guards what a person decided on: a printer's observations since do not make it stale, a \
        maintenance change does
        """,
        arguments: TestEngine.allCases)
    func telemetryIsNotStale(engine: TestEngine) async throws {
        try await withStore(engine) { (store: Store) async throws -> Void in
            let printer = PrinterID(UUID())
            let registration = PrinterRegistration(
                name: "mk3s-01", connector: .virtual, address: "http://127.0.0.1:7125",
                capabilities: PrinterCapabilities(buildVolume: BuildVolume(x: 250, y: 210, z: 210)))
            let seen = try await store.printers.execute(
                .register(printer, registration), id: printer.description, context: testContext)
            for state in [ObservedPrinterState.idle, .busy, .idle] {
                _ = try await store.printers.execute(
                    .observe(state, message: nil, job: nil), id: printer.description, context: testContext)
            }
            let started = try await store.printers.execute(
                .startMaintenance, id: printer.description, expectedVersion: seen.version, context: testContext)
            #expect(started.model.status == .maintenance, "three observations came after the version the operator saw")
            await #expect(
                throws: StoreError.concurrencyConflict(
                    stream: PrinterDecider.stream(printer), expected: seen.version, actual: started.version)
            ) {
                _ = try await store.printers.execute(
                    .endMaintenance, id: printer.description, expectedVersion: seen.version, context: testContext)
            }
            await #expect(throws: StoreError.self, "a version from the future is stale too") {
                _ = try await store.printers.execute(
                    .endMaintenance, id: printer.description, expectedVersion: started.version + 1, context: testContext
                )
            }
        }
    }
}

/// A small farm's worth of history touching every aggregate.
enum FarmScenario {
    static func populate(_ store: Store) async throws {
        let intent = IntentID(SystemIDs.uuidv7())
        let item = LineItemID(UUID())
        _ = try await store.intents.execute(
            .receive(
                intent, IntentDraft(source: .upload, lineItems: [LineItem(id: item, quantity: 3, material: "PLA")])),
            id: intent.description, context: testContext)
        _ = try await store.intents.execute(
            .recordPreflight(.pass, findings: []), id: intent.description, context: testContext)
        _ = try await store.intents.execute(.accept, id: intent.description, context: testContext)
        let plan = PlanID(SystemIDs.uuidv7())
        _ = try await store.plans.execute(
            .create(plan, intentID: intent, lineItemID: item, spec: PlanSpec(profile: "p1")), id: plan.description,
            context: testContext)
        _ = try await store.plans.execute(.approve(revision: 1), id: plan.description, context: testContext)
        let printer = PrinterID(SystemIDs.uuidv7())
        _ = try await store.printers.execute(
            .register(
                printer,
                PrinterRegistration(
                    name: "mk3s-01", connector: .virtual, address: "http://127.0.0.1:7125",
                    capabilities: PrinterCapabilities(buildVolume: BuildVolume(x: 250, y: 210, z: 210)))),
            id: printer.description, context: testContext)
        _ = try await store.printers.execute(
            .observe(.idle, message: nil), id: printer.description, context: testContext)
        let plate = BuildPlateID(SystemIDs.uuidv7())
        let items = [PlateItem(planID: plan, revision: 1, copies: 3)]
        _ = try await store.plates.execute(.compose(plate, items: items), id: plate.description, context: testContext)
        _ = try await store.plates.execute(
            .freeze(gcodeArtifact: "sha256:00"), id: plate.description, context: testContext)
        let run = RunID(SystemIDs.uuidv7())
        _ = try await store.runs.execute(
            .schedule(run, plateID: plate, printerID: printer, items: items), id: run.description, context: testContext)
        _ = try await store.runs.execute(.beginDispatch(token: "tok"), id: run.description, context: testContext)
        _ = try await store.runs.execute(.confirmStarted(token: "tok"), id: run.description, context: testContext)
        _ = try await store.runs.execute(
            .reportProgress(RunProgress(fraction: 0.5, layer: 10)), id: run.description, context: testContext)
        _ = try await store.runs.execute(.complete, id: run.description, context: testContext)
        _ = try await store.runs.execute(
            .inspect(planID: plan, passed: true), id: run.description, context: testContext)
    }

}
