import FarmDomain
import Foundation

/// Compares what the farm believes about one printer (its stream and its active run's) with what the machine
/// reports, and says what to record. Pure: the caller fetches the history it asks for and carries out the steps.
///
/// The rules, in order:
/// - The machine's state is unknown (link down, Klippy not ready): record that, and nothing else. Never guess.
/// - Klippy shut down (emergency stop, MCU error) under a printing run: the run failed, with Klipper's message.
/// - The machine reports the run's own file: that is the truth (started, progress, paused, complete, cancelled, error).
/// - Otherwise the machine's history decides, when it has a finished job of the run's file (completed, cancelled,
///   failed, interrupted): the printer is marked desynced with the evidence, the run settled, the flag cleared.
///   A job that ended without success but without saying how (OctoPrint's file statistics) settles the run as
///   interrupted and marks the printer degraded, so nothing prints on it until a person has looked: the farm does
///   not guess.
/// - No trace of a run we were dispatching: start it (again) if the machine is idle — it provably never began —
///   or give the claim back when the machine prints something else.
/// - No trace of a run we believed printing: desynced with the evidence; interrupted once that has lasted `grace`.
public struct Reconciler: Sendable {
    /// How long a printing run may be missing from an idle machine before it is declared interrupted.
    public var grace: TimeInterval

    public init(grace: TimeInterval = 60) {
        self.grace = grace
    }

    public struct Situation: Sendable {
        public var printer: Printer
        /// The printer's active run (dispatching, printing, paused), or a scheduled run whose file it prints.
        public var run: Run?
        public var report: MachineReport
        /// The machine's print history (any files, newest first); nil when not fetched yet.
        public var history: [MachineJob]?
        /// This process is uploading or starting `run` right now: the dispatcher, not the reconciler, decides.
        public var dispatching: Bool
        /// When the mismatch still standing was first seen.
        public var mismatchSince: Date?
        public var now: Date

        public init(
            printer: Printer, run: Run?, report: MachineReport, history: [MachineJob]? = nil,
            dispatching: Bool = false,
            mismatchSince: Date? = nil, now: Date
        ) {
            self.printer = printer
            self.run = run
            self.report = report
            self.history = history
            self.dispatching = dispatching
            self.mismatchSince = mismatchSince
            self.now = now
        }
    }

    public enum Step: Sendable, Equatable {
        case printer(PrinterCommand, ReasonCode, note: String? = nil)
        case run(RunCommand, ReasonCode, note: String? = nil)
        /// Ask the machine for its history, then reconcile again with it.
        case fetchHistory
        /// The machine is idle and has no trace of the claimed run: upload and start it under its claim.
        case resumeDispatch
    }

    public struct Outcome: Sendable, Equatable {
        public var steps: [Step]
        /// The evidence of a mismatch still standing after these steps; nil when the two views agree.
        public var mismatch: String?
    }

    public func reconcile(_ s: Situation) -> Outcome {
        let report = s.report
        let ours = s.run.map { DispatchFile.path(of: $0.id) }
        let busy = report.busy
        // A file the farm dispatched is never "external", even once its run is over (issue 17: a shut-down printer's
        // own run file flipped to external once the run had failed).
        let job =
            busy ? report.filename.map { PrinterJob(file: $0, external: DispatchFile.run(printing: $0) == nil) } : nil
        // Klipper's own words first when Klippy is not ready ("Shutdown due to …"), not our "Klippy is shutdown".
        let message: String? =
            switch report.link {
            case .live: report.message
            case .hostNotReady: report.message ?? report.linkReason
            case .down, .unauthorized: report.linkReason ?? report.message
            }
        var steps: [Step] = []
        if report.state != s.printer.observed || message != s.printer.lastMessage || job != s.printer.job {
            steps.append(
                .printer(
                    .observe(report.state, message: message.map { String($0.prefix(500)) }, job: job), .printerObserved)
            )
        }
        guard let run = s.run, let file = ours else {
            if s.printer.desynced != nil, report.link == .live {
                steps.append(
                    .printer(.resync, .reconcileHealed, note: "no run of the farm's is on this printer any more"))
            }
            return Outcome(steps: steps, mismatch: nil)
        }
        if report.hostFailed, [.printing, .paused].contains(run.status) {
            let why = report.message ?? report.linkReason ?? "its host is \(report.host?.rawValue ?? "stopped")"
            return Outcome(
                steps: steps + [.run(.fail, .printerReported, note: "the printer stopped: \(why)")], mismatch: nil)
        }
        guard report.link == .live, report.hostReady else {
            return Outcome(steps: steps, mismatch: nil)
        }
        let heal: [Step] =
            s.printer.desynced != nil
            ? [.printer(.resync, .reconcileHealed, note: "the printer reports \(file) again")] : []

        if report.filename == file, let state = report.job, state != .standby {
            return Outcome(steps: steps + settle(run, reported: state, report: report) + heal, mismatch: nil)
        }
        if run.status == .scheduled || s.dispatching { return Outcome(steps: steps, mismatch: nil) }
        guard let history = s.history else { return Outcome(steps: steps + [.fetchHistory], mismatch: nil) }
        let machine =
            busy ? "prints \(report.filename ?? "another file")" : "is idle (\(report.job?.rawValue ?? "no job"))"
        if let last = history.first(where: { $0.filename == file && $0.status != .inProgress }) {
            let evidence =
                "run \(run.id) was \(run.status.rawValue) but the printer \(machine); "
                + "its history shows \(file) \(last.detail)"
            if last.status == .unsuccessful {
                let check =
                    "the printer recorded \(file) as \(last.detail) without saying whether it was cancelled or failed; "
                    + "check the machine and its bed before the next print"
                return Outcome(
                    steps: steps + [.printer(.markDesynced(evidence: evidence), .reconcileMismatch)] + started(run)
                        + [
                            .run(.interrupt, .reconcileHealed, note: check),
                            .printer(.markDegraded(reason: check), .reconcileMismatch),
                            .printer(.resync, .reconcileHealed, note: "settled from the printer's file statistics"),
                        ],
                    mismatch: nil)
            }
            return Outcome(
                steps: steps + [.printer(.markDesynced(evidence: evidence), .reconcileMismatch)]
                    + settle(run, history: last)
                    + [.printer(.resync, .reconcileHealed, note: "settled from the printer's history")],
                mismatch: nil)
        }
        if run.status == .dispatching {
            guard !busy, s.printer.status != .maintenance, s.printer.degraded == nil else {
                let why =
                    busy
                    ? "the printer \(machine), not this run"
                    : "the printer is \(s.printer.degraded != nil ? "degraded" : "in maintenance")"
                return Outcome(
                    steps: steps + [.run(.abortDispatch(token: run.dispatchToken ?? ""), .dispatchFailed, note: why)],
                    mismatch: nil)
            }
            return Outcome(steps: steps + [.resumeDispatch], mismatch: nil)
        }
        let evidence = "run \(run.id) is \(run.status.rawValue) but the printer \(machine) and has no record of \(file)"
        steps.append(.printer(.markDesynced(evidence: evidence), .reconcileMismatch))
        if let since = s.mismatchSince, s.now.timeIntervalSince(since) >= grace {
            let note = "no trace of the print on the printer for \(Int(grace)) s"
            return Outcome(
                steps: steps + [
                    .run(.interrupt, .reconcileHealed, note: note), .printer(.resync, .reconcileHealed, note: note),
                ], mismatch: nil)
        }
        return Outcome(steps: steps, mismatch: evidence)
    }

    /// The machine reports the run's own file in `state` (printing, paused, complete, cancelled, error).
    private func settle(_ run: Run, reported state: MachineReport.Job, report: MachineReport) -> [Step] {
        var steps = started(run)
        let status = run.status == .scheduled || run.status == .dispatching ? RunStatus.printing : run.status
        switch state {
        case .printing:
            if status == .paused { steps.append(.run(.resume, .printerReported)) }
            steps += progress(run, report)
        case .paused:
            steps += progress(run, report)
            if status != .paused { steps.append(.run(.pause, .printerReported)) }
        case .complete: steps += progress(run, report) + [.run(.complete, .printerReported)]
        case .cancelled: steps.append(.run(.cancel, .printerReported, note: "cancelled on the printer"))
        case .error:
            steps.append(.run(.fail, .printerReported, note: report.message ?? "the printer reported an error"))
        case .standby: break
        }
        return steps
    }

    /// The machine's history has a finished job of the run's file with `status`.
    ///
    /// why: one rule whether the farm watched the end or learnt it afterwards. Klipper stopping under a print (a
    /// G-code error, a shutdown, Klippy killed) is the machine failing the print — `failed`, which counts toward the
    /// printer's health — both when the server saw it live (rule 2) and when it was down and reads the history now;
    /// `klippy_disconnect` was `interrupted` here while the same crash seen live was `failed` (issue 17). Only a
    /// job the host lost track of (Moonraker's own crash: `interrupted`) is an interruption.
    static func outcome(ofHistory status: MachineJob.Status) -> RunCommand {
        switch status {
        case .completed: .complete
        case .cancelled: .cancel
        case .failed: .fail
        case .interrupted, .unsuccessful, .inProgress: .interrupt
        }
    }

    private func settle(_ run: Run, history job: MachineJob) -> [Step] {
        started(run) + [
            .run(
                Self.outcome(ofHistory: job.status), .reconcileHealed, note: "the printer's history says \(job.detail)")
        ]
    }

    /// The steps that make a claimed (or, adopted, a scheduled) run a started one.
    private func started(_ run: Run) -> [Step] {
        switch run.status {
        case .scheduled:
            // Ours, on this printer, yet not claimed: a start that answered late after its claim was given back.
            let token = "adopted-\(run.id)"
            return [
                .run(.beginDispatch(token: token), .printerReported),
                .run(.confirmStarted(token: token), .printerReported),
            ]
        case .dispatching: return [.run(.confirmStarted(token: run.dispatchToken ?? ""), .printerReported)]
        default: return []
        }
    }

    /// A progress step when the whole percent, the layer or the layer count moved. Progress never goes back within
    /// a run, measured against the stored run — a restarted server has no memory of what it last said (issue 17 saw
    /// 0.311 → 0.282 → 0.401 across a restart, the connector computing true progress only once it read the file).
    private func progress(_ run: Run, _ report: MachineReport) -> [Step] {
        guard var fraction = report.progress.map({ min(max($0, 0), 1) }), fraction.isFinite else { return [] }
        if let last = run.progress?.fraction, fraction < last { fraction = last }
        let elapsed = report.printSeconds.map { $0.rounded() }
        // A time left from a few seconds of printing is noise (it read 0 s at 1 %, while heating): none until a
        // minute of printing and 2 % of the file.
        let remaining = report.printSeconds.flatMap { seconds in
            fraction >= 0.02 && seconds >= 60 ? (seconds * (1 - fraction) / fraction).rounded() : nil
        }
        let next = RunProgress(
            fraction: fraction, layer: report.currentLayer, totalLayers: report.totalLayers, elapsedSeconds: elapsed,
            remainingSeconds: remaining)
        if let last = run.progress, Int(last.fraction * 100) == Int(fraction * 100), last.layer == next.layer,
            last.totalLayers == next.totalLayers
        {
            return []
        }
        return [.run(.reportProgress(next), .printerReported)]
    }
}
