import AsyncHTTPClient
import Foundation
import PrinterTestSupport
import Testing

@testable import PrinterLink

/// The HTTP half of the connector against a real Moonraker 0.11 (no Klipper behind it).
@Suite("Moonraker client, real Moonraker", .serialized)
struct MoonrakerClientTests {
    static let gcode = Bundle.module.resourceURL!.appendingPathComponent("Recordings/gcode/cube_10x10x2.gcode").path

    @Test(
        "server info, files and history work without Klipper; printer commands say Klipper is not ready; a poll says so too"
    )
    func withoutKlipper() async throws {
        let moonraker = try RealMoonraker()
        try await moonraker.start(trusted: true)
        defer { moonraker.stop() }
        let client = MoonrakerClient(base: moonraker.base, apiKey: nil, http: HTTPClient.shared)
        let info = try await client.serverInfo()
        #expect(info["klippy_connected"]?.bool == false)
        #expect(
            ["disconnected", "startup"].contains(info["klippy_state"]?.string ?? ""), "\(info["klippy_state"] ?? .null)"
        )

        let printer = await refusal { _ = try await client.printerInfo() }
        #expect(printer?.kind == .hostNotReady, "\(String(describing: printer))")
        #expect(printer?.description.contains("Klipper has not connected") == true)
        let start = await refusal { try await client.start("printfarm/anything.gcode") }
        #expect(start?.kind == .hostNotReady)

        let poll = await client.poll()
        #expect((try? poll.get())?.host == info["klippy_state"]?.string && (try? poll.get())?.status == nil)
        #expect(try await client.history().isEmpty)
    }

    @Test(
        "upload into our folder, list, read metadata, delete; deleting again is refused with the reason; other folders are left alone"
    )
    func files() async throws {
        let moonraker = try RealMoonraker()
        try await moonraker.start(trusted: true)
        defer { moonraker.stop() }
        let client = MoonrakerClient(base: moonraker.base, apiKey: nil, http: HTTPClient.shared)
        let path = try await client.upload(file: Self.gcode, as: "run-0193 cube.gcode")
        #expect(path == "printfarm/run-0193 cube.gcode")
        let size = try #require(try FileManager.default.attributesOfItem(atPath: Self.gcode)[.size] as? Int)
        let listed = try await client.files()
        #expect(listed.map(\.path) == [path] && listed.first?.size == size, "\(listed)")
        let metadata = try await client.metadata(path)
        #expect(metadata["slicer"]?.string == "PrusaSlicer", "\(metadata)")
        #expect(
            (metadata["gcode_start_byte"]?.int ?? 0) > 0
                && (metadata["gcode_end_byte"]?.int ?? 0) > (metadata["gcode_start_byte"]?.int ?? 0))
        try "; not ours\n".write(
            toFile: moonraker.data.appendingPathComponent("gcodes/theirs.gcode").path, atomically: true, encoding: .utf8
        )
        #expect(try await client.files().count == 1, "only our folder")
        #expect(try await client.files(in: nil).count == 2)
        try await client.delete(path)
        #expect(try await client.files().isEmpty)
        let again = await refusal { try await client.delete(path) }
        #expect(
            again?.kind == .rejected && again?.message.contains("Invalid file path") == true,
            "Moonraker says 400, detail in the traceback: \(String(describing: again))")
        let missing = await refusal { _ = try await client.metadata("printfarm/none.gcode") }
        #expect(
            missing?.kind == .notFound
                && missing?.message.contains("Metadata not available for <printfarm/none.gcode>") == true,
            "the detail from the traceback: \(String(describing: missing))")
    }

    @Test(
        "an API key is required once loopback is not trusted: none and a wrong one are unauthorized, the right one works"
    )
    func apiKey() async throws {
        let moonraker = try RealMoonraker()
        let key = try await moonraker.startRequiringKey()
        defer { moonraker.stop() }
        let none = await refusal {
            _ = try await MoonrakerClient(base: moonraker.base, apiKey: nil, http: HTTPClient.shared).serverInfo()
        }
        #expect(none?.kind == .unauthorized && none?.status == 401)
        let wrong = await refusal {
            _ = try await MoonrakerClient(
                base: moonraker.base, apiKey: "0123456789abcdef0123456789abcdef", http: HTTPClient.shared
            ).serverInfo()
        }
        #expect(
            wrong?.kind == .unauthorized && wrong?.message.contains("Invalid API Key") == true,
            "\(String(describing: wrong))")
        let right = try await MoonrakerClient(base: moonraker.base, apiKey: key, http: HTTPClient.shared).serverInfo()
        #expect(right["klippy_connected"]?.bool == false)
    }

    @Test("nothing listening, a server that never answers, and a non-Moonraker answer each fail with their reason")
    func unreachable() async throws {
        let closed = MoonrakerClient(
            base: URL(string: "http://127.0.0.1:\(try freeLoopbackPort())")!, apiKey: nil, http: HTTPClient.shared,
            timeout: .seconds(2))
        let refused = await refusal { _ = try await closed.serverInfo() }
        #expect(refused?.kind == .unreachable)

        // A socket that accepts and never answers.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, 4) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        let silent = MoonrakerClient(
            base: URL(string: "http://127.0.0.1:\(UInt16(bigEndian: address.sin_port))")!, apiKey: nil,
            http: HTTPClient.shared, timeout: .seconds(1))
        let started = ContinuousClock.now
        let hung = await refusal { _ = try await silent.serverInfo() }
        #expect(hung?.kind == .unreachable && hung?.message == "no answer in time", "\(String(describing: hung))")
        // A ceiling, not a measurement: the 1 s timeout must end the wait, not a hang; a loaded machine takes longer
        // to get there (5.6 s was seen with two builds beside the suite).
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test("Moonraker's error bodies, as recorded: the detail is dug out of the traceback where the message is generic")
    func recordedErrors() throws {
        var seen: [String: ConnectorError] = [:]
        for line in try RecordingReplay.lines("errors.jsonl") where line["kind"]?.string == "http" {
            guard let status = line["status"]?.int, status >= 400, let response = line["response"] else { continue }
            let error = ConnectorError.moonraker(status: status, body: Data(response.text.utf8))
            seen["\(line["method"]?.string ?? "") \(line["path"]?.string ?? "") \(status)"] = error
        }
        #expect(
            seen["DELETE /server/files/gcodes/printfarm/cube_10x10x2.gcode 403"]?.message
                == "Forbidden (File currently in use)")
        #expect(seen["POST /server/files/upload 400"]?.message.hasPrefix("Bad Request (") == true)
        #expect(seen["GET /server/history/job 404"]?.message == "Invalid job uid: FFFFFF")
        #expect(seen["POST /printer/print/start 400"]?.kind == .rejected)
        #expect(
            ConnectorError.moonraker(status: 502, body: Data("<html>bad gateway</html>".utf8))
                == ConnectorError(kind: .serverError, status: 502, message: "Bad Gateway"))
        #expect(ConnectorError.moonraker(rpcError: ["code": -32602, "message": "Unauthorized"]).kind == .unauthorized)
        #expect(
            ConnectorError.moonraker(rpcError: ["code": 503, "message": "Klippy Host not connected"]).kind
                == .hostNotReady)
        #expect(ConnectorError.moonraker(rpcError: ["code": -32601, "message": "Method not found"]).kind == .malformed)
    }
}
