import FarmAuth
import FarmDomain
import FarmStore
import Foundation
import HTTPTypes
import Hummingbird

struct CreateAPIKeyRequest: Decodable, Sendable {
    var name: String
    var scope: APIKeyScope
    var reason: String?
    var note: String?
}

/// An API key as listed: never its secret, but when it was last used.
struct APIKeyView: Encodable, Sendable {
    var id: APIKeyID
    var name: String
    var scope: APIKeyScope
    var keyID: String
    var createdBy: String
    var revoked: Bool
    var createdAt: Date
    var lastUsedAt: Date?

    init(_ key: APIKey, lastUsedAt: Date?) {
        id = key.id
        name = key.name
        scope = key.scope
        keyID = key.keyID
        createdBy = key.createdBy
        revoked = key.revoked
        createdAt = key.createdAt
        self.lastUsedAt = lastUsedAt
    }
}

struct CreatedAPIKey: Encodable, Sendable {
    var apiKey: APIKeyView
    /// The whole key. Shown in this response only; the farm keeps just a digest.
    var key: String
}

/// `/api/v1/api-keys`: credentials for integrations and scripts, managed by owners.
struct APIKeyRoutes {
    let endpoints: AggregateEndpoints<APIKeyDecider>
    let credentials: CredentialStore

    func register(on routes: SecuredRoutes) {
        routes.post("/api/v1/api-keys", .manageKeys) { request, context in try await create(request, context) }
        routes.get("/api/v1/api-keys", .manageKeys) { request, _ in try await list(request) }
        routes.get("/api/v1/api-keys/{id}", .manageKeys) { _, context in
            let id = try endpoints.id(context)
            guard let (key, version) = try await endpoints.repository.get(id: id) else {
                throw Problem.notFound("API key \(id)")
            }
            return try JSONIO.response(
                APIKeyView(key, lastUsedAt: try await credentials.apiKey(keyID: key.keyID)?.lastUsedAt), etag: version)
        }
        routes.post("/api/v1/api-keys/{id}/revoke", .manageKeys) { request, context in
            let body = try await JSONIO.decode(ReasonRequest.self, from: request, context: context)
            return try await endpoints.execute(
                .revoke, id: try endpoints.id(context), request: request, context: context, reason: body.reason,
                note: body.note)
        }
    }

    func create(_ request: Request, _ context: FarmRequestContext) async throws -> Response {
        let body = try await JSONIO.decode(CreateAPIKeyRequest.self, from: request, context: context)
        let services = endpoints.services
        let id = APIKeyID(services.newID())
        let (key, outcome) = try await Accounts.issueAPIKey(
            store: services.store, name: body.name, scope: body.scope, id: id,
            context: try services.commandContext(context, reason: body.reason, note: body.note),
            correlationID: try services.correlationID(request, context))
        var response = try JSONIO.response(
            CreatedAPIKey(apiKey: APIKeyView(outcome.model, lastUsedAt: nil), key: key), status: .created,
            etag: outcome.version,
            location: "/api/v1/api-keys/\(id)")
        // why: the body holds a secret; no cache may keep it, and the idempotency store will not either.
        response.headers[.cacheControl] = "no-store"
        return response
    }

    func list(_ request: Request) async throws -> Response {
        let query = QueryParameters(request)
        let limit = try query.limit()
        let rows = try await endpoints.repository.list(
            status: try query.oneOf("status", APIKeyStatus.self), after: try query.uuid("after"), limit: limit)
        let decoder = StoreCoding.decoder()
        var items: [APIKeyView] = []
        for row in rows {
            let key = try decoder.decode(APIKey.self, from: row.body)
            items.append(APIKeyView(key, lastUsedAt: try await credentials.apiKey(keyID: key.keyID)?.lastUsedAt))
        }
        return try JSONIO.response(Page(items: items, next: rows.count == limit ? rows.last?.id : nil))
    }
}

enum APIKeyStatus: String, CaseIterable {
    case active, revoked
}

struct Page<Item: Encodable & Sendable>: Encodable, Sendable {
    var items: [Item]
    var next: String?

    enum CodingKeys: CodingKey { case items, next }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(items, forKey: .items)
        try container.encode(next, forKey: .next)
    }
}
