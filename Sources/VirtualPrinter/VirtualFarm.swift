import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// Many virtual printers in one process, each on its own 127.0.0.1 port, each moved every 250 ms.
public enum VirtualFarm {
    /// The services that serve `printers` (one server each, plus the tick), for a `ServiceGroup`; `onReady` hears
    /// every printer's port once all listen.
    public static func services(
        printers: [VirtualPrinter], host: String = "127.0.0.1", basePort: Int, logger: Logger,
        onReady: @escaping @Sendable ([Int]) async -> Void = { _ in }
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
        printers: [VirtualPrinter], host: String = "127.0.0.1", basePort: Int, logger: Logger,
        onReady: @escaping @Sendable ([Int]) async -> Void = { _ in }
    ) async throws {
        let group = ServiceGroup(
            services: services(printers: printers, host: host, basePort: basePort, logger: logger, onReady: onReady),
            gracefulShutdownSignals: [],
            logger: logger)
        try await withTaskCancellationHandler {
            try await group.run()
        } onCancel: {
            Task { await group.triggerGracefulShutdown() }
        }
    }

    /// Moves every printer every `period`, like Moonraker's 250 ms status batches. The printers are ticked in
    /// `slices` groups spread over the period, as real machines are not in step: one group at a time keeps each
    /// printer's period true while a large farm takes a while to tick, and spreads the reports the farm receives.
    /// Deadlines are absolute, so the time a tick takes does not stretch the period.
    struct Ticker: Service {
        let printers: [VirtualPrinter]
        var period: Duration = .milliseconds(250)
        var slices = 10

        func run() async throws {
            let clock = ContinuousClock()
            let step = period / slices
            // Ends quietly on shutdown: a thrown CancellationError would make the group fail the servers.
            await cancelWhenGracefulShutdown {
                var deadline = clock.now
                var slice = 0
                while !Task.isCancelled {
                    deadline = max(deadline.advanced(by: step), clock.now - period)
                    try? await clock.sleep(until: deadline)
                    for index in stride(from: slice, to: printers.count, by: slices) { await printers[index].tick() }
                    slice = (slice + 1) % slices
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
