import Foundation

/// A farm's link to one shop: which platform, what it is called here, and every base URL its connector talks to (so a
/// farm, and a test, can point it at any server). Its secrets live apart, never in an event.
public struct ShopConnection: Sendable, Equatable, Codable {
    public var id: ShopConnectionID
    public var platform: ShopPlatform
    public var name: String
    public var endpoints: ShopEndpoints
    public var status: ShopConnectionStatus
    public var createdBy: String
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: ShopConnectionID, platform: ShopPlatform, name: String, endpoints: ShopEndpoints,
        status: ShopConnectionStatus, createdBy: String, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.platform = platform
        self.name = name
        self.endpoints = endpoints
        self.status = status
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

public enum ShopConnectionStatus: String, Sendable, Codable, CaseIterable {
    case active, removed
}

/// Where a connector goes. `api`: the Shopify store (`https://farm.myshopify.com`), the WooCommerce site
/// (`https://shop.example.com`) or Etsy's API host (`https://api.etsy.com`); `authorize`: Etsy's OAuth consent host
/// (`https://www.etsy.com`). `shop`: Etsy's numeric shop id, which its API paths name.
public struct ShopEndpoints: Sendable, Equatable, Codable {
    public var api: String
    public var authorize: String?
    public var shop: String?

    public init(api: String, authorize: String? = nil, shop: String? = nil) {
        self.api = api
        self.authorize = authorize
        self.shop = shop
    }

    /// Platform defaults for what was left out.
    public static func defaults(for platform: ShopPlatform) -> ShopEndpoints? {
        switch platform {
        case .etsy: ShopEndpoints(api: "https://api.etsy.com", authorize: "https://www.etsy.com")
        case .shopify, .woocommerce: nil
        }
    }

    func validate(for platform: ShopPlatform) throws(DomainError) {
        for (field, value) in [("endpoints.api", api), ("endpoints.authorize", authorize)] {
            guard let value else { continue }
            guard let url = URL(string: value), let scheme = url.scheme?.lowercased(),
                ["http", "https"].contains(scheme),
                url.host?.isEmpty == false, value.count <= 500
            else {
                throw .invalid(field: field, reason: "must be an http or https URL like https://shop.example.com")
            }
        }
        if platform == .etsy {
            guard let shop, !shop.isEmpty, shop.count <= 20, shop.allSatisfy(\.isNumber) else {
                throw .invalid(field: "endpoints.shop", reason: "Etsy connections need the numeric shop id")
            }
        }
    }
}

public struct ShopConnectionSpec: Sendable, Equatable, Codable {
    public var platform: ShopPlatform
    public var name: String
    public var endpoints: ShopEndpoints

    public init(platform: ShopPlatform, name: String, endpoints: ShopEndpoints) {
        self.platform = platform
        self.name = name
        self.endpoints = endpoints
    }

    func validate() throws(DomainError) {
        guard !name.isBlank, name.count <= 100 else {
            throw .invalid(field: "name", reason: "must be 1 to 100 characters, not only white space")
        }
        try endpoints.validate(for: platform)
    }
}

public enum ShopConnectionCommand: Sendable, Equatable {
    case connect(ShopConnectionID, ShopConnectionSpec)
    /// A new name or new endpoints; the platform never changes.
    case update(name: String, endpoints: ShopEndpoints)
    /// Records that the secrets were replaced (not what they are).
    case rotateSecrets
    case remove

    public var name: String {
        switch self {
        case .connect: "connect"
        case .update: "update"
        case .rotateSecrets: "rotate the secrets of"
        case .remove: "remove"
        }
    }
}

public struct ShopConnected: Codable, Sendable, Equatable {
    public var connectionID: ShopConnectionID
    public var spec: ShopConnectionSpec
    public var by: String
    public var at: Date

    public init(connectionID: ShopConnectionID, spec: ShopConnectionSpec, by: String, at: Date) {
        self.connectionID = connectionID
        self.spec = spec
        self.by = by
        self.at = at
    }
}

public struct ShopConnectionUpdated: Codable, Sendable, Equatable {
    public var name: String
    public var endpoints: ShopEndpoints
    public var at: Date

    public init(name: String, endpoints: ShopEndpoints, at: Date) {
        self.name = name
        self.endpoints = endpoints
        self.at = at
    }
}

public struct ShopConnectionChanged: Codable, Sendable, Equatable {
    public var at: Date

    public init(at: Date) {
        self.at = at
    }
}

public enum ShopConnectionEvent: DomainEvent {
    case connected(ShopConnected)
    case updated(ShopConnectionUpdated)
    case secretsRotated(ShopConnectionChanged)
    case removed(ShopConnectionChanged)

    public static let aggregate = "shop"

    public static let codec = EventCodec<ShopConnectionEvent>(
        aggregate: aggregate,
        [
            .payload("connected", ShopConnected.self, ShopConnectionEvent.connected),
            .payload("updated", ShopConnectionUpdated.self, ShopConnectionEvent.updated),
            .payload("secretsRotated", ShopConnectionChanged.self, ShopConnectionEvent.secretsRotated),
            .payload("removed", ShopConnectionChanged.self, ShopConnectionEvent.removed),
        ])

    public var parts: (name: String, payload: any Encodable) {
        switch self {
        case .connected(let e): ("connected", e)
        case .updated(let e): ("updated", e)
        case .secretsRotated(let e): ("secretsRotated", e)
        case .removed(let e): ("removed", e)
        }
    }
}

public enum ShopConnectionDecider: Decider {
    public static let initialState: ShopConnection? = nil

    public static func decide(_ command: ShopConnectionCommand, state: ShopConnection?, context: CommandContext)
        throws(DomainError) -> [ShopConnectionEvent]
    {
        guard let connection = state else {
            guard case .connect(let id, let spec) = command else {
                throw .notFound(aggregate: "shop connection", command: command.name)
            }
            try spec.validate()
            return [
                .connected(ShopConnected(connectionID: id, spec: spec, by: context.actor.description, at: context.time))
            ]
        }
        if connection.status == .removed, command != .remove {
            throw .illegalTransition(aggregate: "shop connection", command: command.name, state: "removed")
        }
        switch command {
        case .connect(let id, let spec):
            guard id == connection.id, spec.platform == connection.platform, spec.name == connection.name,
                spec.endpoints == connection.endpoints
            else { throw .alreadyExists(aggregate: "shop connection") }
            return []
        case .update(let name, let endpoints):
            try ShopConnectionSpec(platform: connection.platform, name: name, endpoints: endpoints).validate()
            if name == connection.name && endpoints == connection.endpoints { return [] }
            return [.updated(ShopConnectionUpdated(name: name, endpoints: endpoints, at: context.time))]
        case .rotateSecrets:
            return [.secretsRotated(ShopConnectionChanged(at: context.time))]
        case .remove:
            return connection.status == .removed ? [] : [.removed(ShopConnectionChanged(at: context.time))]
        }
    }

    public static func evolve(_ state: ShopConnection?, _ event: ShopConnectionEvent) -> ShopConnection? {
        if case .connected(let e) = event {
            return ShopConnection(
                id: e.connectionID, platform: e.spec.platform, name: e.spec.name, endpoints: e.spec.endpoints,
                status: .active, createdBy: e.by, createdAt: e.at, updatedAt: e.at)
        }
        guard var connection = state else { return state }
        switch event {
        case .connected: break
        case .updated(let e):
            connection.name = e.name
            connection.endpoints = e.endpoints
            connection.updatedAt = e.at
        case .secretsRotated(let e):
            connection.updatedAt = e.at
        case .removed(let e):
            connection.status = .removed
            connection.updatedAt = e.at
        }
        return connection
    }
}
