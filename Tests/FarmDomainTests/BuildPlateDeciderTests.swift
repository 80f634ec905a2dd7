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
        Scenario<BuildPlateDecider>(given: [composed]).then(.addItem(itemA), [])
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
