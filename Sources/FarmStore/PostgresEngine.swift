import Foundation
import Logging
import PostgresKit
import PostgresNIO
import SQLKit

/// PostgreSQL through PostgresNIO's connection pool; writes are ordinary transactions.
final class PostgresEngine: SQLEngine {
    let kind = SQLDialectKind.postgres
    private let client: PostgresClient
    private let runTask: Task<Void, Never>

    init(settings: PostgresSettings, logger: Logger) async throws {
        var configuration = PostgresClient.Configuration(
            host: settings.host, port: settings.port, username: settings.username, password: settings.password,
            database: settings.database, tls: .disable)
        configuration.options.maximumConnections = 16
        if let schema = settings.schema {
            // why: setting search_path at connect time saves a round trip per checkout.
            configuration.options.additionalStartupParameters = [("search_path", schema)]
        }
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.runTask = Task { await client.run() }
        do {
            if let schema = settings.schema {
                try await client.withConnection { connection in
                    _ = try await connection.sql().raw("CREATE SCHEMA IF NOT EXISTS \(unsafeRaw: schema)").run()
                }
            } else {
                try await client.withConnection { connection in _ = try await connection.sql().raw("SELECT 1").run() }
            }
        } catch {
            runTask.cancel()
            throw StoreError.configuration("cannot reach PostgreSQL at \(settings.description): \(String(reflecting: error))")
        }
    }

    private func prepare(_ connection: PostgresConnection) -> any SQLDatabase {
        connection.sql()
    }

    func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            try await body(self.prepare(connection))
        }
    }

    func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            let database = self.prepare(connection)
            try await database.raw("BEGIN").run()
            // why: the global sequence is allocated at insert but becomes visible at commit; serialising writers
            // makes commit order equal sequence order, so a reader following `sequence > n` never skips an event.
            try await database.raw("SELECT pg_advisory_xact_lock(7283002)").run()
            return try await self.transactionRollingBack(on: database, body)
        }
    }

    func isUniqueViolation(_ error: any Error) -> Bool {
        (error as? PSQLError)?.serverInfo?[.sqlState] == "23505"
    }

    func shutdown() async {
        runTask.cancel()
        await runTask.value
    }
}
