import FarmPlates
import Foundation

/// What the production loop knows at one moment: the open orders and everything that serves them.
public struct FarmSnapshot: Sendable {
    public var now: Date
    /// Intents that are preflighted, accepted or in production.
    public var intents: [Intent]
    /// Plans of those intents.
    public var plans: [Plan]
    /// Runs of those plans in any status, every unfinished run, and each printer's recent finished runs (fixed at
    /// init: they are indexed by plan).
    public let runs: [Run]
    public var printers: [Printer]
    /// Geometry of each model artifact (by SHA-256), from intake.
    public var models: [String: ModelFacts]
    /// The profile versions bound for each printer model and material.
    public var profiles: BoundProfiles
    /// G-code artifacts already sliced, by plan revision.
    public var gcode: [PlanRevisionKey: SlicedGCode]
    /// G-code that made parts which passed QA, in any order: a repeat order of a proven recipe is no first run.
    public var provenGCode: Set<String>
    /// The plan made last pass: plates stay where it put them unless moving wins clearly.
    public var previousSchedule: FarmSchedule?
    /// Plates composed or frozen and not yet scheduled, and (with their runs) those a run prints already.
    public var plates: [BuildPlate] = []
    /// The bed of each profile version (its shape and the slicer's spacing), where it could be read.
    public var beds: [String: Bed] = [:]
    /// Grams left on each spool loaded on a printer, by the farm's count.
    public var spoolsLeft: [SpoolID: Double] = [:]
    /// The limits reached by the nozzles and sheets fitted to each printer, in words.
    public var consumablesDue: [PrinterID: [String]] = [:]
    private let runsByPlan: [PlanID: [Run]]
    private let runsByPrinter: [PrinterID: [Run]]

    func runs(of plan: PlanID) -> [Run] { runsByPlan[plan] ?? [] }
    func runs(on printer: PrinterID) -> [Run] { runsByPrinter[printer] ?? [] }

    public init(
        now: Date, intents: [Intent], plans: [Plan], runs: [Run], printers: [Printer], models: [String: ModelFacts],
        profiles: BoundProfiles,
        gcode: [PlanRevisionKey: SlicedGCode], provenGCode: Set<String> = []
    ) {
        self.provenGCode = provenGCode
        var byPlan: [PlanID: [Run]] = [:]
        for run in runs { for planID in Set(run.items.map(\.planID)) { byPlan[planID, default: []].append(run) } }
        runsByPlan = byPlan
        runsByPrinter = Dictionary(grouping: runs, by: \.printerID)
        self.now = now
        self.intents = intents
        self.plans = plans
        self.runs = runs
        self.printers = printers
        self.models = models
        self.profiles = profiles
        self.gcode = gcode
    }
}

public struct PlanRevisionKey: Hashable, Sendable {
    public var plan: PlanID
    public var revision: Int

    public init(plan: PlanID, revision: Int) {
        self.plan = plan
        self.revision = revision
    }
}

public struct SlicedGCode: Sendable, Equatable {
    public var artifact: String
    /// The slicer's estimate for one copy.
    public var printSeconds: Double?
    /// Grams of filament one copy takes (purge line and skirt included), when the slicer said.
    public var filamentGrams: Double?

    public init(artifact: String, printSeconds: Double?, filamentGrams: Double? = nil) {
        self.artifact = artifact
        self.printSeconds = printSeconds
        self.filamentGrams = filamentGrams
    }
}

/// Decides the production loop's next steps from a snapshot. Pure: the caller carries them out (each a command
/// and its event) and calls again with what changed; steps that took effect are not planned again, because the
/// state they produced is in the next snapshot. One step per plan per pass keeps the order of effects simple.
public struct ProductionPlanner: Sendable {
    public var settings: ProductionSettings

    public init(settings: ProductionSettings) { self.settings = settings }

    var assessor: RiskAssessor { RiskAssessor(thresholds: settings.risk) }
    var guards: Guardrails { Guardrails(settings: settings.guardrails) }

    public func steps(_ farm: FarmSnapshot) -> [ProductionStep] { plan(farm).steps }

    /// The next steps and the farm's plan ahead they follow.
    public func plan(_ farm: FarmSnapshot) -> (steps: [ProductionStep], schedule: FarmSchedule) {
        var steps: [ProductionStep] = []
        var ready: [ReadyPlate] = []
        let open = OpenPlates(farm)
        let plansByItem = Dictionary(farm.plans.map { ($0.lineItemID, $0) }, uniquingKeysWith: { a, _ in a })
        for intent in farm.intents {
            switch intent.status {
            case .preflighted: steps += acceptGate(intent, farm)
            case .accepted: steps.append(.startProduction(intent.id))
            case .inProduction:
                var done = true
                for item in intent.lineItems {
                    guard let plan = plansByItem[item.id] else {
                        done = false
                        steps.append(createPlan(intent, item, farm))
                        continue
                    }
                    let progress = PlanProgress(plan: plan, runs: farm.runs(of: plan.id))
                    if progress.passed < item.quantity { done = false }
                    steps += self.steps(
                        for: plan, item: item, intent: intent, progress: progress,
                        onPlates: open.copies[plan.id] ?? 0, farm: farm, ready: &ready)
                }
                if done { steps.append(.readyToShip(intent.id)) }
            default: break
            }
        }
        let plating = plates(ready, open: open, farm: farm)
        steps += plating.steps
        var (dispatch, schedule) = scheduleAndDispatch(
            settings.plates.mode == .farm ? [] : ready, plates: plating.jobs, farm: farm)
        if settings.plates.mode == .farm || !plating.outlook.isEmpty { schedule.plates = plating.outlook }
        steps += dispatch
        steps += qa(farm)
        steps += degradation(farm)
        steps += beds(farm)
        return (steps, schedule)
    }

    // MARK: intents

    private func acceptGate(_ intent: Intent, _ farm: FarmSnapshot) -> [ProductionStep] {
        let risk = intentRisk(intent, farm)
        let facts = GateFacts(
            risk: risk.level, preflight: intent.preflight, late: slack(intent, farm).map { $0 < 0 },
            payment: intent.paymentStatus, source: intent.source)
        let record = GateRecord(settings.policy.decide(.acceptIntent, facts), risk: risk, at: farm.now)
        var steps: [ProductionStep] = [.decideIntent(intent.id, record)]
        switch record.outcome {
        case .autoAdvance: steps.append(.accept(intent.id))
        case .requireApproval, .block:
            steps.append(.requestReview(intent.id, reasons: [record.explanation, risk.summary]))
        }
        return steps
    }

    /// The riskiest line item's assessment stands for the intent.
    func intentRisk(_ intent: Intent, _ farm: FarmSnapshot) -> RiskAssessment {
        let slack = slack(intent, farm)
        // Unknown unless the farm records what is loaded at all.
        let loaded = Set(farm.printers.compactMap { $0.loadedMaterial?.material.uppercased() })
        return intent.lineItems.map { item in
            assessor.assess(
                .intent,
                RiskInputs(
                    model: item.modelArtifact.flatMap { farm.models[$0] }, material: item.material, slack: slack,
                    materialLoaded: loaded.isEmpty ? nil : loaded.contains(item.material.uppercased())))
        }.max { $0.score < $1.score } ?? assessor.assess(.intent, RiskInputs(material: ""))
    }

    /// Time to spare before the due date once the intent's remaining printing is done on one printer.
    public func slack(_ intent: Intent, _ farm: FarmSnapshot) -> TimeInterval? {
        guard let due = intent.dueDate else { return nil }
        var work: TimeInterval = 0
        for item in intent.lineItems {
            var perCopy = Self.roughPrintSeconds(item.modelArtifact.flatMap { farm.models[$0] })
            var passed = 0
            if let plan = farm.plans.first(where: { $0.lineItemID == item.id }) {
                if let revision = plan.currentRevision?.number,
                    let sliced = farm.gcode[PlanRevisionKey(plan: plan.id, revision: revision)]?.printSeconds
                {
                    perCopy = sliced
                }
                passed = PlanProgress(plan: plan, runs: farm.runs(of: plan.id)).passed
            }
            work += perCopy * Double(max(0, item.quantity - passed))
        }
        return due.timeIntervalSince(farm.now) - work
    }

    /// Without a slice: volume at about 12 mm³/s, the pace of a 0.4 mm nozzle with the slicer's defaults, plus
    /// five minutes of heating; an hour when the model is unknown.
    public static func roughPrintSeconds(_ model: ModelFacts?) -> TimeInterval {
        guard let model else { return 3600 }
        return abs(model.volume) / 12 + 300
    }

    // MARK: plans

    private func createPlan(_ intent: Intent, _ item: LineItem, _ farm: FarmSnapshot) -> ProductionStep {
        guard let model = item.modelArtifact else {
            return .waiting("intent \(intent.id)", reason: "line item \(item.id) has no model; upload one to plan it")
        }
        let choices = farm.profiles.choices(for: item.material)
        guard !choices.isEmpty else {
            return .waiting(
                "intent \(intent.id)",
                reason:
                    "no slicer profile is bound for \(item.material); bind one (POST /api/v1/profile-bindings) to plan line item \(item.id)"
            )
        }
        // why: the loop took the first binding per material, so an order for a Voron was sliced with an MK3S profile
        // and failed on the Voron (issue 17). The plan takes the binding of the model with the most printers, and
        // goes only to printers of that model.
        let printersOf = { (model: String) in farm.printers.filter { $0.capabilities.prints(for: model) } }
        guard
            let (printerModel, profile) = choices.max(by: { a, b in
                let countA = printersOf(a.model).count
                let countB = printersOf(b.model).count
                return countA != countB ? countA < countB : a.model > b.model
            }), !printersOf(printerModel).isEmpty
        else {
            let bound = choices.map(\.model).joined(separator: ", ")
            return .waiting(
                "intent \(intent.id)",
                reason:
                    "no printer is of a model with a profile bound for \(item.material) (bound for \(bound)); give printers their model (PUT /api/v1/printers/{id}/capabilities) or bind a profile for theirs"
            )
        }
        var size = farm.models[model]?.size
        var orientation = Orientation()
        // why: PrusaSlicer never turns a part to fit; preflight passed a 260 × 20 mm bar on a 250 × 210 bed that the
        // slicer then refused (issue 17). When no printer takes it as it lies, the plan turns it as preflight found.
        if let facts = farm.models[model], let modelSize = facts.size {
            let angles = printersOf(printerModel).compactMap {
                PreflightInspector.fitAngle(
                    footprint: facts.footprint, size: modelSize, in: $0.capabilities.buildVolume)
            }
            if !angles.contains(0), let angle = angles.min() {
                orientation.z = angle
                size = PreflightInspector.turnedSize(footprint: facts.footprint, size: modelSize, degrees: angle)
            }
        }
        let spec = PlanSpec(
            profile: profile, orientation: orientation,
            requirements: PrinterRequirements(
                material: item.material, minimumVolume: size,
                printerModel: printerModel == ProfileBinding.anyModel ? nil : printerModel))
        let id = PlanID(DerivedID.uuid(time: intent.receivedAt, key: "plan|\(intent.id)|\(item.id)"))
        return .createPlan(id, intent: intent.id, lineItem: item.id, spec: spec)
    }

    private func steps(
        for plan: Plan, item: LineItem, intent: Intent, progress: PlanProgress, onPlates: Int, farm: FarmSnapshot,
        ready: inout [ReadyPlate]
    ) -> [ProductionStep] {
        guard let newest = plan.revisions.last else { return [] }
        if newest.status == .draft { return approveGate(plan, newest, item: item, progress: progress, farm: farm) }
        guard let revision = plan.currentRevision, newest.status != .reviewRequired else { return [] }
        let missing = item.quantity - progress.passed - progress.inFlight
        guard missing > 0 else { return [] }
        let failures = progress.failedRuns(revision: revision.number)
        if let trip = guards.loopBreaker(revision: revision.number, failedRuns: failures) {
            return [.requireReview(plan.id, revision: revision.number, trip)]
        }
        // Every copy beyond the ordered quantity makes up for one that gave no passed copy.
        let reprint = progress.copiesAttempted >= item.quantity
        let overridden = plan.decisions?.latest(.reprint, revision: revision.number)?.overridden == true
        if reprint, !overridden, let trip = guards.retryCeiling(reprints: progress.reprintRuns(quantity: item.quantity))
        {
            let record = GateRecord(
                gate: .reprint, outcome: .block(reason: trip.evidence, ask: .operator),
                rule: "guardrail \(trip.rule.rawValue)",
                explanation: "reprint: \(trip.sentence)", revision: revision.number, at: farm.now)
            if let last = plan.decisions?.latest(.reprint, revision: revision.number), last.repeats(record) {
                return []
            }
            return [.decidePlan(plan.id, record)]
        }
        let key = PlanRevisionKey(plan: plan.id, revision: revision.number)
        guard let model = item.modelArtifact else { return [] }
        guard let gcode = farm.gcode[key] else {
            let slicing = pass(
                .slice, plan: plan, revision: revision.number, facts: GateFacts(revision: revision.number), risk: nil,
                now: farm.now)
            guard slicing.advance else { return slicing.steps }
            return slicing.steps + [
                .slice(
                    plan.id, revision: revision.number, model: model, profile: revision.spec.profile,
                    recipe: SliceRecipe(revision.spec))
            ]
        }
        ready.append(
            ReadyPlate(
                plan: plan, item: item, intent: intent, revision: revision.number, spec: revision.spec, model: model,
                gcode: gcode, progress: progress, reprint: reprint, missing: missing, onPlates: onPlates,
                // why: a cancel is a person's decision about that printer ("wrong colour loaded"); the loop reprinted
                // at once on the same printer (issue 17). It goes back there only after someone tended the machine.
                cancelledOn: progress.untendedCancels(farm)))
        return []
    }

    /// The gates a plate passes on its way to `printer`, and the run that takes it there.
    func dispatch(_ plate: ReadyPlate, to printer: Printer, farm: FarmSnapshot) -> [ProductionStep] {
        let (steps, advance, risk) = gates(plate, to: printer, farm: farm)
        guard advance else { return steps }
        let (plan, progress, revision) = (plate.plan, plate.progress, plate.revision)
        // The attempt's id comes from the plan and how many attempts came before, so a repeat names the same run;
        // its time part from a moment a repeat sees unchanged (the last attempt's end, or the revision's drafting).
        let basis = progress.latestEnd ?? plan.revisions[revision - 1].createdAt
        let attemptKey = "attempt|\(plan.id)|\(progress.attempts + 1)"
        return steps + [
            .schedule(
                Attempt(
                    run: RunID(DerivedID.uuid(time: basis, key: "run|" + attemptKey)),
                    plate: BuildPlateID(DerivedID.uuid(time: basis, key: "plate|" + attemptKey)),
                    plan: plan.id, revision: revision, copies: 1,
                    items: [PlateItem(planID: plan.id, revision: revision, copies: 1)], plateFrozen: false,
                    printer: printer.id, gcode: plate.gcode.artifact, risk: risk, reprint: plate.reprint))
        ]
    }

    /// The gates of a plan on its way to `printer`: the decisions to record, whether it may go, and its risk there.
    func gates(_ plate: ReadyPlate, to printer: Printer, farm: FarmSnapshot) -> (
        steps: [ProductionStep], advance: Bool, risk: RiskAssessment
    ) {
        let (plan, item, intent, progress, revision) = (
            plate.plan, plate.item, plate.intent, plate.progress, plate.revision
        )
        let finished = progress.finished(revision: revision) + (farm.provenGCode.contains(plate.gcode.artifact) ? 1 : 0)
        let slack = slack(intent, farm)
        var inputs = RiskInputs(
            model: farm.models[plate.model], material: item.material, finishedRunsOfRevision: finished,
            failuresOfPlan: progress.failures, printerFailures: recentFailures(of: printer.id, farm), slack: slack)
        inputs.consumablesDue = farm.consumablesDue[printer.id] ?? []
        let risk = assessor.assess(.run, inputs)
        let facts = GateFacts(
            risk: risk.level, printer: conditions(of: printer), late: slack.map { $0 < 0 },
            firstRunOfRevision: finished == 0, revision: revision, payment: intent.paymentStatus,
            afterCancel: plate.reprint && progress.lastEnded?.status == .cancelled)
        var steps: [ProductionStep] = []
        // A reprint passes its own gate, then dispatch, like any run.
        if plate.reprint {
            let reprinting = pass(.reprint, plan: plan, revision: revision, facts: facts, risk: risk, now: farm.now)
            guard reprinting.advance else { return (reprinting.steps, false, risk) }
            steps += reprinting.steps
        }
        let dispatching = pass(.dispatch, plan: plan, revision: revision, facts: facts, risk: risk, now: farm.now)
        return (steps + dispatching.steps, dispatching.advance, risk)
    }

    private func approveGate(
        _ plan: Plan, _ revision: PlanRevision, item: LineItem, progress: PlanProgress, farm: FarmSnapshot
    ) -> [ProductionStep] {
        let risk = assessor.assess(
            .plan,
            RiskInputs(
                model: item.modelArtifact.flatMap { farm.models[$0] }, material: item.material,
                finishedRunsOfRevision: progress.finished(revision: revision.number), failuresOfPlan: progress.failures)
        )
        let approving = pass(
            .approvePlan, plan: plan, revision: revision.number,
            facts: GateFacts(risk: risk.level, firstRunOfRevision: true, revision: revision.number), risk: risk,
            now: farm.now)
        return approving.steps + (approving.advance ? [.approve(plan.id, revision: revision.number)] : [])
    }

    /// A plan revision's gate: an operator's override stands (nothing more is recorded); otherwise the policy
    /// decides, and its decision is recorded unless the last one says the same.
    private func pass(_ gate: Gate, plan: Plan, revision: Int, facts: GateFacts, risk: RiskAssessment?, now: Date) -> (
        advance: Bool, steps: [ProductionStep]
    ) {
        let last = plan.decisions?.latest(gate, revision: revision)
        if let last, last.overridden { return (last.outcome == .autoAdvance, []) }
        let record = GateRecord(settings.policy.decide(gate, facts), risk: risk, revision: revision, at: now)
        let steps: [ProductionStep] = last.map { $0.repeats(record) } == true ? [] : [.decidePlan(plan.id, record)]
        return (record.outcome == .autoAdvance, steps)
    }

    // MARK: printers

    func conditions(of printer: Printer) -> Set<PrinterCondition> {
        var conditions: Set<PrinterCondition> = []
        if printer.degraded != nil { conditions.insert(.degraded) }
        if printer.desynced != nil { conditions.insert(.desynced) }
        if printer.status == .maintenance { conditions.insert(.maintenance) }
        if printer.status == .offline { conditions.insert(.offline) }
        return conditions
    }

    /// The printer's finished runs that count for its health, oldest first (true = failed), since it was last cleared.
    func outcomes(of printer: PrinterID, _ farm: FarmSnapshot) -> [Bool] {
        let since = farm.printers.first { $0.id == printer }?.healthySince ?? .distantPast
        return farm.runs(on: printer)
            .filter { [.completed, .failed].contains($0.status) && ($0.endedAt ?? .distantPast) > since }
            .sorted { ($0.endedAt ?? .distantPast) < ($1.endedAt ?? .distantPast) }
            .map { $0.status == .failed }
    }

    private func recentFailures(of printer: PrinterID, _ farm: FarmSnapshot) -> (failed: Int, of: Int) {
        let recent = outcomes(of: printer, farm).suffix(settings.guardrails.degradedWindow)
        return (recent.filter { $0 }.count, recent.count)
    }

    // MARK: beds

    /// Why the printer's bed is not free, when the farm requires cleared beds: an operator has not yet marked it
    /// cleared since a print (even a failed or cancelled one) last ended on it.
    func bedTaken(_ printer: Printer, _ farm: FarmSnapshot) -> String? {
        guard settings.dispatch.requireClearedBed else { return nil }
        if let occupied = printer.bedOccupied { return occupied }
        let cleared = printer.bedClearedAt ?? .distantPast
        let last = farm.runs(on: printer.id).filter {
            $0.status.isTerminal && $0.startedAt != nil && ($0.endedAt ?? .distantPast) > cleared
        }
        .max { ($0.endedAt ?? .distantPast) < ($1.endedAt ?? .distantPast) }
        return last.map {
            "run \($0.id.description.suffix(6)) \($0.status.rawValue) on it; take the parts off and mark the bed cleared"
        }
    }

    /// Records on each printer that its bed is taken, so people see it (the printer choice above already waits).
    private func beds(_ farm: FarmSnapshot) -> [ProductionStep] {
        farm.printers.compactMap { printer in
            guard printer.bedOccupied == nil, let reason = bedTaken(printer, farm) else { return nil }
            return .occupyBed(printer.id, reason: reason)
        }
    }

    private func degradation(_ farm: FarmSnapshot) -> [ProductionStep] {
        farm.printers.compactMap { printer in
            guard printer.degraded == nil, let trip = guards.degradation(recent: outcomes(of: printer.id, farm)) else {
                return nil
            }
            return .degrade(printer.id, trip)
        }
    }

    // MARK: QA

    private func qa(_ farm: FarmSnapshot) -> [ProductionStep] {
        guard settings.qa.autoPassLowRisk else { return [] }
        return farm.runs.flatMap { run -> [ProductionStep] in
            guard run.qa == .pending else { return [] }
            // QA weighs what makes a print bad — geometry and history — not logistics: a near due date does not
            // make the part worse. On a shared plate each item by its own risk.
            return run.inspectedItems.compactMap { item in
                guard !run.inspections.contains(where: { $0.planID == item.planID }),
                    let risk = run.risk(of: item.planID),
                    risk.factors.filter({ !$0.code.hasPrefix("logistics.") }).reduce(0, { $0 + $1.weight })
                        < settings.risk.medium
                else { return nil }
                return .autoPass(run.id, item.planID, risk: risk)
            }
        }
    }
}

/// How far a plan's line item got: what passed QA, what is still on its way, what failed.
public struct PlanProgress: Sendable {
    public let plan: Plan
    public let runs: [Run]

    public init(plan: Plan, runs: [Run]) {
        self.plan = plan
        self.runs = runs
    }

    /// Copies of the plan the run makes: those it set out to print, less objects cancelled mid-print.
    private func copies(_ run: Run) -> Int { attempted(run) - run.excludedCopies(of: plan.id) }
    private func attempted(_ run: Run) -> Int { run.items.first { $0.planID == plan.id }?.copies ?? 0 }
    private func verdict(_ run: Run) -> Bool? { run.inspections.last { $0.planID == plan.id }?.passed }

    /// Copies that passed QA.
    public var passed: Int {
        runs.filter { $0.status == .completed && verdict($0) == true }.reduce(0) { $0 + copies($1) }
    }
    /// Copies printing, queued, or completed and waiting for QA.
    public var inFlight: Int {
        runs.filter { !$0.status.isTerminal || ($0.status == .completed && verdict($0) == nil) }.reduce(0) {
            $0 + copies($1)
        }
    }
    /// Every run of the plan so far.
    var attempts: Int { runs.count }
    /// Copies of the plan every run so far set out to print.
    var copiesAttempted: Int { runs.reduce(0) { $0 + attempted($1) } }

    /// Runs that set out only after `quantity` copies had been attempted: reprints.
    func reprintRuns(quantity: Int) -> Int {
        var attempted = 0
        var reprints = 0
        for run in runs.sorted(by: { $0.scheduledAt < $1.scheduledAt }) {
            if attempted >= quantity { reprints += 1 }
            attempted += self.attempted(run)
        }
        return reprints
    }
    /// Runs of the plan that failed on the printer or in QA (the plan's fault, not an interruption or a cancel).
    public var failures: Int { runs.filter(isFailure).count }

    func failedRuns(revision: Int) -> [RunID] {
        runs.filter { run in isFailure(run) && run.items.contains { $0.planID == plan.id && $0.revision == revision } }
            .sorted { ($0.endedAt ?? $0.scheduledAt) < ($1.endedAt ?? $1.scheduledAt) }.map(\.id)
    }

    func finished(revision: Int) -> Int {
        runs.filter { run in
            [.completed, .failed].contains(run.status)
                && run.items.contains { $0.planID == plan.id && $0.revision == revision }
        }.count
    }

    var latestEnd: Date? { runs.compactMap(\.endedAt).max() }

    /// The run of the plan that ended last.
    var lastEnded: Run? { runs.filter { $0.endedAt != nil }.max { $0.endedAt! < $1.endedAt! } }

    /// Printers where a run of the plan was cancelled and nobody has tended the machine since.
    func untendedCancels(_ farm: FarmSnapshot) -> Set<PrinterID> {
        Set(
            runs.filter { $0.status == .cancelled }.compactMap { run in
                let tended = farm.printers.first { $0.id == run.printerID }?.attendedAt ?? .distantPast
                return tended > (run.endedAt ?? run.scheduledAt) ? nil : run.printerID
            })
    }

    /// The plan's fault: the run failed, QA failed its part, or one of its objects was cancelled mid-print.
    private func isFailure(_ run: Run) -> Bool {
        run.status == .failed || (run.status == .completed && verdict(run) == false)
            || run.excludedCopies(of: plan.id) > 0
    }
}
