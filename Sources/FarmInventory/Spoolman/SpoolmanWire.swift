import Foundation

/// Spoolman's records as its API answers them (v0.26; `../shared/reference/spoolman-api.md`): nulls are left out,
/// timestamps are UTC with whole or fractional seconds, each spool embeds its filament and each filament its vendor.
public enum SpoolmanWire {
    public struct Vendor: Decodable, Sendable, Equatable {
        public var id: Int
        public var registered: Date
        public var name: String
        public var comment: String?
        public var emptySpoolWeight: Double?
    }

    public struct Filament: Decodable, Sendable, Equatable {
        public var id: Int
        public var registered: Date
        public var name: String?
        public var vendor: Vendor?
        public var material: String?
        public var price: Double?
        public var density: Double
        public var diameter: Double
        public var weight: Double?
        public var spoolWeight: Double?
        public var colorHex: String?
    }

    public struct Spool: Decodable, Sendable, Equatable {
        public var id: Int
        public var registered: Date
        public var firstUsed: Date?
        public var filament: Filament
        public var initialWeight: Double?
        public var spoolWeight: Double?
        public var usedWeight: Double
        public var remainingWeight: Double?
        public var location: String?
        public var lotNr: String?
        public var archived: Bool?
    }

    /// Spoolman's JSON: snake_case keys, ISO 8601 dates with or without fractions.
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            let whole = ISO8601DateFormatter()
            let fractional = ISO8601DateFormatter()
            fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            guard let date = whole.date(from: text) ?? fractional.date(from: Self.milliseconds(text)) else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not an ISO 8601 time"))
            }
            return date
        }
        return decoder
    }

    /// `…56.123456Z` → `…56.123Z`: the formatter reads three digits of a fraction, Spoolman writes up to six.
    static func milliseconds(_ text: String) -> String {
        guard let dot = text.firstIndex(of: "."),
            let end = text[dot...].firstIndex(where: { !$0.isNumber && $0 != "." })
        else { return text }
        let digits = text[text.index(after: dot)..<end]
        return String(text[...dot]) + String(digits.prefix(3)).padding(toLength: 3, withPad: "0", startingAt: 0)
            + String(text[end...])
    }
}
