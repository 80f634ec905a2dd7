import Foundation

/// Who asks for a change, why, and when. Time comes in with the command: deciders never read a clock.
public struct CommandContext: Sendable, Equatable {
    public var actor: EventActor
    public var reason: ReasonCode
    public var note: String?
    public var time: Date

    public init(actor: EventActor, reason: ReasonCode, note: String? = nil, time: Date) {
        self.actor = actor
        self.reason = reason
        self.note = note
        self.time = time
    }
}

/// An aggregate's rules as two pure functions: `decide` turns a command and the current state into new events
/// (none when the command was already carried out), `evolve` folds one event into the state.
public protocol Decider {
    associatedtype Command: Sendable
    associatedtype Event: DomainEvent
    associatedtype State: Sendable

    static var initialState: State { get }
    static func decide(_ command: Command, state: State, context: CommandContext) throws(DomainError) -> [Event]
    static func evolve(_ state: State, _ event: Event) -> State
}

extension Decider {
    /// Folds events, oldest first, onto the initial state.
    public static func replay(_ events: some Sequence<Event>) -> State {
        events.reduce(initialState, evolve)
    }
}

/// Event payloads: every event type has a stable name, versioned in its CloudEvents type
/// (`printfarm.<aggregate>.<name>.v<version>`) and a JSON form that must decode forever.
public protocol DomainEvent: Sendable, Equatable {
    /// The aggregate's name in event types and stream names: `intent`, `plan`, `plate`, `run`, `printer`.
    static var aggregate: String { get }
    /// How stored payloads decode, by CloudEvents type.
    static var codec: EventCodec<Self> { get }
    /// The event's name within its aggregate and its payload.
    var parts: (name: String, payload: any Encodable) { get }
}

extension DomainEvent {
    /// Every CloudEvents type this aggregate can emit.
    public static var eventTypes: [String] { codec.types }
    public var eventType: String { EventTypeName.make(aggregate: Self.aggregate, name: parts.name) }
    public func encodeData(_ encoder: JSONEncoder) throws -> Data { try encoder.encode(parts.payload) }
    public static func decodeData(type: String, data: Data, decoder: JSONDecoder) throws -> Self {
        try codec.decode(type: type, data: data, decoder: decoder)
    }
}

public enum EventTypeName {
    public static func make(aggregate: String, name: String, version: Int = 1) -> String {
        "printfarm.\(aggregate).\(name).v\(version)"
    }
}

/// Decodes stored payloads by CloudEvents type, or says plainly that a type is unknown to this aggregate.
public struct EventCodec<Event: DomainEvent>: Sendable {
    public struct Entry: Sendable {
        let name: String
        let decode: @Sendable (Data, JSONDecoder) throws -> Event

        /// The event `name` carries a `Payload`, wrapped into the aggregate's event enum by `wrap`.
        public static func payload<Payload: Decodable & SendableMetatype>(
            _ name: String, _ payload: Payload.Type, _ wrap: @escaping @Sendable (Payload) -> Event
        ) -> Entry {
            Entry(name: name) { data, decoder in wrap(try decoder.decode(Payload.self, from: data)) }
        }
    }

    private let decoders: [String: @Sendable (Data, JSONDecoder) throws -> Event]

    public init(aggregate: String, _ entries: [Entry]) {
        decoders = Dictionary(
            entries.map { (EventTypeName.make(aggregate: aggregate, name: $0.name), $0.decode) },
            uniquingKeysWith: { first, _ in first })
    }

    public var types: [String] { decoders.keys.sorted() }

    public func decode(type: String, data: Data, decoder: JSONDecoder) throws -> Event {
        guard let decode = decoders[type] else { throw DomainError.unknownEventType(type) }
        return try decode(data, decoder)
    }
}
