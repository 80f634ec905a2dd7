import ArgumentParser
import FarmDomain
import FarmServer
import FarmStore
import Foundation
import Logging
import ServiceLifecycle
import VirtualPrinter

/// `printfarm demo`: the farm with virtual printers, on its own SQLite store, in one process.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the farm with virtual printers on the embedded store (./demo-data), until Ctrl-C.",
        discussion: """
            Starts N simulated Moonraker printers on 127.0.0.1 (--printer-base-port and up), registers them with the farm, \
            serves the API on --port, and prints an admin API key for this run. On a fresh store it creates an owner \
            account and places a handful of orders for the shapes PrusaSlicer ships; the farm plans, slices, prints and \
            inspects them by itself, and one print fails on purpose (a thermal error) to show the reprint. The console \
            tells what happens and sums up when every order is ready to ship.
            """)

    @OptionGroup var storage: StorageOptions
    @Option(help: "How many virtual printers.") var printers = 3
    @Option(help: "Simulated seconds per real second.") var speed = 60.0
    @Option(help: "The farm's port.") var port = 8080
    @Option(help: "The first virtual printer's port.") var printerBasePort = 7200
    @Flag(inversion: .prefixedNo, help: "Place the demo orders (and fail one print on purpose, to show the reprint).")
    var orders = true
    @Flag(help: "QA by people: completed runs wait in the board's Ready for QA lane instead of passing by themselves.")
    var manualQA = false

    func validate() throws {
        guard (1...200).contains(printers) else { throw ValidationError("--printers is between 1 and 200") }
        guard speed > 0, speed <= 10_000 else { throw ValidationError("--speed is above 0 and at most 10000") }
        guard (1...65535).contains(printerBasePort), printerBasePort + printers - 1 <= 65535 else {
            throw ValidationError("--printer-base-port leaves no room for \(printers) ports")
        }
    }

    func run() async throws {
        var storage = self.storage
        storage.dataDirectory = storage.dataDirectory ?? "demo-data"
        var configuration = try storage.load(.init(port: port))
        // The demo shows the loop hands-free: LOW-risk runs pass QA without a person (unless asked otherwise).
        configuration.production.qa.autoPassLowRisk = !manualQA
        let logger = storage.logger(configuration)
        let dataPath = configuration.dataDirectory.path
        let ids = (0..<printers).map {
            PrinterID(UUID(uuidString: String(format: "00000000-0000-7000-8000-%012d", $0 + 1))!)
        }
        let (key, seeded) = try await withStore(storage) { store in
            for (index, id) in ids.enumerated() {
                let registration = PrinterRegistration(
                    name: "virtual-\(index + 1)", connector: .virtual,
                    address: "http://127.0.0.1:\(printerBasePort + index)",
                    capabilities: PrinterCapabilities(
                        buildVolume: BuildVolume(x: 250, y: 210, z: 210), materials: ["PLA", "PETG"], model: "virtual"))
                do {
                    let context = CommandContext(actor: .cli, reason: .operatorRequest, time: Date())
                    _ = try await store.printers.execute(
                        .register(id, registration), id: id.description, context: context)
                    // A demo store from an older version has the printers without their model.
                    if let current = try await store.printers.get(id: id.description)?.model,
                        current.capabilities.model == nil
                    {
                        var capabilities = current.capabilities
                        capabilities.model = registration.capabilities.model
                        _ = try await store.printers.execute(
                            .updateCapabilities(capabilities), id: id.description, context: context)
                    }
                } catch DomainError.alreadyExists {
                    logger.warning(
                        "virtual-\(index + 1) is registered with another address; start the demo with the ports it had, or use a fresh --data-dir"
                    )
                }
            }
            let seeded = orders ? try await DemoFarm.seed(store: store, configuration: configuration, now: Date()) : nil
            let key = try await Accounts.issueAPIKey(
                store: store, name: "demo \(ISO8601DateFormatter().string(from: Date()))", scope: .admin,
                id: APIKeyID(SystemIDs.uuidv7()),
                context: CommandContext(actor: .cli, reason: .operatorRequest, time: Date())
            ).key
            return (key, seeded)
        }
        let virtualPrinters = (0..<printers).map { VirtualPrinter(name: "virtual-\($0 + 1)", speed: speed) }
        let printerServices = VirtualFarm.services(printers: virtualPrinters, basePort: printerBasePort, logger: logger)
        let dependencies = ServerDependencies(onServerRunning: { [printers, printerBasePort, speed] port in
            var text = """
                Print Farm OS demo: http://127.0.0.1:\(port), \(printers) virtual printers on ports \(printerBasePort)–\(printerBasePort + printers - 1) \
                at \(speed)× speed, store in \(dataPath).
                An admin API key for this run (shown once): \(key)
                Try: curl -s -H "Authorization: Bearer \(key)" http://127.0.0.1:\(port)/api/v1/intents

                """
            if let seeded {
                text += "Owner account: \(seeded.username) / \(seeded.password) (POST /api/v1/sessions to sign in)\n"
                text +=
                    "\(seeded.intents.count) demo orders placed; the farm now plans, slices, prints and inspects them by itself.\n"
            }
            text += "Ctrl-C stops.\n\n"
            FileHandle.standardOutput.write(Data(text.utf8))
        })
        let app = try await buildApplication(configuration: configuration, dependencies: dependencies, logger: logger)
        var services: [any Service] = printerServices + [app]
        if orders {
            services.append(
                DemoNarrator(
                    location: try configuration.storageLocation(), printers: virtualPrinters, ids: ids,
                    basePort: printerBasePort, started: Date(), logger: logger))
        }
        // Services stop in reverse order: the narrator and the farm first, then its printers.
        try await ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger).run()
    }
}
