import FarmPlates
import Foundation

/// Plates not yet printing (composing or frozen, no run), and the copies of each plan they hold.
struct OpenPlates {
    var plates: [BuildPlate] = []
    var copies: [PlanID: Int] = [:]
    /// Frozen plates a run prints already: the crash came between the run and the plate's record of it.
    var printing: [(plate: BuildPlateID, run: RunID)] = []

    init(_ farm: FarmSnapshot) {
        let runByPlate = Dictionary(farm.runs.map { ($0.plateID, $0.id) }, uniquingKeysWith: { a, _ in a })
        for plate in farm.plates where [.composing, .frozen].contains(plate.status) {
            if let run = runByPlate[plate.id] {
                printing.append((plate.id, run))
                continue
            }
            plates.append(plate)
            for item in plate.items { copies[item.planID, default: 0] += item.copies }
        }
    }
}

/// A plate the scheduler may place: the plan revisions on it (ready: sliced alone, through their gates so far) and
/// how many copies of each.
struct PlateBatch {
    var plate: BuildPlate
    var items: [(ready: ReadyPlate, copies: Int)]
    /// The composer's estimate of it.
    var draft: PlateDraft

    /// The estimate's share of the bed it fills.
    var fill: Double { draft.fill }
}

extension ProductionPlanner {
    /// Farm mode: puts waiting parts on plates (filling open ones first), takes parts off plates whose plans moved
    /// on, and says which open plates go to the schedule and which still gather parts. Open plates left from farm
    /// mode are still printed in solo mode; only new parts stay off plates.
    func plates(_ ready: [ReadyPlate], open: OpenPlates, farm: FarmSnapshot) -> (
        steps: [ProductionStep], jobs: [PlateBatch], outlook: [FarmSchedule.PlateOutlook]
    ) {
        var outlook: [FarmSchedule.PlateOutlook] = []
        var steps: [ProductionStep] = open.printing.map { .markPlateScheduled($0.plate, $0.run) }
        let readyByPlan = Dictionary(ready.map { ($0.plan.id, $0) }, uniquingKeysWith: { a, _ in a })
        let plansByID = Dictionary(farm.plans.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let composer = settings.plates.composer
        var drafts: [PlateDraft] = []
        var batches: [PlateBatch] = []
        for plate in open.plates {
            let stale = plate.items.filter { item in
                plansByID[item.planID]?.currentRevision?.number != item.revision
            }
            if !stale.isEmpty {
                let names = stale.map { "plan \($0.planID.description.suffix(6))" }.joined(separator: ", ")
                let reason = "\(names) no longer wants these copies (its order closed or its plan changed)"
                if plate.status == .composing && stale.count < plate.items.count {
                    steps += stale.map { .removeFromPlate(plate.id, $0.planID, reason: reason) }
                } else {
                    steps.append(.discardPlate(plate.id, reason: reason))
                }
                continue
            }
            let items = plate.items.compactMap { item in readyByPlan[item.planID].map { ($0, item.copies) } }
            guard items.count == plate.items.count else {
                let missing = plate.items.filter { readyByPlan[$0.planID] == nil }.map {
                    "plan \($0.planID.description.suffix(6))"
                }
                let reason = "\(missing.joined(separator: ", ")) is not ready to print (a gate waits)"
                steps.append(.waiting("plate \(plate.id.description.suffix(6))", reason: reason))
                outlook.append(
                    FarmSchedule.PlateOutlook(
                        plate: plate.id, fill: 0, bedWidth: 0, bedDepth: 0, parts: [], printers: [], waiting: reason))
                continue
            }
            let parts = items.map { part(for: $0.0, copies: $0.1, farm: farm) }
            let group = parts[0].group
            let draft = composer.reopen(
                id: plate.id.description, group: group, bed: bed(for: items[0].0, farm: farm), parts: parts,
                locked: plate.isLocked, maxFill: plate.maxFill ?? 1)
            if plate.status == .composing { drafts.append(draft) }
            batches.append(PlateBatch(plate: plate, items: items, draft: draft))
        }
        guard settings.plates.mode == .farm else {
            let jobs = released(batches, farm: farm, steps: &steps, outlook: &outlook)
            return (steps, jobs, outlook)
        }

        var beds: [String: Bed] = [:]
        var waiting: [WaitingPart] = []
        for plate in ready where plate.unplated > 0 {
            let part = part(for: plate, copies: plate.unplated, farm: farm)
            beds[part.group] = bed(for: plate, farm: farm)
            waiting.append(part)
        }
        for draft in drafts { beds[draft.group] = draft.bed }
        let composition = composer.compose(waiting, open: drafts, beds: beds)
        for (index, draft) in composition.plates.enumerated() where draft.changed {
            let items = draft.parts.compactMap { part -> PlateItem? in
                guard let plan = PlanID(part.item), let ready = readyByPlan[plan] else { return nil }
                return PlateItem(planID: plan, revision: ready.revision, copies: part.copies)
            }
            if let id = draft.id.flatMap(BuildPlateID.init) {
                let before = open.plates.first { $0.id == id }
                for item in items {
                    let more = item.copies - (before?.copies(of: item.planID) ?? 0)
                    if more > 0 {
                        steps.append(
                            .addToPlate(id, PlateItem(planID: item.planID, revision: item.revision, copies: more)))
                    }
                }
            } else {
                let key = "plate|\(index)|" + items.map { "\($0.planID)*\($0.copies)" }.joined(separator: ",")
                steps.append(
                    .composePlate(BuildPlateID(DerivedID.uuid(time: farm.now, key: key)), items: items, maxFill: nil))
            }
        }
        for (item, reason) in composition.unplaced.sorted(by: { $0.key < $1.key }) {
            steps.append(.waiting("plan \(item)", reason: "no plate can take it: \(reason)"))
        }
        let jobs = released(batches, farm: farm, steps: &steps, outlook: &outlook)
        return (steps, jobs, outlook)
    }

    /// The plates that go to the schedule: frozen ones, and composing ones the release rule lets go; the others
    /// gather parts, and say until when.
    private func released(
        _ batches: [PlateBatch], farm: FarmSnapshot, steps: inout [ProductionStep],
        outlook: inout [FarmSchedule.PlateOutlook]
    ) -> [PlateBatch] {
        let names = Dictionary(farm.printers.map { ($0.id.description, $0.name) }, uniquingKeysWith: { a, _ in a })
        return batches.filter { batch in
            var view = FarmSchedule.PlateOutlook(
                plate: batch.plate.id, fill: batch.fill, bedWidth: batch.draft.bed.width,
                bedDepth: batch.draft.bed.depth,
                parts: batch.draft.placements.compactMap { placement in
                    PlanID(placement.item).map {
                        FarmSchedule.PartOutline(
                            plan: $0, x: placement.rect.x, y: placement.rect.y, width: placement.rect.width,
                            depth: placement.rect.depth)
                    }
                }, printers: batch.draft.printers.compactMap { names[$0] }.sorted(), waiting: nil)
            defer { outlook.append(view) }
            guard batch.plate.status == .composing, settings.plates.mode == .farm else { return true }
            let minutes = batch.items.reduce(0) { $0 + $1.copies * $1.ready.minutes(farm) }
            let due = batch.items.compactMap { $0.ready.dueMinutes(farm) }.min()
            let decision = settings.plates.release.decide(
                fill: batch.fill, waited: Int(farm.now.timeIntervalSince(batch.plate.createdAt) / 60),
                minutes: minutes, due: due, locked: batch.plate.isLocked,
                full: batch.plate.copies >= settings.plates.maxParts)
            if case .gather(let left, let why) = decision {
                view.waiting = "\(why) (at most \(left) min more)"
                steps.append(.waiting("plate \(batch.plate.id.description.suffix(6))", reason: view.waiting!))
                return false
            }
            return true
        }
    }

    /// What the composer needs to know of a ready plan revision: parts alike in material, colour, nozzle, profile
    /// and recipe share a group; its footprint as it lies (turned as the plan turns it); the printers that take it.
    func part(for plate: ReadyPlate, copies: Int, farm: FarmSnapshot) -> WaitingPart {
        let requirements = plate.spec.requirements
        let size = requirements.minimumVolume ?? farm.models[plate.model]?.size
        let group = PlateCompatibility.key(plate.spec, plate.item)
        let printers = farm.printers.filter { printer in
            let volume = printer.capabilities.buildVolume
            return SchedulingInput.allows(plate, on: printer, farm: farm)
                && (size.map { $0.x <= volume.x && $0.y <= volume.y && $0.z <= volume.z } ?? true)
        }
        return WaitingPart(
            item: plate.plan.id.description, group: group, width: max(1, size?.x ?? 1), depth: max(1, size?.y ?? 1),
            copies: copies, minutes: plate.minutes(farm), due: plate.dueMinutes(farm),
            weight: plate.plan.scheduling?.rush == true ? 5 : 1, printers: Set(printers.map(\.id.description)))
    }

    /// The bed a plan revision's parts share: the profile's, where the farm could read it, else the smallest bed of
    /// the printers that take it; with the farm's exclusions for the printer model.
    func bed(for plate: ReadyPlate, farm: FarmSnapshot) -> Bed {
        let model = plate.spec.requirements.printerModel ?? ""
        let exclusions = settings.plates.exclusions[model] ?? settings.plates.exclusions[""] ?? []
        if var bed = farm.beds[plate.spec.profile] {
            bed.exclusions += exclusions
            return bed
        }
        let volumes = farm.printers.filter { SchedulingInput.allows(plate, on: $0, farm: farm) }.map {
            $0.capabilities.buildVolume
        }
        return Bed(
            width: volumes.map(\.x).min() ?? 200, depth: volumes.map(\.y).min() ?? 200, spacing: 6,
            exclusions: exclusions)
    }
}
