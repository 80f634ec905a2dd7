import FarmDomain
import Foundation

/// The timestamps shops send: ISO 8601 with an offset (Shopify: `2021-12-31T19:00:00-05:00`), with fractions
/// (`2025-07-10T16:15:47.000000Z`), or without a zone where the field is GMT by name (WooCommerce `*_gmt`).
enum ShopTimestamp {
    static func parse(_ text: String) -> Date? {
        var text = text.trimmingCharacters(in: .whitespaces)
        // No zone at all: the caller asked for a GMT field.
        if text.count == 19 { text += "Z" }
        var fraction = 0.0
        if let dot = text.firstIndex(of: "."),
            let zone = text[dot...].firstIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" })
        {
            fraction = Double("0" + text[dot..<zone]) ?? 0
            text.removeSubrange(dot..<zone)
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text).map { $0.addingTimeInterval(fraction) }
    }
}
