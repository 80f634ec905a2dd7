import Foundation

public enum APIKeyTag {}
public typealias APIKeyID = TypedID<APIKeyTag>

/// A credential for an integration or script. The secret is never stored here, only in the credential store
/// as a digest; `keyID` is the public part of the key (`pfk_<keyID>_…`) by which it is found.
public struct APIKey: Sendable, Equatable, Codable {
    public var id: APIKeyID
    public var name: String
    public var scope: APIKeyScope
    public var keyID: String
    public var createdBy: String
    public var revoked: Bool
    public var createdAt: Date
    public var updatedAt: Date

    public var status: String { revoked ? "revoked" : "active" }
}

public struct APIKeyCreated: Codable, Sendable, Equatable {
    public var apiKeyID: APIKeyID
    public var name: String
    public var scope: APIKeyScope
    public var keyID: String
    public var createdBy: String
    public var at: Date
}

public struct APIKeyRevoked: Codable, Sendable, Equatable {
    public var at: Date
}

public enum APIKeyEvent: DomainEvent {
    case created(APIKeyCreated)
    case revoked(APIKeyRevoked)

    public static let aggregate = "apikey"

    public static let codec = EventCodec<APIKeyEvent>(
        aggregate: aggregate,
        [
            .payload("created", APIKeyCreated.self, APIKeyEvent.created),
            .payload("revoked", APIKeyRevoked.self, APIKeyEvent.revoked),
        ])

    public var parts: (name: String, payload: any Encodable) {
        switch self {
        case .created(let p): ("created", p)
        case .revoked(let p): ("revoked", p)
        }
    }
}

public enum APIKeyCommand: Sendable, Equatable {
    case create(APIKeyID, name: String, scope: APIKeyScope, keyID: String)
    case revoke

    public var name: String {
        switch self {
        case .create: "create"
        case .revoke: "revoke"
        }
    }
}

public enum APIKeyState: Sendable, Equatable {
    case none
    case exists(APIKey)

    public var apiKey: APIKey? {
        if case .exists(let key) = self { key } else { nil }
    }
}

/// API keys: created with a name and scope, revoked for good.
public enum APIKeyDecider: Decider {
    public static let initialState = APIKeyState.none

    public static func decide(_ command: APIKeyCommand, state: APIKeyState, context: CommandContext) throws(DomainError)
        -> [APIKeyEvent]
    {
        guard case .exists(let key) = state else {
            guard case .create(let id, let name, let scope, let keyID) = command else {
                throw .notFound(aggregate: "API key", command: command.name)
            }
            guard !name.isBlank, (1...100).contains(name.count) else {
                throw .invalid(field: "name", reason: "name the key after what uses it, 1 to 100 characters")
            }
            return [
                .created(
                    APIKeyCreated(
                        apiKeyID: id, name: name, scope: scope, keyID: keyID, createdBy: context.actor.description,
                        at: context.time))
            ]
        }
        switch command {
        case .create(let id, let name, let scope, let keyID):
            guard id == key.id, name == key.name, scope == key.scope, keyID == key.keyID else {
                throw .alreadyExists(aggregate: "API key")
            }
            return []
        case .revoke:
            return key.revoked ? [] : [.revoked(APIKeyRevoked(at: context.time))]
        }
    }

    public static func evolve(_ state: APIKeyState, _ event: APIKeyEvent) -> APIKeyState {
        switch event {
        case .created(let e):
            return .exists(
                APIKey(
                    id: e.apiKeyID, name: e.name, scope: e.scope, keyID: e.keyID, createdBy: e.createdBy,
                    revoked: false, createdAt: e.at, updatedAt: e.at))
        case .revoked(let e):
            guard case .exists(var key) = state else { return state }
            key.revoked = true
            key.updatedAt = e.at
            return .exists(key)
        }
    }
}
