import Foundation
import Testing

@testable import PrinterLink

/// The OctoPrint push link without a socket: frames in the shapes OctoPrint 1.11 sends (push.rst, and what the
/// real one sent in OctoPrintConnectorTests), and the time.
@Suite("OctoPrint session")
struct OctoPrintSessionTests {
    static let login = OctoPrintSession.Login(name: "farm", session: "s3ss10n")

    static func current(
        _ text: String, flags: [String: Bool] = [:], file: String? = nil, completion: Double? = nil, tool: Double = 21
    ) -> String {
        let flagText = flags.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ")
        let path = file.map { "\"\($0)\"" } ?? "null"
        let done = completion.map { "\($0)" } ?? "null"
        return """
            {"current": {"state": {"text": "\(text)", "flags": {\(flagText)}, "error": ""},
             "job": {"file": {"name": null, "path": \(path), "origin": "local"}},
             "progress": {"completion": \(done), "filepos": 10, "printTime": 12, "printTimeLeft": 40},
             "temps": [{"time": 1, "tool0": {"actual": \(tool), "target": 0}, "bed": {"actual": 21, "target": 0}}]}}
            """
    }

    static let operational = ["operational": true, "ready": true]
    static let printing = ["operational": true, "printing": true]

    /// A session logged in, opened and authenticated, with what it did on the way.
    func live() -> (OctoPrintSession, [OctoPrintSession.Action]) {
        var session = OctoPrintSession(seed: 7)
        var actions = session.start()
        actions += session.handle(.loggedIn(.success(Self.login)), at: 0)
        actions += session.handle(.opened, at: 0.1)
        actions += session.handle(.frame(Self.current("Operational", flags: Self.operational)), at: 0.2)
        return (session, actions)
    }

    func reports(_ actions: [OctoPrintSession.Action]) -> [MachineReport] {
        actions.compactMap { if case .report(let report) = $0 { report } else { nil } }
    }

    @Test("log in passively, open, subscribe before authenticating with name:session, then report the printer idle")
    func handshake() throws {
        let (_, actions) = live()
        #expect(actions.first == .login(after: 0))
        #expect(actions.contains(.open))
        let sent = actions.compactMap { if case .send(let text) = $0 { text } else { nil } }
        #expect(sent.count == 2)
        #expect(JSONValue.parse(sent[0])?["subscribe"]?["events"] == true, "subscribe first: \(sent)")
        #expect(JSONValue.parse(sent[1])?["auth"] == "farm:s3ss10n")
        let report = try #require(reports(actions).last)
        #expect(report.link == .live && report.host == .ready && report.job == .standby && report.state == .idle)
        #expect(report.extruder?.temperature == 21)
    }

    @Test("a print is followed by its completion percentage, and its end by the PrintDone event, file kept")
    func printToCompletion() throws {
        var (session, _) = live()
        let file = "printfarm/run-1.gcode"
        var actions = session.handle(
            .frame(#"{"event": {"type": "PrintStarted", "payload": {"path": "\#(file)"}}}"#), at: 1)
        actions += session.handle(
            .frame(Self.current("Printing", flags: Self.printing, file: file, completion: 42.5)), at: 1.5)
        let printing = try #require(reports(actions).last)
        #expect(printing.job == .printing && printing.filename == file && printing.state == .busy)
        #expect(printing.progress == 0.425, "OctoPrint's completion is a percentage")
        #expect(actions.contains(.job(MachineJob(filename: file, status: .inProgress, detail: "started"))))
        // OctoPrint is Operational again at once, the file still selected: only the event says how it ended.
        actions = session.handle(.frame(#"{"event": {"type": "PrintDone", "payload": {"path": "\#(file)"}}}"#), at: 9)
        actions += session.handle(.frame(Self.current("Operational", flags: Self.operational, file: file)), at: 9.2)
        let done = try #require(reports(actions).last)
        #expect(done.job == .complete && done.filename == file && done.progress == 1 && done.state == .idle)
        #expect(actions.contains(.job(MachineJob(filename: file, status: .completed, detail: "done"))))
        // The next print clears it.
        actions = session.handle(
            .frame(#"{"event": {"type": "PrintStarted", "payload": {"path": "b.gcode"}}}"#), at: 10)
        actions += session.handle(
            .frame(Self.current("Printing", flags: Self.printing, file: "b.gcode", completion: 1)), at: 10.5)
        #expect(reports(actions).last?.job == .printing && reports(actions).last?.filename == "b.gcode")
    }

    @Test("a cancel and a failure are told apart live by the events; a failure's message stays until the reset")
    func cancelAndFailure() throws {
        var (session, _) = live()
        let file = "printfarm/run-2.gcode"
        _ = session.handle(.frame(Self.current("Printing", flags: Self.printing, file: file, completion: 5)), at: 1)
        var actions = session.handle(
            .frame(#"{"event": {"type": "PrintCancelled", "payload": {"path": "\#(file)", "progress": 5}}}"#), at: 2)
        actions += session.handle(.frame(Self.current("Operational", flags: Self.operational, file: file)), at: 2.5)
        #expect(reports(actions).last?.job == .cancelled && reports(actions).last?.filename == file)

        _ = session.handle(.frame(#"{"event": {"type": "PrintStarted", "payload": {"path": "\#(file)"}}}"#), at: 3)
        actions = session.handle(
            .frame(#"{"event": {"type": "Error", "payload": {"error": "MINTEMP triggered", "reason": "firmware"}}}"#),
            at: 4)
        actions += session.handle(
            .frame(#"{"event": {"type": "PrintFailed", "payload": {"path": "\#(file)", "reason": "error"}}}"#), at: 4)
        actions += session.handle(
            .frame(Self.current("Offline after error", flags: ["error": true, "closedOrError": true])), at: 4.5)
        let failed = try #require(reports(actions).last)
        #expect(failed.host == .error && failed.link == .hostNotReady && failed.state == .error, "\(failed)")
        #expect(failed.message == "MINTEMP triggered" && failed.recovery == .firmwareRestart)
        #expect(actions.contains { if case .job(let job) = $0 { job.status == .failed } else { false } })
    }

    @Test("pausing is still printing (a resume then is ignored by OctoPrint); paused is paused")
    func pausing() {
        var status = OctoPrintStatus()
        status.flags = ["operational": true, "pausing": true]
        #expect(status.job == .printing)
        status.flags = ["operational": true, "paused": true]
        #expect(status.job == .paused)
        status.flags = [:]
        status.text = "Pausing"
        #expect(status.job == .printing)
        status.text = "Paused"
        #expect(status.job == .paused)
    }

    @Test("a printer OctoPrint is not connected to is offline with OctoPrint's words, and connecting is startup")
    func hostStates() {
        var status = OctoPrintStatus()
        for (text, host) in [
            ("Offline", MachineReport.Host.disconnected), ("Closed", .disconnected),
            ("Opening serial connection", .startup),
            ("Connecting", .startup), ("Offline after error", .error), ("Error: Too many consecutive timeouts", .error),
            ("Operational", .ready), ("Printing", .ready),
        ] {
            status.text = text
            status.flags = [:]
            #expect(status.host == host, "\(text)")
        }
        status.text = "Offline"
        let report = status.report()
        #expect(
            report.link == .hostNotReady && report.state == .offline && report.linkReason?.contains("Offline") == true)
    }

    @Test("silence is answered by HTTP polls, and a silent socket whose polls fail is closed and reopened")
    func silence() throws {
        var (session, _) = live()
        #expect(session.handle(.tick, at: 4) == [])
        #expect(session.handle(.tick, at: 5.3) == [.poll])
        #expect(session.handle(.tick, at: 6) == [], "one poll per silence period")
        let answer = OctoPrintSession.PollAnswer(
            connection: ["current": ["state": "Printing"]],
            job: ["state": "Printing", "job": ["file": ["path": "x.gcode"]], "progress": ["completion": 50]],
            printer: ["state": ["text": "Printing", "flags": ["operational": true, "printing": true]]])
        let polled = reports(session.handle(.polled(.success(answer)), at: 6.1))
        #expect(polled.last?.job == .printing && polled.last?.linkReason?.contains("silent") == true)
        #expect(session.handle(.tick, at: 10.4) == [.poll])
        #expect(session.handle(.polled(.failure(.init("refused"))), at: 10.5) == [], "one failed poll is not an outage")
        let closing = session.handle(.tick, at: 15.5)
        guard case .close = closing.first else {
            Issue.record("a socket silent for 15 s whose poll failed is closed: \(closing)")
            return
        }
    }

    @Test("a closed socket reports the printer down once, then logs in again after a growing, jittered backoff")
    func reconnect() throws {
        var (session, _) = live()
        var delays: [Double] = []
        var downs = 0
        for attempt in 0..<6 {
            let actions = session.handle(.closed(code: attempt == 0 ? 1006 : nil, reason: "gone"), at: Double(attempt))
            downs += reports(actions).filter { $0.link == .down }.count
            for case .login(let delay) in actions { delays.append(delay) }
            _ = session.handle(.loggedIn(.failure(.init("connection refused"))), at: Double(attempt) + 0.5)
        }
        #expect(downs == 1, "one report per outage")
        #expect(delays.count == 6 && delays.allSatisfy { $0 > 0 && $0 <= 30 }, "\(delays)")
        #expect(delays.last! > delays.first!, "backoff grows: \(delays)")
    }

    @Test("a refused API key is reported as such and retried slowly; a garbage frame is ignored once, in words")
    func unauthorizedAndGarbage() throws {
        var session = OctoPrintSession(seed: 1)
        _ = session.start()
        let actions = session.handle(.loggedIn(.failure(.init("HTTP 403: Forbidden", unauthorized: true))), at: 0)
        #expect(reports(actions).first?.link == .unauthorized)
        #expect(reports(actions).first?.linkReason?.contains("API key") == true)
        guard case .login(let delay) = actions.last else {
            Issue.record("it tries again: \(actions)")
            return
        }
        #expect(delay >= 15, "slowly: \(delay)")

        var (live, _) = live()
        let garbage = live.handle(.frame("<html>502</html>"), at: 1)
        #expect(garbage.count == 1 && { if case .log = garbage[0] { true } else { false } }())
        #expect(live.handle(.frame("<html>502</html>"), at: 2) == [], "said once")
        #expect(live.handle(.frame(#"{"plugin": {"plugin": "x", "data": {}}, "slicingProgress": {}}"#), at: 3) == [])
        let reauth = live.handle(.frame(#"{"reauthRequired": {"reason": "logout"}}"#), at: 4)
        guard case .close = reauth.last else {
            Issue.record("a reauth request closes the socket to log in again: \(reauth)")
            return
        }
    }

    @Test("the reset recovery clears a failed job OctoPrint itself has forgotten")
    func resetClearsOutcome() throws {
        var (session, _) = live()
        var actions = session.handle(
            .frame(#"{"event": {"type": "PrintFailed", "payload": {"path": "a.gcode", "reason": "error"}}}"#), at: 1)
        actions += session.handle(.frame(Self.current("Operational", flags: Self.operational)), at: 1.1)
        let failed = reports(actions)
        #expect(failed.last?.job == .error && failed.last?.recovery == .resetJob, "\(failed)")
        let cleared = reports(session.clearOutcome())
        #expect(cleared.last?.job == .standby && cleared.last?.isRecovered == true)
    }

    @Test("OctoPrint's error answers: a JSON error, an HTML page, a refused key")
    func errors() {
        let conflict = OctoPrintClient.error(
            status: 409,
            body: Data(
                #"{"error": "Printer is neither printing nor paused, 'cancel' command cannot be performed"}"#.utf8))
        #expect(conflict.kind == .conflict && conflict.message.hasPrefix("Printer is neither printing"))
        let html = OctoPrintClient.error(status: 500, body: Data("<!DOCTYPE html><html><body>Oops</body></html>".utf8))
        #expect(html.kind == .serverError && html.message.contains("HTML page"))
        #expect(OctoPrintClient.error(status: 403, body: Data("Forbidden".utf8)).kind == .unauthorized)
        // What OctoPrint 1.11 answers a passive login with a key it does not know.
        let csrf = OctoPrintClient.error(status: 400, body: Data(#"{"error": "CSRF validation failed"}"#.utf8))
        #expect(csrf.kind == .unauthorized)
        #expect(OctoPrintClient.error(status: 404, body: Data()).kind == .notFound)
    }
}
