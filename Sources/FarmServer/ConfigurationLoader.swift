import FarmDomain
import FarmStore
import Foundation
import Logging

/// Builds a `ServerConfiguration` from command-line flags, `PRINTFARM_*` environment variables and an optional
/// JSON config file, in that order of precedence: a flag beats the environment, which beats the file.
public struct ConfigurationLoader: Sendable {
    /// The settings by name, as flags give them (`nil` when a flag was not given).
    public struct Settings: Sendable, Equatable, Decodable {
        public var host: String?
        public var port: Int?
        public var dataDirectory: String?
        public var databaseURL: String?
        public var publicMetrics: Bool?
        public var requireTOTP: Bool?
        public var maxBodyBytes: Int?
        public var maxUploadBytes: Int?
        public var logLevel: String?
        /// Whether `serve` connects to the registered printers (off for an API-only process beside another one).
        public var connectPrinters: Bool?
        /// The farm's time zone (an IANA name such as Europe/Berlin) in which pages show times.
        public var timeZone: String?
        /// The farm is reached through a reverse proxy that sets X-Forwarded-For and X-Forwarded-Proto.
        public var behindProxy: Bool?
        /// Session cookies are always marked Secure (browsers then send them over HTTPS only).
        public var secureCookies: Bool?
        /// Seconds between reconciliation polls of each shop connection.
        public var shopPollSeconds: Int?

        public init(
            host: String? = nil, port: Int? = nil, dataDirectory: String? = nil, databaseURL: String? = nil,
            publicMetrics: Bool? = nil, maxBodyBytes: Int? = nil, maxUploadBytes: Int? = nil, logLevel: String? = nil,
            requireTOTP: Bool? = nil, connectPrinters: Bool? = nil, timeZone: String? = nil, behindProxy: Bool? = nil,
            secureCookies: Bool? = nil, shopPollSeconds: Int? = nil
        ) {
            self.shopPollSeconds = shopPollSeconds
            self.timeZone = timeZone
            self.behindProxy = behindProxy
            self.secureCookies = secureCookies
            self.connectPrinters = connectPrinters
            self.maxUploadBytes = maxUploadBytes
            self.requireTOTP = requireTOTP
            self.host = host
            self.port = port
            self.dataDirectory = dataDirectory
            self.databaseURL = databaseURL
            self.publicMetrics = publicMetrics
            self.maxBodyBytes = maxBodyBytes
            self.logLevel = logLevel
        }

        /// Fills what this one lacks from `fallback`.
        func over(_ fallback: Settings) -> Settings {
            Settings(
                host: host ?? fallback.host, port: port ?? fallback.port,
                dataDirectory: dataDirectory ?? fallback.dataDirectory,
                databaseURL: databaseURL ?? fallback.databaseURL,
                publicMetrics: publicMetrics ?? fallback.publicMetrics,
                maxBodyBytes: maxBodyBytes ?? fallback.maxBodyBytes,
                maxUploadBytes: maxUploadBytes ?? fallback.maxUploadBytes, logLevel: logLevel ?? fallback.logLevel,
                requireTOTP: requireTOTP ?? fallback.requireTOTP,
                connectPrinters: connectPrinters ?? fallback.connectPrinters, timeZone: timeZone ?? fallback.timeZone,
                behindProxy: behindProxy ?? fallback.behindProxy,
                secureCookies: secureCookies ?? fallback.secureCookies,
                shopPollSeconds: shopPollSeconds ?? fallback.shopPollSeconds)
        }
    }

    /// The environment variable for each setting.
    public static let environmentNames: [(name: String, setting: String)] = [
        ("PRINTFARM_HOST", "host"), ("PRINTFARM_PORT", "port"), ("PRINTFARM_DATA_DIR", "dataDirectory"),
        ("PRINTFARM_DATABASE_URL", "databaseURL"), ("PRINTFARM_PUBLIC_METRICS", "publicMetrics"),
        ("PRINTFARM_MAX_BODY_BYTES", "maxBodyBytes"), ("PRINTFARM_MAX_UPLOAD_BYTES", "maxUploadBytes"),
        ("PRINTFARM_LOG_LEVEL", "logLevel"), ("PRINTFARM_REQUIRE_TOTP", "requireTOTP"),
        ("PRINTFARM_CONNECT_PRINTERS", "connectPrinters"), ("PRINTFARM_TIME_ZONE", "timeZone"),
        ("PRINTFARM_BEHIND_PROXY", "behindProxy"),
        ("PRINTFARM_SECURE_COOKIES", "secureCookies"), ("PRINTFARM_SHOP_POLL_SECONDS", "shopPollSeconds"),
    ]

    public init() {}

    /// - Parameters:
    ///   - flags: what the command line gave.
    ///   - configFile: a path from `--config`, else `PRINTFARM_CONFIG`, else none.
    ///   - environment: the process environment.
    public func load(flags: Settings, configFile: String?, environment: [String: String]) throws -> ServerConfiguration
    {
        let fromEnvironment = try Self.settings(fromEnvironment: environment)
        var fromFile = Settings()
        var pricing: PricingRates?
        var production: ProductionSettings?
        if let path = configFile ?? environment["PRINTFARM_CONFIG"] {
            fromFile = try Self.settings(fromFile: path)
            pricing = try Self.pricing(fromFile: path)
            production = try Self.production(fromFile: path)
        }
        let merged = flags.over(fromEnvironment).over(fromFile)
        var configuration = ServerConfiguration()
        if let host = merged.host { configuration.host = host }
        if let port = merged.port {
            guard (0...65535).contains(port) else {
                throw StoreError.configuration("port \(port) is not between 0 and 65535")
            }
            configuration.port = port
        }
        if let directory = merged.dataDirectory { configuration.dataDirectory = URL(fileURLWithPath: directory) }
        configuration.databaseURL = merged.databaseURL
        configuration.publicMetrics = merged.publicMetrics ?? false
        configuration.requireTOTP = merged.requireTOTP ?? false
        configuration.connectPrinters = merged.connectPrinters ?? true
        configuration.behindProxy = merged.behindProxy ?? false
        configuration.secureCookies = merged.secureCookies ?? false
        if let bytes = merged.maxBodyBytes {
            guard bytes >= 1024 else { throw StoreError.configuration("max body bytes must be at least 1024") }
            configuration.maxBodyBytes = bytes
        }
        if let bytes = merged.maxUploadBytes {
            guard bytes >= 1024 else { throw StoreError.configuration("max upload bytes must be at least 1024") }
            configuration.maxUploadBytes = bytes
        }
        if let level = merged.logLevel {
            guard let parsed = Logger.Level(rawValue: level) else {
                throw StoreError.configuration(
                    "log level '\(level)' is not one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            configuration.logLevel = parsed
        }
        if let name = merged.timeZone {
            guard let zone = TimeZone(identifier: name) else {
                throw StoreError.configuration(
                    "time zone '\(name.prefix(60))' is not an IANA time zone name such as Europe/Berlin or UTC")
            }
            configuration.timeZone = zone
        }
        if let seconds = merged.shopPollSeconds {
            guard (10...86_400).contains(seconds) else {
                throw StoreError.configuration(
                    "shop poll seconds must be between 10 and 86400 (a day); the shops' rate limits need at least 10")
            }
            configuration.shopPollInterval = .seconds(seconds)
        }
        if let pricing { configuration.pricing = pricing }
        if let production { configuration.production = production }
        _ = try configuration.storageLocation()
        return configuration
    }

    /// The farm's pricing rates (`pricing` in the config file), checked: a currency code, nothing negative.
    static func pricing(fromFile path: String) throws -> PricingRates? {
        struct File: Decodable { var pricing: PricingRates? }
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path)) else { return nil }
        let rates: PricingRates?
        do { rates = try JSONDecoder().decode(File.self, from: data).pricing } catch {
            throw StoreError.configuration(
                "the config file's pricing is not valid: \(error); see docs/configuration.md")
        }
        guard let rates else { return nil }
        guard Quote.isCurrencyCode(rates.currency) else {
            throw StoreError.configuration(
                "pricing.currency must be a three-letter ISO 4217 code such as EUR, not '\(rates.currency)'")
        }
        let values =
            Array(rates.materialPerKilogram.values) + Array(rates.machinePerHour.values)
            + [rates.setupPerItem, rates.postProcessingPerItem, rates.failureAllowance, rates.margin]
        guard values.allSatisfy({ $0 >= 0 }) else {
            throw StoreError.configuration("pricing values are never negative")
        }
        // Material names are matched in upper case.
        var normalised = rates
        normalised.materialPerKilogram = Dictionary(rates.materialPerKilogram.map { ($0.key.uppercased(), $0.value) }) {
            first, _ in first
        }
        return normalised
    }

    /// The production settings document (`production` in the config file), validated: a misspelt key, an unknown
    /// gate or an impossible limit stops the server with where it is and what to write instead.
    static func production(fromFile path: String) throws -> ProductionSettings? {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path)),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let section = object["production"]
        else { return nil }
        do {
            return try ProductionSettings.load(
                JSONSerialization.data(withJSONObject: section, options: [.fragmentsAllowed]))
        } catch let error as DomainError {
            guard case .invalid(let field, let reason) = error else {
                throw StoreError.configuration("the config file's production settings: \(error)")
            }
            throw StoreError.configuration(
                "the config file's production.\(field == "settings" ? "" : field) is not valid: \(reason); see docs/production.md"
            )
        }
    }

    static func settings(fromEnvironment environment: [String: String]) throws -> Settings {
        func int(_ name: String) throws -> Int? {
            guard let text = environment[name] else { return nil }
            guard let value = Int(text) else { throw StoreError.configuration("\(name)=\(text) is not a whole number") }
            return value
        }
        func bool(_ name: String) throws -> Bool? {
            guard let text = environment[name]?.lowercased() else { return nil }
            switch text {
            case "1", "true", "yes", "on": return true
            case "0", "false", "no", "off": return false
            default: throw StoreError.configuration("\(name)=\(text) is not true or false")
            }
        }
        return Settings(
            host: environment["PRINTFARM_HOST"], port: try int("PRINTFARM_PORT"),
            dataDirectory: environment["PRINTFARM_DATA_DIR"],
            databaseURL: environment["PRINTFARM_DATABASE_URL"],
            publicMetrics: try bool("PRINTFARM_PUBLIC_METRICS"), maxBodyBytes: try int("PRINTFARM_MAX_BODY_BYTES"),
            maxUploadBytes: try int("PRINTFARM_MAX_UPLOAD_BYTES"), logLevel: environment["PRINTFARM_LOG_LEVEL"],
            requireTOTP: try bool("PRINTFARM_REQUIRE_TOTP"),
            connectPrinters: try bool("PRINTFARM_CONNECT_PRINTERS"), timeZone: environment["PRINTFARM_TIME_ZONE"],
            behindProxy: try bool("PRINTFARM_BEHIND_PROXY"), secureCookies: try bool("PRINTFARM_SECURE_COOKIES"),
            shopPollSeconds: try int("PRINTFARM_SHOP_POLL_SECONDS"))
    }

    static func settings(fromFile path: String) throws -> Settings {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw StoreError.configuration("cannot read the config file \(path): \(error.localizedDescription)")
        }
        do { return try JSONDecoder().decode(Settings.self, from: data) } catch {
            throw StoreError.configuration(
                "the config file \(path) is not valid: \(error); see docs/configuration.md for its keys")
        }
    }
}
