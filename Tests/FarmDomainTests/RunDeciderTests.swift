import Foundation
import Testing

@testable import FarmDomain

@Suite("Run lifecycle")
struct RunDeciderTests {
    let id = RunID(UUID(uuidString: "01936a4e-0000-7000-8000-000000000004")!)
    let plate = BuildPlateID(UUID(uuidString: "01936a4e-0000-7000-8000-000000000003")!)
    let printer = PrinterID(UUID(uuidString: "01936a4e-0000-7000-8000-000000000005")!)
    let planA = PlanID(UUID(uuidString: "01936a4e-0000-7000-8000-0000000000b1")!)
    let planB = PlanID(UUID(uuidString: "01936a4e-0000-7000-8000-0000000000b2")!)
    let at = Date(timeIntervalSince1970: 1_800_000_000)
    var items: [PlateItem] {
        [PlateItem(planID: planA, revision: 1), PlateItem(planID: planB, revision: 1, copies: 2)]
    }

    func history(to status: RunStatus) -> [RunEvent] {
        let c = RunStatusChanged(detail: nil, at: at)
        let scheduled = RunEvent.scheduled(
            RunScheduled(runID: id, plateID: plate, printerID: printer, items: items, at: at))
        let printing: [RunEvent] = [scheduled, .dispatching(RunDispatching(token: "t1", at: at)), .started(c)]
        switch status {
        case .scheduled: return [scheduled]
        case .dispatching: return Array(printing.prefix(2))
        case .printing: return printing
        case .paused: return printing + [.paused(c)]
        case .completed: return printing + [.completed(c)]
        case .failed: return printing + [.failed(c)]
        case .cancelled: return [scheduled, .cancelled(c)]
        case .interrupted: return printing + [.interrupted(c)]
        }
    }

    @Test(
        "every status change is allowed exactly from the statuses the lifecycle names",
        arguments: [
            Move<RunCommand, RunStatus>(.pause, RunStatus.paused, [.printing]),
            Move<RunCommand, RunStatus>(.resume, .printing, [.paused]),
            Move<RunCommand, RunStatus>(.complete, .completed, [.dispatching, .printing, .paused]),
            Move<RunCommand, RunStatus>(.fail, .failed, [.dispatching, .printing, .paused]),
            Move<RunCommand, RunStatus>(.cancel, .cancelled, [.scheduled, .dispatching, .printing, .paused]),
            Move<RunCommand, RunStatus>(.interrupt, .interrupted, [.dispatching, .printing, .paused]),
        ])
    func transitionMatrix(move: Move<RunCommand, RunStatus>) {
        let (command, target, allowedFrom) = (move.command, move.target, move.allowedFrom)
        for status in RunStatus.allCases {
            let scenario = Scenario<RunDecider>(given: history(to: status))
            #expect(RunDecider.replay(scenario.given).run?.status == status)
            let result = scenario.when(command)
            if status == target {
                #expect(result == .success([]), "\(command.name) on \(status) should be a no-op")
            } else if allowedFrom.contains(status) {
                guard case .success(let events) = result, events.count == 1 else {
                    Issue.record("\(command.name) on \(status): \(result)")
                    continue
                }
                #expect(RunDecider.replay(scenario.given + events).run?.status == target)
            } else {
                #expect(
                    result
                        == .failure(.illegalTransition(aggregate: "run", command: command.name, state: status.rawValue))
                )
            }
        }
    }

    @Test("dispatch is claimed with a token; the same claim again is a no-op, another token is refused")
    func dispatchClaim() {
        let s = Scenario<RunDecider>(given: history(to: .scheduled))
        s.then(.beginDispatch(token: "t1"), [.dispatching(RunDispatching(token: "t1", at: s.time))])
        Scenario<RunDecider>(given: history(to: .dispatching)).then(.beginDispatch(token: "t1"), [])
        #expect(
            Scenario<RunDecider>(given: history(to: .dispatching)).thenRefused(.beginDispatch(token: "t2"))
                == .illegalTransition(aggregate: "run", command: "dispatch", state: "dispatching"))
        for status in RunStatus.allCases where ![.scheduled, .dispatching].contains(status) {
            #expect(
                Scenario<RunDecider>(given: history(to: status)).thenRefused(.beginDispatch(token: "t9"))
                    == .illegalTransition(aggregate: "run", command: "dispatch", state: status.rawValue))
        }
        #expect(
            Scenario<RunDecider>(given: history(to: .scheduled)).thenRefused(.beginDispatch(token: ""))?.invalidField
                != nil)
    }

    @Test("a start is confirmed only under the claim's token, once; an aborted dispatch returns the run to scheduled")
    func confirmAndAbort() {
        let d = Scenario<RunDecider>(given: history(to: .dispatching))
        d.then(.confirmStarted(token: "t1"), [.started(RunStatusChanged(detail: nil, at: d.time))])
        #expect(
            d.thenRefused(.confirmStarted(token: "other"))
                == .invalid(field: "token", reason: "the run was claimed with another dispatch token"))
        Scenario<RunDecider>(given: history(to: .printing)).then(.confirmStarted(token: "t1"), [])
        #expect(
            Scenario<RunDecider>(given: history(to: .scheduled)).thenRefused(.confirmStarted(token: "t1"))
                == .illegalTransition(aggregate: "run", command: "confirm the start of", state: "scheduled"))
        d.then(.abortDispatch(token: "t1"), [.dispatchAborted(RunStatusChanged(detail: nil, at: d.time))])
        Scenario<RunDecider>(given: history(to: .scheduled)).then(.abortDispatch(token: "t1"), [])
        #expect(
            Scenario<RunDecider>(given: history(to: .printing)).thenRefused(.abortDispatch(token: "t1"))
                == .illegalTransition(aggregate: "run", command: "abort the dispatch of", state: "printing"))
        let aborted = RunDecider.replay(
            history(to: .dispatching) + [.dispatchAborted(RunStatusChanged(detail: nil, at: at))]
        ).run
        #expect(aborted?.status == .scheduled)
        #expect(aborted?.dispatchToken == nil)
    }

    @Test("progress is accepted while printing or paused, within 0…1, and identical reports are dropped")
    func progress() {
        let p = RunProgress(fraction: 0.42, layer: 12, totalLayers: 80)
        let s = Scenario<RunDecider>(given: history(to: .printing))
        s.then(.reportProgress(p), [.progressed(RunProgressed(progress: p, at: s.time))])
        Scenario<RunDecider>(given: history(to: .printing) + [.progressed(RunProgressed(progress: p, at: at))]).then(
            .reportProgress(p), [])
        #expect(
            s.thenRefused(.reportProgress(RunProgress(fraction: 1.5)))
                == .invalid(field: "progress.fraction", reason: "between 0 and 1"))
        #expect(
            Scenario<RunDecider>(given: history(to: .completed)).thenRefused(.reportProgress(p))
                == .illegalTransition(aggregate: "run", command: "report progress of", state: "completed"))
    }

    @Test("QA is per item on a completed run: pending until every item has a verdict, failed if any failed")
    func qa() {
        let completed = history(to: .completed)
        #expect(RunDecider.replay(completed).run?.qa == .pending)
        #expect(RunDecider.replay(history(to: .printing)).run?.qa == .notApplicable)
        let s = Scenario<RunDecider>(given: completed)
        s.then(
            .inspect(planID: planA, passed: true),
            [.itemInspected(ItemInspection(planID: planA, passed: true, reason: nil, at: s.time))])
        let passA = RunEvent.itemInspected(ItemInspection(planID: planA, passed: true, reason: nil, at: at))
        let failB = RunEvent.itemInspected(
            ItemInspection(planID: planB, passed: false, reason: "warped corner", at: at))
        let passB = RunEvent.itemInspected(ItemInspection(planID: planB, passed: true, reason: nil, at: at))
        Scenario<RunDecider>(given: completed + [passA]).then(.inspect(planID: planA, passed: true), [])
        #expect(RunDecider.replay(completed + [passA]).run?.qa == .pending)
        #expect(RunDecider.replay(completed + [passA, failB]).run?.qa == .failed)
        #expect(RunDecider.replay(completed + [passA, passB]).run?.qa == .passed)
        #expect(RunDecider.replay(completed + [passA, failB, passB]).run?.qa == .passed)
        let stranger = PlanID(UUID())
        #expect(
            s.thenRefused(.inspect(planID: stranger, passed: true))
                == .invalid(field: "planID", reason: "plan \(stranger) was not printed in this run"))
        for status in RunStatus.allCases where status != .completed {
            #expect(
                Scenario<RunDecider>(given: history(to: status)).thenRefused(.inspect(planID: planA, passed: true))
                    == .illegalTransition(aggregate: "run", command: "inspect", state: status.rawValue))
        }
    }

    @Test("scheduling twice is a no-op, scheduling something else under the id is refused")
    func schedule() {
        let s = Scenario<RunDecider>()
        s.then(
            .schedule(id, plateID: plate, printerID: printer, items: items),
            history(to: .scheduled).map { _ in
                .scheduled(RunScheduled(runID: id, plateID: plate, printerID: printer, items: items, at: s.time))
            })
        Scenario<RunDecider>(given: history(to: .scheduled)).then(
            .schedule(id, plateID: plate, printerID: printer, items: items), [])
        #expect(
            Scenario<RunDecider>(given: history(to: .scheduled)).thenRefused(
                .schedule(id, plateID: plate, printerID: PrinterID(UUID()), items: items))
                == .alreadyExists(aggregate: "run"))
        #expect(Scenario<RunDecider>().thenRefused(.pause) == .notFound(aggregate: "run", command: "pause"))
    }

    @Test(
        """
        an object is cancelled only while printing or paused, for a copy on the plate, once; QA then skips an item \
        with no copy left, and the plan counts the copy as failed
        """
    )
    func objectExclusion() {
        let s = Scenario<RunDecider>(given: history(to: .printing))
        let command = RunCommand.excludeObject(name: "ITEM1_B", planID: planB, copy: 1)
        let exclusion = ObjectExclusion(name: "ITEM1_B", planID: planB, copy: 1, reason: nil, at: s.time)
        s.then(command, [.objectExcluded(exclusion)])
        Scenario<RunDecider>(given: history(to: .printing) + [.objectExcluded(exclusion)]).then(command, [])
        Scenario<RunDecider>(given: history(to: .paused)).then(command, [.objectExcluded(exclusion)])
        for status in [RunStatus.scheduled, .completed, .cancelled] {
            #expect(
                Scenario<RunDecider>(given: history(to: status)).thenRefused(command)
                    == .illegalTransition(aggregate: "run", command: "cancel an object of", state: status.rawValue))
        }
        #expect(s.thenRefused(.excludeObject(name: "X", planID: planA, copy: 1))?.invalidField == "planID")
        #expect(s.thenRefused(.excludeObject(name: "", planID: planA, copy: 0))?.invalidField == "name")
        // Plan A's only copy cancelled: QA looks at plan B alone, and plan A made nothing.
        let a = ObjectExclusion(name: "ITEM0_A", planID: planA, copy: 0, reason: "spaghetti", at: at)
        let completed = RunDecider.replay(
            history(to: .printing) + [.objectExcluded(a), .completed(RunStatusChanged(detail: nil, at: at))]
        ).run!
        #expect(completed.inspectedItems.map(\.planID) == [planB] && completed.qa == .pending)
        let plan = Plan(
            id: planA, intentID: IntentID(UUID()), lineItemID: LineItemID(UUID()), revisions: [], createdAt: at,
            updatedAt: at)
        let progress = PlanProgress(plan: plan, runs: [completed])
        #expect(progress.passed == 0 && progress.inFlight == 0 && progress.failures == 1)
        #expect(progress.copiesAttempted == 1)
    }
}
