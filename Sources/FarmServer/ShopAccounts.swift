import FarmDomain
import FarmShops
import FarmStore
import Foundation

/// Connecting a shop, the same way from the API and the command line: the secrets checked for the platform, the
/// platform's default addresses filled in, the connection recorded and its secrets stored apart from events.
public enum ShopAccounts {
    /// A field a person gave that cannot be used, and why.
    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public var field: String
        public var reason: String

        public init(_ field: String, _ reason: String) {
            self.field = field
            self.reason = reason
        }

        public var description: String { "\(field): \(reason)" }
    }

    /// Where the connection's platform must deliver its webhooks, on this server.
    public static func webhookPath(_ id: ShopConnectionID) -> String { "/webhooks/shops/\(id)" }

    public static func connect(
        intake: ShopIntake, platform: ShopPlatform, name: String, endpoints: ShopEndpoints?, secrets: ShopSecretsInput,
        id: ShopConnectionID, context: CommandContext, correlationID: String? = nil
    ) async throws -> CommandOutcome<ShopConnectionDecider> {
        try secrets.validate(for: platform)
        guard let endpoints = endpoints ?? ShopEndpoints.defaults(for: platform) else {
            throw Invalid(
                "endpoints.api",
                platform == .shopify
                    ? "give the store's address, like https://your-store.myshopify.com"
                    : "give the shop's site address, like https://shop.example.com")
        }
        let outcome = try await intake.store.shops.execute(
            .connect(id, ShopConnectionSpec(platform: platform, name: name, endpoints: endpoints)),
            id: id.description, context: context, correlationID: correlationID)
        if !outcome.events.isEmpty { try await intake.saveSecrets(secrets.secrets, of: id) }
        return outcome
    }
}

/// The secrets a person gives for a connection (over the API or the CLI), checked before anything is stored.
public struct ShopSecretsInput: Decodable, Sendable {
    public var webhookSecret: String?
    public var accessToken: String?
    public var refreshToken: String?
    public var apiKey: String?
    public var apiSecret: String?

    public init(
        webhookSecret: String? = nil, accessToken: String? = nil, refreshToken: String? = nil, apiKey: String? = nil,
        apiSecret: String? = nil
    ) {
        self.webhookSecret = webhookSecret
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.apiKey = apiKey
        self.apiSecret = apiSecret
    }

    /// Which secrets each platform needs before it can take an order.
    public func validate(for platform: ShopPlatform) throws(ShopAccounts.Invalid) {
        for (field, value) in [
            ("webhookSecret", webhookSecret), ("accessToken", accessToken), ("refreshToken", refreshToken),
            ("apiKey", apiKey), ("apiSecret", apiSecret),
        ] {
            if let value, value.isBlank || value.count > 4096 {
                throw ShopAccounts.Invalid("secrets.\(field)", "must be 1 to 4096 characters, not only white space")
            }
        }
        switch platform {
        case .shopify, .woocommerce:
            guard webhookSecret != nil else {
                throw ShopAccounts.Invalid(
                    "secrets.webhookSecret",
                    platform == .shopify
                        ? "Shopify signs webhooks with the app's client secret (API secret key): give it"
                        : "give the secret you set on the WooCommerce webhook "
                            + "(WooCommerce → Settings → Advanced → Webhooks)"
                )
            }
        case .etsy:
            guard apiKey != nil else {
                throw ShopAccounts.Invalid("secrets.apiKey", "Etsy needs the app's keystring (and shared secret)")
            }
            if let secret = webhookSecret, !secret.hasPrefix("whsec_") {
                throw ShopAccounts.Invalid("secrets.webhookSecret", "Etsy endpoint secrets start with whsec_")
            }
        }
    }

    public var secrets: ShopSecrets {
        ShopSecrets(
            webhookSecret: webhookSecret, accessToken: accessToken, refreshToken: refreshToken, apiKey: apiKey,
            apiSecret: apiSecret)
    }
}
