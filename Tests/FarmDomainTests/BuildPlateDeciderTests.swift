import Foundation
import Testing

@testable import FarmDomain

@Suite("Build plates")
struct BuildPlateDeciderTests {
    let id = BuildPlateID(UUID(uuidString: "01936a4e-0000-7000-8000-000000000003")!)
    let planA = PlanID(UUID(uuidString: "01936a4e-0000-7000-8000-0000000000b1")!)
    let planB = PlanID(UUID(uuidString: "01936a4e-0000-7000-8000-0000000000b2")!)
    let run = RunID(UUID(uuidString: "01936a4e-0000-7000-8000-0000000000c1")!)
    let at = Date(timeIntervalSince1970: 1_800_000_000)
    var itemA: PlateItem { PlateItem(planID: planA, revision: 1, copies: 4) }
    var itemB: PlateItem { PlateItem(planID: planB, revision: 2) }
    var composed: BuildPlateEvent { .composed(BuildPlateComposed(plateID: id, items: [itemA], at: at)) }
    var frozen: BuildPlateEvent { .frozen(BuildPlateFrozen(gcodeArtifact: "sha256:ab", at: at)) }
    var discarded: BuildPlateEvent { .discarded(BuildPlateDiscarded(note: nil, at: at)) }

    @Test("a plate is composed, changed while composing, then frozen; then its items are fixed")
    func lifecycle() {
        let s = Scenario<BuildPlateDecider>()
        s.then(.compose(id, items: [itemA]), [composed])
        Scenario<BuildPlateDecider>(given: [composed]).then(.compose(id, items: [itemA]), [])
        Scenario<BuildPlateDecider>(given: [composed]).then(
            .addItem(itemB), [.itemAdded(BuildPlateItemChanged(item: itemB, at: s.time))])
        // Adding a plan already on the plate adds copies; another revision of it is refused.
        Scenario<BuildPlateDecider>(given: [composed]).then(
            .addItem(PlateItem(planID: planA, revision: 1, copies: 2)),
            [.itemAdded(BuildPlateItemChanged(item: PlateItem(planID: planA, revision: 1, copies: 2), at: s.time))])
        #expect(
            BuildPlateDecider.replay([
                composed,
                .itemAdded(BuildPlateItemChanged(item: PlateItem(planID: planA, revision: 1, copies: 2), at: at)),
            ]).plate?.items == [PlateItem(planID: planA, revision: 1, copies: 6)])
        #expect(
            Scenario<BuildPlateDecider>(given: [composed]).thenRefused(.addItem(PlateItem(planID: planA, revision: 2)))?
                .invalidField == "revision")
        #expect(
            Scenario<BuildPlateDecider>(given: [composed]).thenRefused(
                .addItem(PlateItem(planID: planA, revision: 1, copies: 997)))?.invalidField == "items[0].copies")
        let two = [composed, .itemAdded(BuildPlateItemChanged(item: itemB, at: at))]
        Scenario<BuildPlateDecider>(given: two).then(
            .removeItem(planB), [.itemRemoved(BuildPlateItemChanged(item: itemB, at: s.time))])
        Scenario<BuildPlateDecider>(given: two).then(
            .freeze(gcodeArtifact: "sha256:ab"), [.frozen(BuildPlateFrozen(gcodeArtifact: "sha256:ab", at: s.time))])
        Scenario<BuildPlateDecider>(given: [composed, frozen]).then(.freeze(gcodeArtifact: "sha256:ab"), [])
        for command in [BuildPlateCommand.addItem(itemB), .removeItem(planA), .freeze(gcodeArtifact: "sha256:cd")] {
            #expect(
                Scenario<BuildPlateDecider>(given: [composed, frozen]).thenRefused(command)
                    == .illegalTransition(aggregate: "build plate", command: command.name, state: "frozen"))
            #expect(
                Scenario<BuildPlateDecider>(given: [composed, discarded]).thenRefused(command)
                    == .illegalTransition(aggregate: "build plate", command: command.name, state: "discarded"))
        }
        #expect(BuildPlateDecider.replay(two).plate?.items == [itemA, itemB])
    }

    @Test(
        """
        a frozen plate is scheduled by its run (again by another); locking only while composing; objects name its \
        plans
        """
    )
    func scheduledAndLocked() {
        let scheduled = BuildPlateEvent.scheduled(BuildPlateScheduled(runID: run, at: at))
        let s = Scenario<BuildPlateDecider>(given: [composed, frozen])
        s.then(.markScheduled(run), [.scheduled(BuildPlateScheduled(runID: run, at: s.time))])
        Scenario<BuildPlateDecider>(given: [composed, frozen, scheduled]).then(.markScheduled(run), [])
        let again = RunID(UUID())
        let twice = BuildPlateDecider.replay([
            composed, frozen, scheduled, .scheduled(BuildPlateScheduled(runID: again, at: at)),
        ]).plate
        #expect(twice?.status == .scheduled && twice?.runs == [run, again])
        #expect(
            Scenario<BuildPlateDecider>(given: [composed]).thenRefused(.markScheduled(run))
                == .illegalTransition(aggregate: "build plate", command: "schedule", state: "composing"))
        #expect(
            Scenario<BuildPlateDecider>(given: [composed, frozen, scheduled]).thenRefused(.discard)
                == .illegalTransition(aggregate: "build plate", command: "discard", state: "scheduled"))
        Scenario<BuildPlateDecider>(given: [composed]).then(
            .lock(true), [.lockSet(BuildPlateLockSet(locked: true, at: s.time))])
        #expect(
            BuildPlateDecider.replay([composed, .lockSet(BuildPlateLockSet(locked: true, at: at))]).plate?.isLocked
                == true)
        Scenario<BuildPlateDecider>(given: [composed]).then(.lock(false), [])
        #expect(Scenario<BuildPlateDecider>(given: [composed, frozen]).thenRefused(.lock(true)) != nil)
        let object = PlateObject(name: "A", planID: planA, copy: 0, minX: 1, minY: 2, maxX: 3, maxY: 4)
        let stray = PlateObject(name: "B", planID: planB, copy: 0, minX: 1, minY: 2, maxX: 3, maxY: 4)
        Scenario<BuildPlateDecider>(given: [composed]).then(
            .freeze(gcodeArtifact: "g", objects: [object], estimatedSeconds: 600),
            [.frozen(BuildPlateFrozen(gcodeArtifact: "g", objects: [object], estimatedSeconds: 600, at: s.time))])
        #expect(
            Scenario<BuildPlateDecider>(given: [composed]).thenRefused(.freeze(gcodeArtifact: "g", objects: [stray]))?
                .invalidField == "objects")
        #expect(
            Scenario<BuildPlateDecider>().thenRefused(.compose(id, items: [itemA], maxFill: 0))?.invalidField
                == "maxFill")
    }

    @Test("outcomes are recorded per item on a frozen plate only")
    func outcomes() {
        let outcome = PlateItemOutcome(planID: planA, runID: run, succeeded: true, at: at)
        Scenario<BuildPlateDecider>(given: [composed, frozen]).then(
            .recordOutcome(planID: planA, runID: run, succeeded: true), [.outcomeRecorded(outcome)])
        Scenario<BuildPlateDecider>(given: [composed, frozen, .outcomeRecorded(outcome)]).then(
            .recordOutcome(planID: planA, runID: run, succeeded: true), [])
        #expect(
            Scenario<BuildPlateDecider>(given: [composed]).thenRefused(
                .recordOutcome(planID: planA, runID: run, succeeded: true))
                == .illegalTransition(aggregate: "build plate", command: "record an outcome on", state: "composing"))
        #expect(
            Scenario<BuildPlateDecider>(given: [composed, frozen]).thenRefused(
                .recordOutcome(planID: planB, runID: run, succeeded: true))
                == .invalid(field: "planID", reason: "plan \(planB) is not on this plate"))
    }

    @Test(
        "empty plates, duplicate plans, zero copies and removing the last item are refused; discarding twice is a no-op"
    )
    func refusals() {
        #expect(
            Scenario<BuildPlateDecider>().thenRefused(.compose(id, items: []))
                == .invalid(field: "items", reason: "a plate needs at least one item"))
        #expect(Scenario<BuildPlateDecider>().thenRefused(.compose(id, items: [itemA, itemA]))?.invalidField != nil)
        #expect(
            Scenario<BuildPlateDecider>().thenRefused(
                .compose(id, items: [PlateItem(planID: planA, revision: 1, copies: 0)]))?.invalidField
                == "items[0].copies")
        #expect(Scenario<BuildPlateDecider>(given: [composed]).thenRefused(.removeItem(planA))?.invalidField != nil)
        Scenario<BuildPlateDecider>(given: [composed, discarded]).then(.discard, [])
        #expect(
            Scenario<BuildPlateDecider>().thenRefused(.discard)
                == .notFound(aggregate: "build plate", command: "discard"))
    }
}
