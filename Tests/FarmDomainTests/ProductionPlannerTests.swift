import Foundation
import Testing

@testable import FarmDomain

/// The production loop's decisions on hand-made farm snapshots.
@Suite("Production planner")
struct ProductionPlannerTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let model = "sha-cube"
    let item = LineItem(
        id: LineItemID(UUID(uuidString: "01936a4e-0000-7000-8000-0000000000a1")!), modelArtifact: "sha-cube",
        quantity: 1, material: "PLA")
    let intentID = IntentID(UUID(uuidString: "01936a4e-0000-7000-8000-000000000001")!)
    let planID = PlanID(UUID(uuidString: "01936a4e-0000-7000-8000-000000000002")!)
    let printerA = PrinterID(UUID(uuidString: "01936a4e-0000-7000-8000-00000000000a")!)
    let printerB = PrinterID(UUID(uuidString: "01936a4e-0000-7000-8000-00000000000b")!)
    var planner = ProductionPlanner(settings: ProductionSettings())

    func intent(_ status: IntentStatus, preflight: PreflightOutcome = .pass, quantity: Int = 1, due: Date? = nil)
        -> Intent
    {
        var line = item
        line.quantity = quantity
        return Intent(
            id: intentID, source: .api, externalReference: nil, customer: nil, lineItems: [line], dueDate: due,
            paymentStatus: .paid, currency: nil,
            constraints: [], status: status, preflight: preflight, lineItemPreflights: nil, quotes: nil,
            statusReasons: [], notes: [], receivedAt: now,
            updatedAt: now)
    }

    func plan(_ status: PlanRevisionStatus, decisions: [GateRecord]? = nil) -> Plan {
        Plan(
            id: planID, intentID: intentID, lineItemID: item.id,
            revisions: [
                PlanRevision(
                    number: 1, spec: PlanSpec(profile: "pla@1", requirements: PrinterRequirements(material: "PLA")),
                    status: status, reasons: [], createdAt: now)
            ],
            decisions: decisions, createdAt: now, updatedAt: now)
    }

    func printer(
        _ id: PrinterID, status: PrinterStatus = .idle, degraded: String? = nil, healthySince: Date? = nil,
        materials: [String] = ["PLA"]
    ) -> Printer {
        Printer(
            id: id, name: "p", connector: .virtual, address: "http://127.0.0.1:1",
            capabilities: PrinterCapabilities(buildVolume: BuildVolume(x: 250, y: 210, z: 210), materials: materials),
            status: status,
            observed: .idle, lastMessage: nil, job: nil, loadedMaterial: nil, calibrations: nil, desynced: nil,
            degraded: degraded,
            healthySince: healthySince, registeredAt: now, updatedAt: now)
    }

    func run(
        _ status: RunStatus, on printer: PrinterID, ended minutes: Double = 0, passed: Bool? = nil,
        risk: RiskAssessment? = nil
    ) -> Run {
        let id = RunID(DerivedID.uuid(time: now, key: "test-run-\(status)-\(minutes)-\(printer)"))
        let end = now.addingTimeInterval(minutes * 60)
        return Run(
            id: id, plateID: BuildPlateID(UUID()), printerID: printer, items: [PlateItem(planID: planID, revision: 1)],
            status: status,
            dispatchToken: nil, progress: nil, failure: nil,
            inspections: passed.map { [ItemInspection(planID: planID, passed: $0, reason: nil, at: end)] } ?? [],
            risk: risk,
            scheduledAt: end.addingTimeInterval(-600), startedAt: nil, endedAt: status.isTerminal ? end : nil,
            updatedAt: end)
    }

    func farm(
        intents: [Intent], plans: [Plan] = [], runs: [Run] = [], printers: [Printer]? = nil, sliced: Bool = false,
        overhang: Double = 0
    ) -> FarmSnapshot {
        FarmSnapshot(
            now: now, intents: intents, plans: plans, runs: runs, printers: printers ?? [printer(printerA)],
            models: [model: box(x: 20, y: 20, z: 20, overhang: overhang)], profiles: ["PLA": "pla@1"],
            gcode: sliced
                ? [PlanRevisionKey(plan: planID, revision: 1): SlicedGCode(artifact: "sha-gcode", printSeconds: 1800)]
                : [:])
    }

    @Test(
        """
        a preflighted low-risk order is accepted by the policy, with the decision recorded; a warned one waits for \
        an operator
        """
    )
    func acceptGate() {
        let steps = planner.steps(farm(intents: [intent(.preflighted)]))
        guard case .decideIntent(_, let record) = steps.first else {
            Issue.record("\(steps)")
            return
        }
        #expect(record.outcome == .autoAdvance)
        #expect(record.risk?.level == .low)
        #expect(steps.dropFirst().first == .accept(intentID))

        let warned = planner.steps(farm(intents: [intent(.preflighted, preflight: .warn)]))
        #expect(warned.count == 2)
        guard case .requestReview(_, let reasons) = warned.last else {
            Issue.record("\(warned)")
            return
        }
        #expect(reasons.first == "acceptIntent: no rule matched → waits for approval by an operator")
    }

    @Test("an order due before its printing can be done is blocked and names whom to ask")
    func lateOrder() {
        let steps = planner.steps(farm(intents: [intent(.preflighted, due: now.addingTimeInterval(600))]))
        guard case .decideIntent(_, let record) = steps.first else {
            Issue.record("\(steps)")
            return
        }
        #expect(record.rule == "due date cannot be met")
        #expect(record.risk?.factors.contains { $0.code == "logistics.late" } == true)
    }

    @Test(
        """
        an accepted order starts production; its line item gets a plan from the material's bound profile, or waits \
        for one
        """
    )
    func plansFromProfiles() {
        #expect(planner.steps(farm(intents: [intent(.accepted)])) == [.startProduction(intentID)])
        let steps = planner.steps(farm(intents: [intent(.inProduction)]))
        guard case .createPlan(_, _, let line, let spec) = steps.first else {
            Issue.record("\(steps)")
            return
        }
        #expect(line == item.id)
        #expect(spec.profile == "pla@1")
        #expect(spec.requirements.minimumVolume == BuildVolume(x: 20, y: 20, z: 20))
        #expect(
            planner.steps(farm(intents: [intent(.inProduction)])).first == steps.first,
            "the plan id is derived: the same on every pass")
        var noProfile = farm(intents: [intent(.inProduction)])
        noProfile.profiles = [:]
        guard case .waiting(_, let reason) = planner.steps(noProfile).first else {
            Issue.record("expected waiting")
            return
        }
        #expect(reason.contains("no slicer profile is bound for PLA"))
    }

    @Test("a draft revision is approved by the policy at low risk; a HIGH-risk one waits until an operator overrides")
    func approveGate() {
        let low = planner.steps(farm(intents: [intent(.inProduction)], plans: [plan(.draft)]))
        #expect(low.last == .approve(planID, revision: 1))
        let risky = farm(
            intents: [intent(.inProduction)], plans: [plan(.draft)],
            runs: [run(.failed, on: printerA), run(.failed, on: printerB, ended: 1)], overhang: 0.3)
        let high = planner.steps(risky)
        guard case .decidePlan(_, let record) = high.first else {
            Issue.record("\(high)")
            return
        }
        #expect(record.outcome == .requireApproval(.operator))
        #expect(record.risk?.level == .high)
        #expect(!high.contains(.approve(planID, revision: 1)))
        var overridden = risky
        overridden.plans = [
            plan(
                .draft,
                decisions: [
                    GateRecord(
                        gate: .approvePlan, outcome: .autoAdvance, rule: "override", explanation: "looked at it",
                        revision: 1, overridden: true, at: now)
                ])
        ]
        #expect(planner.steps(overridden).contains(.approve(planID, revision: 1)))
    }

    @Test("an approved revision is sliced first, then scheduled on a free printer under ids derived from the attempt")
    func sliceThenSchedule() {
        let slicing = planner.steps(farm(intents: [intent(.inProduction)], plans: [plan(.approved)]))
        #expect(slicing.last == .slice(planID, revision: 1, model: model, profile: "pla@1", recipe: SliceRecipe()))
        guard case .decidePlan(_, let record) = slicing.first else {
            Issue.record("\(slicing)")
            return
        }
        #expect(record.gate == .slice)
        #expect(record.rule == "always")
        let snapshot = farm(intents: [intent(.inProduction)], plans: [plan(.approved)], sliced: true)
        let steps = planner.steps(snapshot)
        guard case .schedule(let attempt) = steps.last else {
            Issue.record("\(steps)")
            return
        }
        #expect(attempt.printer == printerA)
        #expect(attempt.gcode == "sha-gcode")
        #expect(!attempt.reprint)
        #expect(attempt.risk.factors.map(\.code) == ["history.firstRun"])
        #expect(planner.steps(snapshot).last == steps.last, "a repeat after a restart names the same run and plate")
    }

    @Test(
        """
        a print that would run out of filament is not started: the printer waits, saying what is left and what the \
        plate takes, and a spool change is asked of a person; a fuller spool settles it and lets the plate start; a \
        printer whose spool the farm does not count is not held
        """
    )
    func shortOfFilament() {
        let spool = SpoolID(UUID(uuidString: "01936a4e-0000-7000-8000-0000000000c1")!)
        var loaded = printer(printerA)
        loaded.loadedMaterial = LoadedMaterial(material: "PLA", colour: nil, spool: spool)
        var snapshot = farm(
            intents: [intent(.inProduction)], plans: [plan(.approved)], printers: [loaded], sliced: true)
        snapshot.gcode[PlanRevisionKey(plan: planID, revision: 1)]?.filamentGrams = 30
        snapshot.spoolsLeft[spool] = 20
        let held = planner.steps(snapshot)
        #expect(!held.contains { if case .schedule = $0 { true } else { false } }, "\(held)")
        #expect(
            held.contains(
                .waiting(
                    "printer p",
                    reason: "its spool has 20 g left and the next plate takes 30 g: load a fuller spool of PLA")),
            "\(held)")
        // A spool change is planned: a changeover task for the board, settled by a fuller spool.
        let request = held.compactMap { step -> ChangeoverTask? in
            if case .requestChangeover(let id, let task) = step, id == printerA { task } else { nil }
        }.first
        #expect(request?.spoolChange == true && request?.steps == ["load a fuller spool of PLA"], "\(held)")
        #expect(request?.setup == PrinterSetup(material: "PLA") && request?.plan == planID)
        snapshot.printers[0].changeover = request
        let waiting = planner.steps(snapshot)
        #expect(!waiting.contains { if case .schedule = $0 { true } else { false } }, "still short: it waits")
        #expect(!waiting.contains { if case .withdrawChangeover = $0 { true } else { false } })
        snapshot.spoolsLeft[spool] = 37
        let settled = planner.steps(snapshot)
        #expect(
            settled.contains(.withdrawChangeover(printerA, reason: "a spool that holds the next plate is loaded")),
            "\(settled)")
        snapshot.printers[0].changeover = nil
        #expect(planner.steps(snapshot).contains { if case .schedule = $0 { true } else { false } }, "30 g + 5 % + 5 g")
        snapshot.spoolsLeft = [:]
        #expect(planner.steps(snapshot).contains { if case .schedule = $0 { true } else { false } })
    }

    @Test("dispatch skips degraded, busy and unfit printers; with none free the plate is planned after the busy one")
    func printerChoice() {
        let printers = [printer(printerA, degraded: "2 failures"), printer(printerB)]
        let steps = planner.steps(
            farm(intents: [intent(.inProduction)], plans: [plan(.approved)], printers: printers, sliced: true))
        guard case .schedule(let attempt) = steps.last else {
            Issue.record("\(steps)")
            return
        }
        #expect(attempt.printer == printerB)
        let none = planner.plan(
            farm(
                intents: [intent(.inProduction)], plans: [plan(.approved)],
                printers: [printer(printerA, degraded: "x"), printer(printerB, status: .busy)], sliced: true))
        #expect(!none.steps.contains { if case .schedule = $0 { true } else { false } }, "\(none.steps)")
        #expect(none.schedule.printers.map(\.printer) == [printerB], "a degraded printer is not planned on")
        // Someone else's print on B: its end is not known, so the farm plans an hour.
        #expect(none.schedule.printers.first?.prints.first?.start == now.addingTimeInterval(3600))
        let unfit = planner.plan(
            farm(
                intents: [intent(.inProduction)], plans: [plan(.approved)],
                printers: [printer(printerA, materials: ["PETG"])], sliced: true))
        guard case .waiting(_, let reason) = unfit.steps.last else {
            Issue.record("\(unfit.steps)")
            return
        }
        #expect(reason.contains("PLA must be among the printer's materials"), "\(reason)")
    }

    @Test("a print that would run into a printer's maintenance window goes to another printer, or waits")
    func maintenanceWindow() {
        var serviced = printer(printerA)
        // The sliced print takes 30 minutes; a window in 20 minutes is in its way, one in 40 is not.
        serviced.maintenanceWindows = [
            MaintenanceWindow(
                id: "belts", start: now.addingTimeInterval(1200), end: now.addingTimeInterval(4800), reason: "belts")
        ]
        let steps = planner.steps(
            farm(
                intents: [intent(.inProduction)], plans: [plan(.approved)], printers: [serviced, printer(printerB)],
                sliced: true))
        guard case .schedule(let attempt) = steps.last else {
            Issue.record("\(steps)")
            return
        }
        #expect(attempt.printer == printerB)
        let alone = planner.plan(
            farm(intents: [intent(.inProduction)], plans: [plan(.approved)], printers: [serviced], sliced: true))
        #expect(!alone.steps.contains { if case .schedule = $0 { true } else { false } }, "\(alone.steps)")
        let planned = alone.schedule.printers.first?.prints.first
        #expect(planned?.start == now.addingTimeInterval(4800), "planned right after the window: \(alone.schedule)")
        serviced.maintenanceWindows?[0].start = now.addingTimeInterval(2400)
        let later = planner.steps(
            farm(intents: [intent(.inProduction)], plans: [plan(.approved)], printers: [serviced], sliced: true))
        guard case .schedule(let fits) = later.last else {
            Issue.record("\(later)")
            return
        }
        #expect(fits.printer == printerA, "it finishes before the window")
    }

    @Test(
        "a failed run is reprinted through the reprint gate; the second failure of the revision trips the loop breaker")
    func reprintAndLoopBreaker() {
        let once = planner.steps(
            farm(
                intents: [intent(.inProduction)], plans: [plan(.approved)], runs: [run(.failed, on: printerB)],
                sliced: true))
        guard case .schedule(let attempt) = once.last else {
            Issue.record("\(once)")
            return
        }
        #expect(attempt.reprint)
        #expect(once.contains { if case .decidePlan(_, let r) = $0 { r.gate == .reprint } else { false } })
        let twice = planner.steps(
            farm(
                intents: [intent(.inProduction)], plans: [plan(.approved)],
                runs: [run(.failed, on: printerB), run(.completed, on: printerB, ended: 5, passed: false)], sliced: true
            ))
        guard case .requireReview(_, let revision, let trip) = twice.first else {
            Issue.record("\(twice)")
            return
        }
        #expect(revision == 1)
        #expect(trip.rule == .loopBreaker)
        #expect(!twice.contains { if case .schedule = $0 { true } else { false } })
    }

    @Test(
        """
        where the farm requires cleared beds, a printer gets no print until its bed is cleared after the last one, \
        and the bed is marked
        """
    )
    func clearedBeds() {
        var started = run(.completed, on: printerA, ended: -5, passed: true)
        started.startedAt = now.addingTimeInterval(-3600)
        let work = (intents: [intent(.inProduction, quantity: 2)], plans: [plan(.approved)])
        // Off (the default): the printer prints again at once.
        let off = planner.steps(farm(intents: work.intents, plans: work.plans, runs: [started], sliced: true))
        #expect(off.contains { if case .schedule = $0 { true } else { false } })
        #expect(!off.contains { if case .occupyBed = $0 { true } else { false } })

        var strict = ProductionPlanner(settings: ProductionSettings(dispatch: .init(requireClearedBed: true)))
        let waiting = strict.steps(farm(intents: work.intents, plans: work.plans, runs: [started], sliced: true))
        #expect(!waiting.contains { if case .schedule = $0 { true } else { false } }, "\(waiting)")
        guard let occupy = waiting.first(where: { if case .occupyBed = $0 { true } else { false } }),
            case .occupyBed(let id, let reason) = occupy
        else {
            Issue.record("\(waiting)")
            return
        }
        #expect(id == printerA && reason.contains("\(started.id.description.suffix(6)) completed"))
        // Marked: still waiting, not marked again.
        var marked = printer(printerA)
        marked.bedOccupied = reason
        let still = strict.steps(
            farm(intents: work.intents, plans: work.plans, runs: [started], printers: [marked], sliced: true))
        #expect(
            !still.contains { if case .schedule = $0 { true } else { false } }
                && !still.contains { if case .occupyBed = $0 { true } else { false } })
        // Cleared after the print ended: it prints again.
        var cleared = printer(printerA)
        cleared.bedClearedAt = now
        let again = strict.steps(
            farm(intents: work.intents, plans: work.plans, runs: [started], printers: [cleared], sliced: true))
        #expect(again.contains { if case .schedule = $0 { true } else { false } }, "\(again)")
        strict = ProductionPlanner(settings: ProductionSettings(dispatch: .init(requireClearedBed: true)))
        // A run that never started left nothing on the bed.
        let unstarted = strict.steps(
            farm(
                intents: work.intents, plans: work.plans, runs: [run(.cancelled, on: printerA, ended: -5)], sliced: true
            ))
        #expect(!unstarted.contains { if case .occupyBed = $0 { true } else { false } })
    }

    @Test("two failures in a row degrade a printer, counted only since an operator last cleared it")
    func degradation() {
        let failures = [run(.failed, on: printerB, ended: 1), run(.failed, on: printerB, ended: 2)]
        let steps = planner.steps(farm(intents: [], runs: failures, printers: [printer(printerB)]))
        #expect(steps.count == 1)
        guard case .degrade(let id, let trip) = steps.first else {
            Issue.record("\(steps)")
            return
        }
        #expect(id == printerB)
        #expect(trip.evidence == "the last 2 runs failed in a row (limit 2)")
        let cleared = planner.steps(
            farm(intents: [], runs: failures, printers: [printer(printerB, healthySince: now.addingTimeInterval(180))]))
        #expect(cleared.isEmpty)
    }

    @Test("QA passes LOW-risk runs by itself only where the farm allows it; passed copies finish the order")
    func qaAndShipping() {
        let low = RiskAssessor().assess(.run, RiskInputs(material: "PLA"))
        let done = run(.completed, on: printerA, risk: low)
        #expect(
            planner.steps(farm(intents: [intent(.inProduction)], plans: [plan(.approved)], runs: [done], sliced: true))
                .isEmpty, "QA waits for a person")
        var trusting = planner
        trusting.settings.qa.autoPassLowRisk = true
        #expect(
            trusting.steps(farm(intents: [intent(.inProduction)], plans: [plan(.approved)], runs: [done], sliced: true))
                == [.autoPass(done.id, planID, risk: low)])
        let late = RiskAssessor().assess(.run, RiskInputs(material: "PLA", finishedRunsOfRevision: 0, slack: 3600))
        #expect(late.level == .medium, "first run + SLA slack 1 h: \(late.summary)")
        let hurried = run(.completed, on: printerB, risk: late)
        #expect(
            trusting.steps(
                farm(intents: [intent(.inProduction)], plans: [plan(.approved)], runs: [hurried], sliced: true)
            ).contains(.autoPass(hurried.id, planID, risk: late)),
            "a tight due date does not hold QA")
        let risky = RiskAssessor().assess(
            .run, RiskInputs(model: box(x: 10, y: 10, z: 80), material: "PLA", finishedRunsOfRevision: 0))
        let tower = run(.completed, on: printerB, ended: 9, risk: risky)
        #expect(
            !trusting.steps(
                farm(intents: [intent(.inProduction)], plans: [plan(.approved)], runs: [tower], sliced: true)
            ).contains { if case .autoPass = $0 { true } else { false } },
            "a tall narrow part waits for a person")
        let passed = run(.completed, on: printerA, passed: true)
        #expect(
            planner.steps(
                farm(intents: [intent(.inProduction)], plans: [plan(.approved)], runs: [passed], sliced: true)) == [
                    .readyToShip(intentID)
                ])
    }

    @Test(
        """
        the second copy of an order for two is not a reprint; a third attempt after a failure is, and the ceiling \
        stops the fourth reprint
        """
    )
    func copiesAndCeiling() {
        let two = planner.steps(
            farm(
                intents: [intent(.inProduction, quantity: 2)], plans: [plan(.approved)],
                runs: [run(.printing, on: printerB)], sliced: true))
        guard case .schedule(let second) = two.last else {
            Issue.record("\(two)")
            return
        }
        #expect(!second.reprint)
        let failed = [
            run(.cancelled, on: printerB, ended: 1), run(.interrupted, on: printerB, ended: 2),
            run(.cancelled, on: printerB, ended: 3),
        ]
        let reprints = planner.steps(
            farm(
                intents: [intent(.inProduction)], plans: [plan(.approved)], runs: Array(failed.prefix(2)), sliced: true)
        )
        guard case .schedule(let third) = reprints.last else {
            Issue.record("\(reprints)")
            return
        }
        #expect(third.reprint)
        let ceiling = planner.steps(
            farm(
                intents: [intent(.inProduction)], plans: [plan(.approved)],
                runs: failed + [run(.cancelled, on: printerB, ended: 4)], sliced: true))
        guard case .decidePlan(_, let record) = ceiling.last else {
            Issue.record("\(ceiling)")
            return
        }
        #expect(record.gate == .reprint)
        #expect(record.outcome == .block(reason: "the item was reprinted 3 times (limit 3)", ask: .operator))
    }

    @Test(
        """
        a print cancelled on a printer is not reprinted there until someone tends the machine; another printer \
        takes it; a policy can ask for review
        """
    )
    func cancelNotStraightBack() {
        let cancelled = run(.cancelled, on: printerA, ended: -5)
        let alone = planner.steps(
            farm(intents: [intent(.inProduction)], plans: [plan(.approved)], runs: [cancelled], sliced: true))
        #expect(!alone.contains { if case .schedule = $0 { true } else { false } }, "\(alone)")
        guard case .waiting(_, let reason)? = alone.last else {
            Issue.record("\(alone)")
            return
        }
        #expect(reason.contains("it was cancelled on p") && reason.contains("loads material"), "\(reason)")
        // Another printer takes it.
        let elsewhere = planner.steps(
            farm(
                intents: [intent(.inProduction)], plans: [plan(.approved)], runs: [cancelled],
                printers: [printer(printerA), printer(printerB)], sliced: true))
        guard case .schedule(let attempt)? = elsewhere.last else {
            Issue.record("\(elsewhere)")
            return
        }
        #expect(attempt.printer == printerB && attempt.reprint)
        // The operator loads the right colour: printer A may take it again.
        var tended = printer(printerA)
        tended.attendedAt = now
        let again = planner.steps(
            farm(
                intents: [intent(.inProduction)], plans: [plan(.approved)], runs: [cancelled], printers: [tended],
                sliced: true))
        guard case .schedule(let back)? = again.last else {
            Issue.record("\(again)")
            return
        }
        #expect(back.printer == printerA)
        // A farm that wants a person to decide after every cancel says so in its policy.
        var careful = planner
        careful.settings.policy.gates[.reprint] = [
            PolicyRule(name: "after a cancel", when: .init(afterCancel: true), then: .requireApproval(.operator)),
            PolicyRule(name: "otherwise", then: .autoAdvance),
        ]
        let held = careful.steps(
            farm(
                intents: [intent(.inProduction)], plans: [plan(.approved)], runs: [cancelled], printers: [tended],
                sliced: true))
        #expect(!held.contains { if case .schedule = $0 { true } else { false } })
        guard case .decidePlan(_, let record)? = held.last else {
            Issue.record("\(held)")
            return
        }
        #expect(
            record.gate == .reprint && record.outcome == .requireApproval(.operator) && record.rule == "after a cancel",
            "\(record)")
        // A failure is not a cancel: no such rule applies, and the printer is not avoided.
        let failed = careful.steps(
            farm(
                intents: [intent(.inProduction)], plans: [plan(.approved)],
                runs: [run(.failed, on: printerA, ended: -5)], sliced: true))
        #expect(failed.contains { if case .schedule = $0 { true } else { false } }, "\(failed)")
    }

    @Test(
        """
        a part that fits the beds only turned is planned turned, with the turned size as its requirement; one that \
        fits as it lies is not turned
        """
    )
    func turnedToFit() {
        let barModel = "sha-bar"
        var line = item
        line.modelArtifact = barModel
        var order = intent(.inProduction)
        order.lineItems = [line]
        var snapshot = farm(intents: [order])
        snapshot.models[barModel] = box(x: 260, y: 20, z: 5)
        guard case .createPlan(_, _, _, let spec)? = planner.steps(snapshot).first else {
            Issue.record("\(planner.steps(snapshot))")
            return
        }
        #expect(spec.orientation.z > 0 && spec.orientation.z < 90, "\(spec.orientation)")
        let turned = try! #require(spec.requirements.minimumVolume)
        #expect(
            turned.z <= 210 && ((turned.x <= 250 && turned.y <= 210) || (turned.y <= 250 && turned.x <= 210)),
            "the turned bar fits the printer it was turned for: \(turned)")
        #expect(SliceRecipe(spec).orientation.z == spec.orientation.z, "and the slicer is told")
        snapshot.models[barModel] = box(x: 200, y: 20, z: 5)
        guard case .createPlan(_, _, _, let straight)? = planner.steps(snapshot).first else {
            Issue.record("no plan")
            return
        }
        #expect(straight.orientation == Orientation())
    }

    @Test(
        """
        a plan takes the profile bound for its printers' model and goes only to printers of that model; none of \
        the model: it waits and says why
        """
    )
    func printerModels() {
        let mk3Profile = "mk3s-pla"
        let voronProfile = "voron-pla"
        var mk3 = printer(printerA)
        mk3.capabilities.model = "MK3S"
        var voronB = printer(printerB)
        voronB.capabilities.model = "Voron 2.4"
        let printerC = PrinterID(UUID(uuidString: "01936a4e-0000-7000-8000-00000000000c")!)
        var voronC = printer(printerC)
        voronC.capabilities.model = "voron 2.4"
        let bindings = BoundProfiles([
            ProfileBinding(
                id: "mk3s|pla", printerModel: "MK3S", material: "PLA", profile: mk3Profile, history: [], updatedAt: now),
            ProfileBinding(
                id: "voron 2.4|pla", printerModel: "Voron 2.4", material: "PLA", profile: voronProfile, history: [],
                updatedAt: now),
        ])
        var snapshot = farm(intents: [intent(.inProduction)], printers: [mk3, voronB, voronC])
        snapshot.profiles = bindings
        guard case .createPlan(_, _, _, let spec)? = planner.steps(snapshot).first else {
            Issue.record("\(planner.steps(snapshot))")
            return
        }
        #expect(
            spec.profile == voronProfile && spec.requirements.printerModel == "Voron 2.4",
            "two Vorons, one MK3S: \(spec)")
        // The plan's printers are the Vorons only, whatever is free.
        let voronPlan = Plan(
            id: planID, intentID: intentID, lineItemID: item.id,
            revisions: [PlanRevision(number: 1, spec: spec, status: .approved, reasons: [], createdAt: now)],
            decisions: nil, createdAt: now, updatedAt: now)
        let onlyMK3Free = planner.steps(
            farm(
                intents: [intent(.inProduction)], plans: [voronPlan],
                runs: [run(.printing, on: printerB), run(.printing, on: printerC)],
                printers: [mk3, voronB, voronC], sliced: true))
        #expect(
            !onlyMK3Free.contains { if case .schedule = $0 { true } else { false } },
            "never sliced for a Voron and sent to an MK3S: \(onlyMK3Free)")
        let voronFree = planner.steps(
            farm(intents: [intent(.inProduction)], plans: [voronPlan], printers: [mk3, voronB], sliced: true))
        guard case .schedule(let attempt)? = voronFree.last else {
            Issue.record("\(voronFree)")
            return
        }
        #expect(attempt.printer == printerB)
        // Printers without a model take no model's profile.
        var unnamed = snapshot
        unnamed.printers = [printer(printerA)]
        guard case .waiting(_, let reason)? = planner.steps(unnamed).first else {
            Issue.record("\(planner.steps(unnamed))")
            return
        }
        #expect(
            reason.contains("no printer is of a model with a profile bound for PLA (bound for MK3S, Voron 2.4)"),
            "\(reason)")
        // A binding for every model ("*") serves them all.
        unnamed.profiles = ["PLA": "any-pla"]
        guard case .createPlan(_, _, _, let anySpec)? = planner.steps(unnamed).first else {
            Issue.record("\(planner.steps(unnamed))")
            return
        }
        #expect(anySpec.profile == "any-pla" && anySpec.requirements.printerModel == nil)
    }
}
