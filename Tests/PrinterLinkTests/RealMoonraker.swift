import AsyncHTTPClient
import ChildProcess
import Foundation
import NIOCore
import PrinterTestSupport
import Testing

@testable import PrinterLink

/// A real Moonraker 0.11 (from PyPI, installed by scripts/test) in a throwaway data folder on a free 127.0.0.1
/// port. With no Klipper host behind it, it serves the server, file and history APIs and reports Klippy as not
/// ready. `trusted` lets loopback in without a key; otherwise the API key is required.
final class RealMoonraker: @unchecked Sendable {
    let data: URL
    let port: Int
    private var process: ChildProcess?

    var base: URL { URL(string: "http://127.0.0.1:\(port)")! }

    static func executable() throws -> String {
        guard let path = ProcessInfo.processInfo.environment["PRINTFARM_TEST_MOONRAKER"],
            FileManager.default.isExecutableFile(atPath: path)
        else {
            throw TestSetupError(
                "PRINTFARM_TEST_MOONRAKER is not set: run scripts/test, which installs Moonraker \(0.11) from PyPI")
        }
        return path
    }

    init() throws {
        data = FileManager.default.temporaryDirectory.appendingPathComponent("pf-moonraker-\(UUID().uuidString)")
        port = try freeLoopbackPort()
        for folder in ["config", "comms", "gcodes", "logs"] {
            try FileManager.default.createDirectory(
                at: data.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
    }

    /// Starts Moonraker and waits until it answers.
    /// `objectProcessing`: Moonraker adds Klipper's object definitions to uploads that lack them.
    /// `webcams`: extra `[webcam …]` sections, as a farm configures its cameras in moonraker.conf.
    func start(trusted: Bool, objectProcessing: Bool = false, webcams: String = "") async throws {
        let trust = trusted ? "trusted_clients:\n    127.0.0.0/8\n" : "force_logins: False\n"
        let config = """
            [server]
            host: 127.0.0.1
            port: \(port)
            klippy_uds_address: \(data.path)/comms/klippy.sock

            [machine]
            provider: none
            validate_service: False
            validate_config: False

            [authorization]
            \(trust)
            [file_manager]
            enable_object_processing: \(objectProcessing ? "True" : "False")

            [history]

            \(webcams)
            """
        let file = data.appendingPathComponent("config/moonraker.conf")
        try config.write(to: file, atomically: true, encoding: .utf8)
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: try Self.executable())
        process.arguments = ["-d", data.path, "-c", file.path, "-n"]
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        self.process = process
        for _ in 0..<150 {
            var request = HTTPClientRequest(url: "\(base.absoluteString)/access/info")
            request.method = .GET
            if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(1)),
                response.status == .ok
            {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        stop()
        throw TestSetupError("Moonraker did not answer on port \(port) within 15 s")
    }

    /// SIGKILL: children of the test runner inherit its blocked signal mask, so SIGTERM never reaches Moonraker
    /// (its data folder is thrown away anyway).
    func stop() {
        guard let process else { return }
        self.process = nil
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Starts trusted to read the API key (as an operator reads it once), then restarts requiring it.
    func startRequiringKey() async throws -> String {
        try await start(trusted: true)
        let key = try await MoonrakerClient(base: base, apiKey: nil, http: HTTPClient.shared).fetchAPIKey()
        stop()
        try await start(trusted: false)
        return key
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: data)
    }
}

/// The error a Moonraker call failed with (nil when it succeeded, which the caller's expectation then catches).
/// Untyped on purpose: `catch let e as ConnectorError` around a `throws(ConnectorError)` call crashes Swift 6.3.1.
func refusal(_ body: () async throws -> Void) async -> ConnectorError? {
    do {
        try await body()
        return nil
    } catch {
        return error as? ConnectorError
    }
}

struct TestSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
