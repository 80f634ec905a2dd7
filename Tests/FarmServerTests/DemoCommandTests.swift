import AsyncHTTPClient
import Foundation
import NIOCore
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

        demo.process.interrupt()
        demo.process.waitUntilExit()
        #expect(demo.process.terminationStatus == 0)
    }
}
