import FarmDomain
import Foundation

/// A farm day in simulated time: orders arrive, the real `ProductionPlanner` decides, the real deciders record
/// every step, printers print for the slicer's estimate and fail at a seeded rate, and an operator walks by every
/// half hour to do what waits for a person. Deterministic: one seed, one day.
public struct FarmDay {
    public struct Configuration: Sendable {
        public var seed: UInt64 = 1
        public var printers = 20
        public var orders = 200
        /// Orders arrive over this many hours.
        public var hours: Double = 8
        /// Share of runs that fail on the printer.
        public var failureRate = 0.08
        /// Two printers fail three times as often as the rest (a worn nozzle), for the degradation guard to find.
        public var troubledPrinters = 2
        /// How often an operator comes by for what waits for a person.
        public var operatorRound: TimeInterval = 1800
        /// How soon a person starts a changeover the board asks for (it takes the farm's setup minutes after that).
        public var changeoverResponse: TimeInterval = 600
        /// Printers start with a material and colour loaded, and orders name a colour: the schedule's changeovers are
        /// people's work (off: the farm records no loaded material, so nothing is ever changed over).
        public var loadedMaterials = true
        /// Printers per power circuit (for `settings.scheduling.startsPerCircuit`).
        public var printersPerCircuit = 5
        /// A person takes the parts off the bed after every print, this long after it ends (a human action per
        /// plate); the printer takes no new print until then. Nil: parts come off by themselves.
        public var bedClearing: TimeInterval? = 600
        /// Material limits: each printer prints from a spool of this many grams (they start the day part used), the
        /// planner starts no plate its spool cannot finish, and a person swaps in a full spool when one runs short.
        /// Nil: filament is not counted.
        public var spoolGrams: Double? = nil
        /// How soon a person swaps a spool the board says is too short (the swap itself is a minute or two).
        public var spoolSwapResponse: TimeInterval = 600
        public var settings = ProductionSettings(qa: .init(autoPassLowRisk: true))

        public init() {}
    }

    public struct Report: Sendable, CustomStringConvertible {
        public var orders = 0
        /// Copies ordered, over all orders.
        public var parts = 0
        public var finished = 0
        public var handsFree = 0
        public var onTime = 0
        public var runs = 0
        public var failedRuns = 0
        public var wastedPrintHours = 0.0
        public var printHours = 0.0
        public var utilisation = 0.0
        public var makespanHours = 0.0
        public var guardTrips: [String: Int] = [:]
        public var humanActions = 0
        /// What the people did, by command.
        public var humanActionsByKind: [String: Int] = [:]
        public var planningPasses = 0
        /// Changeovers people made, and their minutes.
        public var changeovers = 0
        public var changeoverMinutes = 0.0
        /// Hours late, summed over the orders finished after their due date.
        public var lateHours = 0.0
        /// Printing time over the printer time that had work to do: at each moment, printers up to the number of
        /// plates printing or waiting for a printer (1 = no printer stood idle while a plate waited).
        public var utilisationWhileWorkWaits = 0.0
        /// Orders not finished at the end, with where they stand (at most five).
        public var unfinished: [String] = []
        /// Parts that went on the printers (copies of all runs), and the share of the bed their footprints covered,
        /// summed over runs (`bedFill / runs` is the mean fill of a plate).
        public var partsPrinted = 0
        public var bedFill = 0.0
        /// Beds a person cleared.
        public var bedsCleared = 0
        /// With material limits: spools swapped because the next plate needed more than was left, the plates that
        /// waited for it and how long, spools opened by changeovers, filament printed, and prints that ran out half
        /// way (never, if the planner does its job).
        public var spoolSwaps = 0
        public var platesDelayedForMaterial = 0
        public var materialWaitHours = 0.0
        public var spoolsOpenedByChangeovers = 0
        public var filamentKilograms = 0.0
        public var printsRanOut = 0

        public init() {}

        public var description: String {
            func share(_ n: Int) -> String {
                String(format: "%.1f %%", orders == 0 ? 0 : Double(n) * 100 / Double(orders))
            }
            let trips = guardTrips.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            func ratio(_ a: Double, _ b: Int, _ format: String) -> String {
                String(format: format, b == 0 ? 0 : a / Double(b))
            }
            return """
                orders \(orders) (\(parts) parts), finished \(finished) (\(share(finished))), with no human action \(handsFree) (\(share(handsFree))), on time \(onTime) (\(share(onTime)))
                runs \(runs), failed \(failedRuns) (\(String(format: "%.1f %%", runs == 0 ? 0 : Double(failedRuns) * 100 / Double(runs)))); print hours \(String(format: "%.1f", printHours)), wasted on failures \(String(format: "%.1f", wastedPrintHours))
                printer utilisation \(String(format: "%.1f %%", utilisation * 100)) over \
                \(String(format: "%.1f", makespanHours)) h until the last order finished, \
                \(String(format: "%.1f %%", utilisationWhileWorkWaits * 100)) while work waited
                changeovers \(changeovers) (\(String(format: "%.0f", changeoverMinutes)) min), \
                late \(String(format: "%.1f", lateHours)) h over all orders
                plates \(runs), parts per plate \(ratio(Double(partsPrinted), runs, "%.2f")), \
                bed fill \(ratio(bedFill * 100, runs, "%.1f %%")), beds cleared \(bedsCleared), \
                human actions per 100 parts \(ratio(Double(humanActions) * 100, partsPrinted, "%.1f"))
                material: spools swapped when short \(spoolSwaps), plates delayed for material \
                \(platesDelayedForMaterial) (\(String(format: "%.1f", materialWaitHours)) h), spools opened by \
                changeovers \(spoolsOpenedByChangeovers), filament \(String(format: "%.1f", filamentKilograms)) kg, \
                prints that ran out \(printsRanOut)
                guardrail trips: \(trips.isEmpty ? "none" : trips); human actions \(humanActions) (\(humanActionsByKind.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))); planning passes \(planningPasses)
                """ + unfinished.map { "\nunfinished: \($0)" }.joined()
        }
    }

    let configuration: Configuration
    let planner: ProductionPlanner
    var random: Random
    var spoolFill: Random
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    var now: Date
    var intents: [IntentID: Intent] = [:]
    var plans: [PlanID: Plan] = [:]
    var runs: [RunID: Run] = [:]
    var printers: [PrinterID: Printer] = [:]
    var models: [String: ModelFacts] = [:]
    var gcode: [PlanRevisionKey: SlicedGCode] = [:]
    var events: [(at: Date, event: Event)] = []
    var touched: Set<IntentID> = []
    /// The plan ahead the last planning pass made.
    var schedule: FarmSchedule?
    var finishedAt: [IntentID: Date] = [:]
    var busySeconds = 0.0
    var report = Report()
    var troubled: Set<PrinterID> = []
    /// The G-code each run printed, for the recipes proven by a passed run.
    var gcodeOfRun: [RunID: String] = [:]
    /// Printers a person is changing over now.
    var changingOver: Set<PrinterID> = []
    var tickPending = false
    /// Printer time that had work (see `Report.utilisationWhileWorkWaits`).
    var workSeconds = 0.0
    /// Farm mode's plates.
    var plates: [BuildPlateID: BuildPlate] = [:]
    /// With material limits: grams left on each spool, what each run takes off its spool when it ends, and since
    /// when each printer has waited for a spool swap.
    var spoolLeft: [SpoolID: Double] = [:]
    var runUsage: [RunID: (spool: SpoolID, grams: Double)] = [:]
    var waitingForSpool: [PrinterID: Date] = [:]
    var spoolsMade = 0

    enum Event {
        case arrive(IntentDraft, IntentID)
        case runEnds(RunID, failed: Bool)
        case operatorRound
        /// A person finished the changeover asked of the printer.
        case changeoverDone(PrinterID)
        /// Time to plan again (a staggered start waits for prints to heat up).
        case tick
        /// A person took the parts off the printer's bed.
        case bedCleared(PrinterID)
        /// A person swapped a spool too short for the printer's next plate.
        case spoolSwapped(PrinterID)
    }

    public init(_ configuration: Configuration) {
        self.configuration = configuration
        var settings = configuration.settings
        if configuration.bedClearing != nil { settings.dispatch.requireClearedBed = true }
        planner = ProductionPlanner(settings: settings)
        random = Random(seed: configuration.seed)
        spoolFill = Random(seed: configuration.seed ^ 0x5350_4F4F_4C53)
        now = start
    }

    public mutating func run() -> Report {
        setUp()
        let horizon = start.addingTimeInterval((configuration.hours + 48) * 3600)
        while let next = events.indices.min(by: { events[$0].at < events[$1].at }) {
            let (at, event) = events.remove(at: next)
            guard at <= horizon else { break }
            account(until: at)
            now = at
            handle(event)
            plan()
            if finishedAt.count == configuration.orders { break }
        }
        return summarise()
    }

    // MARK: the farm

    mutating func setUp() {
        for index in 0..<configuration.printers {
            let id = PrinterID(DerivedID.uuid(time: start, key: "printer \(index)"))
            let enclosed = index % 4 == 0
            let caps = PrinterCapabilities(
                buildVolume: BuildVolume(x: 250, y: 210, z: 210), enclosure: enclosed,
                materials: enclosed ? ["PLA", "PETG", "ABS"] : ["PLA", "PETG"],
                powerCircuit: "circuit \(index / max(1, configuration.printersPerCircuit) + 1)")
            var state = PrinterDecider.initialState
            state = apply(
                PrinterDecider.self,
                .register(
                    id, PrinterRegistration(name: "p\(index)", connector: .virtual, address: "sim", capabilities: caps)),
                state)
            state = apply(PrinterDecider.self, .observe(.idle, message: nil), state)
            if configuration.loadedMaterials {
                let material = enclosed && index % 8 == 0 ? "ABS" : index % 3 == 2 ? "PETG" : "PLA"
                let colour = Self.colours[index % Self.colours.count].0
                state = apply(
                    PrinterDecider.self, .loadMaterial(LoadedMaterial(material: material, colour: colour)), state)
            }
            printers[id] = state.printer
            // Spools start the day part used: between a tenth and all of a spool. Drawn from a source of their own, so
            // a day with material limits is the same day as without them in everything else.
            if let grams = configuration.spoolGrams { fitSpool(id, grams: grams * (0.1 + 0.9 * spoolFill.unit())) }
            if index % (configuration.printers / max(1, configuration.troubledPrinters)) == 1,
                troubled.count < configuration.troubledPrinters
            {
                troubled.insert(id)
            }
        }
        let catalogue: [(String, ModelFacts)] = [
            ("small-box", Self.model(x: 20, y: 20, z: 20)), ("bracket", Self.model(x: 40, y: 25, z: 15)),
            ("knob", Self.model(x: 30, y: 30, z: 18)),
            ("lid", Self.model(x: 60, y: 60, z: 6)), ("clip", Self.model(x: 25, y: 10, z: 8)),
            ("tall-stand", Self.model(x: 15, y: 15, z: 70)),
            ("hook", Self.model(x: 30, y: 15, z: 40, overhang: 0.15)), ("plate", Self.model(x: 130, y: 120, z: 4)),
        ]
        for (name, facts) in catalogue { models[name] = facts }
        let span = configuration.hours * 3600
        let arrivals = (0..<configuration.orders).map { _ in random.unit() * span }.sorted()
        for (index, offset) in arrivals.enumerated() {
            let material = random.pick([("PLA", 0.6), ("PETG", 0.3), ("ABS", 0.1)])
            let model = catalogue[Int(random.unit() * Double(catalogue.count))].0
            let quantity = 1 + Int(random.unit() * 3)
            let arrival = start.addingTimeInterval(offset)
            let due = arrival.addingTimeInterval(3600 * (6 + random.unit() * 42))
            let id = IntentID(DerivedID.uuid(time: arrival, key: "order \(index)"))
            let colour = random.pick(Self.colours)
            let item = LineItem(
                id: LineItemID(DerivedID.uuid(time: arrival, key: "item \(index)")), modelArtifact: model,
                quantity: quantity, material: material, colour: configuration.loadedMaterials ? colour : nil)
            events.append(
                (
                    arrival,
                    .arrive(
                        IntentDraft(
                            source: .api, externalReference: "sim-\(index)", lineItems: [item], dueDate: due,
                            paymentStatus: .paid), id)
                ))
        }
        var round = start.addingTimeInterval(configuration.operatorRound)
        while round < start.addingTimeInterval((configuration.hours + 48) * 3600) {
            events.append((round, .operatorRound))
            round = round.addingTimeInterval(configuration.operatorRound)
        }
    }

    /// The colours orders ask for, and how often.
    static let colours: [(String, Double)] = [("black", 0.45), ("white", 0.3), ("grey", 0.15), ("red", 0.1)]

    /// One profile per material for every simulated printer (they all print the same G-code).
    let profiles: BoundProfiles = ["PLA": "pla@sim", "PETG": "petg@sim", "ABS": "abs@sim"]

    static func model(x: Double, y: Double, z: Double, overhang: Double = 0) -> ModelFacts {
        let surface = 2 * (x * y + x * z + y * z)
        let wall = min(x, y, z) / 2
        return ModelFacts(
            format: "sim", triangles: 12, vertices: 8, size: BuildVolume(x: x, y: y, z: z), volume: x * y * z * 0.35,
            surfaceArea: surface, shells: 1,
            openEdges: 0, nonManifoldEdges: 0, inconsistentEdges: 0, degenerateTriangles: 0, nonFiniteCoordinates: 0,
            overhangArea: overhang * surface,
            overhangAngle: 45, footprint: [[0, 0], [x, 0], [x, y], [0, y]],
            wallThickness: WallThicknessFacts(
                samples: 100, minimum: wall, percentile1: wall, percentile5: wall, median: wall),
            unitsGuess: "millimetres",
            declaredUnit: nil, objectNames: [], readerNotes: [])
    }

    mutating func handle(_ event: Event) {
        switch event {
        case .arrive(let draft, let id):
            var state = apply(IntentDecider.self, .receive(id, draft), IntentDecider.initialState)
            // Intake's preflight, as the real one would find these sound models.
            state = apply(IntentDecider.self, .recordPreflight(.pass, findings: []), state)
            intents[id] = state.intent
        case .runEnds(let id, let failed):
            guard var run = runs[id] else { return }
            takeFilament(of: id)
            let elapsed = now.timeIntervalSince(run.startedAt ?? now)
            busySeconds += elapsed
            report.printHours += elapsed / 3600
            if failed {
                report.wastedPrintHours += elapsed / 3600
                report.failedRuns += 1
            }
            run = apply(RunDecider.self, failed ? .fail : .complete, .exists(run)).run ?? run
            runs[id] = run
            if let printer = printers[run.printerID] {
                printers[run.printerID] =
                    apply(PrinterDecider.self, .observe(.idle, message: nil), .exists(printer)).printer
            }
            if let clearing = configuration.bedClearing {
                events.append((now.addingTimeInterval(clearing), .bedCleared(run.printerID)))
            }
        case .operatorRound:
            operatorRound()
        case .changeoverDone(let id):
            changingOver.remove(id)
            // Printer work, not a decision about the order: it does not count against the order's hands-free share.
            guard let printer = printers[id], printer.changeover != nil else { return }
            printers[id] = act(PrinterDecider.self, .confirmChangeover(nil), .exists(printer)).printer
            // Another material or colour is another spool: a full one.
            if let grams = configuration.spoolGrams, printers[id]?.loadedMaterial?.spool == nil {
                fitSpool(id, grams: grams)
                report.spoolsOpenedByChangeovers += 1
            }
        case .tick:
            tickPending = false
        case .bedCleared(let id):
            // Printer work, not a decision about an order: it does not count against the orders' hands-free share.
            guard let printer = printers[id] else { return }
            report.bedsCleared += 1
            printers[id] = act(PrinterDecider.self, .clearBed, .exists(printer)).printer
        case .spoolSwapped(let id):
            swapSpool(id)
        }
    }

    /// Adds the time from now to `until` to printing time and to the printer time that had work.
    mutating func account(until: Date) {
        let seconds = until.timeIntervalSince(now)
        guard seconds > 0 else { return }
        let printing = runs.values.filter { $0.status == .printing }.count
        let waiting = schedule?.printers.reduce(0) { $0 + $1.prints.count } ?? 0
        let up = printers.values.filter { $0.degraded == nil }.count
        workSeconds += Double(min(up, printing + waiting)) * seconds
    }

    /// A person answers each new changeover the board shows: they come within `changeoverResponse` and need the
    /// farm's setup minutes for it. A spool change is answered by a swap (`answerShortSpools`).
    mutating func answerChangeovers() {
        let settings = configuration.settings.scheduling
        // In id order: events at the same moment are handled in the order they were added, so a dictionary's order
        // would make one seed give different days.
        for (id, printer) in printers.sorted(by: { $0.key < $1.key })
        where printer.changeover != nil && printer.changeover?.spoolChange != true && !changingOver.contains(id) {
            guard let task = printer.changeover else { continue }
            changingOver.insert(id)
            let minutes = settings.changeoverMinutes(printer, to: task.setup)
            report.changeovers += 1
            report.changeoverMinutes += Double(minutes)
            events.append(
                (now.addingTimeInterval(configuration.changeoverResponse + Double(minutes) * 60), .changeoverDone(id)))
        }
    }

    /// What a person does on a round: accept orders held for review, approve held revisions, draft a changed
    /// revision where the loop breaker stopped one, inspect runs waiting for QA, clear degraded printers.
    mutating func operatorRound() {
        for (id, intent) in intents where intent.status == .needsReview {
            intents[id] = act(IntentDecider.self, .accept, .exists(intent)).intent
            touch(id)
        }
        for (id, plan) in plans {
            guard let newest = plan.revisions.last else { continue }
            if newest.status == .draft,
                plan.decisions?.latest(.approvePlan, revision: newest.number)?.outcome != .autoAdvance
            {
                plans[id] = act(PlanDecider.self, .approve(revision: newest.number), .exists(plan)).plan
                touch(plan.intentID)
            } else if newest.status == .reviewRequired {
                // A changed recipe: supports first, then another orientation each time.
                var spec = newest.spec
                if spec.supports == .none {
                    spec.supports = .buildPlateOnly
                } else {
                    spec.orientation.z = (spec.orientation.z + 90).truncatingRemainder(dividingBy: 360)
                }
                var state = act(PlanDecider.self, .draftRevision(spec), .exists(plan))
                if let drafted = state.plan?.revisions.last?.number {
                    state = act(PlanDecider.self, .approve(revision: drafted), state)
                }
                plans[id] = state.plan
                touch(plan.intentID)
            } else if let revision = plan.currentRevision?.number {
                // A gate waiting for a person (a HIGH-risk reprint, the retry ceiling): the operator lets it go on.
                var state = PlanState.exists(plan)
                for gate in [Gate.slice, .dispatch, .reprint] {
                    guard let last = plan.decisions?.latest(gate, revision: revision), last.outcome != .autoAdvance,
                        !last.overridden
                    else { continue }
                    let override = GateRecord(
                        gate: gate, outcome: .autoAdvance, rule: "override", explanation: "the operator lets it go on",
                        revision: revision, overridden: true, at: now)
                    state = act(PlanDecider.self, .recordDecision(override), state)
                    touch(plan.intentID)
                }
                plans[id] = state.plan
            }
        }
        for (id, run) in runs where run.qa == .pending {
            var state = RunState.exists(run)
            for item in run.items where !run.inspections.contains(where: { $0.planID == item.planID }) {
                state = act(RunDecider.self, .inspect(planID: item.planID, passed: true), state)
                if let intent = plans[item.planID]?.intentID { touch(intent) }
            }
            runs[id] = state.run
        }
        for (id, printer) in printers where printer.degraded != nil {
            printers[id] = act(PrinterDecider.self, .clearDegraded, .exists(printer)).printer
        }
    }

    mutating func touch(_ intent: IntentID) { touched.insert(intent) }

    /// Plans and applies until the planner has nothing new to do at this moment.
    mutating func plan() {
        for _ in 0..<20 {
            let open = intents.values.filter { [.preflighted, .accepted, .inProduction].contains($0.status) }
            let openPlans = Set(open.map(\.id))
            var snapshot = FarmSnapshot(
                now: now, intents: open.sorted { $0.receivedAt < $1.receivedAt },
                plans: plans.values.filter { openPlans.contains($0.intentID) }.sorted { $0.id < $1.id },
                runs: runs.values.sorted { $0.id < $1.id }, printers: printers.values.sorted { $0.id < $1.id },
                models: models, profiles: profiles, gcode: gcode,
                provenGCode: Set(runs.values.filter { $0.qa == .passed }.compactMap { gcodeOfRun[$0.id] }))
            snapshot.spoolsLeft = spoolLeft
            var snapshotWithPlates = snapshot
            snapshotWithPlates.plates = plates.values.filter { [.composing, .frozen].contains($0.status) }
                .sorted { $0.id < $1.id }
            report.planningPasses += 1
            var snapshotWithPlan = snapshotWithPlates
            snapshotWithPlan.previousSchedule = schedule
            let (planned, schedule) = planner.plan(snapshotWithPlan)
            self.schedule = schedule
            let steps = planned.filter { if case .waiting = $0 { false } else { true } }
            var changed = false
            for step in steps { changed = execute(step) || changed }
            let staggered = planned.contains {
                if case .waiting(_, let reason) = $0 { reason.hasPrefix("staggered start") } else { false }
            }
            if staggered, !tickPending {
                tickPending = true
                events.append(
                    (now.addingTimeInterval(Double(configuration.settings.scheduling.heatUpMinutes) * 60 + 1), .tick))
            }
            answerChangeovers()
            answerShortSpools(planned)
            if !changed { return }
        }
    }

    /// Applies one step as the loop would; false when it changed nothing.
    mutating func execute(_ step: ProductionStep) -> Bool {
        switch step {
        case .decideIntent(let id, let record): return update(intent: id, .recordDecision(record))
        case .decidePlan(let id, let record):
            let changed = update(plan: id, .recordDecision(record))
            if changed, case .block = record.outcome, record.rule.hasPrefix("guardrail") { trip("retryCeiling") }
            return changed
        case .accept(let id): return update(intent: id, .accept)
        case .requestReview(let id, let reasons): return update(intent: id, .requestReview(reasons: reasons))
        case .startProduction(let id): return update(intent: id, .startProduction)
        case .createPlan(let id, let intent, let item, let spec):
            plans[id] =
                apply(
                    PlanDecider.self, .create(id, intentID: intent, lineItemID: item, spec: spec),
                    PlanDecider.initialState
                ).plan
            return true
        case .approve(let id, let revision): return update(plan: id, .approve(revision: revision))
        case .requireReview(let id, let revision, let trip):
            self.trip(trip.rule.rawValue)
            return update(plan: id, .requireReview(revision: revision, reasons: [trip.sentence]))
        case .slice(let id, let revision, let model, let profile, let recipe):
            // One recipe, one G-code: the same model, profile and recipe slice to the same bytes.
            gcode[PlanRevisionKey(plan: id, revision: revision)] = SlicedGCode(
                artifact: "gcode|\(model)|\(profile)|\(recipe.hashValue)",
                printSeconds: ProductionPlanner.roughPrintSeconds(models[model]),
                filamentGrams: Self.grams(models[model]))
            return true
        case .schedule(let attempt): return start(attempt)
        case .autoPass(let run, let plan, _):
            guard let current = runs[run] else { return false }
            runs[run] = apply(RunDecider.self, .inspect(planID: plan, passed: true), .exists(current)).run
            return true
        case .degrade(let id, let trip):
            self.trip(trip.rule.rawValue)
            guard let printer = printers[id] else { return false }
            printers[id] = apply(PrinterDecider.self, .markDegraded(reason: trip.sentence), .exists(printer)).printer
            return true
        case .occupyBed(let id, let reason):
            guard let printer = printers[id] else { return false }
            printers[id] = apply(PrinterDecider.self, .markBedOccupied(reason: reason), .exists(printer)).printer
            return true
        case .readyToShip(let id):
            finishedAt[id] = now
            return update(intent: id, .markReadyToShip)
        case .requestChangeover(let id, let task):
            guard let printer = printers[id] else { return false }
            printers[id] = apply(PrinterDecider.self, .requestChangeover(task), .exists(printer)).printer
            return printers[id] != printer
        case .withdrawChangeover(let id, let reason):
            guard let printer = printers[id] else { return false }
            printers[id] = apply(PrinterDecider.self, .withdrawChangeover(reason: reason), .exists(printer)).printer
            return printers[id] != printer
        case .waiting: return false
        case .composePlate(let id, let items, let maxFill):
            return update(plate: id, .compose(id, items: items, maxFill: maxFill))
        case .addToPlate(let id, let item): return update(plate: id, .addItem(item))
        case .removeFromPlate(let id, let plan, _): return update(plate: id, .removeItem(plan))
        case .discardPlate(let id, _): return update(plate: id, .discard)
        case .markPlateScheduled(let id, let run): return update(plate: id, .markScheduled(run))
        case .freezePlate(let freeze):
            // The slicer, as the simulation models it: the parts' printing one after another, one heat-up for all.
            guard let plate = plates[freeze.plate], plate.status == .composing else { return false }
            let seconds = plate.items.reduce(300.0) { total, item in
                total + (ProductionPlanner.roughPrintSeconds(model(of: item.planID)) - 300) * Double(item.copies)
            }
            // A purge line and skirt besides the parts.
            let grams = plate.items.reduce(1.0) { $0 + Self.grams(model(of: $1.planID)) * Double($1.copies) }
            return update(
                plate: freeze.plate,
                .freeze(
                    gcodeArtifact: "plate|\(freeze.plate)", objects: nil, estimatedSeconds: Int(seconds),
                    filamentGrams: grams))
        }
    }

    mutating func trip(_ rule: String) { report.guardTrips[rule, default: 0] += 1 }

    /// Schedules the attempt and starts it at once (the dispatch itself is the fleet's, proven elsewhere); it
    /// ends at the slicer's estimate, or earlier when it fails.
    mutating func start(_ attempt: Attempt) -> Bool {
        guard runs[attempt.run] == nil, let printer = printers[attempt.printer] else { return false }
        let items = attempt.items
        var state = apply(
            RunDecider.self,
            .schedule(
                attempt.run, plateID: attempt.plate, printerID: attempt.printer, items: items, risk: attempt.risk,
                itemRisks: attempt.itemRisks),
            RunDecider.initialState)
        state = apply(RunDecider.self, .beginDispatch(token: "sim"), state)
        state = apply(RunDecider.self, .confirmStarted(token: "sim"), state)
        runs[attempt.run] = state.run
        gcodeOfRun[attempt.run] = attempt.gcode
        report.runs += 1
        printers[attempt.printer] = apply(PrinterDecider.self, .observe(.busy, message: nil), .exists(printer)).printer
        let duration =
            attempt.plateFrozen
            ? Double(plates[attempt.plate]?.estimatedSeconds ?? 3600)
            : gcode[PlanRevisionKey(plan: attempt.plan, revision: attempt.revision)]?.printSeconds ?? 3600
        for item in attempt.items {
            report.partsPrinted += item.copies
            if let size = model(of: item.planID)?.size {
                report.bedFill += size.x * size.y * Double(item.copies) / (250 * 210)
            }
        }
        let rate = troubled.contains(attempt.printer) ? configuration.failureRate * 3 : configuration.failureRate * 0.8
        let failed = random.unit() < rate
        // Most failures are first-layer ones, found early; the rest late in the print.
        let fraction = failed ? (random.unit() < 0.6 ? 0.05 : 0.5 + random.unit() * 0.45) : 1
        if let spool = printer.loadedMaterial?.spool, spoolLeft[spool] != nil {
            let grams =
                attempt.plateFrozen
                ? plates[attempt.plate]?.filamentGrams ?? 0
                : (gcode[PlanRevisionKey(plan: attempt.plan, revision: attempt.revision)]?.filamentGrams ?? 0)
                    * Double(attempt.copies)
            runUsage[attempt.run] = (spool, grams * fraction)
        }
        events.append((now.addingTimeInterval(duration * fraction), .runEnds(attempt.run, failed: failed)))
        return true
    }

    /// The model a plan prints.
    func model(of plan: PlanID) -> ModelFacts? {
        plans[plan].flatMap { plan in
            intents[plan.intentID]?.lineItems.first { $0.id == plan.lineItemID }?.modelArtifact
        }.flatMap { models[$0] }
    }

    mutating func update(plate id: BuildPlateID, _ command: BuildPlateCommand) -> Bool {
        let before = plates[id]
        let state = apply(BuildPlateDecider.self, command, before.map { .exists($0) } ?? .none)
        guard let after = state.plate, after != before else { return false }
        plates[id] = after
        return true
    }

    mutating func update(intent id: IntentID, _ command: IntentCommand) -> Bool {
        guard let intent = intents[id], let updated = apply(IntentDecider.self, command, .exists(intent)).intent,
            updated != intent
        else { return false }
        intents[id] = updated
        return true
    }

    mutating func update(plan id: PlanID, _ command: PlanCommand) -> Bool {
        guard let plan = plans[id], let updated = apply(PlanDecider.self, command, .exists(plan)).plan, updated != plan
        else { return false }
        plans[id] = updated
        return true
    }

    /// A person's command: counted, then applied like any other.
    mutating func act<D: Decider>(_ type: D.Type, _ command: D.Command, _ state: D.State) -> D.State {
        report.humanActions += 1
        report.humanActionsByKind[String(describing: command).prefix { $0 != "(" }.description, default: 0] += 1
        return apply(type, command, state, human: true)
    }

    /// A command through its decider; a refusal leaves the state as it was.
    func apply<D: Decider>(_: D.Type, _ command: D.Command, _ state: D.State, human: Bool = false) -> D.State {
        let actor = human ? EventActor(.user, "operator") : EventActor(.policy, "production")
        guard
            let events = try? D.decide(
                command, state: state, context: CommandContext(actor: actor, reason: .policyAutoAdvance, time: now))
        else { return state }
        return events.reduce(state, D.evolve)
    }

    func summarise() -> Report {
        var report = report
        report.orders = configuration.orders
        report.parts = intents.values.reduce(0) { $0 + $1.lineItems.reduce(0) { $0 + $1.quantity } }
        report.finished = finishedAt.count
        report.handsFree = finishedAt.keys.filter { !touched.contains($0) }.count
        report.onTime = finishedAt.filter { id, at in intents[id]?.dueDate.map { at <= $0 } ?? true }.count
        let end = finishedAt.values.max() ?? now
        report.makespanHours = end.timeIntervalSince(start) / 3600
        report.utilisation = busySeconds / (Double(configuration.printers) * max(1, end.timeIntervalSince(start)))
        report.utilisationWhileWorkWaits = workSeconds == 0 ? 0 : min(1, busySeconds / workSeconds)
        report.lateHours = finishedAt.reduce(0) { sum, entry in
            sum + max(0, entry.value.timeIntervalSince(intents[entry.key]?.dueDate ?? entry.value)) / 3600
        }
        for intent in intents.values.sorted(by: { $0.receivedAt < $1.receivedAt }) where finishedAt[intent.id] == nil {
            guard report.unfinished.count < 5 else { break }
            let plan = plans.values.first { $0.intentID == intent.id }
            let planRuns = runs.values.filter { run in run.items.contains { $0.planID == plan?.id } }
            let decisions =
                plan?.decisions?.map { "\($0.gate.rawValue)=\($0.outcome.name)" }.joined(separator: ",") ?? "-"
            report.unfinished.append(
                "\(intent.externalReference ?? "") \(intent.status.rawValue), plan \(plan?.status.rawValue ?? "none") r\(plan?.revisions.count ?? 0) [\(decisions)], runs \(planRuns.map { "\($0.status.rawValue)/\($0.qa.rawValue)" }.joined(separator: " "))"
            )
        }
        return report
    }
}

/// The simulation's only source of chance.
struct Random {
    var generator: SeededGenerator
    init(seed: UInt64) { generator = SeededGenerator(seed: seed) }

    mutating func unit() -> Double { generator.unit() }

    mutating func pick<T>(_ weighted: [(T, Double)]) -> T {
        var roll = unit() * weighted.reduce(0) { $0 + $1.1 }
        for (value, weight) in weighted {
            roll -= weight
            if roll < 0 { return value }
        }
        return weighted[weighted.count - 1].0
    }
}
