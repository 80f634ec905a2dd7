import Foundation

@testable import PrinterLink

/// Collects a connector's events while it runs; `first` waits for one that matches.
final class ConnectorWatch: @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [MachineEvent] = []
    let connector: any PrinterConnector
    let task: Task<Void, Never>
    let reader: Task<Void, Never>

    init(_ connector: any PrinterConnector) {
        self.connector = connector
        task = Task { await connector.run() }
        let box = Box()
        reader = Task {
            for await event in connector.events { box.watch?.append(event) }
        }
        box.watch = self
    }

    final class Box: @unchecked Sendable { weak var watch: ConnectorWatch? }

    func append(_ event: MachineEvent) { lock.withLock { seen.append(event) } }
    var events: [MachineEvent] { lock.withLock { seen } }
    var reports: [MachineReport] { events.compactMap { if case .report(let report) = $0 { report } else { nil } } }

    func first(within seconds: Double, _ matches: (MachineReport) -> Bool) async -> MachineReport? {
        await poll(within: seconds) { reports.first(where: matches) }
    }

    func event(within seconds: Double, _ matches: (MachineEvent) -> Bool) async -> MachineEvent? {
        await poll(within: seconds) { events.first(where: matches) }
    }

    /// Asks `found` every 50 ms until it answers or the time is up.
    func poll<T>(within seconds: Double, _ found: () -> T?) async -> T? {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if let value = found() { return value }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    func stop() {
        task.cancel()
        reader.cancel()
    }
}
