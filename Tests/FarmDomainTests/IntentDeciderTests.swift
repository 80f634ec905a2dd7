import Foundation
import Testing

@testable import FarmDomain

@Suite("Intent lifecycle")
struct IntentDeciderTests {
    let id = IntentID(UUID(uuidString: "01936a4e-0000-7000-8000-000000000001")!)
    let item = LineItem(
        id: LineItemID(UUID(uuidString: "01936a4e-0000-7000-8000-0000000000a1")!), quantity: 2, material: "PETG",
        colour: "black")
    var draft: IntentDraft { IntentDraft(source: .api, externalReference: "order-17", lineItems: [item]) }
    var received: IntentEvent {
        .received(IntentReceived(intentID: id, draft: draft, receivedAt: Date(timeIntervalSince1970: 1_800_000_000)))
    }
    let at = Date(timeIntervalSince1970: 1_800_000_000)

    /// Events that bring a new intent to `status`.
    func history(to status: IntentStatus) -> [IntentEvent] {
        let change = IntentStatusChanged(note: nil, at: at)
        let preflighted = IntentEvent.preflighted(IntentPreflighted(outcome: .pass, findings: []))
        let review = IntentEvent.reviewRequested(IntentReviewRequested(reasons: ["3 open edges"], at: at))
        let accepted: [IntentEvent] = [received, preflighted, .accepted(change)]
        let shipped = IntentEvent.shipped(IntentShipped(note: change.note, at: change.at, shipment: nil))
        switch status {
        case .received: return [received]
        case .preflighted: return [received, preflighted]
        case .needsReview: return [received, preflighted, review]
        case .rejected: return [received, preflighted, .rejected(change)]
        case .accepted: return accepted
        case .inProduction: return accepted + [.productionStarted(change)]
        case .readyToShip: return accepted + [.productionStarted(change), .readyToShip(change)]
        case .shipped: return accepted + [.productionStarted(change), .readyToShip(change), shipped]
        case .closed:
            return accepted + [.productionStarted(change), .readyToShip(change), shipped, .closed(change)]
        case .cancelled: return [received, .cancelled(change)]
        }
    }

    @Test("receiving a valid draft records it; receiving it again changes nothing")
    func receive() {
        Scenario<IntentDecider>().then(.receive(id, draft), [received])
        Scenario<IntentDecider>(given: [received]).then(.receive(id, draft), [])
    }

    @Test("receiving a different intent under an existing id is refused")
    func receiveConflict() {
        var other = draft
        other.lineItems[0].quantity = 3
        #expect(
            Scenario<IntentDecider>(given: [received]).thenRefused(.receive(id, other))
                == .alreadyExists(aggregate: "intent"))
    }

    @Test("an intent in dollars takes quotes in dollars only; a currency that is not an ISO code is refused")
    func currency() throws {
        var dollars = draft
        dollars.currency = "USD"
        let receivedInDollars = IntentEvent.received(IntentReceived(intentID: id, draft: dollars, receivedAt: at))
        let usd = try QuoteCalculator.manual(price: 12, currency: "USD", note: nil)
        let eur = try QuoteCalculator.manual(price: 12, currency: "EUR", note: nil)
        let scenario = Scenario<IntentDecider>(given: [receivedInDollars])
        if case .success(let events) = scenario.when(.recordQuote(item.id, usd)) {
            #expect(events.count == 1)
        } else {
            Issue.record("a dollar quote is taken")
        }
        #expect(scenario.thenRefused(.recordQuote(item.id, eur))?.invalidField == "currency")
        // Without a currency the intent takes the farm's, whatever it is.
        if case .success(let events) = Scenario<IntentDecider>(given: [received]).when(.recordQuote(item.id, eur)) {
            #expect(events.count == 1)
        } else {
            Issue.record("a euro quote is taken")
        }
        var bad = draft
        bad.currency = "usd"
        #expect(Scenario<IntentDecider>().thenRefused(.receive(id, bad))?.invalidField == "currency")
    }

    @Test("a draft with no items, a zero quantity or no material is refused with the field named")
    func invalidDrafts() {
        var empty = draft
        empty.lineItems = []
        #expect(
            Scenario<IntentDecider>().thenRefused(.receive(id, empty))
                == .invalid(field: "lineItems", reason: "an intent needs at least one line item"))
        var zero = draft
        zero.lineItems[0].quantity = 0
        #expect(Scenario<IntentDecider>().thenRefused(.receive(id, zero))?.invalidField == "lineItems[0].quantity")
        var noMaterial = draft
        noMaterial.lineItems[0].material = "  "
        #expect(
            Scenario<IntentDecider>().thenRefused(.receive(id, noMaterial))?.invalidField == "lineItems[0].material")
    }

    @Test("a command on an intent that does not exist is refused")
    func notFound() {
        #expect(Scenario<IntentDecider>().thenRefused(.accept) == .notFound(aggregate: "intent", command: "accept"))
    }

    /// Every status-changing command against every status: legal ones emit exactly one event and land on the
    /// target, repeated ones emit nothing, all others are refused naming the command and the state.
    @Test(
        "every status change is allowed exactly from the statuses the lifecycle names",
        arguments: [
            Move<IntentCommand, IntentStatus>(.accept, IntentStatus.accepted, [.received, .preflighted, .needsReview]),
            Move<IntentCommand, IntentStatus>(
                .requestReview(reasons: ["thin walls"]), .needsReview, [.received, .preflighted, .accepted]),
            Move<IntentCommand, IntentStatus>(.reject, .rejected, [.received, .preflighted, .needsReview]),
            Move<IntentCommand, IntentStatus>(.startProduction, .inProduction, [.accepted]),
            Move<IntentCommand, IntentStatus>(.markReadyToShip, .readyToShip, [.inProduction]),
            Move<IntentCommand, IntentStatus>(
                .ship(Shipment(carrier: "UPS", trackingNumber: "1Z 999")), .shipped, [.readyToShip]),
            Move<IntentCommand, IntentStatus>(.close, .closed, [.shipped]),
            Move<IntentCommand, IntentStatus>(
                .cancel, .cancelled, [.received, .preflighted, .needsReview, .accepted, .inProduction]),
        ])
    func transitionMatrix(move: Move<IntentCommand, IntentStatus>) {
        let (command, target, allowedFrom) = (move.command, move.target, move.allowedFrom)
        for status in IntentStatus.allCases {
            let scenario = Scenario<IntentDecider>(given: history(to: status))
            #expect(IntentDecider.replay(scenario.given).intent?.status == status)
            let result = scenario.when(command)
            if status == target {
                #expect(result == .success([]), "\(command.name) on \(status) should be a no-op")
            } else if allowedFrom.contains(status) {
                guard case .success(let events) = result else {
                    Issue.record("\(command.name) on \(status) was refused: \(result)")
                    continue
                }
                #expect(events.count == 1)
                #expect(IntentDecider.replay(scenario.given + events).intent?.status == target)
            } else {
                #expect(
                    result
                        == .failure(
                            .illegalTransition(aggregate: "intent", command: command.name, state: status.rawValue)))
            }
        }
    }

    @Test("preflight is recorded from received, preflighted or needsReview; the same verdict twice is a no-op")
    func preflight() {
        let event = IntentEvent.preflighted(IntentPreflighted(outcome: .warn, findings: ["overhang 18%"]))
        Scenario<IntentDecider>(given: history(to: .received)).then(
            .recordPreflight(.warn, findings: ["overhang 18%"]), [event])
        Scenario<IntentDecider>(given: history(to: .received) + [event]).then(.recordPreflight(.warn, findings: []), [])
        Scenario<IntentDecider>(given: history(to: .needsReview)).then(
            .recordPreflight(.warn, findings: ["overhang 18%"]), [event])
        for status in IntentStatus.allCases where ![.received, .preflighted, .needsReview].contains(status) {
            let error = Scenario<IntentDecider>(given: history(to: status)).thenRefused(
                .recordPreflight(.pass, findings: []))
            #expect(
                error == .illegalTransition(aggregate: "intent", command: "record preflight of", state: status.rawValue)
            )
        }
        let state = IntentDecider.replay(history(to: .received) + [event]).intent
        #expect(state?.preflight == .warn)
        #expect(state?.statusReasons == ["overhang 18%"])
    }

    @Test("a failed preflight moves the intent to needsReview with the findings; the same failure again is a no-op")
    func failedPreflight() {
        let verdict = PreflightVerdict.unreadable(
            code: "model.truncated", message: "the file is cut short", material: "PLA")
        let items = [LineItemPreflight(lineItemID: item.id, artifact: "ab12", verdict: verdict)]
        let scenario = Scenario<IntentDecider>(given: history(to: .received))
        let expected: [IntentEvent] = [
            .preflighted(IntentPreflighted(outcome: .fail, findings: ["the file is cut short"], lineItems: items)),
            .reviewRequested(IntentReviewRequested(reasons: ["the file is cut short"], at: scenario.time)),
        ]
        scenario.then(.recordPreflight(.fail, findings: ["the file is cut short"], lineItems: items), expected)
        let after = history(to: .received) + expected
        let state = IntentDecider.replay(after).intent
        #expect(state?.status == .needsReview)
        #expect(state?.lineItemPreflights == items)
        Scenario<IntentDecider>(given: after).then(
            .recordPreflight(.fail, findings: ["the file is cut short"], lineItems: items), [])
        // A repaired file passes and clears the review.
        let passed = IntentEvent.preflighted(IntentPreflighted(outcome: .pass, findings: [], lineItems: nil))
        Scenario<IntentDecider>(given: after).then(.recordPreflight(.pass, findings: []), [passed])
        #expect(IntentDecider.replay(after + [passed]).intent?.status == .preflighted)
    }

    @Test("an amendment records only what changed and is refused once the intent is over")
    func amend() {
        let due = Date(timeIntervalSince1970: 1_800_100_000)
        let scenario = Scenario<IntentDecider>(given: history(to: .accepted))
        scenario.then(
            .amend(dueDate: due, paymentStatus: .paid),
            [.amended(IntentAmended(dueDate: due, paymentStatus: .paid, note: nil, at: scenario.time))])
        scenario.then(.amend(dueDate: nil, paymentStatus: .pending), [])
        for status in [IntentStatus.closed, .cancelled, .rejected] {
            #expect(
                Scenario<IntentDecider>(given: history(to: status)).thenRefused(
                    .amend(dueDate: due, paymentStatus: nil))
                    == .illegalTransition(aggregate: "intent", command: "amend", state: status.rawValue))
        }
        let amended = IntentDecider.replay(
            history(to: .accepted) + [
                .amended(IntentAmended(dueDate: due, paymentStatus: .paid, note: "rush", at: due))
            ]
        ).intent
        #expect(amended?.dueDate == due)
        #expect(amended?.paymentStatus == .paid)
        #expect(amended?.notes == ["rush"])
        #expect(amended?.status == .accepted)
    }

    @Test("an intent records its accept decision once; plan gates are refused on it")
    func gateDecision() {
        let accept = GateRecord(
            gate: .acceptIntent, outcome: .autoAdvance, rule: "passed preflight at low risk", explanation: "…", at: at)
        Scenario<IntentDecider>(given: [received]).then(.recordDecision(accept), [.gateDecided(accept)])
        Scenario<IntentDecider>(given: [received, .gateDecided(accept)]).then(.recordDecision(accept), [])
        var plan = accept
        plan.gate = .dispatch
        #expect(
            Scenario<IntentDecider>(given: [received]).thenRefused(.recordDecision(plan))
                == .invalid(
                    field: "gate",
                    reason: "an intent has one gate, acceptIntent; dispatch decisions belong to its plans"))
        #expect(IntentDecider.replay([received, .gateDecided(accept)]).intent?.decisions == [accept])
    }
}
