import ArgumentParser
import FarmServer
import FarmStore
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix

@main
struct PrintFarm: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "printfarm",
        abstract: "Print Farm OS: the operations kernel of a 3D-print farm.",
        discussion: """
            Settings come from flags, then PRINTFARM_* environment variables, then a JSON config file \
            (--config or PRINTFARM_CONFIG). See docs/configuration.md.
            """,
        subcommands: [
            Serve.self, Demo.self, Migrate.self, Projections.self, Users.self, Keys.self, Preflight.self, Slice.self,
            Profiles.self, VirtualPrinters.self, Shops.self, ScheduleCommand.self, Materials.self,
        ])

    static func main() async {
        // why: running Swift concurrency on NIO's event loops saves a thread hop per database round trip
        // (measured with printfarm-bench on PostgreSQL: 244 → 168 µs per pooled SELECT 1, appends 1847 → 1978/s).
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

/// Options every subcommand that touches the database shares.
struct StorageOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: "A JSON config file (default: $PRINTFARM_CONFIG, if set).")
    var configFile: String?

    @Option(name: .customLong("data-dir"), help: "Directory for the SQLite database (default: ./data).")
    var dataDirectory: String?

    @Option(
        name: .customLong("database-url"),
        help: "postgres://user:password@host:5432/db to use PostgreSQL instead of SQLite.")
    var databaseURL: String?

    @Option(
        name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (default: info).")
    var logLevel: String?

    func load(_ flags: ConfigurationLoader.Settings = .init()) throws -> ServerConfiguration {
        var flags = flags
        flags.dataDirectory = dataDirectory
        flags.databaseURL = databaseURL
        flags.logLevel = logLevel
        do {
            return try ConfigurationLoader().load(
                flags: flags, configFile: configFile, environment: ProcessInfo.processInfo.environment)
        } catch let error as StoreError {
            throw ValidationError(error.description)
        }
    }

    func logger(_ configuration: ServerConfiguration) -> Logger {
        var logger = Logger(label: "printfarm")
        logger.logLevel = configuration.logLevel
        return logger
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP API (migrates the database first).")

    @OptionGroup var storage: StorageOptions

    @Option(help: "Address to listen on (default: 127.0.0.1; use 0.0.0.0 to serve the network).")
    var host: String?

    @Option(help: "Port to listen on (default: 8080).")
    var port: Int?

    @Flag(name: .customLong("public-metrics"), help: "Serve /metrics without credentials.")
    var publicMetrics = false

    @Flag(
        name: .customLong("require-totp"),
        help: "Every user must sign in with TOTP; until they enrol they can do nothing else.")
    var requireTOTP = false

    @Option(
        name: .customLong("max-upload-bytes"),
        help: "Largest model or file upload, in bytes (default: 1073741824, 1 GiB).")
    var maxUploadBytes: Int?

    func run() async throws {
        let configuration = try storage.load(
            .init(
                host: host, port: port, publicMetrics: publicMetrics ? true : nil, maxUploadBytes: maxUploadBytes,
                requireTOTP: requireTOTP ? true : nil))
        let logger = storage.logger(configuration)
        let location = try configuration.storageLocation()
        logger.info(
            "starting", metadata: ["database": "\(location)", "address": "\(configuration.host):\(configuration.port)"])
        let app = try await buildApplication(configuration: configuration, logger: logger)
        try await app.runService()
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations, then exit.")

    @OptionGroup var storage: StorageOptions

    func run() async throws {
        try await withStore(storage, migrate: false, allowOutdated: true) { store in
            let applied = try await store.migrate()
            let version = try await store.schemaVersion()
            print(
                applied.isEmpty
                    ? "schema is up to date at version \(version.current)"
                    : "applied migrations \(applied.map(String.init).joined(separator: ", ")); schema is at version \(version.current)"
            )
        }
    }
}

struct Projections: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Maintain the read models.", subcommands: [Rebuild.self])

    struct Rebuild: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Drop the read models and replay every event into them.",
            discussion: "Writers wait while it runs; readers see the old read models until it commits.")

        @OptionGroup var storage: StorageOptions

        func run() async throws {
            try await withStore(storage, migrate: false) { store in
                let report = try await store.projections.rebuild()
                print(
                    "replayed \(report.events) events into \(report.streams) read models in \(String(format: "%.2f", report.seconds)) s"
                )
            }
        }
    }
}
