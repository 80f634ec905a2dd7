import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit

/// SQLite in WAL mode: one writer connection, serialised in process, and a few reader connections.
/// why: SQLite allows one writer at a time anyway; queueing writers here instead of in SQLite's busy handler
/// keeps latency predictable and lets readers run while a write commits.
final class SQLiteEngine: SQLEngine {
    let kind = SQLDialectKind.sqlite
    private let writer: SQLiteConnection
    private let readers: [SQLiteConnection]
    private let writeLock = AsyncLock()
    private let nextReader = Counter()
    private let logger: Logger

    init(path: String, logger: Logger, readerCount: Int = 4) async throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.logger = logger
        let threadPool = NIOThreadPool.singleton
        let loop = MultiThreadedEventLoopGroup.singleton.any()
        func open() async throws -> SQLiteConnection {
            let connection = try await SQLiteConnection.open(
                storage: .file(path: path), threadPool: threadPool, logger: logger, on: loop)
            do {
                // why: NORMAL in WAL mode survives a process crash without data loss; only an OS crash or power
                // cut can lose the last commits. FULL costs an fsync per commit.
                for pragma in [
                    "PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON",
                    "PRAGMA busy_timeout=10000",
                ] {
                    _ = try await connection.query(pragma)
                }
            } catch {
                try? await connection.close()
                throw error
            }
            return connection
        }
        let writer = try await open()
        var readers: [SQLiteConnection] = []
        do {
            for _ in 0..<readerCount { readers.append(try await open()) }
        } catch {
            for reader in readers { try? await reader.close() }
            try? await writer.close()
            throw StoreError.configuration("cannot open the SQLite database at \(path): \(error)")
        }
        self.writer = writer
        self.readers = readers
    }

    func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let reader = readers[nextReader.next() % readers.count]
        return try await body(reader.sql())
    }

    func write<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await writeLock.withLock { try await body(writer.sql()) }
    }

    func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await writeLock.withLock {
            let database = writer.sql()
            try await database.raw("BEGIN IMMEDIATE").run()
            return try await transactionRollingBack(on: database, body)
        }
    }

    func isUniqueViolation(_ error: any Error) -> Bool {
        guard let error = error as? SQLiteError else { return false }
        return [.constraint, .constraintUniqueFailed, .constraintPrimaryKeyFailed].contains(error.reason)
    }

    func shutdown() async {
        let connections = readers + [writer]
        let logger = self.logger
        // why: shutdown often runs in a cancelled task (the server stopping); sqlite-nio refuses work in one, and a
        // connection left open traps on deinit. A detached task does not inherit the cancellation.
        await Task.detached {
            for connection in connections {
                do { try await connection.close() } catch {
                    logger.warning("closing an SQLite connection failed: \(error)")
                }
            }
        }.value
    }
}

/// A thread-safe round-robin counter for picking reader connections.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value &+= 1
        return value & Int.max
    }
}
