import FarmDomain
import FarmPlates
import FarmStore
import Foundation

/// An operator's changes to plates still composing: move a part to another plate (or to one of its own), split a
/// plate, lock one as it is, re-compose the unlocked rest. Each change is refused when it would mix what cannot share
/// a plate or when the plate changed since the operator saw it (`expectedVersion`); a part taken off a plate is
/// never lost: it waits again, and the loop composes it anew.
public struct PlateEditor: Sendable {
    let store: Store
    let newID: @Sendable () -> UUID
    /// The bed of a profile version, for the fit estimate; nil: the slicer decides when the plate is sliced.
    let bed: @Sendable (String) async -> Bed?

    public init(store: Store, newID: @escaping @Sendable () -> UUID, bed: @escaping @Sendable (String) async -> Bed?) {
        self.store = store
        self.newID = newID
        self.bed = bed
    }

    public enum Failure: Error, Equatable, Sendable {
        case notFound(String)
        /// The plate is frozen, scheduled or discarded: it can no longer change.
        case notOpen(String)
        case incompatible(String)
        case doesNotFit(String)
        case cannotSplit(String)
    }

    struct Part {
        var plan: Plan
        var spec: PlanSpec
        var item: LineItem
    }

    func part(_ id: PlanID, revision: Int) async throws -> Part {
        guard let plan = try await store.plans.get(id: id.description)?.model,
            let spec = plan.revisions.first(where: { $0.number == revision })?.spec,
            let intent = try await store.intents.get(id: plan.intentID.description)?.model,
            let item = intent.lineItems.first(where: { $0.id == plan.lineItemID })
        else { throw Failure.notFound("plan \(id) revision \(revision)") }
        return Part(plan: plan, spec: spec, item: item)
    }

    func composing(_ id: BuildPlateID) async throws -> (plate: BuildPlate, version: Int) {
        guard let (plate, version) = try await store.plates.get(id: id.description) else {
            throw Failure.notFound("plate \(id)")
        }
        guard plate.status == .composing else {
            throw Failure.notOpen(
                "plate \(id.description.suffix(6)) is \(plate.status.rawValue); only a plate still composing changes "
                    + "(after it is sliced, a change is a new plate)")
        }
        return (plate, version)
    }

    /// Moves every copy of `plan` from one plate to another that can take it, or (`to` nil) to a new plate of its
    /// own, locked so it goes as it is. The source changes only at the version the operator saw; a source left
    /// empty is discarded. Returns the plates changed.
    public func move(
        plan: PlanID, from source: BuildPlateID, to target: BuildPlateID?, expectedVersion: Int?,
        context: CommandContext, correlationID: String? = nil
    ) async throws -> [BuildPlate] {
        let (from, _) = try await composing(source)
        guard let item = from.items.first(where: { $0.planID == plan }) else {
            throw Failure.notFound("plan \(plan) on plate \(source)")
        }
        if target == source { return [from] }
        let moving = try await part(plan, revision: item.revision)
        var into: BuildPlate?
        if let target {
            let (plate, _) = try await composing(target)
            for other in plate.items {
                let there = try await part(other.planID, revision: other.revision)
                if let conflict = PlateCompatibility.conflict(
                    (moving.spec, moving.item), (there.spec, there.item))
                {
                    throw Failure.incompatible(
                        "plan \(plan.description.suffix(6)) cannot join plate \(target.description.suffix(6)): "
                            + conflict)
                }
            }
            try await checkFit(adding: item, moving, to: plate)
            into = plate
        }
        var changed: [BuildPlate] = []
        // The plate the operator decided on first, at the version they saw.
        let command: BuildPlateCommand = from.items.count > 1 ? .removeItem(plan) : .discard
        changed.append(
            try await store.plates.execute(
                command, id: source.description, expectedVersion: expectedVersion, context: context,
                correlationID: correlationID
            ).model)
        if let into {
            changed.append(
                try await store.plates.execute(
                    .addItem(item), id: into.id.description, context: context, correlationID: correlationID
                ).model)
        } else {
            let id = BuildPlateID(newID())
            changed.append(
                try await store.plates.execute(
                    [(.compose(id, items: [item]), context), (.lock(true), context)], id: id.description,
                    correlationID: correlationID
                ).model)
        }
        return changed
    }

    /// The composer's estimate: refuses a part that would not fit on the target beside what is there (parts of
    /// unknown size are left to the slicer).
    func checkFit(adding item: PlateItem, _ moving: Part, to plate: BuildPlate) async throws {
        guard let bed = await bed(moving.spec.profile), let size = moving.spec.requirements.minimumVolume else {
            return
        }
        var sized: [(item: PlateItem, spec: PlanSpec)] = []
        for other in plate.items { sized.append((other, try await part(other.planID, revision: other.revision).spec)) }
        sized.append((item, moving.spec))
        let parts = sized.compactMap { item, spec in
            spec.requirements.minimumVolume.map {
                WaitingPart(
                    item: item.planID.description, group: "", width: $0.x, depth: $0.y, copies: item.copies, minutes: 1,
                    printers: [])
            }
        }
        let draft = PlateComposer().reopen(id: plate.id.description, group: "", bed: bed, parts: parts)
        guard draft.placements.count < draft.copies else { return }
        throw Failure.doesNotFit(
            "plate \(plate.id.description.suffix(6)) has no room for \(item.copies) more part(s) of "
                + "\(Int(size.x.rounded())) × \(Int(size.y.rounded())) mm by the estimate; move it to another "
                + "plate or to its own")
    }

    /// Splits a plate into two: its items in halves, or one item's copies in halves. The source changes only at the
    /// version the operator saw.
    public func split(
        _ id: BuildPlateID, expectedVersion: Int?, context: CommandContext, correlationID: String? = nil
    ) async throws -> [BuildPlate] {
        let (plate, _) = try await composing(id)
        var halves: [[PlateItem]]
        if plate.items.count > 1 {
            let middle = plate.items.count / 2
            halves = [Array(plate.items[..<middle]), Array(plate.items[middle...])]
        } else if let only = plate.items.first, only.copies > 1 {
            var first = only
            var second = only
            first.copies = only.copies / 2
            second.copies = only.copies - first.copies
            halves = [[first], [second]]
        } else {
            throw Failure.cannotSplit("plate \(id.description.suffix(6)) holds one part; there is nothing to split")
        }
        var changed = [
            try await store.plates.execute(
                .discard, id: id.description, expectedVersion: expectedVersion, context: context,
                correlationID: correlationID
            ).model
        ]
        for items in halves {
            let new = BuildPlateID(newID())
            changed.append(
                try await store.plates.execute(
                    .compose(new, items: items, maxFill: plate.maxFill), id: new.description, context: context,
                    correlationID: correlationID
                ).model)
        }
        return changed
    }

    /// Locks a plate as it is (it goes to the schedule so), or unlocks it (parts may join it again).
    public func lock(
        _ id: BuildPlateID, _ locked: Bool, expectedVersion: Int?, context: CommandContext,
        correlationID: String? = nil
    ) async throws -> BuildPlate {
        _ = try await composing(id)
        return try await store.plates.execute(
            .lock(locked), id: id.description, expectedVersion: expectedVersion, context: context,
            correlationID: correlationID
        ).model
    }

    /// Discards every unlocked plate still composing: their parts wait again and the loop composes them afresh.
    public func recompose(context: CommandContext, correlationID: String? = nil) async throws -> [BuildPlateID] {
        var discarded: [BuildPlateID] = []
        for plate in try await store.plates.all(status: BuildPlateStatus.composing.rawValue) where !plate.isLocked {
            _ = try await store.plates.execute(
                .discard, id: plate.id.description, context: context, correlationID: correlationID)
            discarded.append(plate.id)
        }
        return discarded
    }
}
