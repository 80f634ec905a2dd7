import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// `printfarm demo` as a person runs it: the farm, its virtual printers, a key, and Ctrl-C.
@Suite("printfarm demo")
struct DemoCommandTests {
    @Test(
        "the demo serves the API with its virtual printers connected, prints a working admin key and an owner account, runs its orders to ready-to-ship with one failure reprinted and no person acting, and stops cleanly on SIGINT"
    )
    func demo() async throws {
        let demo = try DemoProcess(printers: 2)
        defer { demo.discard() }
        let token = try await demo.adminKey()
        let port = demo.port
        let base = demo.printerBasePort
        let output = demo.output
        var statuses: [String] = []
        for _ in 0..<100 {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/v1/printers")
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
            let body = try await response.body.collect(upTo: 1 << 20)
            let items =
                (try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any])?["items"]
                as? [[String: Any]] ?? []
            statuses = items.compactMap { $0["status"] as? String }
            if statuses.count == 2, statuses.allSatisfy({ ["idle", "busy"].contains($0) }) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(
            statuses.count == 2 && statuses.allSatisfy { ["idle", "busy"].contains($0) },
            "both virtual printers connected: \(statuses)")
        let text = try String(contentsOf: output, encoding: .utf8)
        #expect(text.contains("2 virtual printers on ports \(base)–\(base + 1)"))
        #expect(text.contains("Owner account: owner / demo-"))

        var summary: String?
        for _ in 0..<1800 where summary == nil {
            summary = try String(contentsOf: output, encoding: .utf8).split(separator: "\n").first {
                $0.contains("demo orders are ready to ship")
            }.map(String.init)
            if summary == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        let log = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        let line = try #require(summary, "the demo's orders finish: \(log.suffix(2000))")
        #expect(line.contains("all 4 demo orders are ready to ship"))
        #expect(line.contains("1 failed and reprinted"))
        #expect(line.contains("0 actions by people"))
        try await cameras(port: port, token: token)
        try await materials(port: port, token: token)

        demo.process.interrupt()
        demo.process.waitUntilExit()
        #expect(demo.process.terminationStatus == 0)
    }

    /// The server runs the materials' reactions: a spool loaded over the API becomes its printer's material.
    func materials(port: Int, token: String) async throws {
        func call(_ method: HTTPMethod, _ path: String, _ body: String? = nil) async throws -> [String: Any] {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
            request.method = method
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            if let body {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(string: body))
            }
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(20))
            let data = try await response.body.collect(upTo: 1 << 20)
            return (try? JSONSerialization.jsonObject(with: Data(data.readableBytesView))) as? [String: Any] ?? [:]
        }
        let printer = try #require(
            (try await call(.GET, "/api/v1/printers")["items"] as? [[String: Any]])?.first?["id"] as? String)
        let filament = try #require(
            try await call(
                .POST, "/api/v1/filaments",
                #"{"material":"PLA","colour":"black","density":1.24,"reorderPoint":100}"#)["id"] as? String)
        let spool = try #require(
            try await call(.POST, "/api/v1/spools", #"{"filament":"\#(filament)"}"#)["id"] as? String)
        _ = try await call(.POST, "/api/v1/spools/\(spool)/load", #"{"printer":"\#(printer)"}"#)
        // Waits for the reaction, however slow the machine, up to a generous ceiling.
        let loaded = try await DispatchTests().waitFor(60) {
            let material = try await call(.GET, "/api/v1/printers/\(printer)")["loadedMaterial"] as? [String: Any]
            return material?["spool"] as? String
        }
        #expect(loaded == spool, "the spool-load reaction runs in the server")
        // The forecast from the server's own schedule (once the loop has planned): the watched filament's stock, what
        // is reserved, and each order's claim (the demo's orders need no payment: all held).
        let forecast = try await DispatchTests().waitFor(60) {
            let answer = try await call(.GET, "/api/v1/materials/forecast")
            return answer["lines"] == nil ? nil : answer
        }
        let lines = try #require(forecast?["lines"] as? [[String: Any]], "\(String(describing: forecast))")
        let pla = try #require(lines.first { ($0["colour"] as? String)?.lowercased() == "black" }, "\(lines)")
        #expect(pla["inStock"] as? Double == 1000 && pla["reorderPoint"] as? Double == 100, "\(pla)")
        let (reserved, free) = (pla["reserved"] as? Double ?? -1, pla["free"] as? Double ?? -1)
        #expect(reserved >= 0 && free == max(0, 1000 - reserved), "\(pla)")
        let claims = try #require(forecast?["reservations"] as? [[String: Any]])
        #expect(claims.allSatisfy { $0["hold"] as? String == "held" }, "\(claims)")
    }

    /// The virtual printers' cameras: every finished run has its start and end pictured as evidence, and a
    /// printer's live view and snapshot come through the farm (never from the camera's own address).
    func cameras(port: Int, token: String) async throws {
        func get(_ path: String) async throws -> (status: Int, type: String, body: [UInt8]) {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(20))
            var body: [UInt8] = []
            // A stream never ends: two frames' worth is enough.
            for try await chunk in response.body {
                body += chunk.readableBytesView
                if body.count > 20_000 { break }
            }
            return (Int(response.status.code), response.headers.first(name: "Content-Type") ?? "", body)
        }
        let runs = try await get("/api/v1/runs?limit=50")
        let items =
            (try JSONSerialization.jsonObject(with: Data(runs.body)) as? [String: Any])?["items"] as? [[String: Any]]
            ?? []
        let finished = items.filter { ["completed", "failed"].contains($0["status"] as? String) }
        #expect(!finished.isEmpty)
        for run in finished {
            let moments = Set((run["snapshots"] as? [[String: Any]] ?? []).compactMap { $0["moment"] as? String })
            let end = run["status"] as? String == "completed" ? "end" : "failure"
            #expect(moments.isSuperset(of: ["start", end]), "run \(run["id"] ?? "?"): \(moments)")
        }
        let shot = try #require((finished.first?["snapshots"] as? [[String: Any]])?.first?["artifact"] as? String)
        let stored = try await get("/api/v1/artifacts/\(shot)/content")
        #expect(stored.status == 200 && stored.type == "image/jpeg" && stored.body.starts(with: [0xFF, 0xD8]))

        let printers = try await get("/api/v1/printers")
        let printer = try #require(
            ((try JSONSerialization.jsonObject(with: Data(printers.body)) as? [String: Any])?["items"]
                as? [[String: Any]])?.first?["id"] as? String)
        let snapshot = try await get("/api/v1/printers/\(printer)/camera/snapshot")
        #expect(snapshot.status == 200 && snapshot.type == "image/jpeg" && snapshot.body.starts(with: [0xFF, 0xD8]))
        let stream = try await get("/api/v1/printers/\(printer)/camera/stream")
        #expect(stream.status == 200 && stream.type.hasPrefix("multipart/x-mixed-replace"), "\(stream.type)")
        let text = String(decoding: stream.body.prefix(200), as: UTF8.self)
        #expect(text.contains("Content-Type: image/jpeg"), "\(text)")
        let missing = try await get("/api/v1/printers/01936a4e-0000-7000-8000-000000000001/camera/snapshot")
        #expect(missing.status == 404)
    }
}
