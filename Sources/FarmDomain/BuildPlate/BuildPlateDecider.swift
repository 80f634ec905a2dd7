import Foundation

public enum BuildPlateCommand: Sendable, Equatable {
    case compose(BuildPlateID, items: [PlateItem])
    case addItem(PlateItem)
    case removeItem(PlanID)
    case freeze(gcodeArtifact: String?)
    case discard
    case recordOutcome(planID: PlanID, runID: RunID, succeeded: Bool)

    public var name: String {
        switch self {
        case .compose: "compose"
        case .addItem: "add an item to"
        case .removeItem: "remove an item from"
        case .freeze: "freeze"
        case .discard: "discard"
        case .recordOutcome: "record an outcome on"
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

/// Build plates: composing → frozen (sliced; items can no longer change) → outcomes recorded per item; or discarded.
public enum BuildPlateDecider: Decider {
    public static let initialState = BuildPlateState.none

    public static func decide(_ command: BuildPlateCommand, state: BuildPlateState, context: CommandContext)
        throws(DomainError) -> [BuildPlateEvent]
    {
        guard case .exists(let plate) = state else {
            guard case .compose(let id, let items) = command else {
                throw .notFound(aggregate: "build plate", command: command.name)
            }
            try validate(items)
            return [.composed(BuildPlateComposed(plateID: id, items: items, at: context.time))]
        }
        let illegal = DomainError.illegalTransition(
            aggregate: "build plate", command: command.name, state: plate.status.rawValue)
        switch command {
        case .compose(let id, let items):
            guard id == plate.id, items == plate.items, plate.status == .composing else {
                throw .alreadyExists(aggregate: "build plate")
            }
            return []
        case .addItem(let item):
            guard plate.status == .composing else { throw illegal }
            if plate.items.contains(item) { return [] }
            try validate(plate.items + [item])
            return [.itemAdded(BuildPlateItemChanged(item: item, at: context.time))]
        case .removeItem(let planID):
            guard plate.status == .composing else { throw illegal }
            guard let item = plate.items.first(where: { $0.planID == planID }) else { return [] }
            guard plate.items.count > 1 else {
                throw .invalid(field: "items", reason: "a plate keeps at least one item; discard the plate instead")
            }
            return [.itemRemoved(BuildPlateItemChanged(item: item, at: context.time))]
        case .freeze(let artifact):
            switch plate.status {
            case .frozen where plate.gcodeArtifact == artifact: return []
            case .composing: return [.frozen(BuildPlateFrozen(gcodeArtifact: artifact, at: context.time))]
            case .frozen, .discarded: throw illegal
            }
        case .discard:
            if plate.status == .discarded { return [] }
            return [.discarded(BuildPlateDiscarded(note: context.note, at: context.time))]
        case .recordOutcome(let planID, let runID, let succeeded):
            guard plate.status == .frozen else { throw illegal }
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
                    createdAt: e.at, updatedAt: e.at))
        }
        guard case .exists(var plate) = state else { return state }
        switch event {
        case .composed: break
        case .itemAdded(let e):
            plate.items.append(e.item)
            plate.updatedAt = e.at
        case .itemRemoved(let e):
            plate.items.removeAll { $0.planID == e.item.planID }
            plate.updatedAt = e.at
        case .frozen(let e):
            plate.status = .frozen
            plate.gcodeArtifact = e.gcodeArtifact
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
