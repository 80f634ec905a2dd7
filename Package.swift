// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "printfarm",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "printfarm", targets: ["printfarm"]),
        .executable(name: "printfarm-bench", targets: ["printfarm-bench"]),
        // For the fuzz package (Fuzz/), which builds the readers with libFuzzer.
        .library(name: "MeshKit", targets: ["MeshKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/vapor/sql-kit", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit", from: "2.17.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.8.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
    ],
    targets: [
        // Pure domain: IDs, events, commands, deciders. No IO, no clock, no database.
        .target(name: "FarmDomain", dependencies: ["FarmScheduling", "FarmPlates"], swiftSettings: swiftSettings),
        // Event store, projections, migrations and idempotency records on SQLite and PostgreSQL.
        .target(
            name: "FarmStore",
            dependencies: [
                "FarmDomain",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Reading STL/3MF models and analysing their geometry for preflight. Pure Swift, no IO beyond the bytes given.
        .target(name: "MeshKit", dependencies: ["SystemZlib"], swiftSettings: swiftSettings),
        // QR codes (for spool labels): bytes in, modules out. Pure Swift, no IO.
        .target(name: "QRCode", swiftSettings: swiftSettings),
        // zlib from the system (Debian: zlib1g-dev), for reading 3MF packages.
        .systemLibrary(name: "SystemZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // Content-addressed blob store: bytes by SHA-256 under the data directory, written atomically.
        .target(
            name: "FarmArtifacts", dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings),
        // Child processes started with posix_spawn (Foundation's Process.run() crashes now and then on Linux).
        .target(name: "CSpawn"),
        .target(name: "ChildProcess", dependencies: ["CSpawn"], swiftSettings: swiftSettings),
        // The PrusaSlicer adapter: child processes with limits, profiles as versions, G-code facts.
        .target(
            name: "Slicing",
            dependencies: [
                "FarmDomain", "FarmPlates", "ChildProcess", .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings),
        // Intake: turns MeshKit's analysis into the domain's facts and verdicts, and preflights intents; shared by the
        // server and the CLI.
        .target(
            name: "FarmIntake",
            dependencies: [
                "FarmDomain", "MeshKit", "FarmStore", "FarmArtifacts",
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        // Reactions to events (preflight a received intent, cancel the runs of a cancelled one): services that follow
        // the event log, so every way in gets them.
        .target(
            name: "FarmReactions",
            dependencies: [
                "FarmDomain", "FarmStore", "FarmIntake", "FarmShops", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),
        // Materials: what each print takes off its spool, spools loaded on printers (and, later, stock, reservations
        // and Spoolman), as reactions to the event log and services FarmServer wires in.
        .target(
            name: "FarmInventory",
            dependencies: [
                "FarmDomain", "FarmStore", "FarmReactions", "FarmArtifacts", "Slicing",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),
        // The production loop: reads the farm, asks the planner (and through it the scheduler), carries out the steps.
        .target(
            name: "FarmProduction",
            dependencies: [
                "FarmDomain", "FarmStore", "FarmPlates", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),
        // Scheduling: the farm's plates on its printers, changeover- and due-date-aware. Pure: no IO, time passed in.
        .target(name: "FarmScheduling", swiftSettings: swiftSettings),
        // Plate composition: which waiting parts share a bed, with a fast footprint estimate. Pure, no IO.
        .target(name: "FarmPlates", swiftSettings: swiftSettings),
        // Web shops (Shopify, WooCommerce, Etsy): their wire formats and signatures, without IO, and the connectors.
        .target(
            name: "FarmShops",
            dependencies: [
                "FarmDomain", "FarmAuth", "FarmStore", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),
        // Simulated Klipper + Moonraker machines: for the demo, the tests and the benchmarks.
        .target(
            name: "VirtualPrinter",
            dependencies: [
                "PrinterLink", "FarmDomain", "FarmScheduling",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Printer connectors: the Moonraker session (pure), its IO actor, and the virtual printer.
        .target(
            name: "PrinterLink",
            dependencies: [
                "FarmDomain", "FarmScheduling",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Credentials: password hashing, TOTP, API key format, recovery codes, webhook signatures. No IO.
        .target(
            name: "FarmAuth",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "HummingbirdOTP", package: "hummingbird-auth"),
            ],
            swiftSettings: swiftSettings
        ),
        // The farm's side of every printer: connectors by kind, reconciliation, two-phase dispatch, operators' commands.
        .target(
            name: "FarmFleet",
            dependencies: [
                "FarmDomain", "FarmStore", "FarmArtifacts", "FarmProduction", "PrinterLink",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),
        // The HTTP server: REST API, event stream, metrics; buildApplication() is the composition root.
        .target(
            name: "FarmServer",
            dependencies: [
                "FarmDomain", "FarmStore", "FarmAuth", "FarmIntake", "FarmShops", "FarmReactions", "FarmProduction",
                "FarmPlates", "MeshKit", "FarmArtifacts", "FarmFleet", "FarmInventory", "QRCode",
                "Slicing",
                "PrinterLink",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            resources: [.copy("Resources/openapi.json")],
            swiftSettings: swiftSettings
        ),
        // The `printfarm` command line: thin, parses options and calls into FarmServer/FarmStore.
        .executableTarget(
            name: "printfarm",
            dependencies: [
                "FarmServer", "FarmStore", "FarmDomain", "FarmAuth", "FarmIntake", "FarmArtifacts", "FarmShops",
                "FarmScheduling", "MeshKit", "Slicing", "VirtualPrinter",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // A farm day in simulated time: the real planner and deciders, seeded printers and orders.
        .target(name: "FarmSimulation", dependencies: ["FarmDomain"], swiftSettings: swiftSettings),
        // Benchmarks (build with -c release): append throughput, projection replay, API latency under load.
        .executableTarget(
            name: "printfarm-bench",
            dependencies: [
                "FarmServer", "FarmStore", "FarmDomain", "FarmAuth", "FarmShops", "FarmScheduling", "MeshKit",
                "Slicing", "FarmSimulation", "FarmProduction", "FarmPlates", "PrinterLink", "PrinterTestSupport",
                "ChildProcess", "FarmArtifacts",
                "VirtualPrinter",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "FarmDomainTests", dependencies: ["FarmDomain"], swiftSettings: swiftSettings),
        .testTarget(
            name: "FarmSimulationTests", dependencies: ["FarmSimulation", "FarmDomain"], swiftSettings: swiftSettings),
        // Models with known answers (cubes, spheres, STL and 3MF writers) for the tests of MeshKit, the CLI and the API.
        .target(
            name: "MeshTestSupport",
            dependencies: ["MeshKit", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            path: "Tests/MeshTestSupport", swiftSettings: swiftSettings),
        .testTarget(
            name: "MeshKitTests", dependencies: ["MeshKit", "MeshTestSupport", "ChildProcess"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "SlicingTests", dependencies: ["Slicing", "FarmDomain", "MeshTestSupport"],
            swiftSettings: swiftSettings),
        // Real printer hosts for the tests: OctoPrint with its Virtual Printer, started as a process.
        .target(
            name: "PrinterTestSupport",
            dependencies: [
                "ChildProcess", "VirtualPrinter",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/PrinterTestSupport", swiftSettings: swiftSettings),
        .testTarget(
            name: "PrinterLinkTests",
            dependencies: [
                "PrinterLink", "VirtualPrinter", "FarmDomain", "Slicing", "PrinterTestSupport", "ChildProcess",
            ],
            resources: [.copy("Recordings")], swiftSettings: swiftSettings),
        .testTarget(name: "FarmArtifactsTests", dependencies: ["FarmArtifacts"], swiftSettings: swiftSettings),
        .testTarget(name: "FarmAuthTests", dependencies: ["FarmAuth"], swiftSettings: swiftSettings),
        .testTarget(name: "FarmSchedulingTests", dependencies: ["FarmScheduling"], swiftSettings: swiftSettings),
        .testTarget(name: "FarmPlatesTests", dependencies: ["FarmPlates"], swiftSettings: swiftSettings),
        .testTarget(name: "QRCodeTests", dependencies: ["QRCode"], swiftSettings: swiftSettings),
        .testTarget(
            name: "FarmShopsTests", dependencies: ["FarmShops", "FarmAuth", "FarmDomain"],
            resources: [.copy("Reference")],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "FarmStoreTests", dependencies: ["FarmStore", "FarmDomain"], resources: [.copy("Golden")],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "FarmServerTests",
            dependencies: [
                "FarmServer", "FarmStore", "FarmDomain", "FarmIntake", "FarmReactions", "FarmProduction", "FarmPlates",
                "FarmInventory",
                "MeshTestSupport", "PrinterTestSupport", "Slicing", "PrinterLink", "FarmFleet", "ChildProcess",
                "VirtualPrinter",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
