import ArgumentParser
import AsyncHTTPClient
import Foundation
import PrinterLink
import PrinterTestSupport

/// Observation latency of the OctoPrint connector against real OctoPrints (each with its Virtual Printer): the
/// time from asking OctoPrint to change its printer's state (disconnect it, connect it again) to the connector's
/// report of the new state. All instances run at once, as printers of one farm.
struct OctoPrintBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "octoprint",
        abstract: "Observation latency (state change → report) of the OctoPrint connector, real OctoPrints.")

    @Option(help: "Real OctoPrint instances to start.") var instances = 10
    @Option(help: "State changes per instance (each a disconnect and a connect: two observations).") var rounds = 5
    @Option(help: "The octoprint executable (default: PRINTFARM_TEST_OCTOPRINT or .build/octoprint/bin/octoprint).")
    var octoprint: String?

    func run() async throws {
        let path =
            octoprint ?? ProcessInfo.processInfo.environment["PRINTFARM_TEST_OCTOPRINT"]
            ?? FileManager.default.currentDirectoryPath + "/.build/octoprint/bin/octoprint"
        setenv("PRINTFARM_TEST_OCTOPRINT", path, 1)
        var servers: [RealOctoPrint] = []
        defer { for server in servers { server.stop() } }
        let started = ContinuousClock.now
        // In fours: each start is a Python process importing its plugins on two cores.
        for batch in stride(from: 0, to: instances, by: 4) {
            let made = try (batch..<min(batch + 4, instances)).map { _ in try RealOctoPrint(throttle: 0) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for server in made { group.addTask { try await server.start() } }
                try await group.waitForAll()
            }
            servers += made
        }
        say("\(instances) OctoPrint instances up in \(format(secondsOf(started.duration(to: .now)))) s")
        let watches = servers.map { server in
            Watch(
                OctoPrintConnector(
                    client: OctoPrintClient(base: server.base, apiKey: server.apiKey, http: HTTPClient.shared),
                    seed: UInt64(server.port)))
        }
        defer { for watch in watches { watch.stop() } }
        for watch in watches {
            guard await watch.wait(within: 60, { $0.link == .live && $0.hostReady }) != nil else {
                throw ValidationError("an OctoPrint never reported itself live")
            }
        }
        var latencies: [Double] = []
        for _ in 0..<rounds {
            for (want, command) in [(false, "disconnect"), (true, "connect")] {
                let asked = ContinuousClock.now
                try await withThrowingTaskGroup(of: Double?.self) { group in
                    for (server, watch) in zip(servers, watches) {
                        group.addTask {
                            let mark = watch.count
                            try await server.post("/api/connection", #"{"command": "\#(command)"}"#)
                            let seen = await watch.wait(within: 60, after: mark) { report in
                                want ? report.hostReady && report.link == .live : report.host == .disconnected
                            }
                            return seen.map { secondsOf(asked.duration(to: $0)) * 1000 }
                        }
                    }
                    for try await latency in group {
                        guard let latency else { throw ValidationError("a state change was never reported") }
                        latencies.append(latency)
                    }
                }
            }
        }
        let summary = Summary(latencies)
        say(
            "observation latency over \(latencies.count) state changes: p50 \(Int(summary.percentile(50))) ms, "
                + "p99 \(Int(summary.percentile(99))) ms, max \(Int(latencies.max() ?? 0)) ms")
    }

    /// A connector's reports with the time each arrived.
    final class Watch: @unchecked Sendable {
        private let lock = NSLock()
        private var seen: [(MachineReport, ContinuousClock.Instant)] = []
        let task: Task<Void, Never>
        let reader: Task<Void, Never>

        init(_ connector: OctoPrintConnector) {
            task = Task { await connector.run() }
            let box = Box()
            reader = Task {
                for await event in connector.events {
                    if case .report(let report) = event { box.watch?.append(report) }
                }
            }
            box.watch = self
        }

        final class Box: @unchecked Sendable { weak var watch: Watch? }

        func append(_ report: MachineReport) { lock.withLock { seen.append((report, .now)) } }
        var count: Int { lock.withLock { seen.count } }

        /// When the first report after the first `after` that matches arrived.
        func wait(within seconds: Double, after: Int = 0, _ matches: (MachineReport) -> Bool) async
            -> ContinuousClock.Instant?
        {
            let deadline = ContinuousClock.now + .seconds(seconds)
            while ContinuousClock.now < deadline {
                let found = lock.withLock { seen.dropFirst(after).first { matches($0.0) }?.1 }
                if let found { return found }
                try? await Task.sleep(for: .milliseconds(5))
            }
            return nil
        }

        func stop() {
            task.cancel()
            reader.cancel()
        }
    }
}
