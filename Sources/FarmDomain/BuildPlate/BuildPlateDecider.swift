import Foundation

public enum BuildPlateCommand: Sendable, Equatable {
    case compose(BuildPlateID, items: [PlateItem], maxFill: Double? = nil)
    /// Copies of a plan revision join the plate (more copies where the plan is on it already).
    case addItem(PlateItem)
    case removeItem(PlanID)
    case freeze(
        gcodeArtifact: String?, objects: [PlateObject]? = nil, estimatedSeconds: Int? = nil,
        filamentGrams: Double? = nil)
    case discard
    case recordOutcome(planID: PlanID, runID: RunID, succeeded: Bool)
    case lock(Bool)
    /// A run prints the frozen plate.
    case markScheduled(RunID)

    public var name: String {
        switch self {
        case .compose: "compose"
        case .addItem: "add an item to"
        case .removeItem: "remove an item from"
        case .freeze: "freeze"
        case .discard: "discard"
        case .recordOutcome: "record an outcome on"
        case .lock(let locked): locked ? "lock" : "unlock"
        case .markScheduled: "schedule"
        }
    }
}

public enum BuildPlateState: Sendable, Equatable {
    case none
    case exists(BuildPlate)

    public var plate: BuildPlate? {
        if case .exists(let plate) = self { plate } else { nil }
    }
}

/// Build plates: composing → frozen (sliced; items can no longer change) → scheduled (a run prints it) → outcomes
/// recorded per item; or discarded before it is scheduled.
public enum BuildPlateDecider: Decider {
    public static let initialState = BuildPlateState.none

    public static func decide(_ command: BuildPlateCommand, state: BuildPlateState, context: CommandContext)
        throws(DomainError) -> [BuildPlateEvent]
    {
        guard case .exists(let plate) = state else {
            guard case .compose(let id, let items, let maxFill) = command else {
                throw .notFound(aggregate: "build plate", command: command.name)
            }
            try validate(items)
            if let maxFill, !(maxFill > 0 && maxFill <= 1) {
                throw .invalid(field: "maxFill", reason: "a share of the bed above 0 and at most 1")
            }
            return [.composed(BuildPlateComposed(plateID: id, items: items, maxFill: maxFill, at: context.time))]
        }
        let illegal = DomainError.illegalTransition(
            aggregate: "build plate", command: command.name, state: plate.status.rawValue)
        switch command {
        case .compose(let id, let items, _):
            guard id == plate.id, items == plate.items, plate.status == .composing else {
                throw .alreadyExists(aggregate: "build plate")
            }
            return []
        case .addItem(let item):
            guard plate.status == .composing else { throw illegal }
            if let on = plate.items.first(where: { $0.planID == item.planID }), on.revision != item.revision {
                throw .invalid(
                    field: "revision",
                    reason: "plan \(item.planID) is on this plate at revision \(on.revision); one revision per plate")
            }
            var merged = item
            merged.copies += plate.copies(of: item.planID)
            guard (1...1000).contains(item.copies) else {
                throw .invalid(field: "copies", reason: "between 1 and 1000")
            }
            try validate(plate.items.filter { $0.planID != item.planID } + [merged])
            return [.itemAdded(BuildPlateItemChanged(item: item, at: context.time))]
        case .removeItem(let planID):
            guard plate.status == .composing else { throw illegal }
            guard let item = plate.items.first(where: { $0.planID == planID }) else { return [] }
            guard plate.items.count > 1 else {
                throw .invalid(field: "items", reason: "a plate keeps at least one item; discard the plate instead")
            }
            return [.itemRemoved(BuildPlateItemChanged(item: item, at: context.time))]
        case .freeze(let artifact, let objects, let seconds, let grams):
            switch plate.status {
            case .frozen where plate.gcodeArtifact == artifact: return []
            case .composing:
                if let objects,
                    let stray = objects.first(where: { object in
                        !plate.items.contains { $0.planID == object.planID }
                    })
                {
                    throw .invalid(
                        field: "objects", reason: "object \(stray.name) names plan \(stray.planID), not on the plate")
                }
                return [
                    .frozen(
                        BuildPlateFrozen(
                            gcodeArtifact: artifact, objects: objects, estimatedSeconds: seconds,
                            filamentGrams: grams.flatMap { $0.isFinite && $0 >= 0 ? $0 : nil }, at: context.time))
                ]
            case .frozen, .scheduled, .discarded: throw illegal
            }
        case .lock(let locked):
            guard plate.status == .composing else { throw illegal }
            if plate.isLocked == locked { return [] }
            return [.lockSet(BuildPlateLockSet(locked: locked, at: context.time))]
        case .markScheduled(let run):
            guard [.frozen, .scheduled].contains(plate.status) else { throw illegal }
            if plate.runs?.contains(run) == true { return [] }
            return [.scheduled(BuildPlateScheduled(runID: run, at: context.time))]
        case .discard:
            if plate.status == .discarded { return [] }
            guard plate.status != .scheduled else { throw illegal }
            return [.discarded(BuildPlateDiscarded(note: context.note, at: context.time))]
        case .recordOutcome(let planID, let runID, let succeeded):
            guard [.frozen, .scheduled].contains(plate.status) else { throw illegal }
            guard plate.items.contains(where: { $0.planID == planID }) else {
                throw .invalid(field: "planID", reason: "plan \(planID) is not on this plate")
            }
            if plate.outcomes.contains(where: { $0.planID == planID && $0.runID == runID && $0.succeeded == succeeded })
            {
                return []
            }
            return [
                .outcomeRecorded(PlateItemOutcome(planID: planID, runID: runID, succeeded: succeeded, at: context.time))
            ]
        }
    }

    static func validate(_ items: [PlateItem]) throws(DomainError) {
        guard !items.isEmpty else { throw .invalid(field: "items", reason: "a plate needs at least one item") }
        guard Set(items.map(\.planID)).count == items.count else {
            throw .invalid(field: "items", reason: "each plan appears once per plate; raise its copies instead")
        }
        for (index, item) in items.enumerated() {
            guard (1...1000).contains(item.copies) else {
                throw .invalid(field: "items[\(index)].copies", reason: "between 1 and 1000")
            }
            guard item.revision >= 1 else {
                throw .invalid(field: "items[\(index)].revision", reason: "revisions start at 1")
            }
        }
    }

    public static func evolve(_ state: BuildPlateState, _ event: BuildPlateEvent) -> BuildPlateState {
        if case .composed(let e) = event {
            return .exists(
                BuildPlate(
                    id: e.plateID, items: e.items, status: .composing, gcodeArtifact: nil, outcomes: [],
                    createdAt: e.at, updatedAt: e.at, maxFill: e.maxFill))
        }
        guard case .exists(var plate) = state else { return state }
        switch event {
        case .composed: break
        case .itemAdded(let e):
            if let index = plate.items.firstIndex(where: { $0.planID == e.item.planID }) {
                plate.items[index].copies += e.item.copies
            } else {
                plate.items.append(e.item)
            }
            plate.updatedAt = e.at
        case .itemRemoved(let e):
            plate.items.removeAll { $0.planID == e.item.planID }
            plate.updatedAt = e.at
        case .frozen(let e):
            plate.status = .frozen
            plate.gcodeArtifact = e.gcodeArtifact
            plate.objects = e.objects
            plate.estimatedSeconds = e.estimatedSeconds
            plate.filamentGrams = e.filamentGrams
            plate.updatedAt = e.at
        case .lockSet(let e):
            plate.locked = e.locked
            plate.updatedAt = e.at
        case .scheduled(let e):
            plate.status = .scheduled
            plate.runs = (plate.runs ?? []) + [e.runID]
            plate.updatedAt = e.at
        case .discarded(let e):
            plate.status = .discarded
            plate.updatedAt = e.at
        case .outcomeRecorded(let outcome):
            plate.outcomes.append(outcome)
            plate.updatedAt = outcome.at
        }
        return .exists(plate)
    }
}
