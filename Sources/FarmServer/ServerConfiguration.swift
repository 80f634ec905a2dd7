import FarmDomain
import FarmStore
import Foundation
import Logging

/// Everything the server needs to start, as one value: tests build their own, the CLI fills it from
/// flags, environment and an optional config file.
public struct ServerConfiguration: Sendable {
    /// Address to listen on; 127.0.0.1 unless the operator chooses otherwise.
    public var host: String
    /// Port; 0 picks a free one (tests).
    public var port: Int
    /// Holds the SQLite database and artifacts.
    public var dataDirectory: URL
    /// The database; nil means SQLite in the data directory.
    public var databaseURL: String?
    /// Whether every user must sign in with TOTP. A user who has not enrolled yet gets a session that can only
    /// enrol (and change their password).
    public var requireTOTP: Bool
    /// Whether `/metrics` answers without credentials (for a Prometheus on the same trusted network).
    public var publicMetrics: Bool
    /// Largest request body accepted, in bytes (JSON requests).
    public var maxBodyBytes: Int
    /// Largest artifact upload accepted, in bytes; uploads stream to disk, so this bounds disk, not memory.
    public var maxUploadBytes: Int
    /// Largest shop webhook body accepted, in bytes (Shopify orders with many lines run to several MiB).
    public var maxWebhookBytes = 16 << 20
    /// How often each shop's API is asked what changed (reconciliation for lost webhooks).
    public var shopPollInterval: Duration = .seconds(60)
    /// The farm is reached through a reverse proxy: a client's address is the last one in X-Forwarded-For, and
    /// X-Forwarded-Proto `https` marks session cookies Secure. Off, those headers are ignored (a client could forge them).
    public var behindProxy = false
    /// Session cookies are always Secure (for a farm served over HTTPS however it is reached).
    public var secureCookies = false
    /// How long a client may take to send a request, and how slowly its body may come (see `ConnectionLimits`).
    public var connectionLimits = ConnectionLimits()
    /// Connections held open at once; past it new ones wait in the kernel's queue. nil: the process's file limit
    /// less a tenth (at least 1,024) kept for the store, the printers and the slicer (`ConnectionLimits.defaultMaxConnections`).
    public var maxConnections: Int?
    /// The PrusaSlicer executable; nil finds `prusa-slicer` on PATH.
    public var slicerPath: String? = nil
    /// Slices run at once (each a child process that uses a core).
    public var sliceConcurrency: Int = ProcessInfo.processInfo.activeProcessorCount
    /// Whether the server connects to its registered Moonraker printers (off for tools that only read the store).
    public var connectPrinters: Bool = true
    /// What the farm charges, for quote estimates.
    public var pricing: PricingRates = .defaults
    /// The production loop's policy, guardrails, risk thresholds and QA (`production` in the config file).
    public var production = ProductionSettings()
    /// The farm's time zone: pages show times in it (the API always speaks UTC).
    public var timeZone: TimeZone = .current
    /// CloudEvents `source` attribute of every event this farm emits.
    public var eventSource: String
    public var logLevel: Logger.Level

    public init(
        host: String = "127.0.0.1", port: Int = 8080, dataDirectory: URL = URL(fileURLWithPath: "data"),
        databaseURL: String? = nil,
        requireTOTP: Bool = false, publicMetrics: Bool = false, maxBodyBytes: Int = 1 << 20,
        maxUploadBytes: Int = 1 << 30,
        eventSource: String = "urn:printfarm:farm", logLevel: Logger.Level = .info
    ) {
        self.maxUploadBytes = maxUploadBytes
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.databaseURL = databaseURL
        self.requireTOTP = requireTOTP
        self.publicMetrics = publicMetrics
        self.maxBodyBytes = maxBodyBytes
        self.eventSource = eventSource
        self.logLevel = logLevel
    }

    /// Where the events live: the configured URL, or `farm.sqlite` in the data directory.
    public func storageLocation() throws -> StorageLocation {
        if let databaseURL { return try StorageLocation(url: databaseURL) }
        return .sqlite(path: dataDirectory.appendingPathComponent("farm.sqlite").path)
    }

    /// Where artifact bytes live: `artifacts/` in the data directory.
    public var artifactDirectory: URL { dataDirectory.appendingPathComponent("artifacts") }
}

extension PricingRates {
    /// Starting rates (EUR) until a farm sets its own.
    public static let defaults = PricingRates(
        currency: "EUR",
        materialPerKilogram: [
            "PLA": 24.99, "PETG": 27.82, "ABS": 24.99, "ASA": 29.99, "TPU": 39.99, "PC": 44.99, "PA": 49.99,
        ].mapValues { Decimal(string: String(format: "%.2f", $0))! },
        machinePerHour: [
            "standard": Decimal(string: "1.50")!, "enclosed": Decimal(string: "2.00")!,
            "large": Decimal(string: "3.00")!,
        ],
        setupPerItem: Decimal(string: "0.50")!, postProcessingPerItem: Decimal(string: "1.00")!,
        failureAllowance: Decimal(string: "0.05")!,
        margin: Decimal(string: "0.30")!)
}
