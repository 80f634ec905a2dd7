import ArgumentParser
import AsyncHTTPClient
import FarmDomain
import FarmServer
import FarmStore
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Slicing

/// A cache hit of `POST /api/v1/slices` end to end (HTTP, auth, lookup, answer) against a real server on SQLite.
struct SliceCacheBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slice-cache", abstract: "Latency of a slice cache hit over HTTP (needs prusa-slicer).")

    @Option(help: "The model to slice.")
    var model = "/usr/share/PrusaSlicer/shapes/bunny.stl"

    @Option(help: "Cache hits to time, one after another.")
    var requests = 200

    func run() async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "printfarm-bench-slice-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = ServerConfiguration(port: 0, dataDirectory: directory, logLevel: .warning)
        let store = try await Store.open(try configuration.storageLocation(), logger: logger)
        let (token, _) = try await Accounts.issueAPIKey(
            store: store, name: "bench", scope: .admin, id: APIKeyID(SystemIDs.uuidv7()),
            context: CommandContext(actor: EventActor(.system, "bench"), reason: "bench.seed", time: Date()))
        await store.shutdown()
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let app = try await buildApplication(
            configuration: configuration,
            dependencies: ServerDependencies(onServerRunning: { portContinuation.yield($0) }), logger: logger)
        let services = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let server = Task { try await services.run() }
        var portIterator = ports.makeAsyncIterator()
        guard let port = await portIterator.next() else { throw ValidationError("the server did not start") }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        func post(_ path: String, _ body: ByteBuffer, type: String) async throws -> (Int, [String: Any], Double) {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            request.headers.add(name: "Content-Type", value: type)
            request.body = .bytes(body)
            let start = DispatchTime.now().uptimeNanoseconds
            let response = try await client.execute(request, timeout: .seconds(600))
            let data = try await response.body.collect(upTo: 1 << 24)
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            let json = (try? JSONSerialization.jsonObject(with: Data(buffer: data))) as? [String: Any] ?? [:]
            return (Int(response.status.code), json, elapsed)
        }
        do {
            var profile = try await PrusaSlicer().defaultProfile()
            profile.settings["perimeter_generator"] = "classic"
            let (_, stored, _) = try await post(
                "/api/v1/profiles", ByteBuffer(string: profile.canonicalText), type: "text/plain")
            let (_, uploaded, _) = try await post(
                "/api/v1/artifacts?name=\((model as NSString).lastPathComponent)",
                ByteBuffer(data: try Data(contentsOf: URL(fileURLWithPath: model))), type: "application/octet-stream")
            guard let version = stored["version"] as? String, let sha = uploaded["sha256"] as? String else {
                throw ValidationError("setup failed: \(stored) \(uploaded)")
            }
            let body = ByteBuffer(string: #"{"model":"\#(sha)","profile":"\#(version)"}"#)
            let (missStatus, _, miss) = try await post("/api/v1/slices", body, type: "application/json")
            var latencies: [Double] = []
            for _ in 0..<requests {
                let (status, _, elapsed) = try await post("/api/v1/slices", body, type: "application/json")
                guard status == 200 else { throw ValidationError("a repeat answered \(status)") }
                latencies.append(elapsed)
            }
            let summary = Summary(latencies)
            say(
                "slice cache: first request (miss, status \(missStatus)) \(format(miss, 1)) ms; \(requests) hits: p50 \(format(summary.percentile(50), 2)) ms, p99 \(format(summary.percentile(99), 2)) ms, max \(format(summary.percentile(100), 2)) ms"
            )
        } catch {
            try await client.shutdown()
            await services.triggerGracefulShutdown()
            throw error
        }
        try await client.shutdown()
        await services.triggerGracefulShutdown()
        try await server.value
    }
}
