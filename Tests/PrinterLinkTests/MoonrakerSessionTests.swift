import FarmDomain
import Foundation
import Testing

@testable import PrinterLink

/// The Moonraker session against recordings of a real Moonraker 0.11 with a real Klipper behind it.
@Suite("Moonraker session, replayed")
struct MoonrakerSessionTests {
    /// The distinct job states in order (consecutive repeats folded).
    func jobs(_ reports: [MachineReport]) -> [String] {
        reports.compactMap { $0.link == .live ? $0.job?.rawValue : nil }.reduce(into: []) {
            if $0.last != $1 { $0.append($1) }
        }
    }

    @Test("connect: identify, subscribe, one snapshot; ten idle seconds of deltas and proc stats say nothing new")
    func connect() throws {
        let outcome = try RecordingReplay.play("connect-identify-subscribe.jsonl")
        #expect(outcome.sent.prefix(2) == ["server.connection.identify", "printer.objects.subscribe"])
        let reports = outcome.reports
        // The snapshot (the extruder at 0.0 °C: Klipper had just started) and, ten seconds later (temperatures alone
        // are summarised), the real reading of 25.03 °C; the 40 toolhead ticks and 10 proc-stat frames say nothing.
        #expect(reports.count == 2, "\(reports.map { "\($0)" }.joined(separator: "\n"))")
        #expect(
            outcome.actions.filter { if case .report = $0.action { true } else { false } }.map(\.at).last ?? 0 >= 10)
        let report = try #require(reports.last)
        #expect(report.link == .live && report.host == .ready && report.job == .standby && report.state == .idle)
        #expect(report.extruder?.temperature == 25.03)
        #expect(outcome.logs.isEmpty, "\(outcome.logs)")
    }

    @Test(
        "a print to completion: standby → printing → complete, layers and progress forward, the history says completed")
    func printComplete() throws {
        let outcome = try RecordingReplay.play("print-complete.jsonl")
        let reports = outcome.reports
        #expect(jobs(reports) == ["standby", "printing", "complete"], "\(jobs(reports))")
        let printing = reports.filter { $0.job == .printing }
        #expect(printing.allSatisfy { $0.filename == "printfarm/cube_10x10x2.gcode" && $0.state == .busy })
        let layers = printing.compactMap(\.currentLayer)
        #expect(layers == layers.sorted() && layers.last == 10, "\(layers)")
        let progress = printing.compactMap(\.progress)
        #expect(progress == progress.sorted() && (progress.last ?? 0) > 0.7, "progress only moves forward: \(progress)")
        #expect(reports.last?.progress == 1 && reports.last?.state == .idle)
        #expect(outcome.histories.map(\.status) == ["in_progress", "completed"])
        // Summarised: a 100 s print with heating sends ~400 deltas; the reports are the changes that matter.
        #expect(reports.count < 150, "\(reports.count) reports")
    }

    @Test("pause, resume and cancel over JSON-RPC are followed: printing → paused → printing → cancelled")
    func pauseResumeCancel() throws {
        let outcome = try RecordingReplay.play("pause-resume-cancel.jsonl")
        let states = jobs(outcome.reports)
        #expect(states.suffix(4) == ["printing", "paused", "printing", "cancelled"], "\(states)")
        #expect(outcome.reports.contains { $0.state == .paused })
        #expect(outcome.histories.last?.status == "cancelled")
    }

    @Test(
        "an emergency stop: Klippy shut down with its message (the job says paused, not error), then ready and standby after a firmware restart"
    )
    func klippyShutdown() throws {
        let outcome = try RecordingReplay.play("klippy-shutdown-midprint.jsonl")
        let reports = outcome.reports
        let shutdown = try #require(reports.first { $0.host == .shutdown })
        #expect(shutdown.state == .error && shutdown.link == .hostNotReady)
        #expect(shutdown.message?.isEmpty == false, "Klipper's words are kept: \(shutdown)")
        #expect(outcome.histories.contains { $0.status == "klippy_shutdown" })
        let last = try #require(reports.last)
        #expect(last.host == .ready && last.job == .standby && last.state == .idle, "\(last)")
        #expect(
            outcome.sent.filter { $0 == "printer.objects.subscribe" }.count >= 2,
            "subscribed again after Klippy came back")
    }

    @Test(
        "an emergency stop held for a minute while polled: one shutdown report with Klipper's own reason, no flapping; standby after FIRMWARE_RESTART"
    )
    func shutdownHeld() throws {
        let outcome = try RecordingReplay.play("shutdown-held-then-firmware-restart.jsonl")
        let timed = outcome.actions.compactMap { entry -> (at: Double, report: MachineReport)? in
            if case .report(let report) = entry.action { (entry.at, report) } else { nil }
        }
        let held = timed.filter { $0.at >= 15.4 && $0.at < 75.5 }.map(\.report)
        let first = try #require(held.first)
        #expect(first.state == .error && first.host == .shutdown, "\(first)")
        #expect(
            first.message?.hasPrefix("Shutdown due to webhooks request") == true, "Klipper's reason, not ours: \(first)"
        )
        // What the farm records of a report: state, message, job and file. None of it may change while nothing does.
        struct Seen: Equatable {
            var state: ObservedPrinterState, message: String?, job: MachineReport.Job?, file: String?,
                link: MachineReport.Link
        }
        let seen = held.map {
            Seen(state: $0.state, message: $0.message, job: $0.job, file: $0.filename, link: $0.link)
        }
        #expect(Set(seen.map { "\($0)" }).count == 1, "60 s of the same shutdown, 30 server.info rounds: \(seen)")
        #expect(held.count <= 8, "temperatures at most every 10 s, nothing else: \(held.count) reports")
        let last = try #require(timed.last?.report)
        #expect(last.host == .ready && last.job == .standby && last.state == .idle && last.message == nil, "\(last)")
    }

    @Test("an outage is one report: the reconnects that fail after the link went down say nothing new")
    func oneReportPerOutage() throws {
        var (session, _) = live(
            #"{"print_stats":{"state":"standby","filename":""},"webhooks":{"state":"ready"}}"#, seed: 3)
        let dropped = session.handle(.closed(code: 1006, reason: "closed by the printer"), at: 1)
        #expect(dropped.contains { if case .report(let report) = $0 { report.link == .down } else { false } })
        for attempt in 2...6 {
            let again = session.handle(.closed(code: nil, reason: "connection refused"), at: Double(attempt))
            #expect(!again.contains { if case .report = $0 { true } else { false } }, "attempt \(attempt): \(again)")
            #expect(again.contains { if case .open = $0 { true } else { false } }, "it keeps trying")
        }
    }

    @Test(
        "a G-code error mid-print: the job is error with Klipper's text while Klippy stays ready; SDCARD_RESET_FILE brings standby"
    )
    func gcodeError() throws {
        let outcome = try RecordingReplay.play("gcode-error-midprint.jsonl")
        let reports = outcome.reports
        let error = try #require(reports.first { $0.job == .error })
        #expect(error.state == .error && error.host == .ready && error.link == .live, "\(error)")
        #expect(error.message == "Move out of range: 146.133 -3.000 0.800 [53.510]")
        #expect(error.filename == "printfarm/cube_10x10x2_move_out_of_range.gcode")
        #expect(outcome.histories.contains { $0.status == "error" })
        let index = try #require(reports.firstIndex { $0.job == .error })
        let after = reports[(index + 1)...]
        let standby = try #require(after.first { $0.job != .error }, "the error stays until it is reset")
        #expect(standby.job == .standby && standby.state == .idle && standby.filename == nil, "\(standby)")
        #expect(after.contains { $0.job == .printing }, "the next print starts")
        #expect(reports.last?.job == .cancelled)
    }

    @Test(
        "Moonraker killed mid-print: the link goes down (1006), comes back, and the print Klipper kept running is followed to complete"
    )
    func moonrakerRestart() throws {
        let outcome = try RecordingReplay.play("moonraker-restart-midprint.jsonl")
        let reports = outcome.reports
        let down = try #require(reports.firstIndex { $0.link == .down })
        #expect(reports[down].linkReason?.contains("1006") == true, "\(reports[down])")
        #expect(reports[down].state == .offline)
        let after = reports[(down + 1)...]
        #expect(
            after.contains { $0.link == .live && $0.job == .printing },
            "the print is still running after the reconnect")
        #expect(after.last?.job == .complete)
        #expect(
            outcome.actions.contains {
                if case .open(let delay) = $0.action { delay > 0 && delay <= 30 } else { false }
            }, "reconnects after a backoff")
    }

    @Test(
        "Klippy gone: not ready (never dispatchable) while away; after SIGKILL it returns in error with no notification, found by asking"
    )
    func klippyDisconnected() throws {
        let outcome = try RecordingReplay.play("klippy-disconnected.jsonl")
        let reports = outcome.reports
        let away = try #require(reports.first { $0.host == .disconnected })
        #expect(away.link == .hostNotReady && away.state == .offline)
        #expect(outcome.histories.contains { $0.status == "klippy_disconnect" })
        #expect(
            reports.contains { $0.host == .error && $0.state == .error },
            "\(reports.map { "\($0.link) \($0.host?.rawValue ?? "-")" })")
        let last = try #require(reports.last)
        #expect(last.link == .live && last.host == .ready && last.job == .standby)
    }

    /// A session taken through identify and subscribe at t = 0, the subscribe answering `status`; and what that answer produced.
    func live(_ status: String, seed: UInt64) -> (MoonrakerSession, [MoonrakerSession.Action]) {
        var session = MoonrakerSession(configuration: .init(), seed: seed)
        _ = session.start()
        _ = session.handle(.opened, at: 0)
        _ = session.handle(.frame(#"{"jsonrpc":"2.0","result":{"connection_id":1},"id":1}"#), at: 0)
        let snapshot = session.handle(
            .frame(#"{"jsonrpc":"2.0","result":{"eventtime":1,"status":\#(status)},"id":2}"#), at: 0)
        return (session, snapshot)
    }

    @Test("bad frames: not JSON, unsubscribed objects, an answer to nothing — ignored, each logged once, no report")
    func badFrames() {
        var (session, snapshot) = live(
            #"{"print_stats":{"state":"standby","filename":""},"webhooks":{"state":"ready"}}"#, seed: 1)
        #expect(snapshot.count == 1)
        var actions: [MoonrakerSession.Action] = []
        for _ in 0..<3 {
            actions += session.handle(.frame("{not json"), at: 1)
            actions += session.handle(
                .frame(#"{"jsonrpc":"2.0","method":"notify_status_update","params":[{"spaceship":{"warp":9}},1.0]}"#),
                at: 1)
            actions += session.handle(.frame(#"{"jsonrpc":"2.0","result":"ok","id":999}"#), at: 1)
        }
        #expect(actions.count == 2, "one log per cause: \(actions)")
        #expect(!actions.contains { if case .report = $0 { true } else { false } })
    }

    @Test(
        "progress never goes back within a job when the file's byte range arrives late; a new job starts from its own")
    func progressFloor() {
        func delta(_ fields: String, at time: Double) -> String {
            #"{"jsonrpc":"2.0","method":"notify_status_update","params":[\#(fields),\#(time)]}"#
        }
        func progress(_ actions: [MoonrakerSession.Action]) -> [Double?] {
            actions.compactMap { if case .report(let report) = $0 { report.progress } else { nil } }
        }
        var (session, _) = live(
            #"{"print_stats":{"state":"printing","filename":"printfarm/a.gcode"},"virtual_sdcard":{"progress":0.02,"file_position":800},"webhooks":{"state":"ready"}}"#,
            seed: 1)
        // The range says 800 bytes is still the header: true progress 0, reported as the 2 % already shown.
        #expect(
            progress(session.setGCodeBytes(filename: "printfarm/a.gcode", start: 1000, end: 11000)).allSatisfy {
                $0 == 0.02
            })
        #expect(
            progress(
                session.handle(
                    .frame(delta(#"{"virtual_sdcard":{"progress":0.05,"file_position":1100}}"#, at: 2)), at: 2)
            ).allSatisfy { $0 == 0.02 })
        #expect(
            progress(
                session.handle(
                    .frame(delta(#"{"virtual_sdcard":{"progress":0.4,"file_position":6000}}"#, at: 3)), at: 3)) == [0.5]
        )
        let next = session.handle(
            .frame(
                delta(
                    #"{"print_stats":{"filename":"printfarm/b.gcode"},"virtual_sdcard":{"progress":0.01,"file_position":300}}"#,
                    at: 4)), at: 4)
        #expect(progress(next) == [0.01], "another file starts from its own progress")
    }

    @Test("a wrong API key: unauthorized with the printer's words, the socket closed, retried at the slow pace")
    func unauthorized() {
        var configuration = MoonrakerSession.Configuration(apiKey: "wrong")
        configuration.backoffLimit = 30
        var session = MoonrakerSession(configuration: configuration, seed: 1)
        _ = session.start()
        let identify = session.handle(.opened, at: 0)
        guard case .send(let text) = identify.first else {
            Issue.record("identify first")
            return
        }
        #expect(JSONValue.parse(text)?["params"]?["api_key"]?.string == "wrong")
        let refused = session.handle(
            .frame(#"{"jsonrpc":"2.0","error":{"code":-32602,"message":"Invalid API Key"},"id":1}"#), at: 0.1)
        guard case .report(let report) = refused.first else {
            Issue.record("a report")
            return
        }
        #expect(
            report.link == .unauthorized && report.linkReason?.contains("Invalid API Key") == true
                && report.state == .offline)
        #expect(refused.contains { if case .close = $0 { true } else { false } })
        let retry = session.handle(.closed(code: 1000, reason: "closed by us"), at: 0.2)
        guard case .open(let delay) = retry.last else {
            Issue.record("a retry")
            return
        }
        #expect(delay >= 15 && delay <= 30)
    }

    @Test("a silent socket is polled over HTTP, then closed; reconnect delays grow with jitter up to the limit")
    func silenceAndBackoff() {
        var (session, _) = live(
            #"{"print_stats":{"state":"printing","filename":"a.gcode"},"webhooks":{"state":"ready"}}"#, seed: 3)
        #expect(session.handle(.tick, at: 4) == [])
        #expect(session.handle(.tick, at: 5.5) == [.poll])
        #expect(session.handle(.tick, at: 6) == [], "one poll per silence period")
        let polled = session.handle(
            .polled(
                .success(
                    .init(
                        host: "ready",
                        status: [
                            "print_stats": ["state": "paused", "filename": "a.gcode"], "webhooks": ["state": "ready"],
                        ]))), at: 6.1)
        guard case .report(let report) = polled.first else {
            Issue.record("a report from the poll")
            return
        }
        #expect(report.job == .paused && report.linkReason?.contains("silent") == true)
        #expect(session.handle(.tick, at: 15.5) == [.close(reason: "the printer sent nothing for 15 s")])
        var delays: [Double] = []
        for attempt in 0..<10 {
            let actions = session.handle(.closed(code: nil, reason: "connection refused"), at: 16 + Double(attempt))
            if case .open(let delay) = actions.last { delays.append(delay) }
        }
        #expect(delays.count == 10)
        #expect(delays[0] < 0.6 && delays[9] <= 30 && delays[9] >= 15, "\(delays)")
        #expect(
            zip(delays, delays.dropFirst()).filter { $0 > $1 }.count <= 2, "growing, give or take the jitter: \(delays)"
        )
    }
}
