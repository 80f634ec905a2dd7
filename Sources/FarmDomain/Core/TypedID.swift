import Foundation

/// A UUID that knows which aggregate it names, so a `RunID` can never be passed where a `PrinterID` is expected.
/// Encodes as a lowercase UUID string.
public struct TypedID<Tag>: Hashable, Codable, Sendable, CustomStringConvertible, Comparable {
    public let uuid: UUID

    public init(_ uuid: UUID) { self.uuid = uuid }

    /// Parses a UUID string; nil when it is not one.
    public init?(_ string: String) {
        guard let uuid = UUID(uuidString: string) else { return nil }
        self.uuid = uuid
    }

    public var description: String { uuid.uuidString.lowercased() }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let string = try container.decode(String.self)
        guard let uuid = UUID(uuidString: string) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(string)' is not a UUID")
        }
        self.uuid = uuid
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.description < rhs.description }
}

public enum IntentTag {}
public enum LineItemTag {}
public enum PlanTag {}
public enum BuildPlateTag {}
public enum RunTag {}
public enum PrinterTag {}
public enum ArtifactTag {}
public enum EventTag {}

public typealias IntentID = TypedID<IntentTag>
public typealias LineItemID = TypedID<LineItemTag>
public typealias PlanID = TypedID<PlanTag>
public typealias BuildPlateID = TypedID<BuildPlateTag>
public typealias RunID = TypedID<RunTag>
public typealias PrinterID = TypedID<PrinterTag>
public typealias EventID = TypedID<EventTag>
