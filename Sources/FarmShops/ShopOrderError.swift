import FarmDomain

/// Why a shop's order could not be read; the sentence names the field.
public struct ShopOrderError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }

    static func decoding(_ error: any Error, platform: ShopPlatform) -> ShopOrderError {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return ShopOrderError("the \(platform.rawValue) order has no \(path(context.codingPath + [key]))")
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return ShopOrderError("the \(platform.rawValue) order's \(path(context.codingPath)) has the wrong type")
        case DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty:
            return ShopOrderError("the body is not JSON")
        case DecodingError.dataCorrupted(let context):
            return ShopOrderError("the \(platform.rawValue) order's \(path(context.codingPath)) is not readable")
        default:
            return ShopOrderError("the \(platform.rawValue) order cannot be read")
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\(ShopJSON.wireName($0.stringValue))" }.joined().trimmingPrefix(
            "."
        ).description
    }
}
