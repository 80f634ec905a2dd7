import Foundation
import Logging
import SQLKit

/// The SQL dialect differences the store cares about; everything else is one code path through SQLKit.
public enum SQLDialectKind: String, Sendable {
    case sqlite, postgres
}

/// A database the store can talk to: connections for reads, serialised transactions for writes.
/// One implementation per engine; the event store, projections and idempotency records sit on top.
public protocol SQLEngine: Sendable {
    var kind: SQLDialectKind { get }
    /// Runs `body` on a connection outside any transaction (reads).
    func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    /// Runs one writing statement in `body` outside an explicit transaction (it commits on its own). SQLite
    /// serialises it with every other writer; on PostgreSQL the statement must take the writer lock itself, as the
    /// event append does.
    func write<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    /// Runs `body` inside one transaction: all its writes commit together or none do.
    func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    /// Whether the database refused a write because a unique constraint would be broken.
    func isUniqueViolation(_ error: any Error) -> Bool
    /// Closes every connection. Must be called once before the process ends.
    func shutdown() async
}

extension SQLEngine {
    /// Runs `body` inside the transaction the caller began: commits when it returns, rolls back when it throws.
    func transactionRollingBack<T: Sendable>(
        on database: any SQLDatabase, _ body: @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        do {
            let result = try await body(database)
            try await database.raw("COMMIT").run()
            return result
        } catch {
            try? await database.raw("ROLLBACK").run()
            throw error
        }
    }
}

/// Opens the engine a storage location names.
public enum SQLEngines {
    public static func open(_ location: StorageLocation, logger: Logger) async throws -> any SQLEngine {
        switch location {
        case .sqlite(let path): try await SQLiteEngine(path: path, logger: logger)
        case .postgres(let settings): try await PostgresEngine(settings: settings, logger: logger)
        }
    }
}

/// A small async mutex: waiters are served in order.
actor AsyncLock {
    private var locked = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func lock() async {
        if !locked {
            locked = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func unlock() {
        if waiters.isEmpty {
            locked = false
        } else {
            waiters.removeFirst().resume()
        }
    }

    func withLock<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await lock()
        do {
            let result = try await body()
            unlock()
            return result
        } catch {
            unlock()
            throw error
        }
    }
}
