import AsyncHTTPClient
import FarmDomain
import Foundation
import PrinterTestSupport
import Testing
import VirtualPrinter

@testable import PrinterLink

/// The OctoPrint connector against a real OctoPrint 1.11 and its bundled Virtual Printer.
@Suite("OctoPrint connector, real OctoPrint", .serialized)
struct OctoPrintConnectorTests {
    /// Generous: OctoPrint is a Python server sharing two cores with the whole suite.
    let patience = 90.0

    /// A G-code file of `seconds` of dwelling in steps of a fifth of a second (the Virtual Printer sleeps for a
    /// G4 for real), so a print lasts long enough to pause and cancel, whatever the machine's load.
    static func gcode(seconds: Double) throws -> String {
        var text = "; printfarm test\nG28\nG90\nM83\n"
        for step in 0..<Int(seconds * 5) {
            text += "G1 X\(10 + step % 50) Y\(10 + step % 40) E0.05 F6000\nG4 P200\n"
        }
        text += "M84\n"
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pf-op-\(UUID().uuidString).gcode")
        try text.write(to: path, atomically: true, encoding: .utf8)
        return path.path
    }

    func connector(_ octoprint: RealOctoPrint, key: String? = nil) -> OctoPrintConnector {
        OctoPrintConnector(
            client: OctoPrintClient(base: octoprint.base, apiKey: key ?? octoprint.apiKey, http: HTTPClient.shared),
            seed: 3)
    }

    @Test("upload into the farm folder, print to completion: printing with progress, then complete with the file")
    func printToCompletion() async throws {
        let octoprint = try RealOctoPrint()
        try await octoprint.start()
        let watch = ConnectorWatch(connector(octoprint))
        defer { watch.stop() }
        let idle = await watch.first(within: patience) { $0.link == .live && $0.state == .idle }
        #expect(idle?.host == .ready, "\(watch.reports)")
        #expect(await watch.first(within: patience) { $0.extruder != nil } != nil, "temperatures come")

        let path = try await watch.connector.upload(file: try Self.gcode(seconds: 4), as: "run-a.gcode")
        #expect(path == "printfarm/run-a.gcode")
        try await watch.connector.start(path)
        let printing = await watch.first(within: patience) { $0.job == .printing && $0.filename == path }
        #expect(printing?.state == .busy, "\(watch.reports)")
        let done = await watch.first(within: patience) { $0.job == .complete }
        #expect(done?.filename == path && done?.progress == 1 && done?.state == .idle, "\(watch.reports)")
        let percents = watch.reports.filter { $0.job == .printing }.compactMap(\.progress)
        #expect(percents == percents.sorted() && !percents.isEmpty, "\(percents)")
        #expect(
            await watch.event(within: patience) {
                if case .job(let job) = $0 { job.filename == path && job.status == .completed } else { false }
            } != nil)
        // OctoPrint keeps no history: the file's print statistics stand in for it.
        let jobs = try await watch.connector.recentJobs(limit: 10)
        #expect(jobs.first { $0.filename == path }?.status == .completed, "\(jobs)")
        try await watch.connector.delete(path)
        #expect(try await watch.connector.recentJobs(limit: 10).isEmpty)
    }

    @Test(
        "pause, resume and cancel are followed; a second cancel is refused (409); a cancelled file reads unsuccessful")
    func pauseResumeCancel() async throws {
        let octoprint = try RealOctoPrint()
        try await octoprint.start()
        let watch = ConnectorWatch(connector(octoprint))
        defer { watch.stop() }
        _ = await watch.first(within: patience) { $0.link == .live && $0.state == .idle }
        let path = try await watch.connector.upload(file: try Self.gcode(seconds: 120), as: "run-b.gcode")
        try await watch.connector.start(path)
        _ = await watch.first(within: patience) { $0.job == .printing && $0.filename == path }
        let refused = await refusal { try await watch.connector.start(path) }
        #expect(refused?.kind == .conflict, "never a double start: \(String(describing: refused))")

        try await watch.connector.pause()
        let paused = await watch.first(within: patience) { $0.job == .paused }
        #expect(paused?.state == .paused && paused?.filename == path, "\(watch.reports)")
        try await watch.connector.resume()
        let resumed = await watch.poll(within: patience) {
            watch.reports.last.flatMap { $0.job == .printing ? $0 : nil }
        }
        #expect(resumed != nil, "\(watch.reports.suffix(3))")
        try await watch.connector.cancel()
        let cancelled = await watch.first(within: patience) { $0.job == .cancelled }
        #expect(cancelled?.filename == path && cancelled?.state == .idle, "\(watch.reports.suffix(3))")
        let again = await refusal { try await watch.connector.cancel() }
        #expect(again?.kind == .conflict && again?.message.contains("neither printing nor paused") == true)
        // Afterwards OctoPrint can say only that it did not succeed, not how.
        let jobs = try await watch.connector.recentJobs(limit: 10)
        #expect(jobs.first { $0.filename == path }?.status == .unsuccessful, "\(jobs)")
        #expect(await refusal { _ = try await watch.connector.excludeObject("PART_1") }?.kind == .unsupported)
    }

    @Test(
        "OctoPrint killed mid-print is down, comes back by itself with the print gone and no record of it; a bad key is unauthorized"
    )
    func killedMidPrint() async throws {
        let octoprint = try RealOctoPrint()
        try await octoprint.start()
        let watch = ConnectorWatch(connector(octoprint))
        defer { watch.stop() }
        _ = await watch.first(within: patience) { $0.link == .live && $0.state == .idle }
        let path = try await watch.connector.upload(file: try Self.gcode(seconds: 120), as: "run-c.gcode")
        try await watch.connector.start(path)
        _ = await watch.first(within: patience) { $0.job == .printing }
        octoprint.stop()
        let down = await watch.first(within: patience) { $0.link == .down }
        #expect(down?.state == .offline, "\(watch.reports.suffix(3))")
        try await octoprint.start()
        let back = await watch.poll(within: patience) {
            watch.reports.last.flatMap { $0.link == .live && $0.state == .idle ? $0 : nil }
        }
        #expect(back?.job == .standby, "the print did not survive: \(watch.reports.suffix(3))")
        let jobs = try await watch.connector.recentJobs(limit: 10)
        #expect(
            !jobs.contains { $0.filename == path && $0.status != .inProgress }, "no record of the lost print: \(jobs)")

        let wrong = ConnectorWatch(connector(octoprint, key: "WRONGKEY0000000000000000000000"))
        defer { wrong.stop() }
        let unauthorized = await wrong.first(within: patience) { $0.link == .unauthorized }
        #expect(unauthorized?.state == .offline && unauthorized?.linkReason?.contains("API key") == true)
    }

    @Test(
        "a printer disconnected from OctoPrint is offline and refuses a start; a firmware error is an error; reconnecting recovers both"
    )
    func disconnectedAndError() async throws {
        let octoprint = try RealOctoPrint()
        try await octoprint.start()
        let watch = ConnectorWatch(connector(octoprint))
        defer { watch.stop() }
        _ = await watch.first(within: patience) { $0.link == .live && $0.state == .idle }
        let path = try await watch.connector.upload(file: try Self.gcode(seconds: 60), as: "run-d.gcode")
        #expect(try await octoprint.post("/api/connection", #"{"command": "disconnect"}"#) == 204)
        let away = await watch.first(within: patience) { $0.host == .disconnected }
        #expect(away?.state == .offline && away?.link == .hostNotReady, "\(watch.reports.suffix(3))")
        let refused = await refusal { try await watch.connector.start(path) }
        #expect(refused?.kind == .conflict, "\(String(describing: refused))")
        try await watch.connector.recover(.firmwareRestart)
        #expect(await watch.poll(within: patience) { watch.reports.last?.state == .idle ? true : nil } == true)

        try await watch.connector.start(path)
        _ = await watch.first(within: patience) { $0.job == .printing }
        _ = try await octoprint.post("/api/printer/command", #"{"command": "!!DEBUG:trigger_fatal_error_marlin"}"#)
        let error = await watch.first(within: patience) { $0.state == .error }
        #expect(error?.recovery == .firmwareRestart, "\(watch.reports.suffix(3))")
        #expect(error?.message?.isEmpty == false, "OctoPrint's words: \(String(describing: error))")
        try await watch.connector.recover(.firmwareRestart)
        let recovered = await watch.poll(within: patience) {
            watch.reports.last.flatMap { $0.host == .ready && $0.job != .printing ? $0 : nil }
        }
        #expect(recovered != nil, "\(watch.reports.suffix(3))")
    }

    @Test(
        """
        OctoPrint's classic webcam, as a user sets it in config.yaml, is the printer's camera: a relative stream on \
        OctoPrint's own server, an absolute snapshot kept, and the picture read from it
        """
    )
    func classicWebcam() async throws {
        try await withCameraStandIn { camera in
            let snapshot = camera.appendingPathComponent(VirtualCamera.snapshotPath).absoluteString
            let octoprint = try RealOctoPrint(webcam: (stream: "/webcam/?action=stream", snapshot: snapshot))
            try await octoprint.start()
            defer { octoprint.stop() }
            let cameras = try await connector(octoprint).cameras()
            #expect(cameras.count == 1, "\(cameras)")
            #expect(cameras.first?.stream?.absoluteString == "\(octoprint.base.absoluteString)/webcam/?action=stream")
            #expect(cameras.first?.snapshot?.absoluteString == snapshot)
            let picture = try await CameraReader().snapshot(try #require(cameras.first))
            #expect(picture == VirtualCamera.picture)
        }
    }
}
