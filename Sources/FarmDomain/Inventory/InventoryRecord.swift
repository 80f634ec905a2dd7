import Foundation

/// What vendors, filaments and lots share: a description a person registers, corrects and retires, each change an
/// event. A retired record keeps its history and what refers to it; it is only left out of choices.
public protocol RecordSpec: Sendable, Equatable, Codable, SendableMetatype {
    /// The aggregate's name in event types and streams (`vendor`, `filament`, `lot`).
    static var aggregate: String { get }
    /// The record this one belongs to (a lot's filament, a filament's vendor), by which lists are filtered.
    var parent: String? { get }
    func validate() throws(DomainError)
}

/// A registered record: its description flattened beside its id and dates in JSON.
public struct InventoryRecord<Spec: RecordSpec>: Sendable, Equatable, Codable {
    public var id: TypedID<Spec>
    public var spec: Spec
    public var retired: Bool
    public var registeredAt: Date
    public var updatedAt: Date

    public init(id: TypedID<Spec>, spec: Spec, retired: Bool = false, registeredAt: Date, updatedAt: Date) {
        self.id = id
        self.spec = spec
        self.retired = retired
        self.registeredAt = registeredAt
        self.updatedAt = updatedAt
    }

    private enum CodingKeys: String, CodingKey { case id, retired, registeredAt, updatedAt }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(TypedID<Spec>.self, forKey: .id)
        retired = try container.decode(Bool.self, forKey: .retired)
        registeredAt = try container.decode(Date.self, forKey: .registeredAt)
        updatedAt = try container.decode(Date.self, forKey: .updatedAt)
        spec = try Spec(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(retired, forKey: .retired)
        try container.encode(registeredAt, forKey: .registeredAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try spec.encode(to: encoder)
    }
}

public enum RecordCommand<Spec: RecordSpec>: Sendable, Equatable {
    case register(TypedID<Spec>, Spec)
    /// Replaces the description (a corrected density, a new price).
    case update(Spec)
    case retire
    case restore

    public var name: String {
        switch self {
        case .register: "register"
        case .update: "update"
        case .retire: "retire"
        case .restore: "restore"
        }
    }
}

public struct RecordRegistered<Spec: RecordSpec>: Codable, Sendable, Equatable {
    public var id: TypedID<Spec>
    public var spec: Spec
    public var at: Date

    public init(id: TypedID<Spec>, spec: Spec, at: Date) {
        self.id = id
        self.spec = spec
        self.at = at
    }
}

public struct RecordUpdated<Spec: RecordSpec>: Codable, Sendable, Equatable {
    public var spec: Spec
    public var at: Date

    public init(spec: Spec, at: Date) {
        self.spec = spec
        self.at = at
    }
}

public struct RecordRetired: Codable, Sendable, Equatable {
    public var at: Date

    public init(at: Date) { self.at = at }
}

public enum RecordEvent<Spec: RecordSpec>: DomainEvent {
    case registered(RecordRegistered<Spec>)
    case updated(RecordUpdated<Spec>)
    case retired(RecordRetired)
    case restored(RecordRetired)

    public static var aggregate: String { Spec.aggregate }

    public static var codec: EventCodec<RecordEvent<Spec>> {
        EventCodec(
            aggregate: aggregate,
            [
                .payload("registered", RecordRegistered<Spec>.self, Self.registered),
                .payload("updated", RecordUpdated<Spec>.self, Self.updated),
                .payload("retired", RecordRetired.self, Self.retired),
                .payload("restored", RecordRetired.self, Self.restored),
            ])
    }

    public var parts: (name: String, payload: any Encodable) {
        switch self {
        case .registered(let e): ("registered", e)
        case .updated(let e): ("updated", e)
        case .retired(let e): ("retired", e)
        case .restored(let e): ("restored", e)
        }
    }
}

/// Vendors, filaments and lots: registered once (again with the same description: nothing), corrected, retired.
public enum RecordDecider<Spec: RecordSpec>: Decider {
    public static var initialState: InventoryRecord<Spec>? { nil }

    public static func decide(
        _ command: RecordCommand<Spec>, state: InventoryRecord<Spec>?, context: CommandContext
    ) throws(DomainError) -> [RecordEvent<Spec>] {
        guard let record = state else {
            guard case .register(let id, let spec) = command else {
                throw .notFound(aggregate: Spec.aggregate, command: command.name)
            }
            try spec.validate()
            return [.registered(RecordRegistered(id: id, spec: spec, at: context.time))]
        }
        switch command {
        case .register(let id, let spec):
            guard id == record.id, spec == record.spec else { throw .alreadyExists(aggregate: Spec.aggregate) }
            return []
        case .update(let spec):
            try spec.validate()
            return spec == record.spec ? [] : [.updated(RecordUpdated(spec: spec, at: context.time))]
        case .retire:
            return record.retired ? [] : [.retired(RecordRetired(at: context.time))]
        case .restore:
            return record.retired ? [.restored(RecordRetired(at: context.time))] : []
        }
    }

    public static func evolve(_ state: InventoryRecord<Spec>?, _ event: RecordEvent<Spec>) -> InventoryRecord<Spec>? {
        if case .registered(let e) = event {
            return InventoryRecord(id: e.id, spec: e.spec, registeredAt: e.at, updatedAt: e.at)
        }
        guard var record = state else { return state }
        switch event {
        case .registered: break
        case .updated(let e):
            record.spec = e.spec
            record.updatedAt = e.at
        case .retired(let e):
            record.retired = true
            record.updatedAt = e.at
        case .restored(let e):
            record.retired = false
            record.updatedAt = e.at
        }
        return record
    }
}
