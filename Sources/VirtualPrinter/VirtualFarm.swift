import Foundation
import Hummingbird
import Logging

/// Many virtual printers in one process, each on its own 127.0.0.1 port, all moved by one 250 ms tick.
public enum VirtualFarm {
    /// Serves `printers` until the calling task is cancelled; `onReady` hears each printer's port once all listen.
    public static func run(
        printers: [VirtualPrinter], host: String = "127.0.0.1", basePort: Int, logger: Logger, onReady: @escaping @Sendable ([Int]) async -> Void = { _ in }
    ) async throws {
        let ports = PortCollector(expected: printers.count, onReady: onReady)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, printer) in printers.enumerated() {
                let app = VirtualPrinterServer.application(
                    printer: printer, host: host, port: basePort == 0 ? 0 : basePort + index, logger: logger,
                    onRunning: { port in await ports.add(index: index, port: port) })
                group.addTask { try await app.run() }
            }
            group.addTask {
                while !Task.isCancelled {
                    try await Task.sleep(for: .milliseconds(250))
                    for printer in printers { await printer.tick() }
                }
            }
            try await group.next()
            group.cancelAll()
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
