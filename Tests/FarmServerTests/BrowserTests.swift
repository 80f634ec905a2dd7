import ChildProcess
import Foundation
import Testing

struct MissingBrowser: Error, CustomStringConvertible {
    var description: String {
        "PRINTFARM_TEST_PYTHON (a Python with playwright) and PRINTFARM_TEST_CHROMIUM (Debian's chromium) are not set: run scripts/test, which installs both"
    }
}

/// The web UI in Chromium, driven by Playwright for Python (Tests/Browser/board_test.py) against `printfarm demo`
/// with its virtual printers and orders. Screenshots of each page go to .build/screenshots.
@Suite("Web UI in a browser", .serialized)
struct BrowserTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test(
        """
        an operator signs in with TOTP, watches runs move across the live board, pauses and resumes one, fails a \
        part in QA with a photo and sees the reprint, accepts a held order and approves its held plan, switches \
        maintenance, is told of a stale action, double-clicks once, sees a lost connection heal; every page passes \
        an accessibility audit; a viewer gets no buttons; wall mode; sign-out
        """
    )
    func board() async throws {
        // At 30× a print lasts long enough to be watched even on a loaded machine (60× finishes the demo in under a minute).
        // Stopped by `discard` (SIGKILL): a clean stop on Ctrl-C is DemoCommandTests' to check, and a signal sent from
        // a test thread may meet a blocked mask in the child here.
        try await Self.check(
            "board_test.py", demo: { try DemoProcess(arguments: ["--manual-qa", "--speed", "30"]) },
            screenshots: [
                "sign-in.png", "sign-in-totp.png", "board.png", "run.png", "run-qa-failed.png", "orders.png",
                "order.png", "plan.png", "printers.png", "printer.png", "board-viewer-tablet.png", "board-wall.png",
            ], fresh: true)
    }

    @Test(
        """
        an owner connects a Shopify shop on the Shops page, maps the unknown SKU of an order the shop delivers, \
        and the held order goes on
        """
    )
    func shops() async throws {
        try await Self.check(
            "shops_test.py", demo: { try DemoProcess(printers: 1, arguments: ["--speed", "60"]) },
            screenshots: ["shops.png"])
    }

    @Test(
        """
        the schedule asks for a changeover on the board, an operator confirms it there and the printer prints on; \
        the schedule page shows the plan with a reason on every block and passes the accessibility audit
        """
    )
    func schedule() async throws {
        try await Self.check(
            "schedule_test.py", demo: { try DemoProcess(printers: 1, arguments: ["--speed", "60"]) },
            screenshots: ["board-changeover.png", "schedule.png"])
    }

    @Test("the plate composer: farm mode's plates drawn, one split and a part moved between two plates")
    func plates() async throws {
        let config = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pf-plates-\(UUID().uuidString).json")
        try #"{"production": {"plates": {"mode": "farm", "releaseFill": 0.5, "holdMinutes": 240}}}"#.write(
            to: config, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: config) }
        try await Self.check(
            "plates_test.py",
            demo: { try DemoProcess(printers: 1, arguments: ["--speed", "60", "--config", config.path]) },
            screenshots: ["plates.png"])
    }

    /// Runs a Tests/Browser script against a demo made for it and checks the screenshots it should have saved
    /// (`fresh`: the screenshot folder is emptied first).
    static func check(
        _ name: String, demo makeDemo: () throws -> DemoProcess, screenshots shots: [String], fresh: Bool = false
    ) async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let python = environment["PRINTFARM_TEST_PYTHON"], let chromium = environment["PRINTFARM_TEST_CHROMIUM"]
        else { throw MissingBrowser() }
        let screenshots = packageRoot.appendingPathComponent(".build/screenshots")
        if fresh { try? FileManager.default.removeItem(at: screenshots) }
        try FileManager.default.createDirectory(at: screenshots, withIntermediateDirectories: true)
        let demo = try makeDemo()
        defer { demo.discard() }
        try await runScript(
            name, python: python, chromium: chromium, demo: demo, adminKey: try await demo.adminKey(),
            screenshots: screenshots)
        for shot in shots {
            let size =
                (try? FileManager.default.attributesOfItem(atPath: screenshots.appendingPathComponent(shot).path)[
                    .size] as? Int) ?? 0
            #expect(size > 10_000, "screenshot \(shot) saved")
        }
    }

    /// Runs one of Tests/Browser's scripts against the demo, up to a ceiling a loaded machine will not reach.
    static func runScript(
        _ name: String, python: String, chromium: String, demo: DemoProcess, adminKey: String, screenshots: URL
    ) async throws {
        let script = ChildProcess()
        script.executableURL = URL(fileURLWithPath: python)
        script.arguments = [packageRoot.appendingPathComponent("Tests/Browser/\(name)").path]
        script.environment = ProcessInfo.processInfo.environment.merging(
            [
                "BASE_URL": "http://127.0.0.1:\(demo.port)", "ADMIN_KEY": adminKey, "CHROMIUM": chromium,
                "SCREENSHOTS": screenshots.path,
            ]) { $1 }
        let log = demo.directory.appendingPathComponent("\(name).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        script.standardOutput = try FileHandle(forWritingTo: log)
        script.standardError = try FileHandle(forWritingTo: log)
        try script.run()
        let deadline = ContinuousClock.now + .seconds(300)
        while script.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(200)) }
        if script.isRunning { script.terminate() }
        script.waitUntilExit()
        let said = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(
            script.terminationStatus == 0,
            "the browser checks failed:\n\(said.suffix(4000))\nthe demo said:\n\(demo.console.suffix(3000))\nits log:\n\(demo.logTail)"
        )
        #expect(said.contains("all browser checks passed"))
    }
}
