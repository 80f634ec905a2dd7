import FarmAuth
import FarmDomain
import FarmStore
import Foundation
import Hummingbird
import NIOPosix

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
            try await endpoints.list(request, status: try QueryParameters(request).oneOf("status", UserStatus.self), ref: nil)
        }
        routes.get("/api/v1/users/{id}", .manageUsers) { request, context in try await endpoints.get(request, context) }
        routes.post("/api/v1/users/{id}/disable", .manageUsers) { request, context in
            let body = try await JSONIO.decode(ReasonRequest.self, from: request, context: context)
            let id = try endpoints.id(context)
            let response = try await endpoints.execute(.disable, id: id, request: request, context: context, reason: body.reason, note: body.note)
            if let userID = UserID(id) { try await endpoints.services.store.sessions.revokeAll(of: userID, at: endpoints.services.now()) }
            return response
        }
        routes.post("/api/v1/users/{id}/enable", .manageUsers) { request, context in
            let body = try await JSONIO.decode(ReasonRequest.self, from: request, context: context)
            return try await endpoints.execute(.enable, id: try endpoints.id(context), request: request, context: context, reason: body.reason, note: body.note)
        }
    }

    func create(_ request: Request, _ context: FarmRequestContext) async throws -> Response {
        let body = try await JSONIO.decode(CreateUserRequest.self, from: request, context: context)
        let services = endpoints.services
        let id = UserID(services.newID())
        let outcome: CommandOutcome<UserDecider>
        do {
            outcome = try await Accounts.createUser(
                store: services.store, passwords: passwords, username: body.username, role: body.role, password: body.password, id: id,
                context: try services.commandContext(context, reason: body.reason, note: body.note), correlationID: services.correlationID(request, context))
        } catch let problem as Passwords.Problem {
            throw Problem.invalidField("password", problem.description)
        } catch DomainError.alreadyExists {
            throw Problem(status: .conflict, code: "already-exists", title: "The username is taken", detail: "choose another username")
        }
        return try JSONIO.response(outcome.model, status: .created, etag: outcome.version, location: "/api/v1/users/\(id)")
    }
}

enum UserStatus: String, CaseIterable {
    case active, disabled
}
