import FarmAuth
import FarmDomain
import FarmStore
import Foundation
import Hummingbird
import NIOPosix

struct ChangeRoleRequest: Decodable, Sendable {
    var role: Role
    var reason: String?
    var note: String?
}

struct ChangePasswordRequest: Decodable, Sendable {
    var currentPassword: String
    var newPassword: String
}

struct CreateUserRequest: Decodable, Sendable {
    var username: String
    var role: Role
    var password: String
    var reason: String?
    var note: String?
}

/// `/api/v1/users`: accounts, managed by owners. Disabling a user ends their sessions at once.
struct UserRoutes {
    let endpoints: AggregateEndpoints<UserDecider>
    let credentials: CredentialStore
    let passwords: Passwords

    func register(on routes: SecuredRoutes) {
        routes.post("/api/v1/users", .manageUsers) { request, context in try await create(request, context) }
        routes.get("/api/v1/users", .manageUsers) { request, _ in
            try await endpoints.list(
                request, status: try QueryParameters(request).oneOf("status", UserStatus.self), ref: nil)
        }
        routes.get("/api/v1/users/{id}", .manageUsers) { request, context in try await endpoints.get(request, context) }
        routes.post("/api/v1/users/{id}/disable", .manageUsers) { request, context in
            let body = try await JSONIO.decode(ReasonRequest.self, from: request, context: context)
            let id = try endpoints.id(context)
            try await keepAnOwner(besides: id)
            let response = try await endpoints.execute(
                .disable, id: id, request: request, context: context, reason: body.reason, note: body.note)
            if let userID = UserID(id) {
                try await endpoints.services.store.sessions.revokeAll(of: userID, at: endpoints.services.now())
            }
            return response
        }
        routes.post("/api/v1/users/{id}/role", .manageUsers) { request, context in
            let body = try await JSONIO.decode(ChangeRoleRequest.self, from: request, context: context)
            let id = try endpoints.id(context)
            if body.role != .owner { try await keepAnOwner(besides: id) }
            return try await endpoints.execute(
                .changeRole(body.role), id: id, request: request, context: context, reason: body.reason, note: body.note
            )
        }
        // Every role may change its own password.
        routes.post("/api/v1/users/me/password", .ownAccount) { request, context in
            try await changePassword(request, context)
        }
        routes.post("/api/v1/users/{id}/enable", .manageUsers) { request, context in
            let body = try await JSONIO.decode(ReasonRequest.self, from: request, context: context)
            return try await endpoints.execute(
                .enable, id: try endpoints.id(context), request: request, context: context, reason: body.reason,
                note: body.note)
        }
    }

    /// Refuses to take away the farm's last enabled owner (by disabling or demoting user `id`): without one, only
    /// API keys could manage the farm and no person could take them back.
    func keepAnOwner(besides id: String) async throws {
        let owners = try await endpoints.services.store.users.all().filter { $0.role == .owner && !$0.disabled }
        guard owners.contains(where: { $0.id.description == id }), owners.count == 1 else { return }
        throw Problem(
            status: .conflict, code: "last-owner", title: "The farm would have no owner",
            detail: "this is the farm's only enabled owner; make another user owner first, then change this one")
    }

    /// Needs the current password; ends every other session of the user.
    func changePassword(_ request: Request, _ context: FarmRequestContext) async throws -> Response {
        let body = try await JSONIO.decode(ChangePasswordRequest.self, from: request, context: context)
        let services = endpoints.services
        guard let actor = context.actor, actor.kind == .user, let id = UserID(actor.id) else {
            throw Problem.invalidParameter(
                "Authorization", "a password belongs to a user: sign in with a session token, not an API key")
        }
        var secrets = try await credentials.secrets(of: id)
        let passwords = self.passwords
        let current = body.currentPassword
        let hash = secrets.passwordHash ?? ""
        guard current.utf8.count <= 1024,
            try await NIOThreadPool.singleton.runIfActive({ passwords.verify(current, hash: hash) })
        else {
            throw Problem.invalidField("currentPassword", "that is not the current password")
        }
        let newPassword = body.newPassword
        do {
            secrets.passwordHash = try await NIOThreadPool.singleton.runIfActive { try passwords.hash(newPassword) }
        } catch let problem as Passwords.Problem {
            throw Problem.invalidField("newPassword", problem.description)
        }
        try await credentials.save(secrets, of: id)
        let now = services.now()
        try await services.store.sessions.revokeAll(of: id, except: context.principal?.sessionID, at: now)
        return try await endpoints.execute(
            .recordPasswordChange, id: id.description, request: request, context: context, reason: nil, note: nil)
    }

    func create(_ request: Request, _ context: FarmRequestContext) async throws -> Response {
        let body = try await JSONIO.decode(CreateUserRequest.self, from: request, context: context)
        let services = endpoints.services
        let id = UserID(services.newID())
        let outcome: CommandOutcome<UserDecider>
        do {
            outcome = try await Accounts.createUser(
                store: services.store, passwords: passwords, username: body.username, role: body.role,
                password: body.password, id: id,
                context: try services.commandContext(context, reason: body.reason, note: body.note),
                correlationID: try services.correlationID(request, context))
        } catch let problem as Passwords.Problem {
            throw Problem.invalidField("password", problem.description)
        } catch DomainError.alreadyExists {
            throw Problem(
                status: .conflict, code: "already-exists", title: "The username is taken",
                detail: "choose another username")
        }
        return try JSONIO.response(
            outcome.model, status: .created, etag: outcome.version, location: "/api/v1/users/\(id)")
    }
}

enum UserStatus: String, CaseIterable {
    case active, disabled
}
