import FarmDomain
import FarmStore
import Foundation
import Testing

@testable import FarmServer

@Suite("Configuration")
struct ConfigurationLoaderTests {
    func configFile(_ json: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "printfarm-config-\(UUID().uuidString).json")
        try Data(json.utf8).write(to: url)
        return url.path
    }

    @Test("defaults: 127.0.0.1:8080, SQLite in ./data")
    func defaults() throws {
        let configuration = try ConfigurationLoader().load(flags: .init(), configFile: nil, environment: [:])
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 8080)
        #expect(
            try configuration.storageLocation()
                == .sqlite(path: URL(fileURLWithPath: "data").appendingPathComponent("farm.sqlite").path))
        #expect(configuration.publicMetrics == false)
        #expect(configuration.connectPrinters, "serve connects to its printers unless told not to")
    }

    @Test("printer connections can be turned off for an API-only process, by file or environment")
    func connectPrinters() throws {
        let file = try configFile(#"{"connectPrinters":false}"#)
        #expect(
            try ConfigurationLoader().load(flags: .init(), configFile: file, environment: [:]).connectPrinters == false)
        let environment = ["PRINTFARM_CONNECT_PRINTERS": "on", "PRINTFARM_CONFIG": file]
        #expect(
            try ConfigurationLoader().load(flags: .init(), configFile: nil, environment: environment).connectPrinters,
            "the environment beats the file")
        #expect(throws: StoreError.configuration("PRINTFARM_CONNECT_PRINTERS=maybe is not true or false")) {
            try ConfigurationLoader().load(
                flags: .init(), configFile: nil, environment: ["PRINTFARM_CONNECT_PRINTERS": "maybe"])
        }
    }

    @Test("the shop poll interval comes from the file or the environment, 10 s to a day")
    func shopPoll() throws {
        #expect(
            try ConfigurationLoader().load(flags: .init(), configFile: nil, environment: [:]).shopPollInterval
                == .seconds(60))
        let file = try configFile(#"{"shopPollSeconds":300}"#)
        #expect(
            try ConfigurationLoader().load(flags: .init(), configFile: file, environment: [:]).shopPollInterval
                == .seconds(300))
        let environment = ["PRINTFARM_SHOP_POLL_SECONDS": "30", "PRINTFARM_CONFIG": file]
        #expect(
            try ConfigurationLoader().load(flags: .init(), configFile: nil, environment: environment).shopPollInterval
                == .seconds(30))
        for bad in ["5", "100000"] {
            #expect(throws: StoreError.self) {
                try ConfigurationLoader().load(
                    flags: .init(), configFile: nil, environment: ["PRINTFARM_SHOP_POLL_SECONDS": bad])
            }
        }
    }

    @Test("the farm's time zone comes from the file or the environment; an unknown name is refused")
    func timeZone() throws {
        let file = try configFile(#"{"timeZone":"Europe/Berlin"}"#)
        #expect(
            try ConfigurationLoader().load(flags: .init(), configFile: file, environment: [:]).timeZone.identifier
                == "Europe/Berlin")
        let environment = ["PRINTFARM_TIME_ZONE": "America/Chicago", "PRINTFARM_CONFIG": file]
        #expect(
            try ConfigurationLoader().load(flags: .init(), configFile: nil, environment: environment).timeZone
                .identifier == "America/Chicago")
        #expect(
            throws: StoreError.configuration(
                "time zone 'Mars/Olympus' is not an IANA time zone name such as Europe/Berlin or UTC")
        ) {
            try ConfigurationLoader().load(
                flags: .init(), configFile: nil, environment: ["PRINTFARM_TIME_ZONE": "Mars/Olympus"])
        }
    }

    @Test(
        """
        the production settings come from the config file's production section; a wrong one stops the server with \
        where and why
        """
    )
    func productionSettings() throws {
        #expect(
            try ConfigurationLoader().load(flags: .init(), configFile: nil, environment: [:]).production
                == ProductionSettings())
        let file = try configFile(
            #"{"production":{"qa":{"autoPassLowRisk":true},"guardrails":{"loopBreakerFailures":3}}}"#)
        let production = try ConfigurationLoader().load(flags: .init(), configFile: file, environment: [:]).production
        #expect(production.qa.autoPassLowRisk)
        #expect(production.guardrails.loopBreakerFailures == 3)
        #expect(production.policy == ProductionSettings.standardPolicy)
        let wrong = try configFile(#"{"production":{"guardrails":{"loopBreakerFailures":0}}}"#)
        #expect(
            throws: StoreError.configuration(
                "the config file's production.guardrails.loopBreakerFailures is not valid: between 1 and 100, got 0; see docs/production.md"
            )
        ) {
            try ConfigurationLoader().load(flags: .init(), configFile: wrong, environment: [:])
        }
        let misspelt = try configFile(#"{"production":{"polcy":{}}}"#)
        #expect(
            throws: StoreError.configuration(
                "the config file's production.polcy is not valid: unknown setting 'polcy'; known here: dispatch, "
                    + "guardrails, materials, plates, policy, qa, risk, scheduling; see docs/production.md"
            )
        ) {
            try ConfigurationLoader().load(flags: .init(), configFile: misspelt, environment: [:])
        }
    }

    @Test("a flag beats the environment, which beats the config file")
    func precedence() throws {
        let file = try configFile(
            #"{"host":"10.0.0.1","port":7000,"dataDirectory":"/srv/file","logLevel":"debug","publicMetrics":true}"#)
        let environment = ["PRINTFARM_PORT": "7001", "PRINTFARM_DATA_DIR": "/srv/env", "PRINTFARM_CONFIG": file]
        let configuration = try ConfigurationLoader().load(
            flags: .init(dataDirectory: "/srv/flag"), configFile: nil, environment: environment)
        #expect(configuration.dataDirectory.path == "/srv/flag")
        #expect(configuration.port == 7001)
        #expect(configuration.host == "10.0.0.1")
        #expect(configuration.logLevel == .debug)
        #expect(configuration.publicMetrics)
    }

    @Test("bad settings are refused with a sentence that names them")
    func refusals() throws {
        let loader = ConfigurationLoader()
        #expect(throws: StoreError.configuration("PRINTFARM_PORT=eighty is not a whole number")) {
            try loader.load(flags: .init(), configFile: nil, environment: ["PRINTFARM_PORT": "eighty"])
        }
        #expect(throws: StoreError.self) {
            try loader.load(flags: .init(port: 70000), configFile: nil, environment: [:])
        }
        #expect(throws: StoreError.self) {
            try loader.load(flags: .init(databaseURL: "mysql://x"), configFile: nil, environment: [:])
        }
        #expect(throws: StoreError.self) {
            try loader.load(flags: .init(logLevel: "loud"), configFile: nil, environment: [:])
        }
        #expect(throws: StoreError.self) {
            try loader.load(flags: .init(), configFile: try configFile("{port:"), environment: [:])
        }
        #expect(throws: StoreError.self) {
            try loader.load(flags: .init(), configFile: "/nonexistent/printfarm.json", environment: [:])
        }
    }

    @Test("a PostgreSQL URL is parsed, and its password never shows in descriptions")
    func postgresURL() throws {
        let location = try StorageLocation(url: "postgres://farm:s3cr%40t@db.local:5433/printfarm?schema=prod")
        #expect(
            location
                == .postgres(
                    PostgresSettings(
                        host: "db.local", port: 5433, username: "farm", password: "s3cr@t", database: "printfarm",
                        schema: "prod")))
        #expect(!location.description.contains("s3cr"))
        #expect(throws: StoreError.self) { try StorageLocation(url: "postgres://db.local/") }
        #expect(throws: StoreError.self) { try StorageLocation(url: "postgres://u@db.local/x?sslmode=require") }
    }

    @Test("pricing rates come from the config file, checked; amounts stay exact")
    func pricing() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pf-pricing-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try
            #"{"pricing":{"currency":"CHF","materialPerKilogram":{"pla":29.9},"machinePerHour":{"standard":2.1},"setupPerItem":0.5,"postProcessingPerItem":0,"failureAllowance":0.05,"margin":0.25}}"#
            .write(to: file, atomically: true, encoding: .utf8)
        let configuration = try ConfigurationLoader().load(flags: .init(), configFile: file.path, environment: [:])
        #expect(configuration.pricing.currency == "CHF")
        #expect(configuration.pricing.materialPerKilogram["PLA"] == Decimal(string: "29.9")!)
        #expect(configuration.pricing.machinePerHour["standard"] == Decimal(string: "2.1")!)
        try
            #"{"pricing":{"currency":"francs","materialPerKilogram":{},"machinePerHour":{},"setupPerItem":0,"postProcessingPerItem":0,"failureAllowance":0,"margin":0}}"#
            .write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: (any Error).self) {
            try ConfigurationLoader().load(flags: .init(), configFile: file.path, environment: [:])
        }
        #expect(try ConfigurationLoader().load(flags: .init(), configFile: nil, environment: [:]).pricing == .defaults)
    }
}
