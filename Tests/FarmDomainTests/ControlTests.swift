import FarmDomain
import Foundation
import Testing

/// A box's facts: `x` × `y` footprint, `z` tall, `overhang` share of its surface overhanging.
func box(x: Double, y: Double, z: Double, overhang: Double = 0, walls: Double = 5) -> ModelFacts {
    let surface = 2 * (x * y + x * z + y * z)
    return ModelFacts(
        format: "stl-binary", triangles: 12, vertices: 8, size: BuildVolume(x: x, y: y, z: z), volume: x * y * z,
        surfaceArea: surface, shells: 1, openEdges: 0, nonManifoldEdges: 0, inconsistentEdges: 0,
        degenerateTriangles: 0,
        nonFiniteCoordinates: 0, overhangArea: overhang * surface, overhangAngle: 45,
        footprint: [[0, 0], [x, 0], [x, y], [0, y]],
        wallThickness: WallThicknessFacts(
            samples: 100, minimum: walls, percentile1: walls, percentile5: walls, median: walls),
        unitsGuess: "millimetres", declaredUnit: nil, objectNames: [], readerNotes: [])
}

@Suite("Risk scores")
struct RiskAssessorTests {
    let assessor = RiskAssessor()

    @Test("a plain 20 mm cube in PLA with time to spare is LOW with no factors")
    func plainCube() {
        let risk = assessor.assess(
            .intent,
            RiskInputs(model: box(x: 20, y: 20, z: 20), material: "PLA", slack: 5 * 86400, materialLoaded: true))
        #expect(risk.level == .low)
        #expect(risk.score == 0)
        #expect(risk.factors.isEmpty)
        #expect(risk.summary == "LOW (0): nothing raises the risk")
    }

    @Test(
        "geometry: overhangs, thin walls, tall and narrow, a large footprint in a warping material — each a sentence with its weight"
    )
    func geometry() {
        let overhang = assessor.assess(
            .intent, RiskInputs(model: box(x: 20, y: 20, z: 20, overhang: 0.31), material: "PLA"))
        #expect(
            overhang.factors == [
                RiskFactor(code: "geometry.overhang", sentence: "overhang area 31 % of the surface", weight: 25)
            ])
        #expect(overhang.level == .medium)

        let thin = assessor.assess(.intent, RiskInputs(model: box(x: 20, y: 20, z: 20, walls: 0.3), material: "PLA"))
        #expect(thin.factors.map(\.code) == ["geometry.thinWalls"])
        #expect(thin.factors.first?.sentence == "5 % of the walls thinner than 0.3 mm, under one 0.4 mm line")

        let tower = assessor.assess(.intent, RiskInputs(model: box(x: 10, y: 12, z: 80), material: "PLA"))
        #expect(
            tower.factors == [
                RiskFactor(code: "geometry.tallNarrow", sentence: "80 mm tall on a base 10 mm wide (8:1)", weight: 30)
            ])

        let absPlate = assessor.assess(.intent, RiskInputs(model: box(x: 200, y: 150, z: 5), material: "abs"))
        #expect(
            absPlate.factors == [
                RiskFactor(
                    code: "geometry.warping", sentence: "a flat footprint of 300 cm² in abs, which warps", weight: 25)
            ])
        let plaPlate = assessor.assess(.intent, RiskInputs(model: box(x: 200, y: 150, z: 5), material: "PLA"))
        #expect(
            plaPlate.factors == [
                RiskFactor(code: "geometry.largeFootprint", sentence: "a flat footprint of 300 cm²", weight: 10)
            ])
        let smaller = assessor.assess(.intent, RiskInputs(model: box(x: 150, y: 100, z: 5), material: "PLA"))
        #expect(smaller.factors.isEmpty, "PLA does not warp at 150 cm²: \(smaller.factors)")
    }

    @Test("history counts from the plan stage on; the printer's record only for a run")
    func history() {
        let inputs = RiskInputs(
            model: box(x: 20, y: 20, z: 20), material: "PLA", finishedRunsOfRevision: 0, failuresOfPlan: 2,
            printerFailures: (3, 10))
        #expect(assessor.assess(.intent, inputs).factors.isEmpty, "an intent has no history yet")
        let plan = assessor.assess(.plan, inputs)
        #expect(plan.factors.map(\.code) == ["history.planFailures", "history.firstRun"])
        #expect(plan.factors.first?.sentence == "this plan failed twice before")
        let run = assessor.assess(.run, inputs)
        #expect(run.factors.map(\.code) == ["history.planFailures", "history.printer", "history.firstRun"])
        #expect(run.score == 30 + 20 + 10)
        #expect(run.level == .high)
        #expect(
            run.summary.hasPrefix(
                "HIGH (60): this plan failed twice before (+30); the printer failed 3 of its last 10 runs (+20)"))
    }

    @Test("logistics: a due date that cannot be met, thin slack, material loaded nowhere")
    func logistics() {
        let late = assessor.assess(.intent, RiskInputs(material: "PETG", slack: -3 * 3600, materialLoaded: false))
        #expect(
            late.factors == [
                RiskFactor(code: "logistics.late", sentence: "cannot meet the due date: 3.0 h short", weight: 40),
                RiskFactor(code: "logistics.material", sentence: "PETG is not loaded on any printer", weight: 15),
            ])
        #expect(late.level == .high)
        let tight = assessor.assess(.intent, RiskInputs(material: "PLA", slack: 90 * 60))
        #expect(tight.factors.map(\.sentence) == ["SLA slack 1.5 h"])
    }

    @Test("the thresholds between levels are the farm's to set")
    func thresholds() {
        let inputs = RiskInputs(model: box(x: 20, y: 20, z: 20, overhang: 0.15), material: "PLA")
        #expect(RiskAssessor().assess(.intent, inputs).level == .low)
        #expect(RiskAssessor(thresholds: .init(medium: 10, high: 20)).assess(.intent, inputs).level == .medium)
    }
}

@Suite("Policy at the gates")
struct PolicyTests {
    let policy = ProductionSettings.standardPolicy

    @Test("the standard policy accepts a passed low-risk intent by itself and asks an operator otherwise")
    func acceptIntent() {
        let low = policy.decide(.acceptIntent, GateFacts(risk: .low, preflight: .pass, late: false))
        #expect(low.outcome == .autoAdvance)
        #expect(low.rule == "passed preflight at low risk")
        #expect(
            low.explanation
                == "acceptIntent: rule “passed preflight at low risk” because risk LOW and preflight pass → goes ahead")
        let medium = policy.decide(.acceptIntent, GateFacts(risk: .medium, preflight: .pass, late: false))
        #expect(medium.outcome == .requireApproval(.operator))
        #expect(medium.rule == "default")
        let warned = policy.decide(.acceptIntent, GateFacts(risk: .low, preflight: .warn, late: false))
        #expect(warned.outcome == .requireApproval(.operator))
        let failed = policy.decide(.acceptIntent, GateFacts(risk: .low, preflight: .fail))
        #expect(
            failed.outcome
                == .block(reason: "the model failed preflight; ask the customer for a corrected file", ask: .operator))
        let late = policy.decide(.acceptIntent, GateFacts(risk: .low, preflight: .pass, late: true))
        #expect(late.rule == "due date cannot be met")
        #expect(late.explanation.contains("ask an owner"))
        // A shop's order waits for its payment; an order typed in or uploaded carries no payment state to wait for.
        let unpaid = policy.decide(
            .acceptIntent, GateFacts(risk: .low, preflight: .pass, late: false, payment: .pending, source: .shopify))
        #expect(unpaid.rule == "shop order not paid")
        #expect(
            unpaid.explanation
                == "acceptIntent: rule “shop order not paid” because payment pending and the order came from shopify → blocked: the shop has not reported payment yet; it goes ahead by itself once the order is paid (ask an operator)"
        )
        let paid = policy.decide(
            .acceptIntent, GateFacts(risk: .low, preflight: .pass, late: false, payment: .paid, source: .etsy))
        #expect(paid.outcome == .autoAdvance)
        let typedIn = policy.decide(
            .acceptIntent, GateFacts(risk: .low, preflight: .pass, late: false, payment: .pending, source: .api))
        #expect(typedIn.outcome == .autoAdvance)
    }

    @Test("a HIGH-risk revision waits for an operator; dispatch never goes to a degraded or desynced printer")
    func planAndDispatch() {
        #expect(policy.decide(.approvePlan, GateFacts(risk: .high, revision: 2)).outcome == .requireApproval(.operator))
        #expect(policy.decide(.approvePlan, GateFacts(risk: .medium, revision: 2)).outcome == .autoAdvance)
        #expect(policy.decide(.dispatch, GateFacts(printer: [])).outcome == .autoAdvance)
        let degraded = policy.decide(.dispatch, GateFacts(printer: [.degraded]))
        #expect(degraded.rule == "printer degraded")
        #expect(degraded.outcome.name == "block")
        #expect(policy.decide(.dispatch, GateFacts(printer: [.desynced, .maintenance])).rule == "printer desynced")
    }

    @Test("a fact nobody knows never satisfies a condition: the rule is skipped, and with no rule an operator is asked")
    func unknownFacts() {
        #expect(policy.decide(.acceptIntent, GateFacts()).outcome == .requireApproval(.operator))
        let custom = Policy(gates: [
            .dispatch: [
                PolicyRule(
                    name: "only healthy", when: .init(printer: [.offline]),
                    then: .block(reason: "offline", ask: .operator))
            ]
        ])
        #expect(
            custom.decide(.dispatch, GateFacts()).rule == "default", "no printer facts: the block rule cannot match")
        #expect(
            custom.decide(.reprint, GateFacts(risk: .low)).outcome == .requireApproval(.operator),
            "a gate without rules asks")
    }
}

@Suite("Guardrails")
struct GuardrailsTests {
    let guards = Guardrails()

    @Test("the loop breaker trips on the second failure of a revision and says what clears it")
    func loopBreaker() {
        let first = RunID(UUID(uuidString: "0190a1b2-0000-7000-8000-000000000001")!)
        let second = RunID(UUID(uuidString: "0190a1b2-0000-7000-8000-000000000002")!)
        #expect(guards.loopBreaker(revision: 1, failedRuns: [first]) == nil)
        let trip = guards.loopBreaker(revision: 1, failedRuns: [first, second])
        #expect(trip?.rule == .loopBreaker)
        #expect(trip?.evidence == "revision 1 failed 2 times (runs 0190a1b2, 0190a1b2), the limit is 2")
        #expect(trip?.reason == .guardLoopBreaker)
        #expect(
            Guardrails(settings: .init(loopBreakerFailures: 3)).loopBreaker(revision: 1, failedRuns: [first, second])
                == nil)
    }

    @Test("a printer is degraded after two failures in a row or three of its last ten runs")
    func degradation() {
        #expect(guards.degradation(recent: [false, true, false, true]) == nil)
        #expect(
            guards.degradation(recent: [false, true, true])?.evidence == "the last 2 runs failed in a row (limit 2)")
        #expect(
            guards.degradation(recent: [true, false, true, false, true, false])?.evidence
                == "3 of the last 6 runs failed (limit 3 of 10)")
        let old = [true, false, true, false] + Array(repeating: false, count: 8) + [true]
        #expect(guards.degradation(recent: old) == nil, "failures older than the window do not count")
    }

    @Test("retry ceiling and anomaly pause follow their settings")
    func ceilingAndAnomaly() {
        #expect(guards.retryCeiling(reprints: 2) == nil)
        #expect(guards.retryCeiling(reprints: 3)?.rule == .retryCeiling)
        #expect(guards.anomaly(kind: "spaghetti", confidence: 0.79) == nil)
        #expect(
            guards.anomaly(kind: "spaghetti", confidence: 0.93)?.evidence
                == "the printer reported spaghetti with confidence 0.93 (threshold 0.80)")
    }
}

@Suite("Production settings document")
struct ProductionSettingsTests {
    @Test("an empty document is the standard settings; a farm writes only what it changes")
    func defaults() throws {
        #expect(try ProductionSettings.load(Data("{}".utf8)) == ProductionSettings())
        let changed = try ProductionSettings.load(
            Data(
                #"""
                {"guardrails": {"loopBreakerFailures": 3}, "qa": {"autoPassLowRisk": true},
                 "policy": {"slice": [{"name": "ask first", "then": {"decide": "requireApproval", "role": "owner"}}]}}
                """#.utf8))
        #expect(changed.guardrails.loopBreakerFailures == 3)
        #expect(changed.guardrails.degradedConsecutive == 2)
        #expect(changed.qa.autoPassLowRisk)
        #expect(changed.policy.decide(.slice, GateFacts()).outcome == .requireApproval(.owner))
        #expect(
            changed.policy.gates[.dispatch] == nil, "a policy given replaces the standard one, gate by gate as written")
    }

    @Test("the standard settings survive a round trip through JSON")
    func roundTrip() throws {
        let data = try JSONEncoder().encode(ProductionSettings())
        #expect(try ProductionSettings.load(data) == ProductionSettings())
    }

    @Test(
        "a misspelt key, an unknown gate or decision, a duplicate rule name or an impossible limit is refused with where and what to do",
        arguments: [
            (#"{"guardrail": {}}"#, "guardrail", "unknown setting 'guardrail'"),
            (
                #"{"guardrails": {"loopBreakerFailure": 2}}"#, "guardrails.loopBreakerFailure",
                "unknown setting 'loopBreakerFailure'"
            ),
            (#"{"policy": {"dispatchh": []}}"#, "policy.dispatchh", "is not a gate"),
            (
                #"{"policy": {"slice": [{"name": "a", "then": {"decide": "maybe"}}]}}"#, "policy.slice[0].then.decide",
                "not a decision"
            ),
            (
                #"{"policy": {"slice": [{"name": "a", "then": {"decide": "requireApproval"}}]}}"#,
                "policy.slice[0].then.role", "missing"
            ),
            (
                #"{"policy": {"slice": [{"name": "a", "when": {"risk": ["SEVERE"]}, "then": {"decide": "autoAdvance"}}]}}"#,
                "policy.slice[0].when.risk[0]", "SEVERE"
            ),
            (
                #"{"policy": {"slice": [{"name": "a", "then": {"decide": "autoAdvance"}}, {"name": "a", "then": {"decide": "autoAdvance"}}]}}"#,
                "policy.gates.slice[1].name", "used twice"
            ),
            (
                #"{"guardrails": {"anomalyPauseConfidence": 1.5}}"#, "guardrails.anomalyPauseConfidence",
                "between 0 and 1"
            ),
            (#"{"risk": {"medium": 60, "high": 50}}"#, "risk", "medium < high"),
            (#"[1]"#, "settings", "expected"),
        ])
    func refused(document: String, field: String, words: String) {
        #expect {
            _ = try ProductionSettings.load(Data(document.utf8))
        } throws: { error in
            guard case DomainError.invalid(let got, let reason) = error else { return false }
            return got == field && reason.contains(words)
        }
    }
}
