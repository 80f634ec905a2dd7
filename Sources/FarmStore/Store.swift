import FarmDomain
import Foundation
import Logging

/// Everything the farm stores, opened on one engine: the event log, the aggregates' repositories,
/// idempotency records and the projection rebuilder.
public final class Store: Sendable {
    public let location: StorageLocation
    public let engine: any SQLEngine
    public let events: SQLEventStore
    public let intents: AggregateRepository<IntentDecider>
    public let plans: AggregateRepository<PlanDecider>
    public let plates: AggregateRepository<BuildPlateDecider>
    public let runs: AggregateRepository<RunDecider>
    public let printers: AggregateRepository<PrinterDecider>
    public let users: AggregateRepository<UserDecider>
    public let apiKeys: AggregateRepository<APIKeyDecider>
    public let artifacts: AggregateRepository<ArtifactDecider>
    public let slices: AggregateRepository<SliceDecider>
    public let profileBindings: AggregateRepository<ProfileBindingDecider>
    public let shops: AggregateRepository<ShopConnectionDecider>
    public let sales: AggregateRepository<SaleDecider>
    public let catalog: AggregateRepository<CatalogDecider>
    public let vendors: AggregateRepository<RecordDecider<VendorSpec>>
    public let filaments: AggregateRepository<RecordDecider<FilamentSpec>>
    public let lots: AggregateRepository<RecordDecider<LotSpec>>
    public let spools: AggregateRepository<SpoolDecider>
    public let spoolmanLinks: AggregateRepository<RecordDecider<SpoolmanLinkSpec>>
    public let linkHealth: LinkHealthStore
    public let consumables: AggregateRepository<ConsumableDecider>
    public let materialTrace: MaterialTrace
    public let credentials: CredentialStore
    public let shopData: ShopStore
    public let sessions: SessionStore
    public let idempotency: IdempotencyStore
    public let projections: ProjectionRebuilder
    /// Signals appends made through this store to live subscribers.
    public let broadcaster: EventBroadcaster

    /// Opens the database and, unless told otherwise, applies pending migrations. Without migrating it refuses a
    /// database whose schema is not current, unless `allowOutdated` (for `printfarm migrate` itself).
    public static func open(
        _ location: StorageLocation, logger: Logger, migrate: Bool = true, allowOutdated: Bool = false,
        newEventID: @escaping @Sendable () -> UUID = SystemIDs.uuidv7
    ) async throws -> Store {
        let engine = try await SQLEngines.open(location, logger: logger)
        do {
            let applied = migrate ? try await Migrations.run(on: engine) : []
            let store = Store(location: location, engine: engine, newEventID: newEventID)
            try await store.rebuildIfNeeded(after: applied)
            if !migrate, !allowOutdated { try await store.checkSchema() }
            return store
        } catch {
            await engine.shutdown()
            throw error
        }
    }

    private init(location: StorageLocation, engine: any SQLEngine, newEventID: @escaping @Sendable () -> UUID) {
        let broadcaster = EventBroadcaster()
        let publish: @Sendable ([StoredEvent]) -> Void = { broadcaster.publish($0) }
        self.location = location
        self.engine = engine
        self.broadcaster = broadcaster
        self.events = SQLEventStore(engine: engine)
        self.intents = AggregateRepository(engine: engine, newEventID: newEventID, onAppend: publish)
        self.plans = AggregateRepository(engine: engine, newEventID: newEventID, onAppend: publish)
        self.plates = AggregateRepository(engine: engine, newEventID: newEventID, onAppend: publish)
        self.runs = AggregateRepository(engine: engine, newEventID: newEventID, onAppend: publish)
        self.printers = AggregateRepository(engine: engine, newEventID: newEventID, onAppend: publish)
        self.users = AggregateRepository(engine: engine, newEventID: newEventID, onAppend: publish)
        self.apiKeys = AggregateRepository(engine: engine, newEventID: newEventID, onAppend: publish)
        self.artifacts = AggregateRepository(engine: engine, newEventID: newEventID, onAppend: publish)
        self.slices = AggregateRepository(engine: engine, newEventID: newEventID, onAppend: publish)
        self.profileBindings = AggregateRepository(engine: engine, newEventID: newEventID, onAppend: publish)
        self.shops = AggregateRepository(engine: engine, newEventID: newEventID, onAppend: publish)
        self.sales = AggregateRepository(engine: engine, newEventID: newEventID, onAppend: publish)
        self.catalog = AggregateRepository(engine: engine, newEventID: newEventID, onAppend: publish)
        self.vendors = AggregateRepository(engine: engine, newEventID: newEventID, onAppend: publish)
        self.filaments = AggregateRepository(engine: engine, newEventID: newEventID, onAppend: publish)
        self.lots = AggregateRepository(engine: engine, newEventID: newEventID, onAppend: publish)
        self.spools = AggregateRepository(engine: engine, newEventID: newEventID, onAppend: publish)
        self.spoolmanLinks = AggregateRepository(engine: engine, newEventID: newEventID, onAppend: publish)
        self.linkHealth = LinkHealthStore(engine: engine)
        self.consumables = AggregateRepository(engine: engine, newEventID: newEventID, onAppend: publish)
        self.materialTrace = MaterialTrace(engine: engine)
        self.credentials = CredentialStore(engine: engine)
        self.shopData = ShopStore(engine: engine)
        self.sessions = SessionStore(engine: engine)
        self.idempotency = IdempotencyStore(engine: engine)
        self.projections = ProjectionRebuilder(engine: engine)
    }

    /// Applies pending migrations; returns the versions applied.
    @discardableResult
    public func migrate() async throws -> [Int] {
        let applied = try await Migrations.run(on: engine)
        try await rebuildIfNeeded(after: applied)
        return applied
    }

    /// A migration that adds a read-model column fills it by rebuilding the read models from the events.
    private func rebuildIfNeeded(after applied: [Int]) async throws {
        guard Migrations.all.contains(where: { applied.contains($0.version) && $0.rebuildsReadModels }) else { return }
        _ = try await projections.rebuild()
    }

    /// The schema version in the database and the newest this build knows.
    public func schemaVersion() async throws -> (current: Int, latest: Int) {
        let current = try await engine.read { db in
            try await db.raw("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations").first()?.decode(
                column: "v", as: Int.self) ?? 0
        }
        return (current, Migrations.latest)
    }

    private func checkSchema() async throws {
        let version: (current: Int, latest: Int)
        do { version = try await schemaVersion() } catch {
            throw StoreError.configuration("the database has no Print Farm OS schema yet; run `printfarm migrate`")
        }
        guard version.current == version.latest else {
            throw StoreError.configuration(
                "the database schema is at version \(version.current), this build needs \(version.latest); run `printfarm migrate`"
            )
        }
    }

    public func shutdown() async { await engine.shutdown() }
}

/// IDs from the real clock and the system's random source, for the composition root; tests pass their own.
public enum SystemIDs {
    @Sendable public static func uuidv7() -> UUID {
        var random = SystemRandomNumberGenerator()
        return UUIDv7.make(time: Date(), random: &random)
    }
}
