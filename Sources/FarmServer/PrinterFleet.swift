import AsyncHTTPClient
import FarmDomain
import FarmStore
import Foundation
import Logging
import PrinterLink
import ServiceLifecycle

/// Keeps one connector per registered Moonraker (or virtual) printer and records what each machine reports as
/// printer events: `printer.stateObserved` when the farm's view of it changes (offline, idle, busy, paused, error)
/// or its message does, with the connector as the actor. The registry is read again every few seconds, so a
/// printer registered over the API is connected without a restart.
actor PrinterFleet: Service {
    let store: Store
    let now: @Sendable () -> Date
    let logger: Logger
    let syncInterval: Duration
    private var connected: [PrinterID: (address: String, key: String?, task: Task<Void, Never>)] = [:]
    /// The latest report per printer, for the API and reconciliation.
    private(set) var reports: [PrinterID: MachineReport] = [:]

    init(store: Store, now: @escaping @Sendable () -> Date, logger: Logger, syncInterval: Duration = .seconds(2)) {
        self.store = store
        self.now = now
        self.logger = logger
        self.syncInterval = syncInterval
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.sync()
                try? await Task.sleep(for: self.syncInterval)
            }
        }
        for (_, entry) in connected { entry.task.cancel() }
        connected = [:]
    }

    /// Starts connectors for printers new to the registry (or whose address changed) and stops the others.
    func sync() async {
        let printers: [Printer]
        let keys: [PrinterID: String]
        do {
            printers = try await store.printers.all()
            keys = try await store.credentials.printerAPIKeys()
        } catch {
            logger.warning("cannot read the printer registry: \(error)")
            return
        }
        var wanted: [PrinterID: Printer] = [:]
        for printer in printers where [.moonraker, .virtual].contains(printer.connector) { wanted[printer.id] = printer }
        for (id, entry) in connected where wanted[id]?.address != entry.address || keys[id] != entry.key {
            entry.task.cancel()
            connected[id] = nil
        }
        for (id, printer) in wanted where connected[id] == nil {
            guard let base = URL(string: printer.address), base.scheme == "http" || base.scheme == "https" else {
                await observe(id, .offline, message: "the address \(printer.address) is not an http:// URL; register the Moonraker address, e.g. http://192.168.1.20:7125")
                continue
            }
            let client = MoonrakerClient(base: base, apiKey: keys[id], http: HTTPClient.shared)
            let connector = MoonrakerConnector(
                client: client, configuration: .init(apiKey: keys[id]), seed: UInt64(truncatingIfNeeded: id.description.hashValue), logger: logger)
            let task = Task {
                async let running: Void = connector.run()
                for await event in connector.events {
                    if case .report(let report) = event { await self.record(id, report) }
                }
                _ = await running
            }
            connected[id] = (printer.address, keys[id], task)
        }
    }

    private func record(_ id: PrinterID, _ report: MachineReport) async {
        reports[id] = report
        let message = report.link == .live ? report.message : (report.linkReason ?? report.message)
        await observe(id, report.state, message: message)
    }

    private func observe(_ id: PrinterID, _ state: ObservedPrinterState, message: String?) async {
        let context = CommandContext(actor: EventActor(.connector, id.description), reason: .printerObserved, time: now())
        do {
            _ = try await store.printers.execute(.observe(state, message: message.map { String($0.prefix(500)) }), id: id.description, context: context)
        } catch {
            logger.warning("cannot record what printer \(id) reports: \(error)")
        }
    }
}
