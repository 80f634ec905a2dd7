import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// Many virtual printers in one process, each on its own 127.0.0.1 port, all moved by one 250 ms tick.
public enum VirtualFarm {
    /// The services that serve `printers` (one server each, plus the tick), for a `ServiceGroup`; `onReady` hears
    /// every printer's port once all listen.
    public static func services(
        printers: [VirtualPrinter], host: String = "127.0.0.1", basePort: Int, logger: Logger, onReady: @escaping @Sendable ([Int]) async -> Void = { _ in }
    ) -> [any Service] {
        let ports = PortCollector(expected: printers.count, onReady: onReady)
        let servers: [any Service] = printers.enumerated().map { index, printer in
            VirtualPrinterServer.application(
                printer: printer, host: host, port: basePort == 0 ? 0 : basePort + index, logger: logger,
                onRunning: { port in await ports.add(index: index, port: port) })
        }
        return servers + [Ticker(printers: printers)]
    }

    /// Serves `printers` until the calling task is cancelled, then shuts the servers down gracefully.
    public static func run(
        printers: [VirtualPrinter], host: String = "127.0.0.1", basePort: Int, logger: Logger, onReady: @escaping @Sendable ([Int]) async -> Void = { _ in }
    ) async throws {
        let group = ServiceGroup(
            services: services(printers: printers, host: host, basePort: basePort, logger: logger, onReady: onReady), gracefulShutdownSignals: [],
            logger: logger)
        try await withTaskCancellationHandler {
            try await group.run()
        } onCancel: {
            Task { await group.triggerGracefulShutdown() }
        }
    }

    struct Ticker: Service {
        let printers: [VirtualPrinter]

        func run() async throws {
            // Ends quietly on shutdown: a thrown CancellationError would make the group fail the servers.
            await cancelWhenGracefulShutdown {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(250))
                    for printer in printers { await printer.tick() }
                }
            }
        }
    }

    actor PortCollector {
        let expected: Int
        let onReady: @Sendable ([Int]) async -> Void
        var ports: [Int: Int] = [:]

        init(expected: Int, onReady: @escaping @Sendable ([Int]) async -> Void) {
            self.expected = expected
            self.onReady = onReady
        }

        func add(index: Int, port: Int) async {
            ports[index] = port
            if ports.count == expected { await onReady((0..<expected).map { ports[$0] ?? 0 }) }
        }
    }
}
