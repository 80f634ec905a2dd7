import ChildProcess
import Foundation
import Testing

struct MissingSchemathesis: Error, CustomStringConvertible {
    var description: String {
        "PRINTFARM_TEST_PYTHON (a Python with schemathesis) is not set: run scripts/test, which installs it"
    }
}

/// The OpenAPI document against the server it describes: schemathesis (PyPI) generates requests from the document —
/// its examples, the boundaries of every constraint, then random ones — and checks every answer: no 5xx, no status
/// the document does not list, no body outside its schema, the declared content types and headers, 405 for a method
/// a path does not take, and a request the document calls invalid is refused.
@Suite("API contract, fuzzed", .serialized)
struct SchemathesisTests {
    @Test("schemathesis finds no server error, undocumented status, off-schema answer or accepted invalid request")
    func contract() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let python = environment["PRINTFARM_TEST_PYTHON"] else { throw MissingSchemathesis() }
        let schemathesis = URL(fileURLWithPath: python).deletingLastPathComponent().appendingPathComponent(
            "schemathesis"
        ).path
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "printfarm-contract-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dataDirectory) }
        #expect(try CommandLineTests.run(["migrate", "--data-dir", dataDirectory.path]).status == 0)
        let key = try CommandLineTests.run([
            "keys", "create", "--data-dir", dataDirectory.path, "--name", "schemathesis", "--scope", "admin",
        ])
        let token = try #require(key.output.split(separator: "\n").map(String.init).first { $0.hasPrefix("pfk_") })
        let port = try CommandLineTests.freePort()
        let server = ChildProcess()
        server.executableURL = CommandLineTests.executable
        server.arguments = ["serve", "--data-dir", dataDirectory.path, "--port", String(port)]
        // why: generated requests register printers at generated addresses; this server must not try to reach them.
        server.environment = environment.merging(["PRINTFARM_CONNECT_PRINTERS": "false"]) { $1 }
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer {
            if server.isRunning {
                server.interrupt()
                server.waitUntilExit()
            }
        }

        let run = ChildProcess()
        run.executableURL = URL(fileURLWithPath: schemathesis)
        run.currentDirectoryURL = dataDirectory
        // A camera schemathesis gives a printer, a Spoolman it names, are wherever its addresses point (nowhere,
        // mostly): the documented 502/504 are the right answers there, not server errors.
        let config = dataDirectory.appendingPathComponent("schemathesis.toml")
        try """
        [[operations]]
        include-path = "/api/v1/printers/{id}/camera/snapshot"
        checks.not_a_server_error.expected-statuses = ["2xx", "3xx", "4xx", "502", "504"]

        [[operations]]
        include-path = "/api/v1/materials/spoolman/import"
        checks.not_a_server_error.expected-statuses = ["2xx", "3xx", "4xx", "502"]

        [[operations]]
        include-path = "/api/v1/materials/spoolman/links/{id}/sync"
        checks.not_a_server_error.expected-statuses = ["2xx", "3xx", "4xx", "502"]
        """.write(to: config, atomically: true, encoding: .utf8)
        run.arguments = [
            "--config-file", config.path,
            "run", "http://127.0.0.1:\(port)/api/v1/openapi.json", "--wait-for-schema", "60", "-H",
            "Authorization: Bearer \(token)",
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,"
                + "response_schema_conformance,unsupported_method,negative_data_rejection",
            "--phases", "examples,coverage,fuzzing", "--max-examples", "8", "--max-time", "150", "--workers", "1",
            "--seed", "20261205",
            "--request-timeout", "20", "--generation-database", "none",
            // Revoking the key it runs with would leave the rest of the run unauthorised; APIKeyRouteTests covers it.
            "--exclude-path", "/api/v1/api-keys/{id}/revoke",
            // A camera's stream never ends; CameraTests and the demo test read it.
            "--exclude-path", "/api/v1/printers/{id}/camera/stream",
        ]
        run.environment = environment.merging(["NO_COLOR": "1", "SCHEMATHESIS_TELEMETRY": "false"]) { $1 }
        let log = dataDirectory.appendingPathComponent("schemathesis.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        run.standardOutput = try FileHandle(forWritingTo: log)
        run.standardError = try FileHandle(forWritingTo: log)
        let (exited, exit) = AsyncStream<Void>.makeStream()
        run.terminationHandler = { _ in exit.finish() }
        try run.run()
        // Waits for schemathesis to end; the 600 s is only a ceiling for a run that hangs.
        let ended = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await _ in exited {}
                return true
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(600))
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        if !ended { run.terminate() }
        run.waitUntilExit()
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        // The failures come before a long list of warnings: show them, not only the end.
        let failures = output.range(of: "FAILURES").map { String(output[$0.lowerBound...].prefix(6000)) } ?? ""
        #expect(run.terminationStatus == 0, "schemathesis: \(failures)\n…\n\(output.suffix(2000))")
        #expect(output.contains("Tested:"), "it tested the operations: \(output.suffix(2000))")
        #expect(server.isRunning, "the server survived the run")
    }
}
