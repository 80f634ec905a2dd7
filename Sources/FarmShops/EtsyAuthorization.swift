import FarmDomain
import Foundation

/// Why an Etsy authorisation could not start or finish, in words for the person who tried.
public struct EtsyAuthorizationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    /// The farm's side of it (no such connection, not Etsy): a client error, not Etsy's refusal.
    public var field: String?

    init(_ description: String, field: String? = nil) {
        self.description = description
        self.field = field
    }
}

extension ShopIntake {
    /// How long a person has on Etsy's consent page.
    public static let authorizationWindow: TimeInterval = 15 * 60

    /// Begins Etsy's consent: a fresh PKCE verifier and state are kept with the connection's secrets, and the address
    /// of Etsy's consent page is returned. `redirectURI` must be registered with the Etsy app.
    public func startEtsyAuthorization(_ connection: ShopConnection, redirectURI: String) async throws -> URL {
        guard connection.platform == .etsy else {
            throw EtsyAuthorizationError("only Etsy connections are authorised this way", field: "id")
        }
        guard let uri = URL(string: redirectURI), ["https", "http"].contains(uri.scheme?.lowercased() ?? ""),
            uri.host?.isEmpty == false, redirectURI.count <= 500
        else {
            throw EtsyAuthorizationError(
                "give this farm's callback address, like https://farm.example.com/oauth/etsy/callback",
                field: "redirectURI")
        }
        var secrets = try await secrets(of: connection.id)
        guard let keystring = secrets.apiKey else {
            throw EtsyAuthorizationError(
                "the connection has no keystring (secrets.apiKey): add it first", field: "apiKey")
        }
        let verifier = EtsyOAuth.randomToken()
        // why: the state names its connection, so the answer finds it without a search, and its random part proves it.
        let state = "\(connection.id).\(EtsyOAuth.randomToken(length: 32))"
        secrets.oauthState = state
        secrets.oauthVerifier = verifier
        secrets.oauthRedirectURI = redirectURI
        secrets.oauthStartedAt = now()
        try await saveSecrets(secrets, of: connection.id)
        return oauth(connection, keystring: keystring).authorizeURL(
            redirectURI: redirectURI, state: state, verifier: verifier)
    }

    /// Etsy sent the person back with `code` for `state`: the code is exchanged for tokens, kept as the connection's.
    @discardableResult
    public func finishEtsyAuthorization(state: String, code: String) async throws -> ShopConnection {
        let unknown = EtsyAuthorizationError(
            "this authorisation is not one the farm started, or was already used: start it again on the Shops page")
        guard let dot = state.firstIndex(of: "."), let id = ShopConnectionID(String(state[..<dot])),
            let connection = try await store.shops.get(id: id.description)?.model, connection.status == .active
        else { throw unknown }
        var secrets = try await secrets(of: connection.id)
        guard let expected = secrets.oauthState, let verifier = secrets.oauthVerifier,
            let redirect = secrets.oauthRedirectURI, let keystring = secrets.apiKey,
            Data(expected.utf8).elementsEqual(Data(state.utf8))
        else { throw unknown }
        guard let started = secrets.oauthStartedAt, now().timeIntervalSince(started) < Self.authorizationWindow else {
            throw EtsyAuthorizationError("the authorisation took too long: start it again on the Shops page")
        }
        let tokens = try await oauth(connection, keystring: keystring).exchange(
            code: code, redirectURI: redirect, verifier: verifier, now: now())
        secrets.accessToken = tokens.access
        secrets.refreshToken = tokens.refresh
        secrets.accessTokenExpiresAt = tokens.expiresAt
        secrets.oauthState = nil
        secrets.oauthVerifier = nil
        secrets.oauthRedirectURI = nil
        secrets.oauthStartedAt = nil
        try await saveSecrets(secrets, of: connection.id)
        logger.notice("Etsy connection \(connection.name) (\(connection.id)) authorised")
        return connection
    }

    func oauth(_ connection: ShopConnection, keystring: String) -> EtsyOAuth {
        EtsyOAuth(
            api: URL(string: connection.endpoints.api) ?? URL(string: "https://api.etsy.com")!,
            authorize: URL(string: connection.endpoints.authorize ?? "https://www.etsy.com")!, keystring: keystring)
    }
}
