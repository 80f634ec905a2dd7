import FarmDomain
import FarmPlates
import FarmStore
import Foundation
import Logging
import ServiceLifecycle

/// Carries out the production loop: every `interval` it reads the open orders and what serves them, asks the
/// `ProductionPlanner` for the next steps and does each as a command (its result an event). It keeps nothing
/// the store does not: after a restart it reads the same state and plans on from it. What it remembers — which
/// plan revisions are sliced — it finds again in the slice cache. Open orders and plans are read each pass; the
/// runs are read in full once and then followed through the event log (`RunWorkingSet`).
public actor ProductionLoop: Service {
    let store: Store
    let slicing: (any LoopSlicer)?
    let fleet: (any RunDispatcher)?
    public let planner: ProductionPlanner
    let now: @Sendable () -> Date
    let logger: Logger
    let interval: Duration
    /// Sliced G-code per plan revision, found or made by a `.slice` step.
    private var gcode: [PlanRevisionKey: SlicedGCode] = [:]
    private var slicingNow: Set<PlanRevisionKey> = []
    /// A slice that failed rests before it is tried again, so a broken profile does not spin the slicer.
    private var sliceFailedAt: [PlanRevisionKey: Date] = [:]
    /// Plates being sliced, and plates whose slice failed (resting like revisions).
    private var freezingNow: Set<BuildPlateID> = []
    private var freezeFailedAt: [BuildPlateID: Date] = [:]
    /// Each profile version's bed, read once (nil: it could not be read).
    private var beds: [String: Bed?] = [:]
    /// What each subject last waited for, so a wait is logged once, not every pass.
    private var waiting: [String: String] = [:]
    /// The farm's plan ahead, as the last pass made it (the next pass keeps plates where it put them).
    public private(set) var schedule: FarmSchedule?
    /// The runs planned with, kept current from the event log (`catchUp`) after a full read (`readAll`).
    private var runs = RunWorkingSet(keepPerPrinter: 1, tracking: [])
    private var cursor: Int64 = 0
    private var lastFullRead: Date?
    /// How many times everything was read (for tests and the benchmark).
    public private(set) var fullReads = 0
    /// A safety net: everything is read again this often, even though the catch-up misses nothing.
    let fullReadEvery: TimeInterval

    public init(
        store: Store, slicing: (any LoopSlicer)?, fleet: (any RunDispatcher)?, settings: ProductionSettings,
        now: @escaping @Sendable () -> Date, logger: Logger,
        interval: Duration = .seconds(2), fullReadEvery: TimeInterval = 3600
    ) {
        self.fullReadEvery = fullReadEvery
        self.store = store
        self.slicing = slicing
        self.fleet = fleet
        self.planner = ProductionPlanner(settings: settings)
        self.now = now
        self.logger = logger
        self.interval = interval
    }

    public func run() async throws {
        logger.notice("production loop running")
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.pass()
                try? await Task.sleep(for: self.interval)
            }
        }
    }

    /// One pass: the steps planned and carried out (for tests and logs).
    @discardableResult
    public func pass() async -> [ProductionStep] {
        var farm: FarmSnapshot
        do {
            farm = try await snapshot()
        } catch {
            logger.warning("the production loop cannot read the farm: \(error)")
            return []
        }
        farm.previousSchedule = schedule
        let (steps, schedule) = planner.plan(farm)
        if schedule.moved > 0 { logger.info("replanned: \(schedule.moved) plate(s) moved to another printer") }
        self.schedule = schedule
        var stillWaiting: [String: String] = [:]
        for step in steps {
            if case .waiting(let subject, let reason) = step {
                stillWaiting[subject] = reason
                if waiting[subject] != reason { logger.info("\(subject) waits: \(reason)") }
                continue
            }
            await execute(step)
        }
        waiting = stillWaiting
        return steps
    }

    /// The plan as it would be made now, without doing any of it: what an operator's change does to the schedule.
    public func preview() async throws -> FarmSchedule {
        var farm = try await snapshot()
        farm.previousSchedule = schedule
        return planner.plan(farm).schedule
    }

    /// A loop that only reads — no fleet, no slicer — for benchmarks of its reading.
    public static func reader(store: Store, settings: ProductionSettings) -> ProductionLoop {
        ProductionLoop(
            store: store, slicing: nil, fleet: nil, settings: settings, now: { Date() }, logger: Logger(label: "loop"))
    }

    // MARK: reading

    /// Reads the open orders and their plans afresh, and the runs from the working set brought up to date.
    public func snapshot() async throws -> FarmSnapshot {
        let (intents, plans) = try await openWork()
        let open = Set(plans.map(\.id))
        if let last = lastFullRead, now().timeIntervalSince(last) < fullReadEvery {
            // Plans that closed are let go before the catch-up, which tracks plans created meanwhile.
            runs.keepTracking(only: open)
            try await catchUp()
            // An open plan neither tracked at the last full read nor created since: only a full read finds its runs.
            if !open.isSubset(of: runs.tracked) { try await readAll() }
        } else {
            try await readAll()
        }
        var models: [String: ModelFacts] = [:]
        for sha in Set(intents.flatMap { $0.lineItems.compactMap(\.modelArtifact) }) {
            if let facts = try await store.artifacts.get(id: sha)?.model.analysis { models[sha] = facts }
        }
        let profiles = BoundProfiles(try await store.profileBindings.all())
        var farm = FarmSnapshot(
            now: now(), intents: intents, plans: plans, runs: runs.held, printers: try await store.printers.all(),
            models: models, profiles: profiles,
            gcode: gcode, provenGCode: runs.proven)
        for spool in try await store.spools.all(status: SpoolStatus.loaded.rawValue) {
            farm.spoolsLeft[spool.id] = spool.remaining
        }
        for consumable in try await store.consumables.all(status: "installed") where !consumable.due.isEmpty {
            guard let printer = consumable.installed?.printer else { continue }
            farm.consumablesDue[printer, default: []] += consumable.due.map { "\(consumable.spec.title) \($0)" }
        }
        farm.plates = try await store.plates.all(status: BuildPlateStatus.composing.rawValue)
        farm.plates += try await store.plates.all(status: BuildPlateStatus.frozen.rawValue)
        if planner.settings.plates.mode == .farm || !farm.plates.isEmpty, let slicing {
            for profile in Set(plans.compactMap { $0.currentRevision?.spec.profile }) where beds[profile] == nil {
                beds[profile] = .some(await slicing.bed(profile: profile))
            }
            farm.beds = beds.compactMapValues { $0 }
        }
        return farm
    }

    /// The open intents and the plans of those in production.
    private func openWork() async throws -> (intents: [Intent], plans: [Plan]) {
        var intents: [Intent] = []
        for status in [IntentStatus.preflighted, .accepted, .inProduction] {
            intents += try await store.intents.all(status: status.rawValue)
        }
        var plans: [Plan] = []
        let decoder = StoreCoding.decoder()
        for intent in intents where intent.status == .inProduction {
            plans += try await store.plans.list(ref: intent.id.description, limit: 500).map {
                try decoder.decode(Plan.self, from: $0.body)
            }
        }
        return (intents, plans)
    }

    /// Reads every run (and the plates of those that passed QA) into a new working set tracking the plans open
    /// now. The head is taken first: what happens during the read is caught up next pass.
    private func readAll() async throws {
        let started = now()
        let head = try await store.events.headSequence()
        let (_, plans) = try await openWork()
        var set = RunWorkingSet(
            keepPerPrinter: max(
                planner.settings.guardrails.degradedWindow, planner.settings.guardrails.degradedConsecutive),
            tracking: Set(plans.map(\.id)))
        var passedPlates: Set<BuildPlateID> = []
        var runOfPlate: [BuildPlateID: RunID] = [:]
        try await store.runs.eachPage { page in
            for (run, version) in page {
                runOfPlate[run.plateID] = run.id
                if set.absorb(run, version: version) { passedPlates.insert(run.plateID) }
            }
        }
        // why: plates printed before plates recorded their runs stay frozen; each pass reads frozen plates, so they
        // are marked once here (an upgrade's one-time repair, and after a crash between a run and its plate's record).
        for plate in try await store.plates.all(status: BuildPlateStatus.frozen.rawValue) {
            if let run = runOfPlate[plate.id] {
                _ = try await store.plates.execute(
                    .markScheduled(run), id: plate.id.description, context: context(.policyAutoAdvance))
            }
        }
        try await store.plates.eachPage { page in
            for (plate, _) in page where passedPlates.contains(plate.id) {
                if let gcode = plate.gcodeArtifact { set.proven.insert(gcode) }
            }
        }
        runs = set
        cursor = head
        lastFullRead = started
        fullReads += 1
    }

    /// Reads the runs whose streams gained events since the cursor, and tracks the plans created since.
    private func catchUp() async throws {
        let changes = try await store.events.changes(after: cursor)
        for id in changes.created(PlanDecider.self).compactMap(PlanID.init) { runs.track(id) }
        for (id, version) in changes.of(RunDecider.self) {
            guard let id = RunID(id), version > runs.version(of: id) ?? 0,
                let (run, version) = try await store.runs.get(id: id.description)
            else { continue }
            if runs.absorb(run, version: version),
                let gcode = try await store.plates.get(id: run.plateID.description)?.model.gcodeArtifact
            {
                runs.proven.insert(gcode)
            }
        }
        cursor = changes.cursor
    }

    // MARK: doing

    private func context(_ reason: ReasonCode, note: String? = nil) -> CommandContext {
        CommandContext(actor: EventActor(.policy, "production"), reason: reason, note: note, time: now())
    }

    private func execute(_ step: ProductionStep) async {
        do {
            switch step {
            case .decideIntent(let id, let record):
                _ = try await store.intents.execute(
                    .recordDecision(record), id: id.description, context: context(Self.reason(of: record)))
            case .decidePlan(let id, let record):
                _ = try await store.plans.execute(
                    .recordDecision(record), id: id.description, context: context(Self.reason(of: record)))
            case .accept(let id):
                _ = try await store.intents.execute(.accept, id: id.description, context: context(.policyAutoAdvance))
            case .requestReview(let id, let reasons):
                _ = try await store.intents.execute(
                    .requestReview(reasons: reasons), id: id.description, context: context(.policyRequireApproval))
            case .startProduction(let id):
                _ = try await store.intents.execute(
                    .startProduction, id: id.description, context: context(.policyAutoAdvance))
            case .createPlan(let id, let intent, let item, let spec):
                _ = try await store.plans.execute(
                    .create(id, intentID: intent, lineItemID: item, spec: spec), id: id.description,
                    context: context(.policyAutoAdvance))
            case .approve(let id, let revision):
                _ = try await store.plans.execute(
                    .approve(revision: revision), id: id.description, context: context(.policyAutoAdvance))
            case .requireReview(let id, let revision, let trip):
                logger.notice("plan \(id) revision \(revision) stopped: \(trip.sentence)")
                _ = try await store.plans.execute(
                    .requireReview(revision: revision, reasons: [trip.sentence]), id: id.description,
                    context: context(trip.reason, note: trip.evidence))
            case .slice(let id, let revision, let model, let profile, let recipe):
                startSlicing(
                    PlanRevisionKey(plan: id, revision: revision), model: model, profile: profile, recipe: recipe)
            case .schedule(let attempt):
                try await schedule(attempt)
            case .autoPass(let run, let plan, let risk):
                _ = try await store.runs.execute(
                    .inspect(planID: plan, passed: true), id: run.description,
                    context: context(.qaPassed, note: "passed without inspection: \(risk.summary)"))
            case .degrade(let printer, let trip):
                logger.notice("printer \(printer) degraded: \(trip.sentence)")
                _ = try await store.printers.execute(
                    .markDegraded(reason: trip.sentence), id: printer.description,
                    context: context(trip.reason, note: trip.evidence))
            case .occupyBed(let printer, let reason):
                _ = try await store.printers.execute(
                    .markBedOccupied(reason: reason), id: printer.description, context: context(.dispatchBedOccupied))
            case .readyToShip(let id):
                _ = try await store.intents.execute(
                    .markReadyToShip, id: id.description, context: context(.policyAutoAdvance))
            case .requestChangeover(let printer, let task):
                logger.notice("printer \(printer) waits for a person to \(task.sentence)")
                _ = try await store.printers.execute(
                    .requestChangeover(task), id: printer.description,
                    context: context(.changeoverRequested, note: task.sentence))
            case .withdrawChangeover(let printer, let reason):
                _ = try await store.printers.execute(
                    .withdrawChangeover(reason: reason), id: printer.description,
                    context: context(.changeoverWithdrawn, note: reason))
            case .composePlate(let id, let items, let maxFill):
                _ = try await store.plates.execute(
                    .compose(id, items: items, maxFill: maxFill), id: id.description, context: context(.plateComposed))
            case .addToPlate(let id, let item):
                _ = try await store.plates.execute(.addItem(item), id: id.description, context: context(.plateComposed))
            case .removeFromPlate(let id, let plan, let reason):
                _ = try await store.plates.execute(
                    .removeItem(plan), id: id.description, context: context(.plateStale, note: reason))
            case .discardPlate(let id, let reason):
                logger.notice("plate \(id) discarded: \(reason)")
                _ = try await store.plates.execute(
                    .discard, id: id.description, context: context(.plateStale, note: reason))
            case .freezePlate(let freeze):
                startFreezing(freeze)
            case .markPlateScheduled(let plate, let run):
                _ = try await store.plates.execute(
                    .markScheduled(run), id: plate.description, context: context(.policyAutoAdvance))
            case .waiting: break
            }
        } catch {
            logger.warning("production step \(Self.name(of: step)) failed: \(error)")
        }
    }

    static func reason(of record: GateRecord) -> ReasonCode {
        switch record.outcome {
        case .autoAdvance: .policyAutoAdvance
        case .requireApproval: .policyRequireApproval
        case .block: .policyBlock
        }
    }

    static func name(of step: ProductionStep) -> String { String(describing: step).prefix { $0 != "(" }.description }

    /// Slices in the background: a pass does not wait for the slicer, the next one finds the G-code.
    private func startSlicing(_ key: PlanRevisionKey, model: String, profile: String, recipe: SliceRecipe) {
        guard let slicing, !slicingNow.contains(key) else { return }
        if let failed = sliceFailedAt[key], now().timeIntervalSince(failed) < 60 { return }
        slicingNow.insert(key)
        let context = context(.sliceRecorded)
        Task {
            do {
                let gcode = try await slicing.sliceForLoop(
                    model: model, profile: profile, recipe: recipe, context: context)
                self.sliced(key, gcode)
            } catch {
                self.sliceFailed(key, error)
            }
        }
    }

    private func sliced(_ key: PlanRevisionKey, _ result: SlicedGCode) {
        slicingNow.remove(key)
        sliceFailedAt[key] = nil
        gcode[key] = result
    }

    private func sliceFailed(_ key: PlanRevisionKey, _ error: any Error) {
        slicingNow.remove(key)
        sliceFailedAt[key] = now()
        logger.warning("cannot slice plan \(key.plan) revision \(key.revision): \(error); trying again in 60 s")
    }

    /// Slices a plate in the background; its G-code freezes it, unless parts joined or left it meanwhile (the next
    /// pass slices it again). A plate the slicer cannot arrange is split in two, each half limited below the fill
    /// the estimate gave the whole.
    private func startFreezing(_ freeze: PlateFreeze) {
        guard let slicing, !freezingNow.contains(freeze.plate) else { return }
        if let failed = freezeFailedAt[freeze.plate], now().timeIntervalSince(failed) < 60 { return }
        freezingNow.insert(freeze.plate)
        let context = context(.sliceRecorded)
        Task {
            do {
                let sliced = try await slicing.slicePlate(
                    entries: freeze.entries, profile: freeze.profile, recipe: freeze.recipe, context: context)
                await self.frozen(freeze, sliced)
            } catch let refused as PlateDoesNotFit {
                await self.split(freeze, refused.message, limit: true)
            } catch  where freeze.entries.count > 1 {
                // why: one model may fail the plate's slice (a slicer crash, a timeout) while the others print: the
                // halves are sliced apart, down to the part that fails alone, which waits and is retried.
                await self.split(freeze, "\(error)", limit: false)
            } catch {
                self.freezeFailed(freeze.plate, error)
            }
        }
    }

    private func frozen(_ freeze: PlateFreeze, _ sliced: SlicedPlate) async {
        defer { freezingNow.remove(freeze.plate) }
        do {
            guard let plate = try await store.plates.get(id: freeze.plate.description)?.model,
                plate.status == .composing, plate.items.map(\.planID) == freeze.plans,
                plate.items.map(\.copies) == freeze.entries.map(\.copies)
            else { return }
            let objects = PlateObject.objects(from: sliced.placements, plans: freeze.plans)
            _ = try await store.plates.execute(
                .freeze(
                    gcodeArtifact: sliced.artifact, objects: objects, estimatedSeconds: sliced.printSeconds,
                    filamentGrams: sliced.filamentGrams),
                id: freeze.plate.description,
                context: context(.plateFrozen, note: "\(objects.count) objects, sliced together"))
            logger.info("plate \(freeze.plate) frozen: \(objects.count) objects")
        } catch {
            logger.warning("cannot freeze plate \(freeze.plate): \(error)")
        }
    }

    /// `limit`: the slicer said the parts do not fit, so the halves may fill less of the bed than the whole did.
    private func split(_ freeze: PlateFreeze, _ message: String, limit: Bool) async {
        defer { freezingNow.remove(freeze.plate) }
        do {
            guard let plate = try await store.plates.get(id: freeze.plate.description)?.model,
                plate.status == .composing
            else { return }
            let copies = plate.items.flatMap { item in
                Array(repeating: PlateItem(planID: item.planID, revision: item.revision, copies: 1), count: item.copies)
            }
            let note =
                limit
                ? "the slicer could not arrange its \(copies.count) parts on the bed (\(message)); split in two"
                : "the slicer failed on the plate of \(copies.count) parts (\(message.prefix(300))); split in two"
            logger.notice("plate \(plate.id): \(note)")
            _ = try await store.plates.execute(
                .discard, id: plate.id.description, context: context(.plateSplit, note: note))
            guard copies.count > 1 else { return }
            let maxFill = limit ? max(0.05, freeze.fill * 0.9) : plate.maxFill
            let halves = [copies[..<(copies.count / 2)], copies[(copies.count / 2)...]]
            for (index, half) in halves.enumerated() {
                var items: [PlateItem] = []
                for copy in half {
                    if let at = items.firstIndex(where: { $0.planID == copy.planID }) {
                        items[at].copies += 1
                    } else {
                        items.append(copy)
                    }
                }
                let id = BuildPlateID(DerivedID.uuid(time: now(), key: "split|\(plate.id)|\(index)"))
                _ = try await store.plates.execute(
                    .compose(id, items: items, maxFill: maxFill), id: id.description,
                    context: context(.plateSplit, note: "half \(index + 1) of plate \(plate.id)"))
            }
        } catch {
            logger.warning("cannot split plate \(freeze.plate): \(error)")
        }
    }

    private func freezeFailed(_ plate: BuildPlateID, _ error: any Error) {
        freezingNow.remove(plate)
        freezeFailedAt[plate] = now()
        logger.warning("cannot slice plate \(plate): \(error); trying again in 60 s")
    }

    /// A plate with the attempt's copies, frozen with the G-code, scheduled on the chosen printer (in farm mode the
    /// plate is frozen already). Each command is a no-op when a crash left it done, because the ids are the
    /// attempt's.
    private func schedule(_ attempt: Attempt) async throws {
        let items = attempt.items
        let plate = try await store.plates.get(id: attempt.plate.description)?.model
        if plate == nil {
            _ = try await store.plates.execute(
                .compose(attempt.plate, items: items), id: attempt.plate.description,
                context: context(.policyAutoAdvance))
        }
        if plate?.gcodeArtifact == nil {
            _ = try await store.plates.execute(
                .freeze(gcodeArtifact: attempt.gcode), id: attempt.plate.description,
                context: context(.policyAutoAdvance))
        }
        let outcome = try await store.runs.execute(
            .schedule(
                attempt.run, plateID: attempt.plate, printerID: attempt.printer, items: items, risk: attempt.risk,
                itemRisks: attempt.itemRisks),
            id: attempt.run.description,
            context: context(.policyAutoAdvance, note: attempt.reprint ? "reprint" : nil))
        _ = try await store.plates.execute(
            .markScheduled(attempt.run), id: attempt.plate.description, context: context(.policyAutoAdvance))
        logger.info(
            "scheduled run \(attempt.run) of plan \(attempt.plan) on printer \(attempt.printer)\(attempt.reprint ? " (reprint)" : ""): risk \(attempt.risk.summary)"
        )
        await fleet?.scheduled(outcome.model, version: outcome.version)
    }
}
