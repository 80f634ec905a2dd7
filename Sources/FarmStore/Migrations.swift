import Foundation
import SQLKit

/// A versioned schema change, written once per dialect. Applied migrations are recorded in `schema_migrations`
/// and never run again; a released migration is never edited, only followed by a new one.
struct Migration: Sendable {
    let version: Int
    let name: String
    let sqlite: [String]
    let postgres: [String]
    /// The read models are rebuilt from the events after it (it added a column they fill).
    var rebuildsReadModels = false

    func statements(for kind: SQLDialectKind) -> [String] {
        kind == .sqlite ? sqlite : postgres
    }
}

/// The read-model tables share one shape: the aggregate's id, its stream version, its status, an optional
/// parent reference (a run's printer, a plan's intent) and the JSON body the API serves.
public enum ReadModelTable: String, CaseIterable, Sendable {
    case intents = "read_intents"
    case plans = "read_plans"
    case plates = "read_plates"
    case runs = "read_runs"
    case printers = "read_printers"
    case users = "read_users"
    case apiKeys = "read_apikeys"
    case artifacts = "read_artifacts"
    case slices = "read_slices"
    case profileBindings = "read_profile_bindings"
    case shopConnections = "read_shop_connections"
    case sales = "read_sales"
    case catalog = "read_catalog"
    case vendors = "read_vendors"
    case filaments = "read_filaments"
    case lots = "read_lots"
    case spools = "read_spools"
    case spoolmanLinks = "read_spoolman_links"
    case consumables = "read_consumables"
}

enum Migrations {
    static let all: [Migration] = [
        Migration(
            version: 1, name: "events, read models, idempotency keys",
            // why: no AUTOINCREMENT on SQLite: it only prevents reuse of deleted rowids, and events are never deleted
            // (the triggers refuse it); without it every append skips a write to sqlite_sequence.
            sqlite: [
                eventsDDL(sequence: "INTEGER PRIMARY KEY"),
                "CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END",
                "CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END",
                idempotencyDDL(blob: "BLOB"),
            ] + [ReadModelTable.intents, .plans, .plates, .runs, .printers].flatMap(readModelDDL),
            postgres: [
                eventsDDL(sequence: "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"),
                """
                CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'events are append-only'; END $$
                """,
                "CREATE TRIGGER events_no_change BEFORE UPDATE OR DELETE ON events FOR EACH ROW EXECUTE FUNCTION events_append_only()",
                idempotencyDDL(blob: "BYTEA"),
            ] + [ReadModelTable.intents, .plans, .plates, .runs, .printers].flatMap(readModelDDL)
        ),
        Migration(
            version: 2, name: "users, API keys and their credentials",
            sqlite: [ReadModelTable.users, .apiKeys].flatMap(readModelDDL) + credentialsDDL(bigint: "INTEGER"),
            postgres: [ReadModelTable.users, .apiKeys].flatMap(readModelDDL) + credentialsDDL(bigint: "BIGINT")
        ),
        Migration(version: 3, name: "sessions and server secrets", sqlite: sessionsDDL, postgres: sessionsDDL),
        // An artifact's id is its SHA-256, its status its kind (model, gcode, …).
        Migration(version: 4, name: "artifacts", sqlite: readModelDDL(.artifacts), postgres: readModelDDL(.artifacts)),
        // A slice's id is the hash of its inputs (the cache key); its ref the model artifact.
        Migration(
            version: 5, name: "slices and profile bindings",
            sqlite: [ReadModelTable.slices, .profileBindings].flatMap(readModelDDL),
            postgres: [ReadModelTable.slices, .profileBindings].flatMap(readModelDDL)),
        // A printer's connector secret (its Moonraker API key) lives here, never in an event.
        Migration(version: 6, name: "printer secrets", sqlite: printerSecretsDDL, postgres: printerSecretsDDL),
        // The work queue a read model waits in; existing rows get theirs from the rebuild that follows.
        Migration(
            version: 7, name: "read model work queues", sqlite: queueDDL, postgres: queueDDL, rebuildsReadModels: true),
        // What a read model names beyond its ref (a run's plans), to find it by; filled by the rebuild that follows.
        Migration(version: 8, name: "read model links", sqlite: linksDDL, postgres: linksDDL, rebuildsReadModels: true),
        // Shops: connections, their orders (sales) and the catalog; secrets and the webhook inbox apart from events.
        Migration(
            version: 9, name: "shops",
            sqlite: shopTables.flatMap { readModelDDL($0) + queueColumnDDL($0) } + shopsDDL(blob: "BLOB"),
            postgres: shopTables.flatMap { readModelDDL($0) + queueColumnDDL($0) } + shopsDDL(blob: "BYTEA")),
        // A delivery whose order must be fetched from a shop that is down waits and is tried again, not in the way.
        Migration(version: 10, name: "inbox retries", sqlite: inboxRetryDDL, postgres: inboxRetryDDL),
        // Materials: vendors, filaments, lots and spools.
        Migration(
            version: 11, name: "materials",
            sqlite: materialTables.flatMap { readModelDDL($0) + queueColumnDDL($0) } + materialUsageDDL(real: "REAL"),
            postgres: materialTables.flatMap { readModelDDL($0) + queueColumnDDL($0) }
                + materialUsageDDL(real: "DOUBLE PRECISION")),
        // Spoolman kept in step (the links, and how each is doing: telemetry, apart from events); nozzles and sheets.
        Migration(
            version: 12, name: "spoolman links, consumables",
            sqlite: [ReadModelTable.spoolmanLinks, .consumables].flatMap { readModelDDL($0) + queueColumnDDL($0) }
                + linkHealthDDL,
            postgres: [ReadModelTable.spoolmanLinks, .consumables].flatMap { readModelDDL($0) + queueColumnDDL($0) }
                + linkHealthDDL),
    ]

    /// The last read of an outside system a link keeps in step with, and its last error: shown, never decided on.
    private static let linkHealthDDL = [
        """
        CREATE TABLE link_health (
            link_id TEXT PRIMARY KEY, last_sync_at TEXT, summary TEXT, last_error TEXT, last_error_at TEXT
        )
        """
    ]

    /// A row per spool, run and plan (from the spools' usage events), found by lot (a recall) and by order.
    private static func materialUsageDDL(real: String) -> [String] {
        [
            """
            CREATE TABLE material_usage (
                spool_id TEXT NOT NULL, lot_id TEXT, filament_id TEXT NOT NULL, run_id TEXT NOT NULL,
                plan_id TEXT NOT NULL, intent_id TEXT, grams \(real) NOT NULL, at TEXT NOT NULL,
                PRIMARY KEY (spool_id, run_id, plan_id)
            )
            """,
            "CREATE INDEX material_usage_lot ON material_usage (lot_id, at)",
            "CREATE INDEX material_usage_intent ON material_usage (intent_id, at)",
        ]
    }

    private static let materialTables = [ReadModelTable.vendors, .filaments, .lots, .spools]

    private static let inboxRetryDDL = [
        "ALTER TABLE shop_inbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE shop_inbox ADD COLUMN retry_at TEXT",
    ]

    /// A connection's secrets (JSON: client secret, the one before it while a rotation settles, tokens) never reach an
    /// event. Reaction cursors say how far each reaction has read the event log. The inbox holds each verified webhook delivery as it came, before anything is done with it: a delivery
    /// answered 200 is never lost, and the (connection, key) pair makes a redelivery a no-op.
    private static func shopsDDL(blob: String) -> [String] {
        [
            "CREATE TABLE shop_secrets (connection_id TEXT PRIMARY KEY, secrets TEXT NOT NULL, updated_at TEXT NOT NULL)",
            """
            CREATE TABLE shop_inbox (
                connection_id TEXT NOT NULL, delivery_key TEXT NOT NULL, topic TEXT NOT NULL, received_at TEXT NOT NULL,
                body \(blob) NOT NULL, processed_at TEXT, error TEXT, PRIMARY KEY (connection_id, delivery_key)
            )
            """,
            "CREATE INDEX shop_inbox_waiting ON shop_inbox (processed_at, received_at)",
            // How far each reaction to events (preflight a received intent, …) has read the log.
            "CREATE TABLE reaction_cursors (name TEXT PRIMARY KEY, position BIGINT NOT NULL, updated_at TEXT NOT NULL)",
            """
            CREATE TABLE shop_health (
                connection_id TEXT PRIMARY KEY, last_delivery_at TEXT, last_poll_at TEXT, poll_cursor TEXT,
                last_error TEXT, last_error_at TEXT
            )
            """,
        ]
    }

    private static let linksDDL = [
        "CREATE TABLE read_links (tbl TEXT NOT NULL, link TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (tbl, link, id))"
    ]

    private static let printerSecretsDDL = [
        "CREATE TABLE printer_secrets (printer_id TEXT PRIMARY KEY, api_key TEXT NOT NULL, updated_at TEXT NOT NULL)"
    ]

    private static let sessionsDDL = [
        """
        CREATE TABLE sessions (
            id TEXT PRIMARY KEY, user_id TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL, revoked_at TEXT
        )
        """,
        "CREATE INDEX sessions_user ON sessions (user_id)",
        // Secrets the server makes for itself (the session signing key), shared by every process on the database.
        "CREATE TABLE server_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL, created_at TEXT NOT NULL)",
    ]

    /// Secrets live outside the event log, so reading events never reveals them and a password change does not
    /// need to rewrite history.
    private static func credentialsDDL(bigint: String) -> [String] {
        [
            """
            CREATE TABLE user_credentials (
                user_id TEXT PRIMARY KEY, password_hash TEXT, totp_secret TEXT, totp_pending_secret TEXT,
                totp_last_step \(bigint), recovery_digests TEXT NOT NULL DEFAULT '[]'
            )
            """,
            // A user's `ref` is its username: unique, so two accounts can never share one, even when created at once.
            "CREATE UNIQUE INDEX read_users_username ON read_users (ref)",
            """
            CREATE TABLE api_key_secrets (
                key_id TEXT PRIMARY KEY, apikey_id TEXT NOT NULL UNIQUE, digest TEXT NOT NULL, last_used_at TEXT
            )
            """,
        ]
    }

    private static func eventsDDL(sequence: String) -> String {
        """
        CREATE TABLE events (
            sequence \(sequence),
            id TEXT NOT NULL UNIQUE,
            stream TEXT NOT NULL,
            version INTEGER NOT NULL CHECK (version > 0),
            type TEXT NOT NULL,
            time TEXT NOT NULL,
            actor TEXT NOT NULL,
            reason TEXT NOT NULL,
            correlation_id TEXT,
            causation_id TEXT,
            data TEXT NOT NULL,
            UNIQUE (stream, version)
        )
        """
    }

    private static func idempotencyDDL(blob: String) -> String {
        """
        CREATE TABLE idempotency_keys (
            scope TEXT NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL, status INTEGER,
            headers TEXT, body \(blob), created_at TEXT NOT NULL, PRIMARY KEY (scope, key)
        )
        """
    }

    /// Migration 7 gave the read models of its day a queue column; a migration must keep doing what it did then, so
    /// the tables are named, not `allCases` (which grows).
    private static let queueDDL = [
        ReadModelTable.intents, .plans, .plates, .runs, .printers, .users, .apiKeys, .artifacts, .slices,
        .profileBindings,
    ].flatMap(queueColumnDDL)

    private static func queueColumnDDL(_ table: ReadModelTable) -> [String] {
        [
            "ALTER TABLE \(table.rawValue) ADD COLUMN queue TEXT",
            "CREATE INDEX \(table.rawValue)_queue ON \(table.rawValue) (queue, id)",
        ]
    }

    private static let shopTables = [ReadModelTable.shopConnections, .sales, .catalog]

    private static func readModelDDL(_ table: ReadModelTable) -> [String] {
        [
            """
            CREATE TABLE \(table.rawValue) (
                id TEXT PRIMARY KEY, version INTEGER NOT NULL, status TEXT NOT NULL, ref TEXT,
                updated_at TEXT NOT NULL, body TEXT NOT NULL
            )
            """,
            "CREATE INDEX \(table.rawValue)_status ON \(table.rawValue) (status, id)",
            "CREATE INDEX \(table.rawValue)_ref ON \(table.rawValue) (ref, id)",
        ]
    }

    /// Applies every migration not yet applied, in order, in one transaction.
    /// On PostgreSQL a transaction-scoped advisory lock keeps concurrent starters from colliding on the catalog.
    /// - Returns: the versions applied now.
    @discardableResult
    static func run(on engine: any SQLEngine, upTo target: Int = .max, now: Date = Date()) async throws -> [Int] {
        try await engine.transaction { db in
            if engine.kind == .postgres {
                try await db.raw("SELECT pg_advisory_xact_lock(7283001, hashtext(current_schema()))").run()
            }
            try await db.raw(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)
                """
            ).run()
            let applied = Set(
                try await db.raw("SELECT version FROM schema_migrations").all().map {
                    try $0.decode(column: "version", as: Int.self)
                })
            var done: [Int] = []
            for migration in all where !applied.contains(migration.version) && migration.version <= target {
                for statement in migration.statements(for: engine.kind) {
                    try await db.raw(SQLQueryString(statement)).run()
                }
                try await db.raw(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (\(bind: migration.version), \(bind: migration.name), \(bind: Timestamps.format(now)))"
                ).run()
                done.append(migration.version)
            }
            return done
        }
    }

    /// The newest schema version this build knows.
    static var latest: Int { all.map(\.version).max() ?? 0 }
}
