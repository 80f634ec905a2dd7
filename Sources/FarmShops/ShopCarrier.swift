import FarmDomain
import Foundation

/// A carrier as a person wrote it, in each shop's own spelling. Shopify wants its exact, case-sensitive names to
/// make tracking links and follow the parcel; Etsy wants its slugs, and `other` for a carrier it does not know (the
/// name then goes in the note to the buyer). Unknown names go to Shopify as written.
public enum ShopCarrier {
    /// Lower-cased name or alias → (Shopify's name, Etsy's slug).
    static let known: [String: (shopify: String, etsy: String)] = [
        "ups": ("UPS", "ups"), "usps": ("USPS", "usps"), "fedex": ("FedEx", "fedex"),
        "dhl": ("DHL Express", "dhl"), "dhl express": ("DHL Express", "dhl"), "dhl ecommerce": ("DHL eCommerce", "dhl"),
        "canada post": ("Canada Post", "canada-post"), "royal mail": ("Royal Mail", "royal-mail"),
        "australia post": ("Australia Post", "australia-post"), "deutsche post": ("Deutsche Post", "deutsche-post"),
        "dpd": ("DPD", "dpd"), "gls": ("GLS", "gls"), "postnl": ("PostNL", "postnl"),
        "la poste": ("La Poste", "la-poste"),
        "colissimo": ("Colissimo", "la-poste"), "japan post": ("Japan Post (EN)", "japan-post"),
    ]

    static func key(_ name: String) -> String {
        name.lowercased().replacingOccurrences(of: "-", with: " ").split(separator: " ").joined(separator: " ")
    }

    public static func shopify(_ name: String) -> String { known[key(name)]?.shopify ?? name }

    /// Etsy's slug, or nil when Etsy does not know the carrier (send `other`).
    public static func etsy(_ name: String) -> String? { known[key(name)]?.etsy }

    /// The sentence customers read: "Shipped with UPS, tracking number 1Z…: https://…".
    public static func note(_ shipment: Shipment?) -> String {
        guard let shipment, let carrier = shipment.carrier else { return "Your order has shipped." }
        var text = "Your order has shipped with \(carrier)"
        if let number = shipment.trackingNumber { text += ", tracking number \(number)" }
        if let url = shipment.trackingURL { text += ": \(url)" }
        return text + "."
    }
}
