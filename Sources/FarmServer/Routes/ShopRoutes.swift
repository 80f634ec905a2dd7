import FarmDomain
import FarmShops
import FarmStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

struct CreateShopRequest: Decodable, Sendable {
    var id: ShopConnectionID?
    var platform: ShopPlatform
    var name: String
    var endpoints: ShopEndpoints?
    var secrets: ShopSecretsInput
    var reason: String?
    var note: String?
}

struct RotateShopSecretsRequest: Decodable, Sendable {
    var secrets: ShopSecretsInput
    var reason: String?
    var note: String?
}

/// A connection as the API shows it: never its secrets, only which are set; where its platform delivers webhooks;
/// its health.
struct ShopConnectionView: Encodable, Sendable {
    var id: ShopConnectionID
    var platform: ShopPlatform
    var name: String
    var endpoints: ShopEndpoints
    var status: ShopConnectionStatus
    var createdBy: String
    var createdAt: Date
    var updatedAt: Date
    var webhookPath: String
    var secretsSet: [String]
    var health: ShopStore.Health
    var ordersTaken: Int
    var ordersHeld: Int
}

/// `/api/v1/shops` (owners: connections and their secrets), `/api/v1/catalog` (what to print for a SKU),
/// `/api/v1/sales` (shop orders as taken), and `/webhooks/shops/{id}` where the shops deliver.
struct ShopRoutes {
    let services: FarmServices
    let intake: ShopIntake
    let webhookLimit: Int

    func register(on routes: SecuredRoutes) {
        routes.post("/api/v1/shops", .administer) { request, context in try await create(request, context) }
        routes.get("/api/v1/shops", .administer) { _, _ in try await list() }
        routes.get("/api/v1/shops/{id}", .administer) { _, context in
            try await view(try connection(context))
        }
        routes.put("/api/v1/shops/{id}/secrets", .administer) { request, context in
            try await rotate(request, context)
        }
        routes.delete("/api/v1/shops/{id}", .administer) { request, context in try await remove(request, context) }
        routes.post("/api/v1/shops/{id}/oauth", .administer) { request, context in
            try await startOAuth(request, context)
        }
        routes.get("/api/v1/catalog", .read) { request, _ in
            let query = QueryParameters(request)
            let limit = try query.limit()
            let rows = try await services.store.catalog.list(
                status: nil, ref: nil, after: query.string("after"), limit: limit)
            return JSONIO.page(rows, limit: limit)
        }
        routes.get("/api/v1/catalog/{sku}", .read) { _, context in
            let sku = try context.parameters.require("sku")
            guard let row = try await services.store.catalog.row(id: sku) else { throw Problem.notFound("SKU \(sku)") }
            return JSONIO.response(row.body, etag: row.version)
        }
        routes.put("/api/v1/catalog/{sku}", .operate) { request, context in try await setEntry(request, context) }
        routes.delete("/api/v1/catalog/{sku}", .operate) { request, context in
            try await removeEntry(request, context)
        }
        routes.get("/api/v1/sales", .read) { request, _ in
            let query = QueryParameters(request)
            let limit = try query.limit()
            let rows = try await services.store.sales.list(
                status: try query.oneOf("status", SaleStatus.self), ref: try query.uuid("connection"),
                after: try query.uuid("after"), limit: limit)
            return JSONIO.page(rows, limit: limit)
        }
        routes.get("/api/v1/sales/{id}", .read) { _, context in
            let id = try uuid(context)
            guard let row = try await services.store.sales.row(id: id) else { throw Problem.notFound("sale \(id)") }
            return JSONIO.response(row.body, etag: row.version)
        }
        routes.post("/api/v1/sales/{id}/fulfilment/retry", .operate) { request, context in
            let id = try uuid(context)
            guard try await services.store.sales.get(id: id) != nil else { throw Problem.notFound("sale \(id)") }
            let outcome = try await services.store.sales.execute(
                .retryFulfilment, id: id, context: try services.commandContext(context, reason: nil, note: nil),
                correlationID: try services.correlationID(request, context))
            return try JSONIO.response(outcome.model, etag: outcome.version)
        }
        // Public: the shops cannot sign in; each delivery proves itself by its HMAC signature instead.
        routes.publicRoute(.post, "/webhooks/shops/{id}") { request, context in try await deliver(request, context) }
    }

    func uuid(_ context: FarmRequestContext) throws -> String {
        let text = try context.parameters.require("id")
        guard let uuid = UUID(uuidString: text) else { throw Problem.invalidParameter("id", "'\(text)' is not a UUID") }
        return uuid.uuidString.lowercased()
    }

    func connection(_ context: FarmRequestContext) async throws -> ShopConnection {
        let id = try uuid(context)
        guard let connection = try await services.store.shops.get(id: id)?.model else {
            throw Problem.notFound("shop connection \(id)")
        }
        return connection
    }

    func view(_ connection: ShopConnection) async throws -> Response {
        try JSONIO.response(try await render(connection))
    }

    func render(_ connection: ShopConnection) async throws -> ShopConnectionView {
        let store = services.store
        let secrets = try await intake.secrets(of: connection.id)
        let sales = try await store.sales.statusCounts(ref: connection.id.description)
        return ShopConnectionView(
            id: connection.id, platform: connection.platform, name: connection.name, endpoints: connection.endpoints,
            status: connection.status, createdBy: connection.createdBy, createdAt: connection.createdAt,
            updatedAt: connection.updatedAt, webhookPath: ShopAccounts.webhookPath(connection.id),
            secretsSet: secrets.setNames, health: try await store.shopData.health(of: connection.id),
            ordersTaken: sales.values.reduce(0, +), ordersHeld: sales[SaleStatus.held.rawValue] ?? 0)
    }

    func list() async throws -> Response {
        var views: [ShopConnectionView] = []
        for connection in try await services.store.shops.all() where connection.status == .active {
            views.append(try await render(connection))
        }
        return try JSONIO.response(["items": views])
    }

    func create(_ request: Request, _ context: FarmRequestContext) async throws -> Response {
        let body = try await JSONIO.decode(CreateShopRequest.self, from: request, context: context)
        let id = body.id ?? ShopConnectionID(services.newID())
        let outcome: CommandOutcome<ShopConnectionDecider>
        do {
            outcome = try await ShopAccounts.connect(
                intake: intake, platform: body.platform, name: body.name, endpoints: body.endpoints,
                secrets: body.secrets, id: id,
                context: try services.commandContext(context, reason: body.reason, note: body.note),
                correlationID: try services.correlationID(request, context))
        } catch let invalid as ShopAccounts.Invalid {
            throw Problem.invalidField(invalid.field, invalid.reason)
        }
        return try JSONIO.response(
            try await render(outcome.model), status: outcome.events.isEmpty ? .ok : .created,
            etag: outcome.version, location: "/api/v1/shops/\(id)")
    }

    /// New secrets; a new webhook secret keeps the old one valid for an hour while the shop switches over.
    func rotate(_ request: Request, _ context: FarmRequestContext) async throws -> Response {
        let connection = try await connection(context)
        let body = try await JSONIO.decode(RotateShopSecretsRequest.self, from: request, context: context)
        var input = body.secrets
        var secrets = try await intake.secrets(of: connection.id)
        input.webhookSecret = input.webhookSecret ?? secrets.webhookSecret
        input.apiKey = input.apiKey ?? secrets.apiKey
        do throws(ShopAccounts.Invalid) {
            try input.validate(for: connection.platform)
        } catch {
            throw Problem.invalidField(error.field, error.reason)
        }
        if let webhook = body.secrets.webhookSecret, webhook != secrets.webhookSecret {
            secrets.rotateWebhookSecret(to: webhook, at: services.now())
        }
        secrets.accessToken = body.secrets.accessToken ?? secrets.accessToken
        secrets.refreshToken = body.secrets.refreshToken ?? secrets.refreshToken
        secrets.apiKey = body.secrets.apiKey ?? secrets.apiKey
        secrets.apiSecret = body.secrets.apiSecret ?? secrets.apiSecret
        let commandContext = try services.commandContext(context, reason: body.reason, note: body.note)
        let outcome = try await services.store.shops.execute(
            .rotateSecrets, id: connection.id.description, context: commandContext,
            correlationID: try services.correlationID(request, context))
        try await intake.saveSecrets(secrets, of: connection.id)
        return try JSONIO.response(try await render(outcome.model), etag: outcome.version)
    }

    /// Etsy's consent page for this connection; the person's browser goes there, and Etsy sends it back to
    /// `redirectURI` (this farm's `/oauth/etsy/callback`).
    func startOAuth(_ request: Request, _ context: FarmRequestContext) async throws -> Response {
        let connection = try await connection(context)
        struct Body: Decodable { var redirectURI: String }
        let body = try await JSONIO.decode(Body.self, from: request, context: context)
        do {
            let url = try await intake.startEtsyAuthorization(connection, redirectURI: body.redirectURI)
            return try JSONIO.response(["authorizeURL": url.absoluteString])
        } catch let error as EtsyAuthorizationError {
            throw Problem.invalidField(error.field ?? "id", error.description)
        }
    }

    /// Where Etsy sends the person back: the code is exchanged for the connection's tokens.
    func finishOAuth(_ request: Request) async throws -> Response {
        let query = QueryParameters(request)
        if let refusal = query.values["error"] {
            let words = query.values["error_description"].map { ": \($0)" } ?? ""
            return WebPage.message(
                title: "Etsy did not authorise the farm", text: "Etsy said \(refusal)\(words).", status: .badRequest)
        }
        guard let state = query.values["state"], let code = query.values["code"] else {
            return WebPage.message(
                title: "Not an answer from Etsy", text: "This address is where Etsy sends you back; it needs its code.",
                status: .badRequest)
        }
        do {
            try await intake.finishEtsyAuthorization(state: state, code: code)
            return Response(status: .seeOther, headers: [.location: "/shops", .cacheControl: "no-store"])
        } catch let error as EtsyAuthorizationError {
            return WebPage.message(title: "Etsy was not connected", text: error.description, status: .badRequest)
        } catch let error as ShopClientError {
            return WebPage.message(title: "Etsy was not connected", text: error.description, status: .badGateway)
        }
    }

    func remove(_ request: Request, _ context: FarmRequestContext) async throws -> Response {
        let connection = try await connection(context)
        let commandContext = try services.commandContext(context, reason: nil, note: nil)
        let outcome = try await services.store.shops.execute(
            .remove, id: connection.id.description, context: commandContext,
            correlationID: try services.correlationID(request, context))
        try await services.store.shopData.deleteSecrets(of: connection.id)
        return try JSONIO.response(try await render(outcome.model), etag: outcome.version)
    }

    func setEntry(_ request: Request, _ context: FarmRequestContext) async throws -> Response {
        let sku = try context.parameters.require("sku")
        struct Body: Decodable {
            var printed: Bool?
            var modelArtifact: String?
            var material: String?
            var colour: String?
            var quantityPerUnit: Int?
            var reason: String?
            var note: String?
        }
        let body = try await JSONIO.decode(Body.self, from: request, context: context)
        let spec = CatalogEntrySpec(
            sku: sku, printed: body.printed ?? true, modelArtifact: body.modelArtifact?.lowercased(),
            material: body.material, colour: body.colour, quantityPerUnit: body.quantityPerUnit ?? 1)
        if spec.printed, let model = spec.modelArtifact, model.count == 64,
            try await services.store.artifacts.get(id: model) == nil
        {
            throw Problem.invalidField("modelArtifact", "no artifact \(model) is stored; upload the model first")
        }
        let commandContext = try services.commandContext(context, reason: body.reason, note: body.note)
        let outcome = try await services.store.catalog.execute(
            .set(spec), id: sku, expectedVersion: try request.expectedVersion(), context: commandContext,
            correlationID: try services.correlationID(request, context))
        // A held order may map now.
        if !outcome.events.isEmpty { try await intake.settleHeld() }
        return try JSONIO.response(
            outcome.model, status: outcome.version == outcome.events.count ? .created : .ok, etag: outcome.version)
    }

    func removeEntry(_ request: Request, _ context: FarmRequestContext) async throws -> Response {
        let sku = try context.parameters.require("sku")
        guard try await services.store.catalog.get(id: sku) != nil else { throw Problem.notFound("SKU \(sku)") }
        let commandContext = try services.commandContext(context, reason: nil, note: nil)
        let outcome = try await services.store.catalog.execute(
            .remove, id: sku, expectedVersion: try request.expectedVersion(), context: commandContext,
            correlationID: try services.correlationID(request, context))
        return try JSONIO.response(outcome.model, etag: outcome.version)
    }

    /// A shop's webhook: verified and stored, then answered 200 at once; the order is taken in after the answer.
    func deliver(_ request: Request, _ context: FarmRequestContext) async throws -> Response {
        let text = try context.parameters.require("id")
        guard let id = ShopConnectionID(text) else { throw Problem.notFound("shop connection \(text.prefix(64))") }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: webhookLimit)
        } catch is NIOTooManyBytesError {
            throw Problem.payloadTooLarge(webhookLimit)
        }
        let delivery = ShopDelivery(
            headers: request.headers.map { ($0.name.canonicalName, $0.value) }, body: Data(buffer: body))
        do {
            let receipt = try await intake.receive(delivery, connection: id)
            let status =
                switch receipt {
                case .stored: "stored"
                case .duplicate: "duplicate"
                case .acknowledged: "acknowledged"
                }
            return try JSONIO.response(["status": status])
        } catch ShopIntake.ReceiveError.unknownConnection {
            throw Problem.notFound("shop connection \(id)")
        } catch ShopIntake.ReceiveError.refused(let error) {
            throw error.isAuthentication
                ? Problem(
                    status: .unauthorized, code: "webhook-signature-invalid",
                    title: "The delivery is not signed by the shop",
                    detail: "\(error.description): check the connection's webhook secret")
                : Problem(
                    status: .badRequest, code: "webhook-unreadable", title: "The delivery cannot be read",
                    detail: error.description)
        }
    }
}

extension ShopSecrets {
    /// The names of the secrets that are set, never their values.
    var setNames: [String] {
        [
            ("webhookSecret", webhookSecret), ("accessToken", accessToken), ("refreshToken", refreshToken),
            ("apiKey", apiKey), ("apiSecret", apiSecret),
        ].filter { $0.1 != nil }.map(\.0)
    }
}
