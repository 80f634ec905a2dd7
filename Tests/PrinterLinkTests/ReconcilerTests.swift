import Foundation
import Testing

@testable import FarmDomain
@testable import PrinterLink

@Suite("Reconciliation rules")
struct ReconcilerTests {
    let at = Date(timeIntervalSince1970: 1_800_000_000)
    let printerID = PrinterID(UUID(uuidString: "01936a4e-0000-7000-8000-000000000005")!)
    let runID = RunID(UUID(uuidString: "01936a4e-0000-7000-8000-0000000000aa")!)
    var file: String { DispatchFile.path(of: runID) }

    func printer(_ events: [PrinterEvent] = []) -> Printer {
        let registration = PrinterRegistration(
            name: "mk3s", connector: .moonraker, address: "http://127.0.0.1:7125",
            capabilities: PrinterCapabilities(buildVolume: BuildVolume(x: 250, y: 210, z: 210)))
        return PrinterDecider.replay(
            [.registered(PrinterRegistered(printerID: printerID, registration: registration, at: at))] + events
        ).printer!
    }

    func idlePrinter() -> Printer {
        printer([.stateObserved(PrinterStateObserved(state: .idle, message: nil, at: at))])
    }

    func run(_ status: RunStatus) -> Run {
        var events: [RunEvent] = [
            .scheduled(
                RunScheduled(
                    runID: runID, plateID: BuildPlateID(UUID()), printerID: printerID,
                    items: [PlateItem(planID: PlanID(UUID()), revision: 1)], at: at))
        ]
        let change = RunStatusChanged(detail: nil, at: at)
        if status != .scheduled { events.append(.dispatching(RunDispatching(token: "t1", at: at))) }
        if [.printing, .paused].contains(status) { events.append(.started(change)) }
        if status == .paused { events.append(.paused(change)) }
        return RunDecider.replay(events).run!
    }

    func live(_ job: String?, _ filename: String? = nil, progress: Double? = nil, layer: Int? = nil) -> MachineReport {
        MachineReport(
            link: .live, host: .ready, job: job.flatMap(MachineReport.Job.init(rawValue:)), filename: filename,
            progress: progress,
            printSeconds: progress.map { $0 * 1000 }, currentLayer: layer, totalLayers: 10)
    }

    /// A Moonraker history of one job with Moonraker's `status`, as the connector gives it.
    func history(_ status: String, _ filename: String? = nil) -> [MachineJob] {
        [
            MoonrakerClient.HistoryJob(
                jobID: "000001", filename: filename ?? file, status: status, startTime: 1, endTime: 2, printDuration: 1
            ).machineJob
        ]
    }

    func runCommands(_ outcome: Reconciler.Outcome) -> [RunCommand] {
        outcome.steps.compactMap { if case .run(let command, _, _) = $0 { command } else { nil } }
    }

    @Test("an unknown machine state changes nothing but the printer's observed state: no run is settled on a guess")
    func unknownState() {
        let reconciler = Reconciler()
        for report in [
            MachineReport.down("connection refused"), MachineReport(link: .hostNotReady, host: .startup),
            MachineReport(link: .unauthorized, linkReason: "401"),
        ] {
            for status in [RunStatus.dispatching, .printing] {
                let outcome = reconciler.reconcile(
                    .init(printer: idlePrinter(), run: run(status), report: report, now: at))
                #expect(runCommands(outcome).isEmpty)
                #expect(
                    outcome.steps.allSatisfy {
                        if case .printer(.observe(.offline, _, nil), _, _) = $0 { true } else { false }
                    })
                #expect(outcome.mismatch == nil)
            }
        }
    }

    @Test(
        "the machine printing the run's file confirms a claimed run, reports progress once per percent and follows pause and resume"
    )
    func reportedFile() {
        let reconciler = Reconciler()
        let confirmed = reconciler.reconcile(
            .init(
                printer: idlePrinter(), run: run(.dispatching),
                report: live("printing", file, progress: 0.1234, layer: 2), now: at))
        #expect(
            runCommands(confirmed) == [
                .confirmStarted(token: "t1"),
                .reportProgress(
                    RunProgress(fraction: 0.1234, layer: 2, totalLayers: 10, elapsedSeconds: 123, remainingSeconds: 877)
                ),
            ])
        #expect(
            confirmed.steps.first
                == .printer(
                    .observe(.busy, message: nil, job: PrinterJob(file: file, external: false)), .printerObserved))

        var printing = run(.printing)
        printing.progress = RunProgress(fraction: 0.12, layer: 2, totalLayers: 10)
        #expect(
            runCommands(
                reconciler.reconcile(
                    .init(
                        printer: idlePrinter(), run: printing,
                        report: live("printing", file, progress: 0.1299, layer: 2), now: at))
            ).isEmpty)
        #expect(
            runCommands(
                reconciler.reconcile(
                    .init(
                        printer: idlePrinter(), run: printing, report: live("paused", file, progress: 0.1299, layer: 2),
                        now: at))) == [.pause])
        #expect(
            runCommands(
                reconciler.reconcile(
                    .init(printer: idlePrinter(), run: run(.paused), report: live("printing", file), now: at))) == [
                    .resume
                ])
    }

    @Test(
        "the machine's end of the run's file ends the run: complete, cancelled on the printer, error with its message")
    func reportedEnd() {
        let reconciler = Reconciler()
        #expect(
            runCommands(
                reconciler.reconcile(
                    .init(
                        printer: idlePrinter(), run: run(.printing), report: live("complete", file, progress: 1),
                        now: at))
            ).last == .complete)
        #expect(
            runCommands(
                reconciler.reconcile(
                    .init(printer: idlePrinter(), run: run(.paused), report: live("cancelled", file), now: at))) == [
                    .cancel
                ])
        var failed = live("error", file)
        failed.message = "Move out of range: 251.000 0.000 0.300 [0.000]"
        let outcome = reconciler.reconcile(
            .init(printer: idlePrinter(), run: run(.dispatching), report: failed, now: at))
        #expect(runCommands(outcome) == [.confirmStarted(token: "t1"), .fail])
        #expect(
            outcome.steps.last == .run(.fail, .printerReported, note: "Move out of range: 251.000 0.000 0.300 [0.000]"))
    }

    @Test("an emergency stop under a printing run fails it with Klipper's message")
    func shutdown() {
        let report = MachineReport(
            link: .hostNotReady, linkReason: "Klippy shutdown", host: .shutdown, job: .paused, filename: file,
            message: "Emergency stop")
        let outcome = Reconciler().reconcile(
            .init(printer: idlePrinter(), run: run(.printing), report: report, now: at))
        #expect(outcome.steps.last == .run(.fail, .printerReported, note: "the printer stopped: Emergency stop"))
        // The printer shows Klipper's words, and the stale paused job of a shut-down Klippy is no job.
        #expect(
            outcome.steps.first == .printer(.observe(.error, message: "Emergency stop", job: nil), .printerObserved))
        // Once the run has failed the same report changes nothing: no flood of observations while it stays shut down.
        var observed = idlePrinter()
        observed.observed = .error
        observed.lastMessage = "Emergency stop"
        #expect(Reconciler().reconcile(.init(printer: observed, run: nil, report: report, now: at)).steps.isEmpty)
    }

    @Test(
        "Klipper stopping under a print fails the run whether it was seen live or read from the history afterwards; a lost job is interrupted"
    )
    func oneRuleForCrashes() {
        #expect(
            Reconciler.outcome(ofHistory: MoonrakerClient.HistoryJob.status("klippy_disconnect")) == .fail,
            "Klippy killed mid-print while the server was down")
        #expect(Reconciler.outcome(ofHistory: MoonrakerClient.HistoryJob.status("klippy_shutdown")) == .fail)
        #expect(Reconciler.outcome(ofHistory: MoonrakerClient.HistoryJob.status("error")) == .fail)
        #expect(
            Reconciler.outcome(ofHistory: MoonrakerClient.HistoryJob.status("interrupted")) == .interrupt,
            "Moonraker lost the job")
        let outcome = Reconciler().reconcile(
            .init(
                printer: idlePrinter(), run: run(.printing), report: live("standby"),
                history: history("klippy_disconnect"), now: at))
        #expect(runCommands(outcome) == [.fail])
        // The same crash seen live: Klippy back in error under the printing run.
        let live = MachineReport(
            link: .hostNotReady, host: .error, message: "Can not update MCU 'mcu' config as it is shutdown")
        #expect(
            runCommands(
                Reconciler().reconcile(.init(printer: idlePrinter(), run: run(.printing), report: live, now: at))) == [
                    .fail
                ])
    }

    @Test(
        "progress never goes back from what the stored run says (a restarted server forgets what it reported); no time left from a few seconds"
    )
    func progressAcrossRestart() {
        var printing = run(.printing)
        printing.progress = RunProgress(
            fraction: 0.311, layer: 3, totalLayers: 10, elapsedSeconds: 300, remainingSeconds: 665)
        let lower = live("printing", file, progress: 0.282, layer: 4)
        let steps = runCommands(
            Reconciler().reconcile(.init(printer: idlePrinter(), run: printing, report: lower, now: at)))
        guard case .reportProgress(let reported)? = steps.first else {
            Issue.record("a new layer is reported: \(steps)")
            return
        }
        #expect(reported.fraction == 0.311 && reported.layer == 4)
        #expect(
            runCommands(
                Reconciler().reconcile(
                    .init(
                        printer: idlePrinter(), run: printing,
                        report: live("printing", file, progress: 0.282, layer: 3), now: at))
            ).isEmpty)
        var early = run(.printing)
        early.progress = nil
        let heating = MachineReport(
            link: .live, host: .ready, job: .printing, filename: file, progress: 0.011, printSeconds: 4)
        guard
            case .reportProgress(let first)? = runCommands(
                Reconciler().reconcile(.init(printer: idlePrinter(), run: early, report: heating, now: at))
            ).first
        else {
            Issue.record("the first progress is reported")
            return
        }
        #expect(first.remainingSeconds == nil, "4 s of printing at 1 % says nothing about the time left")
    }

    @Test("a file the farm dispatched is never external, even with no run of its own on the printer any more")
    func ownFileNotExternal() {
        let outcome = Reconciler().reconcile(
            .init(printer: idlePrinter(), run: nil, report: live("paused", file), now: at))
        #expect(
            outcome.steps == [
                .printer(
                    .observe(.paused, message: nil, job: PrinterJob(file: file, external: false)), .printerObserved)
            ])
        let foreign = Reconciler().reconcile(
            .init(printer: idlePrinter(), run: nil, report: live("printing", "benchy.gcode"), now: at))
        #expect(
            foreign.steps == [
                .printer(
                    .observe(.busy, message: nil, job: PrinterJob(file: "benchy.gcode", external: true)),
                    .printerObserved)
            ])
    }

    @Test(
        "a machine not on the run's file is asked for its history; a finished job there settles the run and the desync it caused"
    )
    func historySettles() {
        let reconciler = Reconciler()
        let idle = live("standby")
        #expect(
            reconciler.reconcile(.init(printer: idlePrinter(), run: run(.printing), report: idle, now: at)).steps.last
                == .fetchHistory)
        let cases: [(String, RunCommand)] = [
            ("completed", .complete), ("cancelled", .cancel), ("klippy_shutdown", .fail), ("interrupted", .interrupt),
        ]
        for (status, command) in cases {
            let outcome = reconciler.reconcile(
                .init(printer: idlePrinter(), run: run(.printing), report: idle, history: history(status), now: at))
            #expect(runCommands(outcome) == [command])
            guard
                case .printer(.markDesynced(let evidence), .reconcileMismatch, _) = outcome.steps.first(where: {
                    if case .printer(.markDesynced, _, _) = $0 { true } else { false }
                })
            else {
                Issue.record("no desync evidence for \(status)")
                continue
            }
            #expect(evidence.contains("history shows \(file) \(status)"))
            #expect(
                outcome.steps.last == .printer(.resync, .reconcileHealed, note: "settled from the printer's history"))
            #expect(outcome.mismatch == nil)
        }
        // A run claimed before a crash that then printed to the end: started, then completed. Never started again.
        let crashed = reconciler.reconcile(
            .init(
                printer: idlePrinter(), run: run(.dispatching), report: live("complete", "other.gcode"),
                history: history("completed"), now: at))
        #expect(runCommands(crashed) == [.confirmStarted(token: "t1"), .complete])
        #expect(!crashed.steps.contains(.resumeDispatch))
    }

    @Test("a claimed run with no trace on an idle machine is dispatched again; on a busy one the claim is given back")
    func claimedWithoutTrace() {
        let reconciler = Reconciler()
        let other = history("completed", "printfarm/run-someone-else.gcode")
        #expect(
            reconciler.reconcile(
                .init(printer: idlePrinter(), run: run(.dispatching), report: live("standby"), history: other, now: at)
            ).steps == [.resumeDispatch])
        // Not while this process is dispatching it, and never without the history.
        #expect(
            reconciler.reconcile(
                .init(
                    printer: idlePrinter(), run: run(.dispatching), report: live("standby"), history: other,
                    dispatching: true, now: at)
            ).steps.isEmpty)
        #expect(
            reconciler.reconcile(
                .init(printer: idlePrinter(), run: run(.dispatching), report: live("standby"), now: at)
            ).steps == [.fetchHistory])
        let external = reconciler.reconcile(
            .init(
                printer: idlePrinter(), run: run(.dispatching), report: live("printing", "benchy.gcode"), history: [],
                now: at))
        #expect(
            external.steps == [
                .printer(
                    .observe(.busy, message: nil, job: PrinterJob(file: "benchy.gcode", external: true)),
                    .printerObserved),
                .run(
                    .abortDispatch(token: "t1"), .dispatchFailed, note: "the printer prints benchy.gcode, not this run"),
            ])
    }

    @Test(
        "a printing run with no trace on the machine marks the printer desynced and is interrupted after the grace period"
    )
    func printingWithoutTrace() {
        let reconciler = Reconciler(grace: 60)
        let first = reconciler.reconcile(
            .init(printer: idlePrinter(), run: run(.printing), report: live("standby"), history: [], now: at))
        let evidence = "run \(runID) is printing but the printer is idle (standby) and has no record of \(file)"
        #expect(first.steps == [.printer(.markDesynced(evidence: evidence), .reconcileMismatch)])
        #expect(first.mismatch == evidence)
        let early = reconciler.reconcile(
            .init(
                printer: idlePrinter(), run: run(.printing), report: live("standby"), history: [], mismatchSince: at,
                now: at + 59))
        #expect(runCommands(early).isEmpty)
        let late = reconciler.reconcile(
            .init(
                printer: idlePrinter(), run: run(.printing), report: live("standby"), history: [], mismatchSince: at,
                now: at + 60))
        #expect(runCommands(late) == [.interrupt])
        #expect(
            late.steps.last
                == .printer(.resync, .reconcileHealed, note: "no trace of the print on the printer for 60 s"))
        #expect(late.mismatch == nil)
    }

    @Test(
        "a scheduled run whose file the machine prints is adopted, not started again; a desynced printer with no run is cleared"
    )
    func adoptionAndClearing() {
        let outcome = Reconciler().reconcile(
            .init(printer: idlePrinter(), run: run(.scheduled), report: live("printing", file, progress: 0.5), now: at))
        #expect(
            Array(runCommands(outcome).prefix(2)) == [
                .beginDispatch(token: "adopted-\(runID)"), .confirmStarted(token: "adopted-\(runID)"),
            ])
        let desynced = printer([
            .stateObserved(PrinterStateObserved(state: .idle, message: nil, at: at)),
            .desynced(PrinterFlagChanged(detail: "evidence", at: at)),
        ])
        #expect(
            Reconciler().reconcile(.init(printer: desynced, run: nil, report: live("standby"), now: at)).steps == [
                .printer(.resync, .reconcileHealed, note: "no run of the farm's is on this printer any more")
            ])
        #expect(DispatchFile.run(printing: file) == runID)
        #expect(DispatchFile.run(printing: "benchy.gcode") == nil)
        #expect(DispatchFile.run(printing: "printfarm/run-nonsense.gcode") == nil)
    }

    @Test(
        "a job the machine recorded as unsuccessful without saying how (OctoPrint) interrupts the run and holds the printer for a person"
    )
    func unsuccessfulNeedsALook() {
        let job = MachineJob(filename: file, status: .unsuccessful, detail: "not successful", ended: at)
        let outcome = Reconciler().reconcile(
            .init(printer: idlePrinter(), run: run(.printing), report: live("standby"), history: [job], now: at))
        #expect(runCommands(outcome) == [.interrupt], "neither cancelled nor failed: the farm does not guess")
        // The printer is held for a person (a failed print may have left its bed full): degraded until cleared.
        let held = outcome.steps.contains {
            if case .printer(.markDegraded(let reason), _, _) = $0 {
                reason.contains("check the machine")
            } else {
                false
            }
        }
        #expect(held, "\(outcome.steps)")
        #expect(outcome.mismatch == nil)
    }
}

@Suite("Klipper configuration")
struct KlipperConfigTests {
    @Test(
        "axes, nozzle and heater limits fill in the capabilities; what Klipper does not know stays; a delta's volume is not guessed"
    )
    func capabilities() {
        let entered = PrinterCapabilities(
            buildVolume: BuildVolume(x: 1, y: 1, z: 1), nozzleDiameters: [0.6], enclosure: true, hardenedNozzle: true,
            materials: ["PETG"])
        let read = KlipperConfig(settings: [
            "printer": ["kinematics": "corexy"], "stepper_x": ["position_min": -5, "position_max": 350],
            "stepper_y": ["position_max": 350],
            "stepper_z": ["position_max": 340], "extruder": ["nozzle_diameter": 0.4, "max_temp": 285],
            "heater_bed": ["max_temp": 110],
        ]).applied(to: entered)
        #expect(
            read
                == PrinterCapabilities(
                    buildVolume: BuildVolume(x: 355, y: 350, z: 340), nozzleDiameters: [0.4], enclosure: true,
                    hardenedNozzle: true, maxHotendTemperature: 285,
                    maxBedTemperature: 110, materials: ["PETG"]))
        let delta = KlipperConfig(settings: [
            "printer": ["kinematics": "delta"], "stepper_a": ["position_max": 300], "extruder": ["max_temp": 260],
        ])
        #expect(delta.buildVolume == nil && delta.maxHotendTemperature == 260)
        #expect(KlipperConfig(settings: .null).applied(to: entered) == entered, "an empty answer changes nothing")
    }
}
