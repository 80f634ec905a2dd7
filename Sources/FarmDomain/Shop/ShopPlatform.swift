/// The web shops the farm takes orders from.
public enum ShopPlatform: String, Codable, Sendable, CaseIterable {
    case shopify, woocommerce, etsy
}
