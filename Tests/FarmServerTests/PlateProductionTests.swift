import FarmDomain
import FarmFleet
import FarmStore
import Foundation
import Testing
import VirtualPrinter

@testable import FarmProduction
@testable import FarmServer

/// Farm mode end to end: the real PrusaSlicer arranges parts of several orders on one plate, a virtual printer
/// prints it, QA judges each part, and a failed part is reprinted alone.
@Suite("Plates in production", .serialized)
struct PlateProductionTests {
    let loopTests = ProductionLoopTests()
    let operatorContext = CommandContext(actor: EventActor(.user, "ada"), reason: .operatorRequest, time: Date())

    /// Farm mode where three small parts (about 5 % of the bed) release a plate; a sparser one waits an hour.
    var settings: ProductionSettings {
        ProductionSettings(plates: PlateSettings(mode: .farm, releaseFill: 0.04, holdMinutes: 60))
    }

    /// A printer that is ready, and three orders of PLA parts (a box, a cylinder, a pyramid).
    func threeOrders(_ rig: FleetRig, _ slicing: SliceService) async throws -> [IntentID] {
        let printerID = try await DispatchTests().register(rig, 0)
        #expect(try await DispatchTests().printer(rig, printerID, within: 30) { $0.status == .idle } != nil)
        var intents: [IntentID] = []
        for shape in ["box.stl", "cylinder.stl", "pyramid.stl"] {
            intents.append(try await loopTests.order(rig, slicing: slicing, shape: shape))
        }
        return intents
    }

    func plates(_ rig: FleetRig, within seconds: Double, _ matches: @escaping ([BuildPlate]) -> Bool) async throws
        -> [BuildPlate]?
    {
        try await loopTests.waitFor(seconds) { () -> [BuildPlate]? in
            let plates = try await rig.store.plates.all().sorted { $0.createdAt < $1.createdAt }
            return matches(plates) ? plates : nil
        }
    }

    @Test(
        """
        three orders' parts share one plate, sliced once with each object traced to its order, printed in one run; \
        one part failed in QA is reprinted alone and every order is ready to ship
        """
    )
    func threeOrdersOnePlate() async throws {
        try await loopTests.withLoop([VirtualPrinter(name: "virtual-0", speed: 300)], settings: settings) {
            rig, slicing, _ in
            let intents = try await threeOrders(rig, slicing)
            let run = try #require(
                try await loopTests.runs(rig, within: 120) { $0.count == 1 && $0[0].status == .completed },
                "one run prints the plate")[0]
            #expect(run.items.count == 3 && run.items.allSatisfy { $0.copies == 1 })
            let plate = try #require(try await rig.store.plates.get(id: run.plateID.description)?.model)
            #expect(plate.status == .scheduled && plate.runs == [run.id])
            #expect(Set(plate.items.map(\.planID)) == Set(run.items.map(\.planID)))
            // Each object where the slicer put it, traced to its plan; none overlaps another.
            let objects = plate.objects ?? []
            #expect(Set(objects.map(\.planID)) == Set(plate.items.map(\.planID)), "\(objects)")
            #expect(objects.count == 3 && objects.allSatisfy { $0.name.hasPrefix("ITEM") && !$0.name.contains(" ") })
            for (index, a) in objects.enumerated() {
                for b in objects[(index + 1)...] {
                    #expect(a.maxX < b.minX || b.maxX < a.minX || a.maxY < b.minY || b.maxY < a.minY, "\(a) \(b)")
                }
            }
            #expect(plate.estimatedSeconds ?? 0 > 0)
            let plateSlices = try await rig.store.slices.all().filter { $0.inputs.plate != nil }
            #expect(plateSlices.count == 1 && plateSlices[0].gcode == plate.gcodeArtifact, "sliced once, as a plate")

            // QA per part: the second order's part fails, the others pass.
            let planOf = { (intent: IntentID) async throws -> PlanID in
                try #require(
                    try await rig.store.plans.list(ref: intent.description, limit: 1).first.flatMap { PlanID($0.id) })
            }
            let failing = try await planOf(intents[1])
            for intent in intents {
                let plan = try await planOf(intent)
                _ = try await rig.store.runs.execute(
                    .inspect(planID: plan, passed: plan != failing, code: plan == failing ? .warping : nil),
                    id: run.id.description, context: operatorContext)
            }
            try await reprintAlone(failing, rig, intents: intents)
        }
    }

    /// The failed part gathers on a plate of its own; an operator sends it as it is; it prints alone, passes QA,
    /// and every order is ready to ship.
    func reprintAlone(_ plan: PlanID, _ rig: FleetRig, intents: [IntentID]) async throws {
        let reprint = try #require(
            try await plates(rig, within: 60) { $0.count == 2 && $0[1].status == .composing }, "a plate for the reprint"
        )[1]
        #expect(reprint.items.map(\.planID) == [plan] && reprint.items[0].copies == 1)
        _ = try await rig.store.plates.execute(.lock(true), id: reprint.id.description, context: operatorContext)
        let runs = try #require(
            try await loopTests.runs(rig, within: 180) { $0.count == 2 && $0[1].status == .completed },
            "the failed part was reprinted")
        #expect(runs[1].items.map(\.planID) == [plan], "only the failed part")
        _ = try await rig.store.runs.execute(
            .inspect(planID: plan, passed: true), id: runs[1].id.description, context: operatorContext)
        for intent in intents {
            let ready = try await loopTests.waitFor(20) {
                try await rig.store.intents.get(id: intent.description)?.model.status == .readyToShip ? true : nil
            }
            #expect(ready == true, "order \(intent) is ready to ship")
        }
    }

    @Test(
        """
        an object cancelled mid-print: the virtual printer skips it, the others finish, its order's part is \
        reprinted alone; unknown objects and finished runs are refused with the reason
        """
    )
    func cancelOneObject() async throws {
        try await loopTests.withLoop([VirtualPrinter(name: "virtual-0", speed: 60)], settings: settings) {
            rig, slicing, _ in
            let intents = try await threeOrders(rig, slicing)
            let run = try #require(
                try await loopTests.runs(rig, within: 120) { $0.count == 1 && $0[0].status == .printing })[0]
            let plate = try #require(try await rig.store.plates.get(id: run.plateID.description)?.model)
            let objects = try #require(plate.objects)
            let cylinderPlan = try #require(
                try await rig.store.plans.list(ref: intents[1].description, limit: 1).first.flatMap { PlanID($0.id) })
            let victim = try #require(objects.first { $0.planID == cylinderPlan })
            let spaghetti = CommandContext(
                actor: EventActor(.user, "ada"), reason: .operatorRequest, note: "spaghetti", time: Date())
            let unknown = await #expect(throws: FleetError.self) {
                try await rig.fleet.exclude(object: "NO_SUCH_OBJECT", on: run.id, context: spaghetti)
            }
            #expect(unknown?.code == "invalid-field" && unknown?.detail.contains(victim.name) == true)
            let excluded = try await rig.fleet.exclude(object: victim.name.lowercased(), on: run.id, context: spaghetti)
            #expect(excluded.excluded?.map(\.name) == [victim.name] && excluded.excluded?[0].reason == "spaghetti")
            #expect(excluded.excluded?[0].planID == cylinderPlan && excluded.status == .printing)
            let again = try await rig.fleet.exclude(object: victim.name, on: run.id, context: spaghetti)
            #expect(again.excluded?.count == 1, "cancelling it twice changes nothing")

            let done = try #require(
                try await loopTests.runs(rig, within: 120) { $0.count >= 1 && $0[0].status == .completed },
                "the others finish")[0]
            #expect(done.inspectedItems.map(\.planID).contains(cylinderPlan) == false)
            #expect(done.inspectedItems.count == 2)
            let survivor = try #require(objects.first { $0.name != victim.name })
            let late = await #expect(throws: FleetError.self) {
                try await rig.fleet.exclude(object: survivor.name, on: run.id, context: spaghetti)
            }
            #expect(late?.code == "run-not-printing")
            for item in done.inspectedItems {
                _ = try await rig.store.runs.execute(
                    .inspect(planID: item.planID, passed: true), id: done.id.description, context: operatorContext)
            }
            // The cancelled part comes back on a plate of its own.
            try await reprintAlone(cylinderPlan, rig, intents: intents)
        }
    }

    @Test(
        """
        operators edit plates still composing: materials never mix, one part cannot be split, a second operator's \
        change on what they saw is refused (nothing lost), a part moves to a plate of its own, a frozen plate no \
        longer changes, re-composing discards the unlocked plates and the composer makes them again
        """
    )
    func editing() async throws {
        let gathering = ProductionSettings(plates: PlateSettings(mode: .farm, releaseFill: 0.5, holdMinutes: 240))
        try await loopTests.withLoop([VirtualPrinter(name: "virtual-0", speed: 300)], settings: gathering) {
            rig, slicing, _ in
            let printerID = try await DispatchTests().register(rig, 0)
            #expect(try await DispatchTests().printer(rig, printerID, within: 30) { $0.status == .idle } != nil)
            let box = try await loopTests.order(rig, slicing: slicing, shape: "box.stl")
            _ = try await loopTests.order(rig, slicing: slicing, shape: "cylinder.stl")
            _ = try await loopTests.order(rig, slicing: slicing, shape: "pyramid.stl", material: "PETG")
            let open = try #require(
                try await plates(rig, within: 120) { plates in
                    plates.filter { $0.status == .composing }.map(\.items.count).sorted() == [1, 2]
                }, "a PLA plate of two orders and a PETG plate"
            ).filter { $0.status == .composing }
            let pla = try #require(open.first { $0.items.count == 2 })
            let petg = try #require(open.first { $0.items.count == 1 })
            let boxPlan = try #require(
                try await rig.store.plans.list(ref: box.description, limit: 1).first.flatMap { PlanID($0.id) })
            let editor = PlateEditor(
                store: rig.store, newID: { SystemIDs.uuidv7() },
                bed: { profile in await slicing.bed(profile: profile) })

            await #expect(throws: PlateEditor.Failure.self) {
                try await editor.move(
                    plan: boxPlan, from: pla.id, to: petg.id, expectedVersion: nil, context: operatorContext)
            }
            do {
                _ = try await editor.move(
                    plan: boxPlan, from: pla.id, to: petg.id, expectedVersion: nil, context: operatorContext)
            } catch let failure as PlateEditor.Failure {
                guard case .incompatible(let detail) = failure else { throw failure }
                #expect(detail.contains("material PLA ≠ PETG"), "\(detail)")
            }
            await #expect(
                throws: PlateEditor.Failure.cannotSplit(
                    "plate \(petg.id.description.suffix(6)) holds one part; there is nothing to split")
            ) {
                try await editor.split(petg.id, expectedVersion: nil, context: operatorContext)
            }
            // Two operators saw the PLA plate at one version: the first moves the box to a plate of its own, the
            // second's split of what they saw is refused; every part is still on a plate.
            let seen = try #require(try await rig.store.plates.get(id: pla.id.description)?.version)
            let moved = try await editor.move(
                plan: boxPlan, from: pla.id, to: nil, expectedVersion: seen, context: operatorContext)
            #expect(moved.count == 2 && moved[1].isLocked && moved[1].items.map(\.planID) == [boxPlan])
            #expect(moved[0].items.count == 1 && moved[0].status == .composing)
            await #expect(throws: (any Error).self) {
                try await editor.split(pla.id, expectedVersion: seen, context: operatorContext)
            }
            let onPlates = try await rig.store.plates.all().filter {
                [.composing, .frozen, .scheduled].contains($0.status)
            }
            #expect(onPlates.flatMap(\.items).count == 3, "nothing lost")
            // The locked plate goes as it is: sliced, it can no longer change.
            let frozen = try #require(
                try await plates(rig, within: 60) { $0.contains { $0.id == moved[1].id && $0.status != .composing } })
            #expect(frozen.first { $0.id == moved[1].id }?.objects?.count == 1)
            await #expect(throws: PlateEditor.Failure.self) {
                try await editor.lock(moved[1].id, false, expectedVersion: nil, context: operatorContext)
            }
            // Re-composing discards the unlocked plates; the composer makes them again from the waiting parts.
            let discarded = try await editor.recompose(context: operatorContext)
            #expect(Set(discarded) == [pla.id, petg.id])
            let again = try #require(
                try await plates(rig, within: 30) { plates in
                    plates.filter { $0.status == .composing && !discarded.contains($0.id) }.count == 2
                }, "the composer made the plates again")
            #expect(again.filter { $0.status == .composing }.flatMap(\.items).count == 2)
        }
    }

    @Test(
        """
        a plate the slicer cannot arrange (40 boxes forced onto one bed that holds 36) is discarded with the slicer's \
        words and split in halves, each limited below the fill the whole claimed; the halves are sliced and printed
        """
    )
    func slicerRefusesPlate() async throws {
        try await loopTests.withLoop([VirtualPrinter(name: "virtual-0", speed: 2000)]) { rig, slicing, _ in
            let printerID = try await DispatchTests().register(rig, 0)
            #expect(try await DispatchTests().printer(rig, printerID, within: 30) { $0.status == .idle } != nil)
            // In maintenance nothing is planned on the printer, so the forced plate waits unsliced.
            _ = try await rig.store.printers.execute(
                .startMaintenance, id: printerID.description, context: operatorContext)
            let intent = try await loopTests.order(rig, slicing: slicing, quantity: 40)
            let plan = try #require(
                try await loopTests.waitFor(120) { () -> Plan? in
                    guard let row = try await rig.store.plans.list(ref: intent.description, limit: 1).first,
                        let plan = try await rig.store.plans.get(id: row.id)?.model, plan.currentRevision != nil,
                        try await rig.store.slices.all().contains(where: { $0.inputs.plate == nil })
                    else { return nil }
                    return plan
                }, "the plan is approved and sliced alone")
            let forced = BuildPlateID(UUID())
            _ = try await rig.store.plates.execute(
                .compose(forced, items: [PlateItem(planID: plan.id, revision: 1, copies: 40)]),
                id: forced.description, context: operatorContext)
            #expect(try await rig.store.runs.all().isEmpty)
            _ = try await rig.store.printers.execute(
                .endMaintenance, id: printerID.description, context: operatorContext)

            let split = try #require(
                try await plates(rig, within: 120) { plates in
                    plates.first { $0.id == forced }?.status == .discarded
                        && plates.filter { $0.id != forced && $0.status != .discarded }.count == 2
                }, "the refused plate is split")
            let events = try await rig.store.events.read(stream: BuildPlateDecider.stream(forced.description))
            #expect(events.last?.reason == "plate.split")
            let halves = split.filter { $0.id != forced }
            #expect(halves.map { $0.copies(of: plan.id) }.sorted() == [20, 20])
            for half in halves {
                let limit = try #require(half.maxFill)
                #expect(limit > 0 && limit < 40 * 625 / 40000.0, "below the fill the whole claimed: \(limit)")
            }
            let frozen = try #require(
                try await plates(rig, within: 180) { plates in
                    plates.filter { $0.id != forced && [.frozen, .scheduled].contains($0.status) }.count == 2
                }, "both halves are sliced")
            for half in frozen where half.id != forced {
                #expect(half.objects?.count == 20, "\(half.objects?.count ?? 0) objects")
            }
        }
    }
}
