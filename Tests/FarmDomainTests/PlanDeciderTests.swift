import Foundation
import Testing

@testable import FarmDomain

@Suite("Plan revisions")
struct PlanDeciderTests {
    let id = PlanID(UUID(uuidString: "01936a4e-0000-7000-8000-000000000002")!)
    let intent = IntentID(UUID(uuidString: "01936a4e-0000-7000-8000-000000000001")!)
    let item = LineItemID(UUID(uuidString: "01936a4e-0000-7000-8000-0000000000a1")!)
    let spec1 = PlanSpec(profile: "mk3s-petg@3f2a", supports: .buildPlateOnly)
    let spec2 = PlanSpec(profile: "mk3s-petg@3f2a", orientation: Orientation(x: 90), supports: .buildPlateOnly)
    let at = Date(timeIntervalSince1970: 1_800_000_000)

    var created: [PlanEvent] {
        [
            .created(PlanCreated(planID: id, intentID: intent, lineItemID: item, at: at)),
            .revisionDrafted(PlanRevisionDrafted(revision: 1, spec: spec1, at: at)),
        ]
    }
    func approved(_ n: Int) -> PlanEvent {
        .revisionApproved(PlanRevisionStatusChanged(revision: n, reasons: [], at: at))
    }

    @Test("creating a plan drafts revision 1; creating it again is a no-op")
    func create() {
        Scenario<PlanDecider>().then(.create(id, intentID: intent, lineItemID: item, spec: spec1), created)
        Scenario<PlanDecider>(given: created).then(.create(id, intentID: intent, lineItemID: item, spec: spec1), [])
        #expect(
            Scenario<PlanDecider>(given: created).thenRefused(
                .create(id, intentID: intent, lineItemID: item, spec: spec2)) == .alreadyExists(aggregate: "plan"))
    }

    @Test("a revision's spec never changes: a change is a new revision, the same spec again is a no-op")
    func draft() {
        let scenario = Scenario<PlanDecider>(given: created)
        scenario.then(
            .draftRevision(spec2), [.revisionDrafted(PlanRevisionDrafted(revision: 2, spec: spec2, at: scenario.time))])
        scenario.then(.draftRevision(spec1), [])
        let plan = PlanDecider.replay(
            created + [.revisionDrafted(PlanRevisionDrafted(revision: 2, spec: spec2, at: at))]
        ).plan
        #expect(plan?.revisions.map(\.spec) == [spec1, spec2])
        #expect(plan?.revisions.map(\.status) == [.draft, .draft])
    }

    @Test("approving a revision supersedes the one approved before it")
    func approveSupersedes() {
        let given = created + [approved(1), .revisionDrafted(PlanRevisionDrafted(revision: 2, spec: spec2, at: at))]
        let scenario = Scenario<PlanDecider>(given: given)
        scenario.then(
            .approve(revision: 2),
            [
                .revisionSuperseded(
                    PlanRevisionStatusChanged(revision: 1, reasons: ["replaced by revision 2"], at: scenario.time)),
                .revisionApproved(PlanRevisionStatusChanged(revision: 2, reasons: [], at: scenario.time)),
            ])
        scenario.then(.approve(revision: 1), [])
        let after = given + (try! scenario.when(.approve(revision: 2)).get())
        #expect(PlanDecider.replay(after).plan?.revisions.map(\.status) == [.superseded, .approved])
        #expect(PlanDecider.replay(after).plan?.currentRevision?.number == 2)
        #expect(
            Scenario<PlanDecider>(given: after).thenRefused(.approve(revision: 1))
                == .illegalTransition(aggregate: "plan revision", command: "approve a revision of", state: "superseded")
        )
    }

    @Test("review can be required of a draft or approved revision, then approved again; never of a superseded one")
    func review() {
        let scenario = Scenario<PlanDecider>(given: created + [approved(1)])
        let trip = PlanEvent.revisionReviewRequired(
            PlanRevisionStatusChanged(revision: 1, reasons: ["2 failed runs"], at: scenario.time))
        scenario.then(.requireReview(revision: 1, reasons: ["2 failed runs"]), [trip])
        Scenario<PlanDecider>(given: created + [approved(1), trip]).then(.requireReview(revision: 1, reasons: []), [])
        Scenario<PlanDecider>(given: created + [approved(1), trip]).then(.approve(revision: 1), [approved(1)])
        let superseded =
            created + [
                approved(1), .revisionDrafted(PlanRevisionDrafted(revision: 2, spec: spec2, at: at)),
                .revisionSuperseded(PlanRevisionStatusChanged(revision: 1, reasons: [], at: at)), approved(2),
            ]
        #expect(
            Scenario<PlanDecider>(given: superseded).thenRefused(.requireReview(revision: 1, reasons: []))
                == .illegalTransition(aggregate: "plan revision", command: "require review of", state: "superseded"))
    }

    @Test("unknown revisions, missing plans and bad specs are refused")
    func refusals() {
        #expect(
            Scenario<PlanDecider>(given: created).thenRefused(.approve(revision: 5))
                == .invalid(field: "revision", reason: "plan has revisions 1 to 1, not 5"))
        #expect(
            Scenario<PlanDecider>().thenRefused(.approve(revision: 1))
                == .notFound(aggregate: "plan", command: "approve a revision of"))
        var bad = spec1
        bad.orientation.x = .nan
        #expect(
            Scenario<PlanDecider>(given: created).thenRefused(.draftRevision(bad))
                == .invalid(field: "spec.orientation.x", reason: "degrees between -360 and 360"))
        bad = spec1
        bad.profile = ""
        #expect(
            Scenario<PlanDecider>().thenRefused(.create(id, intentID: intent, lineItemID: item, spec: bad))?
                .invalidField == "spec.profile")
    }

    @Test(
        "a gate decision is recorded per revision, once: the same decision again adds nothing, a changed one replaces it"
    )
    func gateDecisions() {
        let waiting = GateRecord(
            gate: .approvePlan, outcome: .requireApproval(.operator), rule: "high-risk part", explanation: "…",
            revision: 1, at: at)
        let scenario = Scenario<PlanDecider>(given: created)
        scenario.then(.recordDecision(waiting), [.gateDecided(waiting)])
        var later = waiting
        later.at = at.addingTimeInterval(60)
        Scenario<PlanDecider>(given: created + [.gateDecided(waiting)]).then(.recordDecision(later), [])
        var overridden = waiting
        overridden.outcome = .autoAdvance
        overridden.rule = "override"
        overridden.overridden = true
        Scenario<PlanDecider>(given: created + [.gateDecided(waiting)]).then(
            .recordDecision(overridden), [.gateDecided(overridden)])
        let plan = PlanDecider.replay(created + [.gateDecided(waiting), .gateDecided(overridden)]).plan
        #expect(plan?.decisions == [overridden], "one record per gate and revision: the newest")
        #expect(plan?.decisions?.latest(.approvePlan, revision: 1)?.overridden == true)

        var noRevision = waiting
        noRevision.revision = nil
        #expect(
            scenario.thenRefused(.recordDecision(noRevision))
                == .invalid(field: "revision", reason: "say which revision the decision is about"))
        var missing = waiting
        missing.revision = 3
        #expect(
            scenario.thenRefused(.recordDecision(missing))
                == .invalid(field: "revision", reason: "plan has revisions 1 to 1, not 3"))
        var intentGate = waiting
        intentGate.gate = .acceptIntent
        #expect(
            scenario.thenRefused(.recordDecision(intentGate))
                == .invalid(field: "gate", reason: "acceptIntent decisions belong to the intent"))
    }
}
