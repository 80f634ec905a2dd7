import AsyncHTTPClient
import ChildProcess
import Foundation
import NIOCore

/// A real OctoPrint 1.11 (from PyPI, installed by scripts/test) with its bundled Virtual Printer, in a throwaway
/// base folder on a free 127.0.0.1 port. Its user `farm` has a pre-seeded API key; the serial port `VIRTUAL`
/// connects on start. `stop()` kills it (as a crash would) and `start()` brings the same instance back.
public final class RealOctoPrint: @unchecked Sendable {
    public let basedir: URL
    public let port: Int
    public let apiKey = "PFTEST" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
    private var process: ChildProcess?

    public var base: URL { URL(string: "http://127.0.0.1:\(port)")! }
    /// OctoPrint's own output, for when it does not start.
    var log: URL { basedir.appendingPathComponent("console.log") }

    public static func executable() throws -> String {
        guard let path = ProcessInfo.processInfo.environment["PRINTFARM_TEST_OCTOPRINT"],
            FileManager.default.isExecutableFile(atPath: path)
        else {
            throw OctoPrintSetupError(
                "PRINTFARM_TEST_OCTOPRINT is not set: run scripts/test, which installs OctoPrint 1.11 from PyPI")
        }
        return path
    }

    /// `throttle`: the Virtual Printer's pause per line (its default 0.01 s makes a sliced part take many minutes).
    /// `webcam`: the stream and snapshot addresses of OctoPrint's bundled classic webcam, as a user sets them (with
    /// the plugin's settings version: without it OctoPrint migrates the old `webcam` section over them at start).
    public init(throttle: Double = 0.001, webcam: (stream: String, snapshot: String)? = nil) throws {
        basedir = FileManager.default.temporaryDirectory.appendingPathComponent("pf-octoprint-\(UUID().uuidString)")
        port = try freeLoopbackPort()
        try FileManager.default.createDirectory(at: basedir, withIntermediateDirectories: true)
        let classicWebcam = webcam.map {
            "  classicwebcam:\n    _config_version: 1\n    stream: \"\($0.stream)\"\n    snapshot: \"\($0.snapshot)\"\n"
        }
        let config = """
            server:
              host: 127.0.0.1
              port: \(port)
              firstRun: false
              onlineCheck:
                enabled: false
              pluginBlacklist:
                enabled: false
            accessControl:
              autologinLocal: false
            plugins:
              virtual_printer:
                enabled: true
                throttle: \(throttle)
              tracking:
                enabled: false
              announcements:
                enabled: false
              errortracking:
                enabled: false
              softwareupdate:
                check_providers: {}
            \(classicWebcam ?? "")\
            serial:
              port: VIRTUAL
              baudrate: 0
              autoconnect: true
            """
        try config.write(to: basedir.appendingPathComponent("config.yaml"), atomically: true, encoding: .utf8)
        // The password hash is argon2 of a throwaway password: the tests use the API key only.
        let users = """
            _version: 2
            farm:
              active: true
              apikey: \(apiKey)
              groups:
              - admins
              password: $argon2id$v=19$m=65536,t=3,p=4$upfy/r8XgnDOmfPee28NYQ$B4mSBpOin94FXLIHFbQCvKqzLxchIItfCsVC3/Y9aB0
              permissions: []
              roles:
              - user
              - admin
              settings: {}
            """
        try users.write(to: basedir.appendingPathComponent("users.yaml"), atomically: true, encoding: .utf8)
    }

    /// Starts OctoPrint and waits until it answers and its Virtual Printer is operational (300 s at most: OctoPrint
    /// takes 5 s to start on a quiet machine, and far longer beside a whole test suite on two cores — once more than
    /// 180 s with two simulations running beside the suite).
    public func start() async throws {
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: try Self.executable())
        process.arguments = [
            "--basedir", basedir.path, "serve", "--iknowwhatimdoing", "--host", "127.0.0.1", "--port", String(port),
        ]
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        try output.seekToEnd()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        self.process = process
        try? output.close()
        let deadline = Date().addingTimeInterval(300)
        while Date() < deadline {
            let current = (try? await get("/api/connection"))?["current"] as? [String: Any]
            if current?["state"] as? String == "Operational" {
                return
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        stop()
        let said = (try? String(contentsOf: log, encoding: .utf8)).map { String($0.suffix(1500)) } ?? ""
        throw OctoPrintSetupError("OctoPrint did not become operational on port \(port) within 300 s: \(said)")
    }

    /// SIGKILL, as a crash: children of the test runner inherit its blocked signal mask, so SIGTERM never arrives.
    public func stop() {
        guard let process else { return }
        self.process = nil
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// A GET of OctoPrint's API with the key, as JSON.
    public func get(_ path: String) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: base.absoluteString + path)
        request.headers.add(name: "X-Api-Key", value: apiKey)
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 22)
        return (try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]) ?? [:]
    }

    /// A POST of JSON to OctoPrint's API with the key; answers the status.
    @discardableResult
    public func post(_ path: String, _ json: String) async throws -> Int {
        var request = HTTPClientRequest(url: base.absoluteString + path)
        request.method = .POST
        request.headers.add(name: "X-Api-Key", value: apiKey)
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: json))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        return Int(response.status.code)
    }

    /// OctoPrint's state text (`GET /api/job`).
    public func state() async throws -> String? { try await get("/api/job")["state"] as? String }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: basedir)
    }
}

public struct OctoPrintSetupError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A port nothing listens on now (bound, read, released).
public func freeLoopbackPort() throws -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw POSIXError(.EMFILE) }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
    }
    guard bound else { throw POSIXError(.EADDRINUSE) }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(descriptor, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}
