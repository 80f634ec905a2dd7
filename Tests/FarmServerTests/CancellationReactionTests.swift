import FarmDomain
import FarmReactions
import FarmStore
import Foundation
import Logging
import Testing

@testable import FarmServer

@Suite("Cancellation as a reaction")
struct CancellationReactionTests {
    @Test(
        "cancelling an order cancels its runs that have not started, and no other order's",
        arguments: TestEngine.allCases)
    func cascade(engine: TestEngine) async throws {
        try await withFarm(engine) { farm in
            let store = farm.store
            let context = CommandContext(actor: EventActor(.user, "ada"), reason: .operatorRequest, time: Date())
            func order() async throws -> (IntentID, LineItemID) {
                let id = IntentID(SystemIDs.uuidv7())
                let item = LineItemID(SystemIDs.uuidv7())
                _ = try await store.intents.execute(
                    .receive(
                        id, IntentDraft(source: .shopify, lineItems: [LineItem(id: item, quantity: 1, material: "PLA")])
                    ),
                    id: id.description, context: context)
                return (id, item)
            }
            func scheduledRun(for intent: IntentID, _ item: LineItemID) async throws -> RunID {
                let plan = PlanID(SystemIDs.uuidv7())
                _ = try await store.plans.execute(
                    .create(
                        plan, intentID: intent, lineItemID: item,
                        spec: PlanSpec(profile: "pla@1", requirements: PrinterRequirements(material: "PLA"))),
                    id: plan.description, context: context)
                let run = RunID(SystemIDs.uuidv7())
                _ = try await store.runs.execute(
                    .schedule(
                        run, plateID: BuildPlateID(SystemIDs.uuidv7()), printerID: PrinterID(SystemIDs.uuidv7()),
                        items: [PlateItem(planID: plan, revision: 1)]),
                    id: run.description, context: context)
                return run
            }
            let (cancelled, cancelledItem) = try await order()
            let (kept, keptItem) = try await order()
            let doomed = try await scheduledRun(for: cancelled, cancelledItem)
            let other = try await scheduledRun(for: kept, keptItem)
            let reaction = CancellationReaction(store: store, now: { Date() }, logger: Logger(label: "test"))
            #expect(try await reaction.pass() == 0, "nothing cancelled yet")

            _ = try await store.intents.execute(.cancel, id: cancelled.description, context: context)
            #expect(try await reaction.pass() == 1)
            let run = try #require(try await store.runs.get(id: doomed.description)?.model)
            #expect(run.status == .cancelled)
            let events = try await store.events.read(stream: "run-\(doomed)")
            #expect(events.last?.reason == "intent.cancelled" && events.last?.actor == "system:cancellation")
            #expect(try await store.runs.get(id: other.description)?.model.status == .scheduled)
            #expect(try await reaction.pass() == 0, "handled once")
        }
    }
}
