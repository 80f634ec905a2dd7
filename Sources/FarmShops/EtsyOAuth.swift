import AsyncHTTPClient
import Crypto
import FarmDomain
import Foundation
import NIOCore
import NIOFoundationCompat

/// Etsy's OAuth 2.0 authorization-code grant with PKCE (S256): the person is sent to Etsy's consent page with a
/// challenge, Etsy sends them back with a code, and the code with its verifier buys an access token (an hour) and a
/// refresh token (about 90 days). Tokens are refreshed at the same endpoint.
public struct EtsyOAuth: Sendable {
    public static let scopes = "transactions_r transactions_w shops_r"
    /// What a verifier may be made of (RFC 7636: unreserved characters, 43 to 128 of them).
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    public struct Tokens: Sendable, Equatable {
        public var access: String
        public var refresh: String?
        public var expiresAt: Date
    }

    let api: URL
    let authorize: URL
    let keystring: String
    let http: HTTPClient

    public init(api: URL, authorize: URL, keystring: String, http: HTTPClient = .shared) {
        self.api = api
        self.authorize = authorize
        self.keystring = keystring
        self.http = http
    }

    /// A fresh verifier (64 characters) or state.
    public static func randomToken(length: Int = 64) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
    }

    /// base64url of the verifier's SHA-256, without padding.
    public static func challenge(_ verifier: String) -> String {
        Data(SHA256.hash(data: Data(verifier.utf8))).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Etsy's consent page for this app, asking for the farm's scopes.
    public func authorizeURL(redirectURI: String, state: String, verifier: String) -> URL {
        var components = URLComponents(
            url: authorize.appendingPathComponent("oauth/connect"), resolvingAgainstBaseURL: false)!
        components.queryItems = [
            URLQueryItem(name: "response_type", value: "code"), URLQueryItem(name: "client_id", value: keystring),
            URLQueryItem(name: "redirect_uri", value: redirectURI), URLQueryItem(name: "scope", value: Self.scopes),
            URLQueryItem(name: "state", value: state),
            URLQueryItem(name: "code_challenge", value: Self.challenge(verifier)),
            URLQueryItem(name: "code_challenge_method", value: "S256"),
        ]
        // why: URLComponents leaves "+" alone in a query, and a form decoder reads it as a space.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        return components.url!
    }

    public func exchange(code: String, redirectURI: String, verifier: String, now: Date) async throws -> Tokens {
        try await token(
            [
                ("grant_type", "authorization_code"), ("client_id", keystring), ("redirect_uri", redirectURI),
                ("code", code), ("code_verifier", verifier),
            ], now: now)
    }

    public func refresh(_ refreshToken: String, now: Date) async throws -> Tokens {
        try await token(
            [("grant_type", "refresh_token"), ("client_id", keystring), ("refresh_token", refreshToken)], now: now)
    }

    func token(_ fields: [(String, String)], now: Date) async throws -> Tokens {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let form = fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
            .joined(separator: "&")
        var request = HTTPClientRequest(url: api.appendingPathComponent("v3/public/oauth/token").absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: form))
        let response = try await http.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        struct Answer: Decodable {
            let accessToken: String?
            let refreshToken: String?
            let expiresIn: Int?
            let error: String?
            let errorDescription: String?
        }
        let answer = try? ShopJSON.decoder.decode(Answer.self, from: Data(buffer: body))
        guard response.status.code == 200, let access = answer?.accessToken else {
            let words = [answer?.error, answer?.errorDescription].compactMap { $0 }.joined(separator: ": ")
            throw ShopClientError(
                "Etsy refused the token request (\(response.status.code)\(words.isEmpty ? "" : ", " + words))",
                persistent: (400..<500).contains(response.status.code) && response.status.code != 429)
        }
        return Tokens(
            access: access, refresh: answer?.refreshToken,
            expiresAt: now.addingTimeInterval(TimeInterval(answer?.expiresIn ?? 3600)))
    }
}

/// Where an Etsy client gets its bearer token.
public protocol EtsyTokenSource: Sendable {
    /// A token good for the next call (refreshed first when it expires within five minutes).
    func token() async throws -> String
    /// Etsy refused `rejected` (401): a new one.
    func refresh(rejected: String) async throws -> String
}

/// One connection's Etsy tokens, kept with its secrets: refreshed before they expire and when Etsy refuses one, one
/// refresh at a time (each refresh makes Etsy's previous refresh token useless, so two at once would lose the
/// connection).
public actor EtsyTokens: EtsyTokenSource {
    let intake: ShopIntake
    let connection: ShopConnection
    let http: HTTPClient
    private var refreshing: Task<String, any Error>?

    /// Refresh this long before the token expires.
    static let margin: TimeInterval = 300

    init(intake: ShopIntake, connection: ShopConnection, http: HTTPClient) {
        self.intake = intake
        self.connection = connection
        self.http = http
    }

    public func token() async throws -> String {
        let secrets = try await intake.secrets(of: connection.id)
        guard let token = secrets.accessToken else {
            throw ShopClientError(
                "the Etsy connection \(connection.name) is not authorised: authorise it on the Shops page",
                persistent: true)
        }
        if let expires = secrets.accessTokenExpiresAt, secrets.refreshToken != nil,
            expires.timeIntervalSince(intake.now()) < Self.margin
        {
            return try await refresh(rejected: token)
        }
        return token
    }

    public func refresh(rejected: String) async throws -> String {
        if let refreshing { return try await refreshing.value }
        let task = Task { try await self.renew(rejected: rejected) }
        refreshing = task
        defer { refreshing = nil }
        return try await task.value
    }

    private func renew(rejected: String) async throws -> String {
        var secrets = try await intake.secrets(of: connection.id)
        // Someone else renewed it meanwhile (another process on the same store).
        if let current = secrets.accessToken, current != rejected { return current }
        guard let refresh = secrets.refreshToken, let keystring = secrets.apiKey,
            let api = URL(string: connection.endpoints.api)
        else {
            throw ShopClientError(
                "Etsy refused the connection \(connection.name)'s token and there is no refresh token: "
                    + "authorise it again on the Shops page",
                persistent: true)
        }
        let oauth = EtsyOAuth(
            api: api, authorize: URL(string: connection.endpoints.authorize ?? "https://www.etsy.com")!,
            keystring: keystring, http: http)
        let tokens = try await oauth.refresh(refresh, now: intake.now())
        secrets.accessToken = tokens.access
        secrets.refreshToken = tokens.refresh ?? refresh
        secrets.accessTokenExpiresAt = tokens.expiresAt
        try await intake.saveSecrets(secrets, of: connection.id)
        return tokens.access
    }
}

/// A token given by hand, never refreshed.
public struct FixedEtsyToken: EtsyTokenSource {
    let value: String
    public init(_ value: String) { self.value = value }
    public func token() async throws -> String { value }
    public func refresh(rejected: String) async throws -> String {
        throw ShopClientError("Etsy refused the access token and it cannot be refreshed", persistent: true)
    }
}
