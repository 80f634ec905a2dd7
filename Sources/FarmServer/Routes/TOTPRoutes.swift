import FarmAuth
import FarmDomain
import FarmStore
import Foundation
import HTTPTypes
import Hummingbird

struct TOTPEnrolment: Encodable, Sendable {
    /// Scan as a QR code or open on the phone; it carries the secret.
    var otpauthURI: String
}

struct TOTPConfirmation: Decodable, Sendable {
    var code: String
}

struct RecoveryCodesIssued: Encodable, Sendable {
    /// Each works once in place of a code. Shown now only.
    var recoveryCodes: [String]
}

/// `/api/v1/users/me/totp`: a signed-in user turns on two-factor sign-in for their own account.
struct TOTPRoutes {
    let services: FarmServices
    let verifier = TOTPVerifier()

    func register(on routes: SecuredRoutes) {
        // Every role may protect its own account.
        routes.post("/api/v1/users/me/totp", .ownAccount) { _, context in try await begin(context) }
        routes.post("/api/v1/users/me/totp/confirm", .ownAccount) { request, context in
            try await confirm(request, context)
        }
    }

    func currentUser(_ context: FarmRequestContext) async throws -> User {
        guard let actor = context.actor, actor.kind == .user, let id = UserID(actor.id),
            let user = try await services.store.users.get(id: id.description)?.model
        else {
            throw Problem.invalidParameter(
                "Authorization", "two-factor sign-in belongs to a user: sign in with a session token, not an API key")
        }
        return user
    }

    /// Makes a new secret and keeps it pending until a code from it is confirmed.
    func begin(_ context: FarmRequestContext) async throws -> Response {
        let user = try await currentUser(context)
        guard !user.totpEnabled else {
            throw Problem(
                status: .conflict, code: "totp-already-enabled", title: "Two-factor sign-in is already on",
                detail: "nothing to do")
        }
        var generator = SystemRandomNumberGenerator()
        let secret = TOTPVerifier.newSecret(using: &generator)
        var secrets = try await services.store.credentials.secrets(of: user.id)
        secrets.totpPendingSecret = secret
        try await services.store.credentials.save(secrets, of: user.id)
        var response = try JSONIO.response(
            TOTPEnrolment(otpauthURI: verifier.enrolmentURI(secret: secret, account: user.username)), status: .created)
        response.headers[.cacheControl] = "no-store"
        return response
    }

    /// A code from the pending secret turns TOTP on and returns ten recovery codes, once.
    func confirm(_ request: Request, _ context: FarmRequestContext) async throws -> Response {
        let body = try await JSONIO.decode(TOTPConfirmation.self, from: request, context: context)
        let user = try await currentUser(context)
        var secrets = try await services.store.credentials.secrets(of: user.id)
        guard let pending = secrets.totpPendingSecret else {
            throw Problem(
                status: .conflict, code: "totp-not-started", title: "No enrolment is waiting",
                detail: "start with POST /api/v1/users/me/totp, scan the URI, then confirm a code")
        }
        guard let step = verifier.verify(body.code, secret: pending, at: services.now(), lastUsedStep: nil) else {
            throw Problem.invalidField(
                "code", "not the current code of the new secret; check the phone's clock and try the next code")
        }
        var generator = SystemRandomNumberGenerator()
        let (codes, digests) = RecoveryCodes.generate(using: &generator)
        secrets.totpSecret = pending
        secrets.totpPendingSecret = nil
        secrets.totpLastStep = step
        secrets.recoveryDigests = digests
        try await services.store.credentials.save(secrets, of: user.id)
        _ = try await services.store.users.execute(
            .enableTOTP, id: user.id.description, context: try services.commandContext(context, reason: nil, note: nil),
            correlationID: try services.correlationID(request, context))
        var response = try JSONIO.response(RecoveryCodesIssued(recoveryCodes: codes))
        response.headers[.cacheControl] = "no-store"
        return response
    }
}
