import FarmScheduling
import Foundation

/// A plan revision that is sliced, passed its gates so far, and misses copies: what the scheduler places.
struct ReadyPlate {
    var plan: Plan
    var item: LineItem
    var intent: Intent
    var revision: Int
    var spec: PlanSpec
    var model: String
    var gcode: SlicedGCode
    var progress: PlanProgress
    var reprint: Bool
    /// Copies neither passed nor printing nor waiting for QA.
    var missing: Int
    /// Of those, copies on open plates (farm mode).
    var onPlates: Int
    var cancelledOn: Set<PrinterID>

    /// Copies on no plate yet.
    var unplated: Int { max(0, missing - onPlates) }

    /// Print minutes of one copy: the slicer's estimate, else a rough one from the model.
    func minutes(_ farm: FarmSnapshot) -> Int {
        let seconds = gcode.printSeconds ?? ProductionPlanner.roughPrintSeconds(farm.models[model])
        return max(1, Int((seconds / 60).rounded(.up)))
    }

    /// Minutes from now until the order is due; nil without a due date.
    func dueMinutes(_ farm: FarmSnapshot) -> Int? {
        intent.dueDate.map { Int(($0.timeIntervalSince(farm.now) / 60).rounded(.down)) }
    }
}

extension ProductionPlanner {
    /// Plans the farm ahead (`FarmScheduling`) and takes the steps the plan asks for now: a printer that is free
    /// starts the head of its queue, or asks a person for the changeover the head needs; a printer whose changeover
    /// was asked for waits for the confirmation, and its plate stays with it.
    func scheduleAndDispatch(_ ready: [ReadyPlate], plates: [PlateBatch], farm: FarmSnapshot) -> (
        steps: [ProductionStep], schedule: FarmSchedule
    ) {
        var steps: [ProductionStep] = []
        let input = SchedulingInput(ready, plates: plates, farm: farm, settings: settings.scheduling)
        steps += input.withdrawn
        let weights = settings.scheduling.weights
        let problem = SchedulingProblem(
            printers: input.printers.map(\.machine), jobs: input.jobs.map(\.job),
            setupTimes: settings.scheduling.setupTimes,
            weights: ObjectiveWeights(
                weightedTardiness: weights.weightedTardiness, changeovers: weights.changeovers,
                makespan: weights.makespan))
        let replanner = Replanner(gain: .init(weightedTardiness: settings.scheduling.moveGainMinutes))
        // Nothing changed since the last pass (within the minute): the last plan stands without a new search.
        let digest = problem.hashValue
        let unchanged = farm.previousSchedule?.problemDigest == digest
        let budget = SchedulingBudget(
            objective: ScheduleObjective(rawValue: settings.scheduling.objective) ?? .lex,
            iterations: unchanged ? 0 : settings.scheduling.searchIterations, stopAfterStall: 300)
        let replan =
            settings.scheduling.scheduler == "dueDateRule"
            ? Replanner.Replan(
                schedule: EarliestDueDateRule().schedule(problem, budget: budget), moved: 0, searched: false)
            : replanner.replan(problem, previous: farm.previousSchedule?.queues ?? [:], budget: budget)
        var schedule = input.farmSchedule(replan, now: farm.now)
        schedule.problemDigest = digest

        var started = Set<String>()
        var heating = input.heating
        var taken = Set<Int>()
        var idle: [Int] = []
        var freezing = Set<BuildPlateID>()
        let placements = replan.schedule.placements
        /// Slices a composing plate (once per pass): its G-code freezes it.
        func freeze(_ batch: PlateBatch) {
            guard batch.plate.status == .composing, freezing.insert(batch.plate.id).inserted else { return }
            steps.append(.freezePlate(Self.freeze(batch)))
        }
        /// The printer's next plate: started now, or its changeover asked of a person.
        func take(_ job: Int, on index: Int, setup: Int, start: Int) {
            let slot = input.printers[index]
            let (printer, plate) = (slot.printer, input.jobs[job])
            taken.insert(job)
            if setup > 0 {
                let changes = FarmScheduling.PrinterState.changes(from: slot.machine.loaded, to: plate.job.state)
                steps.append(
                    .requestChangeover(
                        printer.id,
                        ChangeoverTask(
                            plan: plate.ready.plan.id, setup: input.setup(for: plate), steps: changes,
                            before: farm.now.addingTimeInterval(Double(start) * 60), plate: plate.batch?.plate.id)))
                return
            }
            guard start <= 0, !started.contains(plate.key) else { return }
            if let batch = plate.batch, batch.plate.status == .composing {
                freeze(batch)
                steps.append(
                    .waiting(
                        "printer \(printer.name)",
                        reason: "its next plate is being sliced (\(batch.plate.id.description.suffix(6)))"))
                return
            }
            if let short = Self.shortOfFilament(plate, on: printer, farm: farm) {
                // A spool change, on the board with the plate it holds up; loading a fuller spool settles it.
                if let loaded = printer.loadedMaterial {
                    var task = ChangeoverTask(
                        plan: plate.ready.plan.id,
                        setup: PrinterSetup(material: loaded.material, colour: loaded.colour),
                        steps: [
                            "load a fuller spool of "
                                + [loaded.material, loaded.colour].compactMap { $0 }.joined(separator: " ")
                        ],
                        before: farm.now, plate: plate.batch?.plate.id)
                    task.spoolChange = true
                    steps.append(.requestChangeover(printer.id, task))
                }
                steps.append(.waiting("printer \(printer.name)", reason: short))
                return
            }
            if let circuit = printer.capabilities.powerCircuit, let limit = settings.scheduling.startsPerCircuit,
                heating[circuit, default: 0] >= limit
            {
                steps.append(
                    .waiting(
                        "printer \(printer.name)",
                        reason:
                            "staggered start: \(heating[circuit, default: 0]) print(s) heating on circuit \(circuit) "
                            + "(at most \(limit) at once)"))
                return
            }
            let dispatched =
                plate.batch.map { self.dispatch($0, to: printer, farm: farm) }
                ?? self.dispatch(plate.ready, to: printer, farm: farm)
            steps += dispatched
            if dispatched.contains(where: { if case .schedule = $0 { true } else { false } }) {
                started.insert(plate.key)
                if let circuit = printer.capabilities.powerCircuit { heating[circuit, default: 0] += 1 }
            }
        }
        for (index, slot) in input.printers.enumerated() {
            let printer = slot.printer
            guard slot.committed == nil, printer.status == .idle, printer.job == nil, !input.busy.contains(printer.id)
            else { continue }
            if let bed = bedTaken(printer, farm) {
                if !placements[index].isEmpty {
                    steps.append(.waiting("printer \(printer.name)", reason: "its next print waits: \(bed)"))
                }
                continue
            }
            guard let head = placements[index].first else {
                idle.append(index)
                continue
            }
            take(head.job, on: index, setup: head.setup, start: head.start)
        }
        // why: the plan is made from the plates waiting now; a printer left idle while plates queue elsewhere loses
        // capacity the orders still to come will need (the farm day found printers idle a third of the time while
        // work waited). A free printer with nothing planned takes a plate that would wait elsewhere when it needs no
        // changeover for it; one that needs a changeover only when it finishes the plate `idleTakeoverMinutes`
        // before the plate would start where it is planned.
        for index in idle {
            let machine = problem.printers[index]
            var best: (job: Int, setup: Int, key: (Int, Int, Int))?
            for (other, queue) in placements.enumerated() where other != index {
                for placement in queue where placement.start > 0 && !taken.contains(placement.job) {
                    let job = problem.jobs[placement.job]
                    guard job.fits(machine) else { continue }
                    let setup = problem.setupTimes.between(machine.loaded, job.state)
                    // Without a changeover the move costs nobody anything: any plate not starting now elsewhere.
                    guard
                        setup == 0 || setup + job.duration + settings.scheduling.idleTakeoverMinutes <= placement.start
                    else { continue }
                    let key = (setup > 0 ? 1 : 0, job.due, -placement.start)
                    if best == nil || key < best!.key { best = (placement.job, setup, key) }
                }
            }
            if let best { take(best.job, on: index, setup: best.setup, start: best.setup) }
        }
        // A plate due to start soon is sliced ahead, so its printer does not wait for the slicer.
        for queue in placements {
            for placement in queue where placement.start <= settings.plates.freezeAheadMinutes {
                if let batch = input.jobs[placement.job].batch { freeze(batch) }
            }
        }
        for plate in schedule.unscheduled {
            steps.append(.waiting("plan \(plate.plan)", reason: plate.reason))
        }
        return (steps, schedule)
    }
}

/// The farm as the scheduler sees it: printers that can take work (with what they hold and until when they are
/// busy), one job per missing copy, and the farm's own rules (model, materials, pins, cancels) as `onlyOn`.
struct SchedulingInput {
    struct Slot {
        var printer: Printer
        var machine: SchedulingPrinter
        /// The plate whose changeover was asked for on this printer: it waits there for the confirmation.
        var committed: (plate: Job, task: ChangeoverTask)?
        var busyUntil: Date?
    }

    struct Job {
        /// The plan revision it prints (in farm mode, the plate's first: the others are alike in what matters).
        var ready: ReadyPlate
        var job: SchedulingJob
        /// Farm mode: the plate.
        var batch: PlateBatch?

        /// What a pass starts at most once: a plate, or a copy of a plan.
        var key: String { batch.map { "plate/\($0.plate.id)" } ?? "plan/\(ready.plan.id)" }
    }

    var printers: [Slot] = []
    var jobs: [Job] = []
    /// Printers with a non-terminal run.
    var busy: Set<PrinterID>
    /// Prints heating up now, by power circuit.
    var heating: [String: Int] = [:]
    /// Changeovers asked for that no plate needs any more.
    var withdrawn: [ProductionStep] = []
    init(_ ready: [ReadyPlate], plates: [PlateBatch], farm: FarmSnapshot, settings: SchedulingSettings) {
        let open = farm.runs.filter { !$0.status.isTerminal }
        let openOn = Dictionary(open.map { ($0.printerID, $0) }, uniquingKeysWith: { a, _ in a })
        busy = Set(open.map(\.printerID))
        let heatUp = Double(settings.heatUpMinutes) * 60
        let circuits = Dictionary(
            farm.printers.compactMap { p in p.capabilities.powerCircuit.map { (p.id, $0) } },
            uniquingKeysWith: { a, _ in a })
        for run in open where farm.now.timeIntervalSince(run.startedAt ?? run.scheduledAt) < heatUp {
            if let circuit = circuits[run.printerID] { heating[circuit, default: 0] += 1 }
        }
        let names = Dictionary(grouping: farm.printers, by: \.name)
        let planning = farm.printers.filter {
            ![.offline, .maintenance, .error].contains($0.status) && $0.degraded == nil && $0.desynced == nil
        }
        var waiting = ready
        var batches = plates
        for printer in planning {
            let label =
                names[printer.name, default: []].count > 1
                ? "\(printer.name) (\(printer.id.description.suffix(4)))" : printer.name
            var loaded = Self.state(of: printer)
            var available = 0.0
            var busyUntil: Date?
            if let run = openOn[printer.id] {
                available = Self.remaining(run, farm: farm)
                busyUntil = farm.now.addingTimeInterval(available)
            } else if printer.status != .idle || printer.job != nil {
                available = 3600  // a print of someone else's, or a pause: its end is not known here
                busyUntil = farm.now.addingTimeInterval(available)
            }
            var committed: (Job, ChangeoverTask)?
            if let task = printer.changeover {
                var found: Job?
                var putBack: () -> Void = {}
                if let plate = task.plate, let index = batches.firstIndex(where: { $0.plate.id == plate }) {
                    let batch = batches.remove(at: index)
                    found = Self.job(batch, printers: [], farm: farm, settings: settings)
                    putBack = { batches.insert(batch, at: index) }
                } else if task.plate == nil,
                    let index = waiting.firstIndex(where: { $0.plan.id == task.plan && $0.unplated > 0 })
                {
                    let plate = waiting[index]
                    waiting[index].missing -= 1
                    let job = Self.job(plate, copy: 0, printers: [], reason: "", farm: farm, settings: settings)
                    found = Job(ready: plate, job: job)
                    putBack = { waiting[index].missing += 1 }
                }
                // A spool change is settled by a fuller spool loaded through the farm: the plate goes on, no one
                // need confirm anything.
                if task.spoolChange == true, let plate = found,
                    ProductionPlanner.shortOfFilament(plate, on: printer, farm: farm) == nil
                {
                    putBack()
                    withdrawn.append(
                        .withdrawChangeover(printer.id, reason: "a spool that holds the next plate is loaded"))
                } else if let found {
                    let setup = settings.setupTimes.between(loaded, found.job.state)
                    loaded = found.job.state
                    available += Double(setup * 60) + Double(found.job.duration * 60)
                    busyUntil = farm.now.addingTimeInterval(available)
                    committed = (found, task)
                } else {
                    withdrawn.append(
                        .withdrawChangeover(printer.id, reason: "no plate waits for it any more; nothing to change"))
                }
            }
            let kit = printer.capabilities.nozzleDiameters.map { Int(($0 * 1000).rounded()) }
            printers.append(
                Slot(
                    printer: printer,
                    machine: SchedulingPrinter(
                        id: label,
                        buildVolume: [
                            printer.capabilities.buildVolume.x, printer.capabilities.buildVolume.y,
                            printer.capabilities.buildVolume.z,
                        ].map { Int($0.rounded(.down)) },
                        directDrive: printer.capabilities.directDrive ?? false,
                        enclosure: printer.capabilities.enclosure, hardenedNozzle: printer.capabilities.hardenedNozzle,
                        nozzleKit: kit, loaded: loaded, availableFrom: Int((available / 60).rounded(.up)),
                        maintenance: (printer.maintenanceWindows ?? []).compactMap { window in
                            guard window.end > farm.now else { return nil }
                            return MinuteWindow(
                                start: Int((window.start.timeIntervalSince(farm.now) / 60).rounded(.down)),
                                end: Int((window.end.timeIntervalSince(farm.now) / 60).rounded(.up)))
                        }),
                    committed: committed, busyUntil: busyUntil))
        }
        for plate in waiting where plate.unplated > 0 {
            let allowed = printers.filter { Self.allows(plate, on: $0.printer, farm: farm) }
            let reason = Self.restriction(plate, farm: farm)
            for copy in 1...plate.unplated {
                let job = Self.job(
                    plate, copy: copy, printers: Set(allowed.map(\.machine.id)), reason: reason, farm: farm,
                    settings: settings)
                jobs.append(Job(ready: plate, job: job))
            }
        }
        let slots = printers
        for batch in batches {
            let allowed = slots.filter { slot in
                batch.items.allSatisfy { Self.allows($0.ready, on: slot.printer, farm: farm) }
            }
            jobs.append(Self.job(batch, printers: Set(allowed.map(\.machine.id)), farm: farm, settings: settings))
        }
    }

    /// A plate as one job: alike in material, colour, nozzle and sheet (the composer saw to it), as large as its
    /// largest part, as long as its slice says (or its parts together, before it is sliced), due with its earliest.
    static func job(_ batch: PlateBatch, printers: Set<String>, farm: FarmSnapshot, settings: SchedulingSettings)
        -> Job
    {
        let lead = batch.items[0].ready
        var job = Self.job(
            lead, copy: 0, printers: printers, reason: restriction(lead, farm: farm), farm: farm, settings: settings)
        job.id = "plate/\(batch.plate.id)"
        var minutes = 0
        for (ready, copies) in batch.items {
            let part = Self.job(ready, copy: 0, printers: [], reason: "", farm: farm, settings: settings)
            job.footprint = zip(job.footprint, part.footprint).map { max($0, $1) }
            job.due = min(job.due, part.due)
            job.weight = max(job.weight, part.weight)
            job.needsEnclosure = job.needsEnclosure || part.needsEnclosure
            job.needsHardenedNozzle = job.needsHardenedNozzle || part.needsHardenedNozzle
            minutes += part.duration * copies
        }
        job.duration = batch.plate.estimatedSeconds.map { max(1, ($0 + 59) / 60) } ?? max(1, minutes)
        return Job(ready: lead, job: job, batch: batch)
    }

    /// What the printer holds, as the scheduler compares it: material upper case, colour lower case, nozzle in µm.
    static func state(of printer: Printer) -> FarmScheduling.PrinterState {
        FarmScheduling.PrinterState(
            material: printer.loadedMaterial?.material.uppercased() ?? "",
            colour: printer.loadedMaterial?.colour?.lowercased() ?? "",
            nozzle: printer.nozzle.map { Int(($0 * 1000).rounded()) } ?? 0, surface: printer.fittedSurface ?? "")
    }

    /// Seconds until the run on a printer ends: what the printer says is left, else the slice's estimate less what
    /// has printed, else an hour.
    static func remaining(_ run: Run, farm: FarmSnapshot) -> TimeInterval {
        if let left = run.progress?.remainingSeconds { return max(60, left) }
        let planned = run.items.compactMap { item in
            farm.gcode[PlanRevisionKey(plan: item.planID, revision: item.revision)]?.printSeconds
        }.first
        guard let planned else { return 3600 }
        let elapsed = run.startedAt.map { farm.now.timeIntervalSince($0) } ?? 0
        return max(60, planned - elapsed)
    }

    static func job(
        _ plate: ReadyPlate, copy: Int, printers: Set<String>, reason: String, farm: FarmSnapshot,
        settings: SchedulingSettings
    ) -> SchedulingJob {
        let requirements = plate.spec.requirements
        let size = requirements.minimumVolume
        return SchedulingJob(
            id: "\(plate.plan.id)/\(copy)", material: plate.item.material.uppercased(),
            colour: plate.item.colour?.lowercased() ?? "",
            nozzle: requirements.nozzleDiameter.map { Int(($0 * 1000).rounded()) } ?? 0,
            needsEnclosure: requirements.enclosure, needsHardenedNozzle: requirements.hardenedNozzle,
            footprint: [size?.x ?? 0, size?.y ?? 0, size?.z ?? 0].map { Int($0.rounded(.up)) },
            duration: plate.minutes(farm), due: plate.dueMinutes(farm) ?? SchedulingJob.noDueDate,
            weight: plate.plan.scheduling?.rush == true ? 5 : 1,
            surface: settings.surface(for: plate.item.material) ?? "", onlyOn: printers, onlyOnReason: reason)
    }

    /// The farm's rules beyond the machine's size and kit: the profile's printer model, the materials the printer
    /// takes, an untended cancel, an operator's pin.
    static func allows(_ plate: ReadyPlate, on printer: Printer, farm: FarmSnapshot) -> Bool {
        let caps = printer.capabilities
        let material = plate.item.material.uppercased()
        guard caps.prints(for: plate.spec.requirements.printerModel), !plate.cancelledOn.contains(printer.id),
            caps.materials.isEmpty || caps.materials.contains(where: { $0.uppercased() == material })
        else { return false }
        if let pinned = plate.plan.scheduling?.pinnedPrinter, pinned != printer.id { return false }
        if let group = plate.plan.scheduling?.pinnedGroup, caps.group?.lowercased() != group.lowercased() {
            return false
        }
        return true
    }

    static func restriction(_ plate: ReadyPlate, farm: FarmSnapshot) -> String {
        var rules: [String] = []
        if let pinned = plate.plan.scheduling?.pinnedPrinter {
            let name = farm.printers.first { $0.id == pinned }?.name ?? pinned.description
            rules.append("it is pinned to \(name)")
        }
        if let group = plate.plan.scheduling?.pinnedGroup { rules.append("it is kept to group \(group)") }
        if let model = plate.spec.requirements.printerModel { rules.append("it is sliced for \(model) printers") }
        rules.append("\(plate.item.material) must be among the printer's materials")
        if !plate.cancelledOn.isEmpty {
            let names = plate.cancelledOn.compactMap { id in farm.printers.first { $0.id == id }?.name }.sorted()
            rules.append(
                "it was cancelled on \(names.joined(separator: ", ")), which takes it again once someone loads "
                    + "material, ends maintenance or clears its bed")
        }
        return "no available printer meets the farm's rules: " + rules.joined(separator: "; ")
    }

    /// The setup a person makes for `plate`: its material and colour, nozzle and sheet where they matter.
    func setup(for plate: Job) -> PrinterSetup {
        PrinterSetup(
            material: plate.ready.item.material, colour: plate.ready.item.colour,
            nozzle: plate.job.nozzle == 0 ? nil : Double(plate.job.nozzle) / 1000,
            surface: plate.job.surface.isEmpty ? nil : plate.job.surface)
    }

    /// A plate's print names the plate, every plan on it and its parts.
    static func describe(_ print: inout FarmSchedule.ScheduledPrint, _ batch: PlateBatch?, _ ready: ReadyPlate) {
        print.grams = batch?.plate.filamentGrams ?? (batch == nil ? ready.gcode.filamentGrams : nil)
        guard let batch else { return }
        print.plate = batch.plate.id
        print.plans = batch.items.map(\.ready.plan.id)
        print.parts = batch.plate.copies
        print.due = batch.items.compactMap { $0.ready.intent.dueDate }.min()
    }

    /// The replanner's answer in the farm's terms.
    func farmSchedule(_ replan: Replanner.Replan, now: Date) -> FarmSchedule {
        func date(_ minute: Int) -> Date { now.addingTimeInterval(Double(minute) * 60) }
        let schedule = replan.schedule
        var queues: [FarmSchedule.PrinterQueue] = []
        for (index, slot) in printers.enumerated() {
            var prints: [FarmSchedule.ScheduledPrint] = []
            if let (committed, task) = slot.committed {
                let (plate, job) = (committed.ready, committed.job)
                let end = slot.busyUntil ?? now
                var print = FarmSchedule.ScheduledPrint(
                    job: job.id, plan: plate.plan.id, intent: plate.intent.id, material: plate.item.material,
                    colour: plate.item.colour, changeover: task.steps, changeoverStart: now,
                    start: end.addingTimeInterval(-Double(job.duration * 60)), end: end,
                    due: plate.intent.dueDate,
                    rush: job.weight > 1, awaitingChangeover: true,
                    reason: "\(slot.machine.id): waits for a person to \(task.sentence) (asked for)")
                Self.describe(&print, committed.batch, committed.ready)
                prints.append(print)
            }
            var state = slot.machine.loaded
            for placement in schedule.placements[index] {
                let plate = jobs[placement.job]
                let changes = FarmScheduling.PrinterState.changes(from: state, to: plate.job.state)
                state = plate.job.state
                var print = FarmSchedule.ScheduledPrint(
                    job: plate.job.id, plan: plate.ready.plan.id, intent: plate.ready.intent.id,
                    material: plate.ready.item.material, colour: plate.ready.item.colour,
                    changeover: placement.setup > 0 ? changes : [],
                    changeoverStart: placement.setup > 0 ? date(placement.start - placement.setup) : nil,
                    start: date(placement.start), end: date(placement.end),
                    due: plate.ready.intent.dueDate,
                    rush: plate.job.weight > 1, awaitingChangeover: false,
                    reason: schedule.reasons[placement.job] ?? "")
                Self.describe(&print, plate.batch, plate.ready)
                prints.append(print)
            }
            queues.append(
                FarmSchedule.PrinterQueue(
                    printer: slot.printer.id, name: slot.machine.id, busyUntil: slot.busyUntil, prints: prints,
                    maintenance: (slot.printer.maintenanceWindows ?? []).filter { $0.end > now }))
        }
        let unscheduled = schedule.unschedulable.sorted { $0.key < $1.key }.map { index, reason in
            FarmSchedule.UnscheduledPlate(
                plan: jobs[index].ready.plan.id, intent: jobs[index].ready.intent.id, reason: reason)
        }
        var seen = Set<PlanID>()
        let metrics = schedule.metrics
        return FarmSchedule(
            plannedAt: now, printers: queues, unscheduled: unscheduled.filter { seen.insert($0.plan).inserted },
            metrics: FarmSchedule.Metrics(
                weightedTardiness: metrics.totalWeightedTardiness, changeovers: metrics.changeovers,
                tardyPlates: metrics.tardyJobs,
                finishes: queues.flatMap(\.prints).map(\.end).max()),
            moved: replan.moved)
    }
}

extension SchedulingSettings {
    var setupTimes: SetupTimes {
        SetupTimes(
            colourChange: colourChangeMinutes, materialChange: materialChangeMinutes, nozzleSwap: nozzleSwapMinutes,
            surfaceSwap: surfaceSwapMinutes)
    }

    /// The minutes a person needs to give `printer` this setup, as the scheduler counts them.
    public func changeoverMinutes(_ printer: Printer, to setup: PrinterSetup) -> Int {
        let from = SchedulingInput.state(of: printer)
        let to = FarmScheduling.PrinterState(
            material: setup.material.uppercased(), colour: setup.colour?.lowercased() ?? "",
            nozzle: setup.nozzle.map { Int(($0 * 1000).rounded()) } ?? from.nozzle,
            surface: setup.surface ?? from.surface)
        return setupTimes.between(from, to)
    }
}

extension ProductionPlanner {
    /// What slicing a batch's plate takes.
    static func freeze(_ batch: PlateBatch) -> PlateFreeze {
        let lead = batch.items[0].ready
        return PlateFreeze(
            plate: batch.plate.id, entries: batch.items.map { PlateEntry(model: $0.ready.model, copies: $0.copies) },
            plans: batch.items.map(\.ready.plan.id), profile: lead.spec.profile, recipe: SliceRecipe(lead.spec),
            fill: batch.fill)
    }

    /// The gates of every plan on a frozen plate, and the run that prints it when all let it go.
    func dispatch(_ batch: PlateBatch, to printer: Printer, farm: FarmSnapshot) -> [ProductionStep] {
        guard let gcode = batch.plate.gcodeArtifact else { return [] }
        var steps: [ProductionStep] = []
        var risks: [ItemRisk] = []
        for (ready, _) in batch.items {
            let (decisions, advance, risk) = gates(ready, to: printer, farm: farm)
            steps += decisions
            guard advance else { return steps }
            risks.append(ItemRisk(planID: ready.plan.id, risk: risk))
        }
        let lead = batch.items[0]
        // One run per plate: its id comes from the plate's.
        let run = RunID(DerivedID.uuid(time: batch.plate.createdAt, key: "run|plate|\(batch.plate.id)"))
        steps.append(
            .schedule(
                Attempt(
                    run: run, plate: batch.plate.id, plan: lead.ready.plan.id, revision: lead.ready.revision,
                    copies: lead.copies, items: batch.plate.items, itemRisks: risks.count > 1 ? risks : nil,
                    plateFrozen: true, printer: printer.id, gcode: gcode,
                    risk: risks.map(\.risk).max { $0.score < $1.score } ?? risks[0].risk,
                    reprint: batch.items.contains { $0.ready.reprint })))
        return steps
    }

    /// Why the printer's spool cannot print its next plate (it holds less than the plate takes, with 5 % and 5 g to
    /// spare), or nil: no print is started that would run out of filament half way. Only a spool the farm counts
    /// (loaded through the farm) is checked.
    static func shortOfFilament(_ plate: SchedulingInput.Job, on printer: Printer, farm: FarmSnapshot) -> String? {
        guard let spool = printer.loadedMaterial?.spool, let left = farm.spoolsLeft[spool] else { return nil }
        let needed = plate.batch?.plate.filamentGrams ?? plate.ready.gcode.filamentGrams
        guard let needed, needed * 1.05 + 5 > left else { return nil }
        return "its spool has \(Int(left.rounded())) g left and the next plate takes \(Int(needed.rounded())) g: "
            + "load a fuller spool of \(printer.loadedMaterial?.material ?? "its material")"
    }
}
