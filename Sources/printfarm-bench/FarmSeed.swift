import FarmDomain
import FarmStore
import Foundation

/// A large farm in the store for the benchmarks that need one: registered printers, a long history of finished
/// runs (with plates, passed QA), and open orders in production, each with a run printing.
enum FarmSeed {
    static let context = CommandContext(actor: EventActor(.system, "bench"), reason: "bench.seed", time: Date())

    static func farm(_ store: Store, printers: Int, runs: Int, orders: Int) async throws -> (
        printers: [PrinterID], printing: [RunID], events: Int
    ) {
        var printerIDs: [PrinterID] = []
        for index in 0..<printers {
            let id = PrinterID(SystemIDs.uuidv7())
            let capabilities = PrinterCapabilities(buildVolume: BuildVolume(x: 250, y: 210, z: 220), materials: ["PLA"])
            _ = try await store.printers.execute(
                .register(
                    id,
                    PrinterRegistration(
                        name: "p\(index)", connector: .virtual, address: "http://127.0.0.1:9",
                        capabilities: capabilities)), id: id.description,
                context: context)
            printerIDs.append(id)
        }
        let events = try await Replay.seed(store, runs: runs, printerIDs: printerIDs, inspected: true)
        _ = try await store.projections.rebuild()
        var printing: [RunID] = []
        for index in 0..<orders {
            let plan = try await order(store)
            printing.append(try await run(store, plan: plan, on: printerIDs[index % printers], finished: false))
        }
        return (printerIDs, printing, events)
    }

    /// An order in production with one plan; returns the plan.
    static func order(_ store: Store, due: Date? = nil) async throws -> PlanID {
        let intent = IntentID(SystemIDs.uuidv7())
        let plan = PlanID(SystemIDs.uuidv7())
        let item = LineItem(
            id: LineItemID(SystemIDs.uuidv7()), modelArtifact: String(repeating: "a", count: 64), quantity: 1,
            material: "PLA")
        var draft = IntentDraft(source: .api, lineItems: [item])
        draft.dueDate = due
        for command: IntentCommand in [
            .receive(intent, draft), .recordPreflight(.pass, findings: []), .accept, .startProduction,
        ] {
            _ = try await store.intents.execute(command, id: intent.description, context: context)
        }
        _ = try await store.plans.execute(
            .create(plan, intentID: intent, lineItemID: item.id, spec: PlanSpec(profile: "pla@1")),
            id: plan.description, context: context)
        return plan
    }

    /// A run of `plan` printing on `printer`, or completed (then waiting for QA).
    static func run(_ store: Store, plan: PlanID, on printer: PrinterID, finished: Bool) async throws -> RunID {
        let run = RunID(SystemIDs.uuidv7())
        var commands: [RunCommand] = [
            .schedule(
                run, plateID: BuildPlateID(SystemIDs.uuidv7()), printerID: printer,
                items: [PlateItem(planID: plan, revision: 1)]),
            .beginDispatch(token: "t"), .confirmStarted(token: "t"),
            .reportProgress(RunProgress(fraction: 0.3, layer: 30, totalLayers: 100, remainingSeconds: 3600)),
        ]
        if finished { commands.append(.complete) }
        for command in commands { _ = try await store.runs.execute(command, id: run.description, context: context) }
        return run
    }
}
