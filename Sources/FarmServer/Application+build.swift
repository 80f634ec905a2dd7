import Crypto
import FarmArtifacts
import FarmAuth
import FarmDomain
import FarmFleet
import FarmIntake
import FarmInventory
import FarmProduction
import FarmReactions
import FarmShops
import FarmStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle

/// Closes the store when the application stops, after the HTTP server has drained.
struct StoreService: Service {
    let store: Store
    func run() async throws {
        try? await gracefulShutdown()
        await store.shutdown()
    }
}

/// Test seams: the clock, ids, the live stream's poll interval, and a hook told the bound port once the server
/// listens. Production uses the defaults.
public struct ServerDependencies: Sendable {
    public var now: @Sendable () -> Date
    public var newID: @Sendable () -> UUID
    public var streamPollInterval: Duration
    public var onServerRunning: @Sendable (_ port: Int) async -> Void
    /// bcrypt cost for passwords: 12 in production; tests lower it.
    public var passwordCost: UInt8
    /// How the server waits before answering a failed sign-in; tests record instead of sleeping.
    public var pause: @Sendable (Duration) async -> Void

    public init(
        now: @escaping @Sendable () -> Date = { Date() }, newID: @escaping @Sendable () -> UUID = SystemIDs.uuidv7,
        streamPollInterval: Duration = .seconds(1),
        onServerRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in },
        passwordCost: UInt8 = 12,
        pause: @escaping @Sendable (Duration) async -> Void = { try? await Task.sleep(for: $0) }
    ) {
        self.passwordCost = passwordCost
        self.pause = pause
        self.now = now
        self.newID = newID
        self.streamPollInterval = streamPollInterval
        self.onServerRunning = onServerRunning
    }
}

/// The composition root: opens the store, builds the router and returns the application, ready to run.
/// Tests call this same function with their own configuration.
public func buildApplication(
    configuration: ServerConfiguration, dependencies: ServerDependencies = .init(), logger: Logger? = nil
) async throws -> some ApplicationProtocol {
    var logger = logger ?? Logger(label: "printfarm")
    logger.logLevel = configuration.logLevel
    let store = try await Store.open(
        try configuration.storageLocation(), logger: logger, newEventID: dependencies.newID)
    let router: Router<FarmRequestContext>
    let fleet: PrinterFleet?
    let loop: ProductionLoop?
    let preflightReaction: PreflightReaction
    let shopIntake = ShopIntake(store: store, now: dependencies.now, logger: logger)
    let artifacts: ArtifactStore
    do {
        artifacts = try ArtifactStore(root: configuration.artifactDirectory)
        // Every received intent is preflighted, however it came in (the API route also does it before answering).
        preflightReaction = PreflightReaction(
            store: store,
            preflighting: IntentPreflighting(store: store, analyst: ModelAnalyst(store: store, artifacts: artifacts)),
            now: dependencies.now, logger: logger)
        let slicing = SliceService(
            store: store, artifacts: artifacts, slicerPath: configuration.slicerPath,
            concurrency: configuration.sliceConcurrency)
        // The process that talks to the printers also runs the loop that feeds them: both are singleton work.
        fleet =
            configuration.connectPrinters
            ? PrinterFleet(
                store: store, artifacts: artifacts, now: dependencies.now, newID: dependencies.newID, logger: logger,
                anomalyPauseConfidence: configuration.production.guardrails.anomalyPauseConfidence)
            : nil
        loop = fleet.map {
            ProductionLoop(
                store: store, slicing: slicing, fleet: $0, settings: configuration.production, now: dependencies.now,
                logger: logger)
        }
        router = try await buildRoutes(
            configuration: configuration, store: store, dependencies: dependencies, fleet: fleet, slicing: slicing,
            shopIntake: shopIntake, loop: loop
        ).router
    } catch {
        await store.shutdown()
        throw error
    }
    // why: a second `serve` on a port in use started its fleet and loop before the bind failed (issue 17): they
    // now wait until the server listens.
    let started = ServerStarted()
    var services: [any Service] = [
        StoreService(store: store), IdempotencyPurger(store: store.idempotency, now: dependencies.now, logger: logger),
    ]
    if let fleet { services.append(AfterServerStarts(started: started, inner: fleet)) }
    if let loop { services.append(AfterServerStarts(started: started, inner: loop)) }
    services.append(AfterServerStarts(started: started, inner: preflightReaction))
    services.append(
        AfterServerStarts(
            started: started, inner: CancellationReaction(store: store, now: dependencies.now, logger: logger)))
    services.append(AfterServerStarts(started: started, inner: shopIntake))
    func afterStart(_ service: some Service) -> any Service { AfterServerStarts(started: started, inner: service) }
    for reaction in InventoryServices.all(store: store, artifacts: artifacts, now: dependencies.now, logger: logger) {
        services.append(afterStart(reaction))
    }
    services.append(afterStart(SpoolmanSync(store: store, now: dependencies.now, logger: logger)))
    services.append(
        AfterServerStarts(
            started: started,
            inner: ShopPolling(
                store: store, intake: shopIntake, interval: configuration.shopPollInterval, now: dependencies.now,
                logger: logger)))
    services.append(
        AfterServerStarts(
            started: started, inner: FulfilmentReaction(store: store, now: dependencies.now, logger: logger)))
    services.append(
        AfterServerStarts(started: started, inner: CatalogReaction(store: store, intake: shopIntake, logger: logger)))
    services.append(
        AfterServerStarts(
            started: started,
            inner: ShopFulfilment(store: store, intake: shopIntake, now: dependencies.now, logger: logger)))
    let limits = configuration.connectionLimits
    let maxBody = configuration.maxBodyBytes
    let maxUpload = configuration.maxUploadBytes
    let maxWebhook = configuration.maxWebhookBytes
    return Application(
        router: router,
        server: .http1(
            configuration: .init(
                additionalChannelHandlers: [
                    ConnectionGuard(
                        limits: limits, maxBodyBytes: maxBody, maxUploadBytes: maxUpload, maxWebhookBytes: maxWebhook)
                ])),
        configuration: .init(
            address: .hostname(configuration.host, port: configuration.port), serverName: "printfarm",
            availableConnectionsDelegate: MaximumAvailableConnections(
                configuration.maxConnections ?? ConnectionLimits.defaultMaxConnections(), logger: logger)),
        // Services stop in reverse order: the loop first, then the printer connections, the store last.
        services: services,
        onServerRunning: { channel in
            started.open()
            await dependencies.onServerRunning(channel.localAddress?.port ?? configuration.port)
        },
        logger: logger)
}

/// The router with every route and middleware, on an open store.
public func buildRouter(
    configuration: ServerConfiguration, store: Store, dependencies: ServerDependencies = .init()
) async throws -> Router<FarmRequestContext> {
    try await buildRoutes(configuration: configuration, store: store, dependencies: dependencies, fleet: nil).router
}

/// The router and the permission of each route, as registered.
func buildRoutes(
    configuration: ServerConfiguration, store: Store, dependencies: ServerDependencies, fleet: PrinterFleet?,
    slicing: SliceService? = nil, shopIntake: ShopIntake? = nil, loop: ProductionLoop? = nil
) async throws -> (router: Router<FarmRequestContext>, entries: [SecuredRoutes.Entry]) {
    let signingKey = try await store.sessions.serverSecret(
        named: "session-hs256",
        make: {
            SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.base64EncodedString()
        }, now: dependencies.now())
    let tokens = await SessionTokens(secret: Data(base64Encoded: signingKey) ?? Data(signingKey.utf8))
    let passwords = Passwords(cost: dependencies.passwordCost)
    let metrics = FarmMetrics(appendedCount: { store.broadcaster.publishedCount })
    let services = FarmServices(
        store: store, metrics: metrics, now: dependencies.now, newID: dependencies.newID,
        eventSource: configuration.eventSource)
    let router = Router(context: FarmRequestContext.self)
    router.middlewares.add(BodyLimitMiddleware(limit: configuration.maxBodyBytes))
    router.middlewares.add(MetricsMiddleware(metrics: metrics))
    let table = RouteTable()
    router.middlewares.add(ProblemMiddleware(routes: table))
    let routes = SecuredRoutes(
        router: router,
        authenticate: Authenticator(
            store: store, sessions: tokens, requireTOTP: configuration.requireTOTP, now: dependencies.now),
        csrf: CSRFCheck(tokens: tokens),
        idempotency: IdempotencyMiddleware(store: store.idempotency, now: dependencies.now))

    func endpoints<A: StoredAggregate>(_ repository: AggregateRepository<A>, _ collection: String, _ noun: String)
        -> AggregateEndpoints<A>
    {
        AggregateEndpoints(repository: repository, services: services, collection: collection, noun: noun)
    }
    SystemRoutes(
        services: services, openAPIDocument: try OpenAPIDocument.load(), publicMetrics: configuration.publicMetrics
    ).register(on: routes)
    let artifacts = try ArtifactStore(root: configuration.artifactDirectory)
    let analyst = ModelAnalyst(store: store, artifacts: artifacts)
    ArtifactRoutes(
        services: services, artifacts: artifacts, analyst: analyst, uploadLimit: configuration.maxUploadBytes,
        previews: PreviewCache(artifacts: artifacts)
    ).register(on: routes)
    IntentRoutes(
        endpoints: endpoints(store.intents, "/api/v1/intents", "intent"),
        preflighting: IntentPreflighting(store: store, analyst: analyst),
        pricing: configuration.pricing
    )
    .register(on: routes)
    let slicing =
        slicing
        ?? SliceService(
            store: store, artifacts: artifacts, slicerPath: configuration.slicerPath,
            concurrency: configuration.sliceConcurrency)
    SliceRoutes(services: services, slicing: slicing).register(on: routes)
    PlanRoutes(endpoints: endpoints(store.plans, "/api/v1/plans", "plan"), intents: store.intents).register(on: routes)
    ScheduleRoutes(loop: loop).register(on: routes)
    PrinterRoutes(endpoints: endpoints(store.printers, "/api/v1/printers", "printer"), fleet: fleet).register(
        on: routes)
    PlateRoutes(
        endpoints: endpoints(store.plates, "/api/v1/plates", "plate"), loop: loop,
        editor: PlateEditor(
            store: store, newID: services.newID, bed: { profile in await slicing.bed(profile: profile) })
    ).register(on: routes)
    RunRoutes(endpoints: endpoints(store.runs, "/api/v1/runs", "run"), fleet: fleet).register(on: routes)
    MaterialRoutes(
        vendors: endpoints(store.vendors, "/api/v1/vendors", "vendor"),
        filaments: endpoints(store.filaments, "/api/v1/filaments", "filament"),
        lots: endpoints(store.lots, "/api/v1/lots", "lot"), spools: endpoints(store.spools, "/api/v1/spools", "spool"),
        consumables: endpoints(store.consumables, "/api/v1/consumables", "consumable"),
        loop: loop
    ).register(on: routes)
    SessionRoutes(
        services: services, tokens: tokens, passwords: passwords, behindProxy: configuration.behindProxy,
        secureCookies: configuration.secureCookies,
        pause: dependencies.pause
    ).register(on: routes)
    UserRoutes(
        endpoints: endpoints(store.users, "/api/v1/users", "user"), credentials: store.credentials, passwords: passwords
    ).register(on: routes)
    TOTPRoutes(services: services).register(on: routes)
    APIKeyRoutes(endpoints: endpoints(store.apiKeys, "/api/v1/api-keys", "API key"), credentials: store.credentials)
        .register(on: routes)
    EventRoutes(services: services, pollInterval: dependencies.streamPollInterval, heartbeatEvery: 15).register(
        on: routes)
    SettingsRoutes(production: configuration.production).register(on: routes)
    let shopRoutes = ShopRoutes(
        services: services,
        intake: shopIntake ?? ShopIntake(store: store, now: dependencies.now, logger: Logger(label: "printfarm.shops")),
        webhookLimit: configuration.maxWebhookBytes)
    shopRoutes.register(on: routes)
    WebRoutes(
        services: services, tokens: tokens, timeZone: configuration.timeZone, production: configuration.production,
        fleet: fleet, shops: shopRoutes, loop: loop, bed: { profile in await slicing.bed(profile: profile) }
    ).register(on: routes)
    table.set(routes.entries)
    return (router, routes.entries)
}

/// Sets the request body limit on the context, so every reader of the body honours it.
struct BodyLimitMiddleware: RouterMiddleware {
    typealias Context = FarmRequestContext
    let limit: Int
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var context = context
        context.bodyLimit = limit
        return try await next(request, context)
    }
}

/// The contract served at `/api/v1/openapi.json`.
public enum OpenAPIDocument {
    public static func load() throws -> Data {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json") else {
            throw StoreError.configuration("openapi.json is missing from the build")
        }
        return try Data(contentsOf: url)
    }
}
