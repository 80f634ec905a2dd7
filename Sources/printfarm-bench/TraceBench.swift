import ArgumentParser
import AsyncHTTPClient
import FarmAuth
import FarmDomain
import FarmServer
import FarmStore
import Foundation
import Logging
import NIOCore

/// How long a recall takes on a farm with 100,000 traced runs: `GET /api/v1/lots/{id}/trace` (JSON and CSV) and an
/// order's `GET /api/v1/intents/{id}/materials`, one request after another over loopback HTTP as a signed-in
/// operator.
struct TraceBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace", abstract: "Material traceability query time (a lot's recall, an order's lots).")

    @OptionGroup var storage: BenchStorage

    @Option(help: "Runs traced (one part each).")
    var runs = 100_000

    @Option(help: "Lots, each with five spools.")
    var lots = 200

    @Option(help: "Orders the runs' parts belong to (five runs each by default).")
    var orders = 20_000

    @Option(help: "Measured requests of each kind.")
    var requests = 200

    func run() async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let store = try await storage.open(logger: logger)
        let location = store.location
        let password = "bench operator password"
        let started = ContinuousClock.now
        let (lotIDs, intentIDs) = try await seed(store, password: password)
        say(
            "seeded \(runs) traced runs over \(lots) lots (\(lots * 5) spools) and \(orders) orders in "
                + "\(format(secondsOf(ContinuousClock.now - started), 1)) s"
        )
        await store.shutdown()
        let server = try await BenchServer.start(location, storage: storage, logger: logger, connectPrinters: false)
        let port = server.port
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            var signIn = HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/v1/sessions")
            signIn.method = .POST
            signIn.headers.add(name: "Content-Type", value: "application/json")
            signIn.body = .bytes(ByteBuffer(string: #"{"username":"bench","password":"\#(password)","cookie":true}"#))
            let signedIn = try await client.execute(signIn, timeout: .seconds(10))
            guard let cookie = signedIn.headers["Set-Cookie"].first?.split(separator: ";").first.map(String.init) else {
                throw ValidationError("sign-in failed: \(signedIn.status)")
            }
            func measure(_ paths: [String]) async throws -> (Summary, bytes: Int) {
                var latencies: [Double] = []
                var bytes = 0
                for index in 0..<requests {
                    let path = paths[index % paths.count]
                    var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
                    request.headers.add(name: "Cookie", value: cookie)
                    let start = ContinuousClock.now
                    let response = try await client.execute(request, timeout: .seconds(30))
                    let body = try await response.body.collect(upTo: 1 << 26)
                    latencies.append(secondsOf(ContinuousClock.now - start) * 1000)
                    guard response.status == .ok else { throw ValidationError("\(path) answered \(response.status)") }
                    bytes = body.readableBytes
                }
                return (Summary(latencies), bytes)
            }
            let recalls = lotIDs.map { "/api/v1/lots/\($0)/trace" }
            _ = try await measure(recalls)
            say("trace \(location.engine): \(runs) traced runs, \(runs / lots) parts a lot, \(requests) requests each")
            for (name, paths) in [
                ("lot trace JSON", recalls), ("lot trace CSV ", recalls.map { $0 + "?format=csv" }),
                ("order's lots  ", intentIDs.prefix(requests).map { "/api/v1/intents/\($0)/materials" }),
            ] {
                let (summary, bytes) = try await measure(paths)
                say(
                    "  \(name) ms: p50 \(format(summary.median, 2))  p90 \(format(summary.percentile(90), 2))  "
                        + "p99 \(format(summary.percentile(99), 2))  (\(bytes / 1024) KiB)"
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

    /// A filament, its lots and spools, the orders, and the trace rows (as the trace reaction writes them).
    private func seed(_ store: Store, password: String) async throws -> (lots: [LotID], intents: [IntentID]) {
        let context = FarmSeed.context
        let filament = FilamentID(SystemIDs.uuidv7())
        _ = try await store.filaments.execute(
            .register(filament, FilamentSpec(material: "PLA", colour: "black", density: 1.24)),
            id: filament.description, context: context)
        var lotIDs: [LotID] = []
        var spools: [(SpoolID, LotID)] = []
        for index in 0..<lots {
            let lot = LotID(SystemIDs.uuidv7())
            _ = try await store.lots.execute(
                .register(lot, LotSpec(filament: filament, number: "L-\(index)", receivedAt: Date())),
                id: lot.description, context: context)
            lotIDs.append(lot)
            for _ in 0..<5 {
                let spool = SpoolID(SystemIDs.uuidv7())
                _ = try await store.spools.execute(
                    .register(spool, SpoolSpec(filament: filament, lot: lot, initialWeight: 1000)),
                    id: spool.description, context: context)
                spools.append((spool, lot))
            }
        }
        var intentIDs: [IntentID] = []
        for index in 0..<orders {
            let id = IntentID(SystemIDs.uuidv7())
            var draft = IntentDraft(
                source: .api,
                lineItems: [
                    LineItem(id: LineItemID(SystemIDs.uuidv7()), modelArtifact: nil, quantity: 5, material: "PLA")
                ])
            draft.externalReference = "order-\(index)"
            _ = try await store.intents.execute(.receive(id, draft), id: id.description, context: context)
            intentIDs.append(id)
        }
        var rows: [MaterialTrace.Row] = []
        for index in 0..<runs {
            // Runs follow spools in turn, as a farm uses them up; each part belongs to one of the orders.
            let (spool, lot) = spools[index * spools.count / runs]
            rows.append(
                MaterialTrace.Row(
                    spool: spool, lot: lot, filament: filament, run: RunID(SystemIDs.uuidv7()),
                    plan: PlanID(SystemIDs.uuidv7()), intent: intentIDs[index % intentIDs.count], grams: 12.5,
                    at: Date()))
            if rows.count == 1_000 {
                try await store.materialTrace.record(rows)
                rows.removeAll()
            }
        }
        try await store.materialTrace.record(rows)
        _ = try await Accounts.createUser(
            store: store, passwords: Passwords(cost: 4), username: "bench", role: .operator, password: password,
            id: UserID(SystemIDs.uuidv7()), context: context)
        return (lotIDs, intentIDs)
    }
}
