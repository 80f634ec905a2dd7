import ArgumentParser
import AsyncHTTPClient
import FarmDomain
import FarmServer
import FarmStore
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// Latency of `GET /api/v1/runs?limit=50` at a constant request rate, with a large farm's worth of runs stored.
/// Open loop: each request is due at a fixed time and its latency counts from then, so a slow server cannot hide
/// its queueing by slowing the client down (no coordinated omission).
struct API: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "API latency at a constant rate against N stored runs (server and load client in this process).")

    @OptionGroup var storage: BenchStorage

    @Option(help: "Runs stored before the load starts (seeded with ten events each when the store has none).")
    var runs = 100_000

    @Option(help: "Requests per second.")
    var rate = 200

    @Option(help: "Seconds of measured load (after 3 s of warm-up).")
    var duration = 30

    func run() async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let store = try await storage.open(logger: logger)
        let location = store.location
        if try await store.runs.list(limit: 1).isEmpty {
            let start = ContinuousClock.now
            _ = try await Replay.seed(store, runs: runs)
            let report = try await store.projections.rebuild()
            say(
                "seeded \(report.streams) runs (\(report.events) events) in \(format(secondsOf(ContinuousClock.now - start), 1)) s"
            )
        }
        // Cursors spread over the whole table, so pages come from everywhere, not just the first one.
        var cursors: [String] = []
        var after: String? = nil
        var stored = 0
        while true {
            let page = try await store.runs.list(after: after, limit: 500)
            guard let last = page.last else { break }
            if page.count == 500 { cursors.append(last.id) }
            stored += page.count
            after = last.id
        }
        let (token, _) = try await Accounts.issueAPIKey(
            store: store, name: "bench \(UUID())", scope: .read, id: APIKeyID(SystemIDs.uuidv7()),
            context: CommandContext(actor: EventActor(.system, "bench"), reason: "bench.seed", time: Date()))
        await store.shutdown()

        let server = try await BenchServer.start(location, storage: storage, logger: logger)
        let port = server.port

        let client = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: .init(
                connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)))
        let rate = self.rate
        func load(seconds: Int) async -> (latencies: [Double], errors: Int) {
            let interval = Duration.nanoseconds(1_000_000_000 / Int64(rate))
            let start = ContinuousClock.now + .milliseconds(50)
            return await withTaskGroup(of: Double?.self) { group in
                for index in 0..<(rate * seconds) {
                    let due = start + interval * index
                    try? await Task.sleep(until: due, clock: .continuous)
                    let uri =
                        index % 2 == 0 || cursors.isEmpty
                        ? "http://127.0.0.1:\(port)/api/v1/runs?limit=50"
                        : "http://127.0.0.1:\(port)/api/v1/runs?limit=50&after=\(cursors[index % cursors.count])"
                    group.addTask {
                        var request = HTTPClientRequest(url: uri)
                        request.headers.add(name: "Authorization", value: "Bearer \(token)")
                        do {
                            let response = try await client.execute(request, timeout: .seconds(10))
                            let body = try await response.body.collect(upTo: 1 << 22)
                            guard response.status == .ok, body.readableBytes > 2 else { return nil }
                            return secondsOf(ContinuousClock.now - due) * 1000
                        } catch {
                            return nil
                        }
                    }
                }
                var latencies: [Double] = []
                var errors = 0
                for await result in group {
                    if let result { latencies.append(result) } else { errors += 1 }
                }
                return (latencies, errors)
            }
        }
        _ = await load(seconds: 3)
        let (latencies, errors) = await load(seconds: duration)
        let summary = Summary(latencies)
        say(
            "api \(location.engine): GET /api/v1/runs?limit=50 with \(stored) runs, \(rate) req/s for \(duration) s, \(latencies.count) ok, \(errors) errors"
        )
        say(
            "  latency ms: p50 \(format(summary.percentile(50), 2))  p90 \(format(summary.percentile(90), 2))  p99 \(format(summary.percentile(99), 2))  max \(format(summary.percentile(100), 2))"
        )
        try await client.shutdown()
        try await server.stop()
    }
}
