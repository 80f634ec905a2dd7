import Foundation

/// Where the farm keeps its events: an SQLite file (the embedded default) or a PostgreSQL database.
public enum StorageLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(PostgresSettings)

    /// Parses `postgres://user:password@host:port/database`, `sqlite:///absolute/path.sqlite` or a bare file path.
    public init(url: String) throws(StoreError) {
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            self = .postgres(try PostgresSettings(url: url))
        } else if url.hasPrefix("sqlite://") {
            let path = String(url.dropFirst("sqlite://".count))
            guard !path.isEmpty else {
                throw .configuration("sqlite:// needs a file path, for example sqlite:///var/lib/printfarm/farm.sqlite")
            }
            self = .sqlite(path: path)
        } else if url.contains("://") {
            throw .configuration("database URL must start with postgres:// or sqlite://, got \(Self.redacted(url))")
        } else {
            self = .sqlite(path: url)
        }
    }

    public var engine: String {
        switch self {
        case .sqlite: "sqlite"
        case .postgres: "postgres"
        }
    }

    /// A description without the password, safe for logs.
    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite://\(path)"
        case .postgres(let settings): settings.description
        }
    }

    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return "<unparseable URL>" }
        if components.password != nil { components.password = "***" }
        return components.string ?? "<unparseable URL>"
    }
}

public struct PostgresSettings: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    /// Tables live in this schema; tests give each suite its own.
    public var schema: String?

    public init(
        host: String, port: Int = 5432, username: String, password: String? = nil, database: String,
        schema: String? = nil
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.schema = schema
    }

    init(url: String) throws(StoreError) {
        guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty else {
            throw .configuration(
                "cannot read the PostgreSQL URL \(StorageLocation.redacted(url)); use postgres://user:password@host:5432/database"
            )
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty else {
            throw .configuration(
                "the PostgreSQL URL names no database; add it as the path: postgres://user@host:5432/printfarm")
        }
        let query = components.queryItems ?? []
        if let mode = query.first(where: { $0.name == "sslmode" })?.value, mode != "disable" {
            throw .configuration(
                "sslmode=\(mode) is not supported yet; use sslmode=disable on a trusted network or a local socket")
        }
        let schema = query.first(where: { $0.name == "schema" })?.value
        if let schema, !PostgresSettings.isIdentifier(schema) {
            throw .configuration("schema '\(schema)' must be lowercase letters, digits and underscores")
        }
        self.init(
            host: host, port: components.port ?? 5432, username: components.user ?? "postgres",
            password: components.password?.removingPercentEncoding, database: database, schema: schema)
    }

    static func isIdentifier(_ value: String) -> Bool {
        guard let first = value.first, first.isLetter || first == "_", value.count <= 63 else { return false }
        return value.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "_" }
    }

    public var description: String {
        "postgres://\(username)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)\(schema.map { "?schema=\($0)" } ?? "")"
    }
}
