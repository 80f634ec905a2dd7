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

    /// Lowercase and hyphenated. Written by hand: `uuidString` formats through `snprintf` on Linux and then
    /// `lowercased()` copies it again, which showed up as a quarter of the triage board's render time.
    public var description: String {
        withUnsafeBytes(of: uuid.uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { buffer in
                let digits: StaticString = "0123456789abcdef"
                var at = 0
                for (index, byte) in bytes.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        buffer[at] = UInt8(ascii: "-")
                        at += 1
                    }
                    buffer[at] = digits.utf8Start[Int(byte >> 4)]
                    buffer[at + 1] = digits.utf8Start[Int(byte & 0x0F)]
                    at += 2
                }
                return at
            }
        }
    }

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

    /// The order of the lowercase strings (hex digits sort as their bytes do), without making them.
    public static func < (lhs: Self, rhs: Self) -> Bool {
        withUnsafeBytes(of: lhs.uuid.uuid) { left in
            withUnsafeBytes(of: rhs.uuid.uuid) { right in left.lexicographicallyPrecedes(right) }
        }
    }
}

public enum IntentTag {}
public enum LineItemTag {}
public enum PlanTag {}
public enum BuildPlateTag {}
public enum RunTag {}
public enum PrinterTag {}
public enum ArtifactTag {}
public enum EventTag {}
public enum ShopConnectionTag {}
public enum SaleTag {}

public typealias IntentID = TypedID<IntentTag>
public typealias LineItemID = TypedID<LineItemTag>
public typealias PlanID = TypedID<PlanTag>
public typealias BuildPlateID = TypedID<BuildPlateTag>
public typealias RunID = TypedID<RunTag>
public typealias PrinterID = TypedID<PrinterTag>
public typealias EventID = TypedID<EventTag>
public typealias ShopConnectionID = TypedID<ShopConnectionTag>
public typealias SaleID = TypedID<SaleTag>
