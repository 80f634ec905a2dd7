import Foundation

/// A connection's secrets, stored apart from events (`shop_secrets`) and never answered, logged or printed: its
/// description is redacted.
public struct ShopSecrets: Sendable, Equatable, Codable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What signs webhooks: Shopify's app client secret, WooCommerce's webhook secret, Etsy's `whsec_` secret.
    public var webhookSecret: String?
    /// The webhook secret before the last rotation, still accepted until `previousUntil` (Shopify takes up to an
    /// hour to sign with a new one).
    public var previousWebhookSecret: String?
    public var previousUntil: Date?
    /// Shopify's Admin API access token; Etsy's OAuth access token.
    public var accessToken: String?
    public var accessTokenExpiresAt: Date?
    public var refreshToken: String?
    /// WooCommerce REST consumer key and secret; Etsy's keystring and shared secret.
    public var apiKey: String?
    public var apiSecret: String?
    /// An Etsy authorisation under way: what the consent page's answer must match, and the PKCE verifier.
    public var oauthState: String?
    public var oauthVerifier: String?
    public var oauthRedirectURI: String?
    public var oauthStartedAt: Date?

    public init(
        webhookSecret: String? = nil, previousWebhookSecret: String? = nil, previousUntil: Date? = nil,
        accessToken: String? = nil, accessTokenExpiresAt: Date? = nil, refreshToken: String? = nil,
        apiKey: String? = nil, apiSecret: String? = nil
    ) {
        self.webhookSecret = webhookSecret
        self.previousWebhookSecret = previousWebhookSecret
        self.previousUntil = previousUntil
        self.accessToken = accessToken
        self.accessTokenExpiresAt = accessTokenExpiresAt
        self.refreshToken = refreshToken
        self.apiKey = apiKey
        self.apiSecret = apiSecret
    }

    /// The secrets a webhook may be signed with now.
    public func webhookSecrets(at now: Date) -> [String] {
        var secrets = [webhookSecret].compactMap { $0 }
        if let previous = previousWebhookSecret, let until = previousUntil, now < until { secrets.append(previous) }
        return secrets
    }

    /// A new webhook secret; the old one is still accepted for `grace`.
    public mutating func rotateWebhookSecret(to secret: String, at now: Date, grace: TimeInterval = 3600) {
        previousWebhookSecret = webhookSecret
        previousUntil = now.addingTimeInterval(grace)
        webhookSecret = secret
    }

    /// Which secrets are set, never their values.
    public var description: String {
        let set = [
            ("webhookSecret", webhookSecret), ("previousWebhookSecret", previousWebhookSecret),
            ("accessToken", accessToken), ("refreshToken", refreshToken), ("apiKey", apiKey), ("apiSecret", apiSecret),
            ("oauthVerifier", oauthVerifier),
        ].filter { $0.1 != nil }.map(\.0)
        return "ShopSecrets(set: \(set.joined(separator: ", ")))"
    }

    public var debugDescription: String { description }
}
