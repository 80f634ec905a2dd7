import FarmAuth
import FarmDomain
import FarmStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers
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
    /// Compared against when the username is unknown or disabled, so every failure costs one bcrypt check.
    let decoyHash: String
    let pause: @Sendable (Duration) async -> Void
    /// Failures by client and by (client, account); shared by every request to this process.
    let throttle: NIOLockedValueBox<SignInThrottle>
    /// Trust X-Forwarded-For and X-Forwarded-Proto (set only behind a reverse proxy that sets them).
    let behindProxy: Bool
    let secureCookies: Bool

    init(
        services: FarmServices, tokens: SessionTokens, passwords: Passwords,
        throttle: SignInThrottle = SignInThrottle(),
        behindProxy: Bool = false, secureCookies: Bool = false, pause: @escaping @Sendable (Duration) async -> Void
    ) {
        self.behindProxy = behindProxy
        self.secureCookies = secureCookies
        self.services = services
        self.tokens = tokens
        self.passwords = passwords
        self.pause = pause
        self.throttle = NIOLockedValueBox(throttle)
        self.decoyHash = (try? passwords.hash("decoy password for unknown users")) ?? ""
    }

    /// Every failed sign-in waits as long as every other before it is answered.
    static let failurePause: Duration = .milliseconds(250)

    func register(on routes: SecuredRoutes) {
        // Signing in is how a person gets credentials, so it cannot need them.
        routes.publicRoute(.post, "/api/v1/sessions") { request, context in try await signIn(request, context) }
        routes.delete("/api/v1/sessions/current", .read) { _, context in
            guard let session = context.principal?.sessionID else {
                throw Problem.invalidParameter(
                    "Authorization", "signing out needs a session token; API keys are revoked instead")
            }
            try await services.store.sessions.revoke(id: session, at: services.now())
            return Response(status: .noContent)
        }
    }

    func signIn(_ request: Request, _ context: FarmRequestContext) async throws -> Response {
        let body = try await JSONIO.decode(SignInRequest.self, from: request, context: context)
        guard (1...64).contains(body.username.count) else {
            throw Problem.invalidField("username", "1 to 64 characters")
        }
        guard (1...1024).contains(body.password.count) else {
            throw Problem.invalidField("password", "1 to 1024 characters")
        }
        let store = services.store
        let now = services.now()
        let client = clientAddress(request, context)
        // why: one answer and one timing for an unknown, a disabled and a known account (issue 17 found all three
        // told apart, and five wrong passwords locked the only owner out for 15 minutes).
        if let seconds = throttle.withLockedValue({ $0.wait(client: client, account: body.username, now: now) }) {
            throw Problem.tooManySignIns(retryAfter: seconds)
        }
        let user: User?
        if let row = try await store.users.list(ref: body.username, limit: 1).first {
            user = try await store.users.get(id: row.id)?.model
        } else {
            user = nil
        }
        let secrets: CredentialStore.UserSecrets?
        if let user { secrets = try await store.credentials.secrets(of: user.id) } else { secrets = nil }
        let usable = user.map { !$0.disabled } ?? false
        let hash = usable ? secrets?.passwordHash ?? decoyHash : decoyHash
        let passwordMatches = await check(body.password, hash: hash) && usable && secrets?.passwordHash != nil
        guard let user, let secrets, passwordMatches else {
            throw await failed(user, client: client, account: body.username, now: now)
        }
        if user.totpEnabled {
            guard let code = body.totp, !code.isEmpty else { throw Problem.totpRequired }
            guard try await acceptSecondFactor(code, user: user, secrets: secrets, now: now) else {
                throw await failed(user, client: client, account: body.username, now: now)
            }
        }
        throttle.withLockedValue { $0.succeeded(client: client, account: body.username) }
        let system = CommandContext(actor: EventActor(.user, user.id.description), reason: "auth.signIn", time: now)
        _ = try await store.users.execute(.recordLogin, id: user.id.description, context: system)
        let session = SessionStore.Session(
            id: services.newID().uuidString.lowercased(), userID: user.id, createdAt: now,
            expiresAt: now.addingTimeInterval(tokens.lifetime))
        try await store.sessions.create(session)
        let issued = try await tokens.issue(session: session.id, user: user.id, at: now)
        let asCookie = body.cookie ?? false
        var response = try JSONIO.response(
            SignedIn(
                token: asCookie ? nil : issued.token, csrfToken: asCookie ? tokens.csrfToken(for: session.id) : nil,
                expiresAt: issued.expiresAt, user: user),
            status: .created)
        response.headers[.cacheControl] = "no-store"
        if asCookie {
            // why: HttpOnly keeps scripts from reading it; SameSite=Strict keeps other sites from sending it; Secure
            // keeps a browser from sending it over plain HTTP once the farm was reached over HTTPS.
            let overTLS = behindProxy && request.headers[.init("X-Forwarded-Proto")!]?.lowercased() == "https"
            response.setCookie(
                Cookie(
                    name: Authenticator.cookieName, value: issued.token, maxAge: Int(tokens.lifetime), path: "/",
                    secure: secureCookies || overTLS,
                    httpOnly: true, sameSite: .strict))
        }
        return response
    }

    /// The client as the throttle counts it: the peer's address, or behind a proxy the address the proxy saw.
    func clientAddress(_ request: Request, _ context: FarmRequestContext) -> String {
        if behindProxy, let forwarded = request.headers[.init("X-Forwarded-For")!],
            let last = forwarded.split(separator: ",").last?.trimmingCharacters(in: .whitespaces), !last.isEmpty
        {
            return String(last.prefix(64))
        }
        return context.clientAddress
    }

    /// bcrypt is slow on purpose: keep it off the event loops.
    private func check(_ password: String, hash: String) async -> Bool {
        let passwords = self.passwords
        return (try? await NIOThreadPool.singleton.runIfActive { passwords.verify(password, hash: hash) }) ?? false
    }

    /// Counts a failure, records it on a known, enabled account (after answering: the write must not make a known
    /// account slower to refuse than an unknown one), waits the same for every case and gives the one answer.
    private func failed(_ user: User?, client: String, account: String, now: Date) async -> Problem {
        throttle.withLockedValue { $0.failed(client: client, account: account, now: now) }
        if let user, !user.disabled {
            let users = services.store.users
            let context = CommandContext(
                actor: EventActor(.user, user.id.description), reason: "auth.signIn", time: now)
            Task { _ = try? await users.execute(.recordLoginFailure, id: user.id.description, context: context) }
        }
        await pause(Self.failurePause)
        return Problem.invalidCredentials
    }

    /// A current TOTP code (each accepted once) or an unused recovery code (then used up).
    private func acceptSecondFactor(_ code: String, user: User, secrets: CredentialStore.UserSecrets, now: Date)
        async throws -> Bool
    {
        let store = services.store
        if let secret = secrets.totpSecret,
            let step = totp.verify(code, secret: secret, at: now, lastUsedStep: secrets.totpLastStep)
        {
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
