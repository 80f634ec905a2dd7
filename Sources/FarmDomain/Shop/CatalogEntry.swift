import Foundation

/// What to print for a shop's SKU: a model, a material and colour (a line's own Material / Colour options win), and
/// how many parts one unit sold takes; or that the SKU is not printed at all (shipping protection, gift cards).
public struct CatalogEntry: Sendable, Equatable, Codable {
    public var sku: String
    public var printed: Bool
    public var modelArtifact: String?
    public var material: String?
    public var colour: String?
    public var quantityPerUnit: Int
    public var removed: Bool
    public var updatedBy: String
    public var updatedAt: Date

    public init(
        sku: String, printed: Bool, modelArtifact: String?, material: String?, colour: String?, quantityPerUnit: Int,
        removed: Bool, updatedBy: String, updatedAt: Date
    ) {
        self.sku = sku
        self.printed = printed
        self.modelArtifact = modelArtifact
        self.material = material
        self.colour = colour
        self.quantityPerUnit = quantityPerUnit
        self.removed = removed
        self.updatedBy = updatedBy
        self.updatedAt = updatedAt
    }
}

public struct CatalogEntrySpec: Sendable, Equatable, Codable {
    public var sku: String
    public var printed: Bool
    public var modelArtifact: String?
    public var material: String?
    public var colour: String?
    public var quantityPerUnit: Int

    public init(
        sku: String, printed: Bool = true, modelArtifact: String? = nil, material: String? = nil,
        colour: String? = nil, quantityPerUnit: Int = 1
    ) {
        self.sku = sku
        self.printed = printed
        self.modelArtifact = modelArtifact
        self.material = material
        self.colour = colour
        self.quantityPerUnit = quantityPerUnit
    }

    func validate() throws(DomainError) {
        guard !sku.isBlank, sku.count <= 200 else {
            throw .invalid(field: "sku", reason: "must be 1 to 200 characters, not only white space")
        }
        guard printed else { return }
        guard let model = modelArtifact, model.count == 64, model.allSatisfy(\.isHexDigit), model == model.lowercased()
        else {
            throw .invalid(
                field: "modelArtifact", reason: "a printed SKU needs its model: the SHA-256 of an uploaded file")
        }
        guard let material, !material.isBlank, material.count <= 100 else {
            throw .invalid(field: "material", reason: "a printed SKU needs a material, like PLA")
        }
        if let colour, colour.isBlank || colour.count > 100 {
            throw .invalid(field: "colour", reason: "must be 1 to 100 characters when given")
        }
        guard (1...1000).contains(quantityPerUnit) else {
            throw .invalid(field: "quantityPerUnit", reason: "must be between 1 and 1000, got \(quantityPerUnit)")
        }
    }
}

public enum CatalogCommand: Sendable, Equatable {
    case set(CatalogEntrySpec)
    case remove

    public var name: String {
        switch self {
        case .set: "set"
        case .remove: "remove"
        }
    }
}

public struct CatalogEntrySet: Codable, Sendable, Equatable {
    public var spec: CatalogEntrySpec
    public var by: String
    public var at: Date

    public init(spec: CatalogEntrySpec, by: String, at: Date) {
        self.spec = spec
        self.by = by
        self.at = at
    }
}

public struct CatalogEntryRemoved: Codable, Sendable, Equatable {
    public var by: String
    public var at: Date

    public init(by: String, at: Date) {
        self.by = by
        self.at = at
    }
}

public enum CatalogEvent: DomainEvent {
    case set(CatalogEntrySet)
    case removed(CatalogEntryRemoved)

    public static let aggregate = "catalog"

    public static let codec = EventCodec<CatalogEvent>(
        aggregate: aggregate,
        [
            .payload("set", CatalogEntrySet.self, CatalogEvent.set),
            .payload("removed", CatalogEntryRemoved.self, CatalogEvent.removed),
        ])

    public var parts: (name: String, payload: any Encodable) {
        switch self {
        case .set(let e): ("set", e)
        case .removed(let e): ("removed", e)
        }
    }
}

/// One catalog entry per SKU (its stream id); setting it again replaces it, removing it keeps its history.
public enum CatalogDecider: Decider {
    public static let initialState: CatalogEntry? = nil

    public static func decide(_ command: CatalogCommand, state: CatalogEntry?, context: CommandContext)
        throws(DomainError) -> [CatalogEvent]
    {
        switch command {
        case .set(let spec):
            try spec.validate()
            if let entry = state, !entry.removed, entry.spec == spec { return [] }
            if let entry = state, entry.sku != spec.sku { throw .alreadyExists(aggregate: "catalog entry") }
            return [.set(CatalogEntrySet(spec: spec, by: context.actor.description, at: context.time))]
        case .remove:
            guard let entry = state else { throw .notFound(aggregate: "catalog entry", command: command.name) }
            return entry.removed ? [] : [.removed(CatalogEntryRemoved(by: context.actor.description, at: context.time))]
        }
    }

    public static func evolve(_ state: CatalogEntry?, _ event: CatalogEvent) -> CatalogEntry? {
        switch event {
        case .set(let e):
            return CatalogEntry(
                sku: e.spec.sku, printed: e.spec.printed, modelArtifact: e.spec.modelArtifact,
                material: e.spec.material,
                colour: e.spec.colour, quantityPerUnit: e.spec.quantityPerUnit, removed: false, updatedBy: e.by,
                updatedAt: e.at)
        case .removed(let e):
            guard var entry = state else { return state }
            entry.removed = true
            entry.updatedBy = e.by
            entry.updatedAt = e.at
            return entry
        }
    }
}

extension CatalogEntry {
    public var spec: CatalogEntrySpec {
        CatalogEntrySpec(
            sku: sku, printed: printed, modelArtifact: modelArtifact, material: material, colour: colour,
            quantityPerUnit: quantityPerUnit)
    }
}
