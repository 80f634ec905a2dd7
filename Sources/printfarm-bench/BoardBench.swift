import ArgumentParser
import AsyncHTTPClient
import FarmAuth
import FarmDomain
import FarmServer
import FarmStore
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// How long the server takes to render the triage board for a large farm: 1,000 printers, 100,000 finished runs,
/// 200 printing, and work waiting in every lane. Requests one after another over loopback HTTP with a signed-in
/// operator's session cookie, as the page's live refresh makes them.
struct BoardBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "board", abstract: "Triage board render time (GET /ui/board and GET /) for a large farm.")

    @OptionGroup var storage: BenchStorage

    @Option(help: "Finished runs stored.")
    var runs = 100_000

    @Option(help: "Registered printers.")
    var printers = 1_000

    @Option(help: "Open orders with a run printing.")
    var orders = 200

    @Option(help: "Measured requests of the lanes (the whole page gets a tenth as many).")
    var requests = 1_000

    func run() async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let store = try await storage.open(logger: logger)
        let location = store.location
        let started = ContinuousClock.now
        let password = "bench operator password"
        if try await store.runs.list(limit: 1).isEmpty {
            try await seed(store, password: password)
            say(
                "seeded \(printers) printers, \(runs) finished runs, \(orders) printing, 50 waiting for QA, 20 due soon, 10 held, 20 printers degraded in \(format(secondsOf(ContinuousClock.now - started), 1)) s"
            )
        }
        await store.shutdown()

        // The seeded printers are not real: no fleet, no production loop, the board alone.
        let server = try await BenchServer.start(location, storage: storage, logger: logger, connectPrinters: false)
        let port = server.port
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            var signIn = HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/v1/sessions")
            signIn.method = .POST
            signIn.headers.add(name: "Content-Type", value: "application/json")
            signIn.body = .bytes(ByteBuffer(string: #"{"username":"bench","password":"\#(password)","cookie":true}"#))
            let signedIn = try await client.execute(signIn, timeout: .seconds(10))
            guard signedIn.status == .created,
                let cookie = signedIn.headers["Set-Cookie"].first?.split(separator: ";").first.map(String.init)
            else {
                throw ValidationError("sign-in failed: \(signedIn.status)")
            }
            func measure(_ path: String, _ count: Int) async throws -> (Summary, cards: Int, bytes: Int) {
                var latencies: [Double] = []
                var cards = 0
                var bytes = 0
                for _ in 0..<count {
                    var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
                    request.headers.add(name: "Cookie", value: cookie)
                    let start = ContinuousClock.now
                    let response = try await client.execute(request, timeout: .seconds(10))
                    let body = try await response.body.collect(upTo: 1 << 24)
                    latencies.append(secondsOf(ContinuousClock.now - start) * 1000)
                    guard response.status == .ok else { throw ValidationError("\(path) answered \(response.status)") }
                    let text = String(buffer: body)
                    cards = text.components(separatedBy: "<li class=\"card ").count - 1
                    bytes = body.readableBytes
                }
                return (Summary(latencies), cards, bytes)
            }
            _ = try await measure("/ui/board", 20)
            let (lanes, cards, bytes) = try await measure("/ui/board", requests)
            let (page, _, _) = try await measure("/", max(10, requests / 10))
            say(
                "board \(location.engine): \(cards) cards (\(bytes / 1024) KiB), \(requests) requests one after another"
            )
            say(
                "  GET /ui/board ms: p50 \(format(lanes.median, 2))  p90 \(format(lanes.percentile(90), 2))  p99 \(format(lanes.percentile(99), 2))  max \(format(lanes.percentile(100), 2))"
            )
            say(
                "  GET /         ms: p50 \(format(page.median, 2))  p90 \(format(page.percentile(90), 2))  p99 \(format(page.percentile(99), 2))  max \(format(page.percentile(100), 2))"
            )
            // The other pages at the same scale: the lists, and one of each detail page (the order with the most
            // runs' plans scanned, the first printer with its history).
            func first(_ path: String) async throws -> String {
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
                request.headers.add(name: "Cookie", value: cookie)
                let body = try await client.execute(request, timeout: .seconds(10)).body.collect(upTo: 1 << 24)
                let page = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]
                guard let id = (page?["items"] as? [[String: Any]])?.first?["id"] as? String else {
                    throw ValidationError("\(path) listed nothing")
                }
                return id
            }
            let pages = [
                "/orders", "/printers", "/orders/\(try await first("/api/v1/intents?status=inProduction&limit=1"))",
                "/plans/\(try await first("/api/v1/plans?limit=1"))",
                "/printers/\(try await first("/api/v1/printers?limit=1"))",
            ]
            for path in pages {
                let (summary, _, bytes) = try await measure(path, max(10, requests / 20))
                say(
                    "  GET \(path.count > 20 ? String(path.prefix(16)) + "…" : path) ms: p50 \(format(summary.median, 2))  p90 \(format(summary.percentile(90), 2))  p99 \(format(summary.percentile(99), 2))  (\(bytes / 1024) KiB)"
                )
            }
        } catch {
            try? await client.shutdown()
            try? await server.stop()
            throw error
        }
        try await client.shutdown()
        try await server.stop()
    }

    /// The farm: history, printing runs, and work waiting in every lane; an operator to sign in as.
    private func seed(_ store: Store, password: String) async throws {
        let (printerIDs, _, _) = try await FarmSeed.farm(store, printers: printers, runs: runs, orders: orders)
        let context = FarmSeed.context
        // Work in the other lanes: degraded printers, runs waiting for QA, orders due soon, orders held for review.
        for printer in printerIDs.prefix(20) {
            _ = try await store.printers.execute(
                .markDegraded(reason: "3 of the last 10 runs failed"), id: printer.description, context: context)
        }
        for index in 0..<50 {
            _ = try await FarmSeed.run(
                store, plan: try await FarmSeed.order(store), on: printerIDs[(index + 500) % printers], finished: true)
        }
        for _ in 0..<20 { _ = try await FarmSeed.order(store, due: Date().addingTimeInterval(6 * 3600)) }
        for _ in 0..<10 {
            let id = IntentID(SystemIDs.uuidv7())
            let item = LineItem(id: LineItemID(SystemIDs.uuidv7()), modelArtifact: nil, quantity: 2, material: "PETG")
            _ = try await store.intents.execute(
                .receive(id, IntentDraft(source: .api, lineItems: [item])), id: id.description, context: context)
            _ = try await store.intents.execute(
                .recordPreflight(.fail, findings: ["the model is not watertight"]), id: id.description, context: context
            )
        }
        _ = try await Accounts.createUser(
            store: store, passwords: Passwords(cost: 4), username: "bench", role: .operator, password: password,
            id: UserID(SystemIDs.uuidv7()), context: context)
    }
}
