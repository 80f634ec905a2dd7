import Crypto
import FarmAuth
import FarmDomain
import FarmStore
import Foundation
import HTTPTypes
import Hummingbird

/// Finds the principal behind a request's credentials, or refuses it with 401. Accepts `Authorization: Bearer`
/// with a session token (from `POST /api/v1/sessions`) or an API key (`pfk_…`). A fresh farm has neither: its
/// first owner is made with `printfarm users create --role owner`.
struct Authenticator: RouterMiddleware {
    typealias Context = FarmRequestContext
    let store: Store
    let sessions: SessionTokens
    let requireTOTP: Bool
    let now: @Sendable () -> Date

    init(store: Store, sessions: SessionTokens, requireTOTP: Bool, now: @escaping @Sendable () -> Date) {
        self.store = store
        self.requireTOTP = requireTOTP
        self.sessions = sessions
        self.now = now
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var context = context
        context.principal = try await principal(for: request)
        return try await next(request, context)
    }

    /// The cookie a browser session travels in.
    static let cookieName = "printfarm_session"

    func principal(for request: Request) async throws -> Principal {
        guard let header = request.headers[.authorization] else {
            if let cookie = request.cookies[Self.cookieName]?.value, cookie.utf8.count <= 4096 {
                return try await sessionPrincipal(cookie, viaCookie: true)
            }
            throw Problem.unauthorized
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer", parts[1].utf8.count <= 4096 else {
            throw Problem.unauthorized
        }
        let credential = String(parts[1]).trimmingCharacters(in: .whitespaces)
        if let key = APIKeyFormat.parse(credential) { return try await apiKeyPrincipal(key) }
        if credential.split(separator: ".", omittingEmptySubsequences: false).count == 3 {
            return try await sessionPrincipal(credential)
        }
        throw Problem.unauthorized
    }

    /// A session token is good while it verifies, its session is neither revoked nor expired, and its user is
    /// enabled: disabling a user ends their sessions at once.
    private func sessionPrincipal(_ token: String, viaCookie: Bool = false) async throws -> Principal {
        let time = now()
        guard let claims = try? await sessions.verify(token, at: time),
            let session = try await store.sessions.session(id: claims.jti.value), session.isValid(at: time),
            session.userID.description == claims.sub.value,
            let user = try await store.users.get(id: session.userID.description)?.model, !user.disabled
        else {
            throw Problem.unauthorized
        }
        // Where the farm requires TOTP, a user who has not enrolled may do nothing but enrol.
        let permissions = requireTOTP && !user.totpEnabled ? [.ownAccount] : user.role.permissions
        return Principal(
            actor: EventActor(.user, user.id.description), permissions: permissions, sessionID: session.id,
            viaCookie: viaCookie, user: user)
    }

    private func apiKeyPrincipal(_ presented: APIKeyFormat.Parsed) async throws -> Principal {
        guard let secret = try await store.credentials.apiKey(keyID: presented.id),
            APIKeyFormat.matches(presented.secret, digest: secret.digest),
            let key = try await store.apiKeys.get(id: secret.apiKeyID.description)?.model, !key.revoked
        else {
            throw Problem.unauthorized
        }
        let time = now()
        // why: last-used time is for humans deciding which keys to revoke; minute precision spares a write per request.
        if secret.lastUsedAt.map({ time.timeIntervalSince($0) > 60 }) ?? true {
            try? await store.credentials.touchAPIKey(keyID: presented.id, at: time)
        }
        return Principal(actor: EventActor(.apikey, key.id.description), permissions: key.scope.permissions)
    }
}
