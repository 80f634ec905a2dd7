import ChildProcess
import Foundation
import Testing

/// `printfarm demo` started as a person would, in its own directory, its console captured to a file.
final class DemoProcess {
    let directory: URL
    let output: URL
    let port: Int
    let printerBasePort: Int
    let process = ChildProcess()

    init(printers: Int? = nil, arguments: [String] = []) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("pf-demo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = try TestPorts.take()
        // The printers need consecutive free ports, none another demo of this run was given.
        let base = try TestPorts.take(printers ?? 3)
        printerBasePort = base
        output = directory.appendingPathComponent("out.log")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        process.executableURL = CommandLineTests.executable
        process.arguments =
            [
                "demo", "--data-dir", directory.appendingPathComponent("data").path, "--port", String(port),
                "--printer-base-port", String(base),
            ]
            + (printers.map { ["--printers", String($0)] } ?? []) + arguments
        process.currentDirectoryURL = directory
        process.standardOutput = try FileHandle(forWritingTo: output)
        // The demo's log (stderr) is kept beside its console: when a test fails it says why the demo stopped, if it did.
        _ = FileManager.default.createFile(atPath: directory.appendingPathComponent("log.txt").path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: directory.appendingPathComponent("log.txt"))
        try process.run()
    }

    var console: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }
    /// The end of the demo's log, and whether it is still running.
    var logTail: String {
        let log = (try? String(contentsOf: directory.appendingPathComponent("log.txt"), encoding: .utf8)) ?? ""
        // A crash's first lines say where; the tail of a backtrace is other threads.
        let crash = log.range(of: "Program crashed").map { String(log[$0.lowerBound...].prefix(4000)) + "\n…\n" }
        return "(demo \(process.isRunning ? "running" : "exited with \(process.terminationStatus)"))\n"
            + (crash ?? "") + log.suffix(3000)
    }

    /// The admin key the demo prints, once it has.
    func adminKey() async throws -> String {
        for _ in 0..<300 {
            if let key = console.split(whereSeparator: { $0 == " " || $0.isNewline }).map(String.init).first(where: {
                $0.hasPrefix("pfk_")
            }) {
                return key
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw DemoDidNotStart(console: console)
    }

    /// Kills it if still running and removes its directory.
    func discard() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: directory)
    }
}

struct DemoDidNotStart: Error, CustomStringConvertible {
    let console: String
    var description: String { "the demo printed no admin key: \(console.suffix(2000))" }
}
