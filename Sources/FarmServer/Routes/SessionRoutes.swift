import FarmAuth
import FarmDomain
import FarmStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOPosix

struct SignInRequest: Decodable, Sendable {
    var username: String
    var password: String
    /// The authenticator's current code, or a recovery code, when the account has TOTP.
    var totp: String?
    /// For browsers: set the session as an HttpOnly cookie instead of returning the token.
    var cookie: Bool?
}

struct SignedIn: Encodable, Sendable {
    /// The bearer token (absent when the session went into a cookie).
    var token: String?
    /// For cookie sessions: send it as X-CSRF-Token with every change.
    var csrfToken: String?
    var expiresAt: Date
    var user: User
}

/// `/api/v1/sessions`: sign in with username, password (and TOTP), sign out.
struct SessionRoutes {
    let services: FarmServices
    let tokens: SessionTokens
    let passwords: Passwords
    let totp = TOTPVerifier()
    /// Consecutive failures that lock an account, and for how long.
    let lockAfter = 5
    let lockFor: TimeInterval = 15 * 60
    /// Compared against when the username is unknown, so both cases take as long (no account probing by timing).
    let decoyHash: String
    let pause: @Sendable (Duration) async -> Void

    init(services: FarmServices, tokens: SessionTokens, passwords: Passwords, pause: @escaping @Sendable (Duration) async -> Void) {
        self.services = services
        self.tokens = tokens
        self.passwords = passwords
        self.pause = pause
        self.decoyHash = (try? passwords.hash("decoy password for unknown users")) ?? ""
    }

    /// Failed sign-ins slow down before they lock: 0.25 s after the first, doubling to at most 4 s.
    static func backoff(afterFailures failures: Int) -> Duration {
        .milliseconds(250 << min(max(failures - 1, 0), 4))
    }

    func register(on routes: SecuredRoutes) {
        // Signing in is how a person gets credentials, so it cannot need them.
        routes.publicRoute(.post, "/api/v1/sessions") { request, context in try await signIn(request, context) }
        routes.delete("/api/v1/sessions/current", .read) { _, context in
            guard let session = context.principal?.sessionID else {
                throw Problem.invalidParameter("Authorization", "signing out needs a session token; API keys are revoked instead")
            }
            try await services.store.sessions.revoke(id: session, at: services.now())
            return Response(status: .noContent)
        }
    }

    func signIn(_ request: Request, _ context: FarmRequestContext) async throws -> Response {
        let body = try await JSONIO.decode(SignInRequest.self, from: request, context: context)
        guard (1...64).contains(body.username.count) else { throw Problem.invalidField("username", "1 to 64 characters") }
        guard (1...1024).contains(body.password.count) else { throw Problem.invalidField("password", "1 to 1024 characters") }
        let store = services.store
        let now = services.now()
        guard let row = try await store.users.list(ref: body.username, limit: 1).first,
              let (user, _) = try await store.users.get(id: row.id) else {
            _ = await check(body.password, hash: decoyHash)
            await pause(Self.backoff(afterFailures: 1))
            throw Problem.invalidCredentials
        }
        let system = CommandContext(actor: EventActor(.user, user.id.description), reason: "auth.signIn", time: now)
        if let until = user.lockedUntil, until > now { throw Problem.accountLocked(until: until, now: now) }
        let secrets = try await store.credentials.secrets(of: user.id)
        guard !user.disabled, let hash = secrets.passwordHash, await check(body.password, hash: hash) else {
            if !user.disabled { try await recordFailure(user, system) }
            throw Problem.invalidCredentials
        }
        if user.totpEnabled {
            guard let code = body.totp, !code.isEmpty else { throw Problem.totpRequired }
            guard try await acceptSecondFactor(code, user: user, secrets: secrets, now: now) else {
                try await recordFailure(user, system)
                throw Problem.invalidCredentials
            }
        }
        _ = try await store.users.execute(.recordLogin, id: user.id.description, context: system)
        let session = SessionStore.Session(
            id: services.newID().uuidString.lowercased(), userID: user.id, createdAt: now, expiresAt: now.addingTimeInterval(tokens.lifetime))
        try await store.sessions.create(session)
        let issued = try await tokens.issue(session: session.id, user: user.id, at: now)
        let asCookie = body.cookie ?? false
        var response = try JSONIO.response(
            SignedIn(token: asCookie ? nil : issued.token, csrfToken: asCookie ? tokens.csrfToken(for: session.id) : nil, expiresAt: issued.expiresAt, user: user),
            status: .created)
        response.headers[.cacheControl] = "no-store"
        if asCookie {
            // why: HttpOnly keeps scripts from reading it; SameSite=Strict keeps other sites from sending it.
            response.setCookie(Cookie(
                name: Authenticator.cookieName, value: issued.token, maxAge: Int(tokens.lifetime), path: "/", httpOnly: true, sameSite: .strict))
        }
        return response
    }

    /// bcrypt is slow on purpose: keep it off the event loops.
    private func check(_ password: String, hash: String) async -> Bool {
        let passwords = self.passwords
        return (try? await NIOThreadPool.singleton.runIfActive { passwords.verify(password, hash: hash) }) ?? false
    }

    private func recordFailure(_ user: User, _ context: CommandContext) async throws {
        _ = try await services.store.users.execute(.recordLoginFailure(lockAfter: lockAfter, lockFor: lockFor), id: user.id.description, context: context)
        await pause(Self.backoff(afterFailures: user.failedLogins + 1))
    }

    /// A current TOTP code (each accepted once) or an unused recovery code (then used up).
    private func acceptSecondFactor(_ code: String, user: User, secrets: CredentialStore.UserSecrets, now: Date) async throws -> Bool {
        let store = services.store
        if let secret = secrets.totpSecret, let step = totp.verify(code, secret: secret, at: now, lastUsedStep: secrets.totpLastStep) {
            return try await store.credentials.consumeTOTPStep(step, of: user.id)
        }
        if let index = RecoveryCodes.match(code, in: secrets.recoveryDigests) {
            var remaining = secrets
            remaining.recoveryDigests.remove(at: index)
            try await store.credentials.save(remaining, of: user.id)
            return true
        }
        return false
    }
}
