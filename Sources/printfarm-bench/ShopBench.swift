import ArgumentParser
import AsyncHTTPClient
import FarmAuth
import FarmDomain
import FarmServer
import FarmShops
import FarmStore
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// Shop webhooks against a real server on SQLite: how fast deliveries are acknowledged under concurrency (each stored
/// durably before its 200), how many a second it sustains, and how long an `orders/paid` takes to become a
/// preflighted intent.
struct ShopBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shops", abstract: "Shop webhooks: acknowledgement latency, throughput, delivery to intent.")

    @Option(help: "Deliveries to send.")
    var deliveries = 2000

    @Option(help: "Deliveries in flight at once.")
    var concurrency = 50

    @OptionGroup var storage: BenchStorage

    func run() async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let store = try await storage.open(logger: logger)
        let location = store.location
        let (token, _) = try await Accounts.issueAPIKey(
            store: store, name: "bench", scope: .admin, id: APIKeyID(SystemIDs.uuidv7()),
            context: CommandContext(actor: EventActor(.system, "bench"), reason: "bench.seed", time: Date()))
        await store.shutdown()
        // The production loop runs (with no printer to feed) so that orders are accepted as a farm would accept them.
        let server = try await BenchServer.start(location, storage: storage, logger: logger)
        let port = server.port
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let base = "http://127.0.0.1:\(port)"
        func call(_ method: HTTPMethod, _ path: String, _ body: Data, headers: [(String, String)]) async throws -> (
            Int, [String: Any], Double
        ) {
            var request = HTTPClientRequest(url: base + path)
            request.method = method
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            request.body = .bytes(ByteBuffer(data: body))
            let start = DispatchTime.now().uptimeNanoseconds
            let response = try await client.execute(request, timeout: .seconds(120))
            let data = try await response.body.collect(upTo: 1 << 24)
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            let json = (try? JSONSerialization.jsonObject(with: Data(buffer: data))) as? [String: Any] ?? [:]
            return (Int(response.status.code), json, elapsed)
        }
        let api = [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")]
        do {
            let secret = "bench-client-secret"
            let (_, shop, _) = try await call(
                .POST, "/api/v1/shops",
                Data(
                    """
                    {"platform": "shopify", "name": "Bench", "endpoints": {"api": "https://bench.myshopify.com"},
                     "secrets": {"webhookSecret": "\(secret)"}}
                    """.utf8), headers: api)
            guard let connection = shop["id"] as? String else { throw ValidationError("no connection: \(shop)") }
            // A printer the parts fit (preflight judges against the farm's printers); nothing runs on it here.
            _ = try await call(
                .POST, "/api/v1/printers",
                Data(
                    #"""
                    {"name":"bench-mk4","connector":"virtual","address":"virtual://bench-mk4","capabilities":\#
                    {"buildVolume":{"x":250,"y":210,"z":220},"nozzleDiameters":[0.4],"enclosure":false,\#
                    "hardenedNozzle":false,"materials":["PLA"]}}
                    """#
                    .utf8), headers: api)
            let cube = try Data(contentsOf: URL(fileURLWithPath: "/usr/share/PrusaSlicer/shapes/box.stl"))
            let (_, model, _) = try await call(
                .POST, "/api/v1/artifacts?name=box.stl", cube,
                headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/octet-stream")])
            guard let sha = model["sha256"] as? String else { throw ValidationError("no model: \(model)") }
            _ = try await call(
                .PUT, "/api/v1/catalog/PF-BOX", Data(#"{"modelArtifact":"\#(sha)","material":"PLA"}"#.utf8),
                headers: api)
            let signer = WebhookSignature(secret: Data(secret.utf8))
            func delivery(_ n: Int, topic: String = "orders/create") -> (Data, [(String, String)]) {
                let body = Data(
                    """
                    {"id": \(5_000_000_000_000_000 + n), "name": "#\(n)", "updated_at": "2026-03-01T10:00:00Z",
                     "financial_status": "paid", "cancelled_at": null, "currency": "EUR",
                     "line_items": [{"id": \(n), "sku": "PF-BOX", "title": "Box", "quantity": 1}]}
                    """.utf8)
                return (
                    body,
                    [
                        ("Content-Type", "application/json"), ("X-Shopify-Topic", topic),
                        ("X-Shopify-Event-Id", UUID().uuidString),
                        ("X-Shopify-Hmac-Sha256", signer.sign(body, encoding: .base64)),
                    ]
                )
            }
            // Acknowledgement latency and throughput with `concurrency` in flight.
            let started = DispatchTime.now().uptimeNanoseconds
            let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
                let perWorker = deliveries / concurrency
                for worker in 0..<concurrency {
                    group.addTask {
                        var mine: [Double] = []
                        for i in 0..<perWorker {
                            let (body, headers) = delivery(worker * perWorker + i)
                            let (status, _, elapsed) = try await call(
                                .POST, "/webhooks/shops/\(connection)", body, headers: headers)
                            guard status == 200 else { throw ValidationError("a delivery answered \(status)") }
                            mine.append(elapsed)
                        }
                        return mine
                    }
                }
                return try await group.reduce(into: [Double]()) { $0 += $1 }
            }
            let wall = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            let summary = Summary(latencies)
            let p50 = format(summary.percentile(50), 2)
            let p99 = format(summary.percentile(99), 2)
            let rate = format(Double(latencies.count) / wall, 0)
            say(
                "\(latencies.count) deliveries, \(concurrency) in flight: acknowledged p50 \(p50) ms, p99 \(p99) ms, "
                    + "max \(format(summary.percentile(100), 2)) ms; \(rate) deliveries/s stored durably")
            // Delivery to intent: wait until the backlog is taken in, then time one orders/paid alone.
            func intent(_ n: Int) async throws -> [String: Any]? {
                guard let connectionID = ShopConnectionID(connection) else { return nil }
                let id = SaleIdentity.intent(
                    of: SaleIdentity.sale(connection: connectionID, orderID: String(5_000_000_000_000_000 + n)))
                let (status, json, _) = try await call(.GET, "/api/v1/intents/\(id)", Data(), headers: api)
                return status == 200 ? json : nil
            }
            let backlogStart = DispatchTime.now().uptimeNanoseconds
            while try await intent(latencies.count - 1) == nil {
                try await Task.sleep(for: .milliseconds(50))
                if DispatchTime.now().uptimeNanoseconds - backlogStart > 600_000_000_000 {
                    throw ValidationError("the backlog was not taken in within 10 minutes")
                }
            }
            let backlog = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            say("backlog of \(latencies.count) taken in as intents \(format(backlog, 1)) s after the first delivery")
            var toIntent: [Double] = []
            var toPreflighted: [Double] = []
            var toAccepted: [Double] = []
            var notAccepted: [String] = []
            for k in 0..<20 {
                let n = 1_000_000 + k
                let (body, headers) = delivery(n, topic: "orders/paid")
                let sent = DispatchTime.now().uptimeNanoseconds
                _ = try await call(.POST, "/webhooks/shops/\(connection)", body, headers: headers)
                var received: Double?
                var preflighted: Double?
                while true {
                    let now = Double(DispatchTime.now().uptimeNanoseconds - sent) / 1e6
                    if let json = try await intent(n) {
                        if received == nil { received = now }
                        if preflighted == nil, json["preflight"] as? String != nil {
                            preflighted = now
                            toPreflighted.append(now)
                        }
                        let status = json["status"] as? String ?? ""
                        if ["accepted", "inProduction"].contains(status) {
                            toAccepted.append(now)
                            break
                        }
                        if ["needsReview", "rejected"].contains(status) || now > 60_000 {
                            let why = (json["statusReasons"] as? [String])?.first ?? ""
                            notAccepted.append("\(status): \(why)")
                            break
                        }
                    }
                    try await Task.sleep(for: .milliseconds(5))
                }
                toIntent.append(received ?? 0)
            }
            let received = format(Summary(toIntent).percentile(50), 1)
            let preflighted = format(Summary(toPreflighted).percentile(50), 1)
            let accepted = toAccepted.isEmpty ? "none" : format(Summary(toAccepted).percentile(50), 1) + " ms"
            say(
                "orders/paid → intent received: median \(received) ms; → preflighted: median \(preflighted) ms; "
                    + "→ accepted by the production loop (a pass every 2 s): median \(accepted) "
                    + "(20 orders, one at a time\(notAccepted.isEmpty ? "" : "; not accepted: \(notAccepted)"))")
        } catch {
            try await client.shutdown()
            try await server.stop()
            throw error
        }
        try await client.shutdown()
        try await server.stop()
    }
}
