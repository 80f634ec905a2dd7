import FarmArtifacts
import FarmDomain
import FarmIntake
import FarmReactions
import FarmStore
import Foundation
import Logging
import MeshTestSupport
import Testing

@testable import FarmServer

@Suite("Preflight as a reaction")
struct PreflightReactionTests {
    @Test(
        "an intent that arrives without the API (straight into the store) is preflighted by the reaction, once",
        arguments: TestEngine.allCases)
    func reaction(engine: TestEngine) async throws {
        try await withFarm(engine) { farm in
            try await farm.registerPrinter("mk3", x: 250, y: 210, z: 210)
            let uploaded = try await farm.upload(MeshFixtures.binarySTL(MeshFixtures.cube(size: 20)), name: "cube.stl")
            let sha = try #require(uploaded.json["sha256"] as? String)
            let context = CommandContext(actor: EventActor(.system, "shop"), reason: .shopReleased, time: Date())
            let id = IntentID(SystemIDs.uuidv7())
            let item = LineItem(id: LineItemID(SystemIDs.uuidv7()), modelArtifact: sha, quantity: 1, material: "PLA")
            _ = try await farm.store.intents.execute(
                .receive(id, IntentDraft(source: .shopify, lineItems: [item])), id: id.description, context: context)
            #expect(try await farm.store.intents.get(id: id.description)?.model.preflight == nil)

            func reaction() throws -> PreflightReaction {
                let artifacts = try ArtifactStore(root: farm.dataDirectory.appendingPathComponent("artifacts"))
                return PreflightReaction(
                    store: farm.store,
                    preflighting: IntentPreflighting(
                        store: farm.store, analyst: ModelAnalyst(store: farm.store, artifacts: artifacts)),
                    now: { Date() }, logger: Logger(label: "test"))
            }
            #expect(try await reaction().pass() == 1)
            let intent = try #require(try await farm.store.intents.get(id: id.description)?.model)
            #expect(intent.status == .preflighted && intent.preflight == .pass)
            let events = try await farm.store.events.read(stream: "intent-\(id)")
            #expect(events.last?.actor == "system:preflight")
            #expect(try await reaction().pass() == 0, "a restarted reaction goes on from its cursor")

            // Intents the API preflighted are left alone: the reaction finds them done.
            let created = try await farm.request(
                .post, "/api/v1/intents",
                json: #"{"lineItems":[{"quantity":1,"material":"PLA","modelArtifact":"\#(sha)"}]}"#)
            #expect(created.status == .created)
            let before = try await farm.store.events.headSequence()
            #expect(try await reaction().pass() == 1)
            #expect(try await farm.store.events.headSequence() == before, "nothing new recorded")
        }
    }
}
