/// Who caused a change: every event records one. Encoded as `kind:id`, for example `user:8d3…`,
/// `apikey:shop-sync`, `policy:autoAdvance`, `connector:printer-1`, `system:cli`.
public struct EventActor: Hashable, Codable, Sendable, CustomStringConvertible {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case user, apikey, policy, connector, system
    }

    public let kind: Kind
    public let id: String

    public init(_ kind: Kind, _ id: String) {
        self.kind = kind
        self.id = id
    }

    /// Parses `kind:id`; nil when the kind is unknown or the id is empty.
    public init?(string: String) {
        guard let colon = string.firstIndex(of: ":"),
            let kind = Kind(rawValue: String(string[..<colon]))
        else { return nil }
        let id = String(string[string.index(after: colon)...])
        guard !id.isEmpty, id.count <= 200 else { return nil }
        self.init(kind, id)
    }

    public var description: String { "\(kind.rawValue):\(id)" }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let string = try container.decode(String.self)
        guard let actor = EventActor(string: string) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "'\(string)' is not an actor of the form kind:id")
        }
        self = actor
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public static let cli = EventActor(.system, "cli")
    public static let anonymous = EventActor(.system, "anonymous")
}
