import AsyncHTTPClient
import FarmArtifacts
import FarmDomain
import FarmStore
import Foundation
import Logging
import PrinterLink
import ServiceLifecycle

/// The farm's side of every machine link: one connector per registered printer (built by its kind), the
/// reconciliation of what each machine reports with the Printer and Run streams, and two-phase dispatch.
///
/// Every `sync` the fleet catches up with the event log — reloading only the printers and runs that changed, so a
/// printer registered or a run scheduled over the API (by this process or another) is picked up without a
/// restart — and reconciles every printer, which is what makes grace periods expire and what resumes, after a
/// restart, the dispatches a crash left half done. Everything is read in full at start and every `fullRead`.
/// Each copy carries its version, so a read that raced a newer write never replaces the newer state.
public actor PrinterFleet: Service {
    public struct Timing: Sendable {
        /// How often the fleet catches up with the event log and reconciles every printer.
        public var sync: Duration = .seconds(2)
        /// How often the registry and the unfinished runs are read in full (a safety net under the catch-up).
        public var fullRead: TimeInterval = 60
        /// How long a start may take to show in the machine's reports before the claim is given back.
        public var startTimeout: TimeInterval = 30
        /// How long a printer rests after a failed dispatch.
        public var retryAfter: TimeInterval = 30
        /// How long a printing run may be missing from an idle machine before it is interrupted.
        public var grace: TimeInterval = 60

        public init(
            sync: Duration = .seconds(2), fullRead: TimeInterval = 60, startTimeout: TimeInterval = 30,
            retryAfter: TimeInterval = 30, grace: TimeInterval = 60
        ) {
            self.sync = sync
            self.fullRead = fullRead
            self.startTimeout = startTimeout
            self.retryAfter = retryAfter
            self.grace = grace
        }
    }

    struct Link {
        var kind: ConnectorKind
        var address: String
        var key: String?
        var connector: any PrinterConnector
        var task: Task<Void, Never>
    }

    let store: Store
    let artifacts: ArtifactStore
    let now: @Sendable () -> Date
    let newID: @Sendable () -> UUID
    let logger: Logger
    let timing: Timing
    let reconciler: Reconciler
    var links: [PrinterID: Link] = [:]
    /// The latest report per printer.
    public private(set) var reports: [PrinterID: MachineReport] = [:]
    var printers: [PrinterID: Printer] = [:]
    /// Each printer's unfinished runs (scheduled, dispatching, printing, paused), oldest first.
    var runs: [PrinterID: [Run]] = [:]
    /// The version of each printer and run held above (and of runs that finished since the last full read).
    var printerVersions: [PrinterID: Int] = [:]
    var runVersions: [RunID: Int] = [:]
    /// The event sequence the copies are current with, and when they were last read in full.
    private var cursor: Int64 = 0
    private var lastFullRead: Date?
    /// The run this process is uploading or starting on each printer.
    var dispatching: [PrinterID: RunID] = [:]
    var mismatchSince: [PrinterID: Date] = [:]
    var restUntil: [PrinterID: Date] = [:]
    /// Files whose printed byte range the connector was given, so progress is true progress.
    var tracked: Set<String> = []
    /// Operators' pause, resume and cancel sent to a machine, recorded under their name once the machine confirms.
    var requested: [RunID: (command: RunCommand, context: CommandContext)] = [:]
    /// Printers whose Klipper configuration was read on their current connection.
    var configured: Set<PrinterID> = []
    /// The cameras each printer's host knows of, read once per connection.
    var hostCameras: [PrinterID: [CameraSource]] = [:]
    /// Reads the cameras (bounded: a camera never holds up the fleet).
    let cameraReader: CameraReader
    /// Their `anomaly` check pauses a print on a confident anomaly.
    let guardrails: Guardrails
    /// Runs this process paused for an anomaly: paused once, whatever the detector keeps saying.
    var pausedForAnomaly: Set<RunID> = []
    private var reconciling: Set<PrinterID> = []
    private var reconcileAgain: Set<PrinterID> = []

    public init(
        store: Store, artifacts: ArtifactStore, now: @escaping @Sendable () -> Date,
        newID: @escaping @Sendable () -> UUID, logger: Logger,
        timing: Timing = .init(), anomalyPauseConfidence: Double = GuardrailSettings().anomalyPauseConfidence,
        cameraReader: CameraReader = CameraReader()
    ) {
        self.cameraReader = cameraReader
        self.guardrails = Guardrails(settings: GuardrailSettings(anomalyPauseConfidence: anomalyPauseConfidence))
        self.store = store
        self.artifacts = artifacts
        self.now = now
        self.newID = newID
        self.logger = logger
        self.timing = timing
        self.reconciler = Reconciler(grace: timing.grace)
    }

    public func run() async throws {
        logger.notice("connecting to the printers")
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.sync()
                try? await Task.sleep(for: self.timing.sync)
            }
        }
        for (_, link) in links { link.task.cancel() }
        links = [:]
    }

    /// Brings the registry and the unfinished runs up to date, starts connectors for new printers (or changed
    /// addresses and keys) and stops the others, then reconciles every connected printer and dispatches where one
    /// is free.
    func sync() async {
        let keys: [PrinterID: String]
        do {
            if let lastFullRead, now().timeIntervalSince(lastFullRead) < timing.fullRead {
                try await catchUp()
            } else {
                try await readAll()
            }
            keys = try await store.credentials.printerAPIKeys()
        } catch {
            logger.warning("cannot read the printer registry or the runs: \(error)")
            return
        }
        for (id, link) in links {
            let printer = printers[id]
            guard printer?.connector != link.kind || printer?.address != link.address || keys[id] != link.key else {
                continue
            }
            link.task.cancel()
            links[id] = nil
            reports[id] = nil
        }
        for (id, printer) in printers where links[id] == nil {
            do {
                let connector = try PrinterConnectors.make(
                    kind: printer.connector, address: printer.address, apiKey: keys[id],
                    seed: UInt64(truncatingIfNeeded: id.description.hashValue), logger: logger)
                connect(id, printer: printer, key: keys[id], connector: connector)
            } catch {
                // A printer registered before its kind was refused, or with an address no connector takes: said on
                // the printer, never ignored.
                if printers[id]?.observed != .offline || printers[id]?.lastMessage != error.message {
                    await execute(.observe(.offline, message: error.message), on: id, reason: .printerObserved)
                }
            }
        }
        for id in links.keys {
            await reconcile(id)
            await dispatchIfFree(id)
        }
    }

    /// Reads every printer and unfinished run. Events from the head read first on are caught up next time, so
    /// what changed during the read is not missed.
    private func readAll() async throws {
        let started = now()
        let head = try await store.events.headSequence()
        let held = runVersions
        let read = try await store.printers.allVersioned()
        var open: [PrinterID: [Run]] = [:]
        for status in [RunStatus.scheduled, .dispatching, .printing, .paused] {
            for (run, version) in try await store.runs.allVersioned(status: status.rawValue) {
                // This process wrote a newer state during the read (perhaps finishing the run): keep that.
                if let newer = runVersions[run.id], newer > version {
                    if let mine = runs[run.printerID]?.first(where: { $0.id == run.id }) {
                        open[run.printerID, default: []].append(mine)
                    }
                } else {
                    runVersions[run.id] = version
                    open[run.printerID, default: []].append(run)
                }
            }
        }
        runs = open.mapValues { $0.sorted { $0.scheduledAt < $1.scheduledAt } }
        // Finished runs are forgotten unless written during the read (their version guards against the read).
        let openIDs = Set(runs.values.joined().map(\.id))
        runVersions = runVersions.filter { id, version in held[id] != version || openIDs.contains(id) }
        var registry: [PrinterID: Printer] = [:]
        for (printer, version) in read {
            if let newer = printerVersions[printer.id], newer > version, let mine = printers[printer.id] {
                registry[printer.id] = mine
            } else {
                registry[printer.id] = printer
                printerVersions[printer.id] = version
            }
        }
        printers = registry
        printerVersions = printerVersions.filter { registry[$0.key] != nil }
        cursor = head
        lastFullRead = started
    }

    /// Reloads the printers and runs whose streams gained events since the cursor, skipping those this process
    /// already holds at that version (its own writes). The cursor moves once they are in.
    private func catchUp() async throws {
        let changes = try await store.events.changes(after: cursor)
        for (id, version) in changes.of(PrinterDecider.self) {
            guard let id = PrinterID(id), version > printerVersions[id] ?? 0 else { continue }
            if let (printer, version) = try await store.printers.get(id: id.description) {
                remember(printer, version: version)
            }
        }
        for (id, version) in changes.of(RunDecider.self) {
            guard let id = RunID(id), version > runVersions[id] ?? 0 else { continue }
            if let (run, version) = try await store.runs.get(id: id.description) { remember(run, version: version) }
        }
        cursor = changes.cursor
    }

    private func connect(_ id: PrinterID, printer: Printer, key: String?, connector: any PrinterConnector) {
        let task = Task {
            async let running: Void = connector.run()
            for await event in connector.events {
                if case .report(let report) = event { await self.received(report, from: id) }
            }
            _ = await running
        }
        links[id] = Link(
            kind: printer.connector, address: printer.address, key: key, connector: connector, task: task)
        configured.remove(id)
    }

    private func received(_ report: MachineReport, from id: PrinterID) async {
        reports[id] = report
        await reconcile(id)
        await pauseOnAnomaly(report, on: id)
        await dispatchIfFree(id)
        if report.link == .live, report.hostReady, configured.insert(id).inserted {
            Task { await self.readConfiguration(id) }
        }
    }

    /// Fills in the printer's capabilities from what the machine knows of itself (Klipper's configuration: axes,
    /// nozzle, heater limits), once per connection; what it does not know (enclosure, materials) stays as entered.
    private func readConfiguration(_ id: PrinterID) async {
        guard let link = links[id], let printer = printers[id] else { return }
        do {
            hostCameras[id] = try await link.connector.cameras()
        } catch {
            logger.info("cannot read the cameras of printer \(id): \(error)")
        }
        do {
            let capabilities = try await link.connector.capabilities(applyingTo: printer.capabilities)
            guard capabilities != printer.capabilities else { return }
            await execute(
                .updateCapabilities(capabilities), on: id, reason: .printerObserved,
                note: "read from the printer's \(link.kind == .octoprint ? "printer profile" : "Klipper configuration")"
            )
        } catch {
            configured.remove(id)
            logger.info("cannot read the configuration of printer \(id): \(error)")
        }
    }

    // MARK: reconciliation

    /// Reconciles one printer; a second call while one runs is folded into one more pass, so the steps of two
    /// reports never interleave.
    func reconcile(_ id: PrinterID) async {
        guard !reconciling.contains(id) else {
            reconcileAgain.insert(id)
            return
        }
        reconciling.insert(id)
        repeat {
            reconcileAgain.remove(id)
            await reconcileOnce(id)
        } while reconcileAgain.contains(id)
        reconciling.remove(id)
    }

    private func reconcileOnce(_ id: PrinterID) async {
        guard let printer = printers[id], let report = reports[id], let link = links[id] else { return }
        let run = activeRun(on: id, report: report)
        var situation = Reconciler.Situation(
            printer: printer, run: run, report: report, dispatching: run.map { dispatching[id] == $0.id } ?? false,
            mismatchSince: mismatchSince[id], now: now())
        var outcome = reconciler.reconcile(situation)
        if outcome.steps.contains(.fetchHistory) {
            do {
                situation.history = try await link.connector.recentJobs(limit: 100)
                outcome = reconciler.reconcile(situation)
            } catch {
                logger.warning(
                    "cannot read the print history of printer \(id): \(error); reconciling again in \(timing.sync)")
            }
        }
        for step in outcome.steps {
            switch step {
            case .printer(let command, let reason, let note):
                guard await execute(command, on: id, reason: reason, note: note) else { return }
            case .run(let command, let reason, let note):
                guard let run, await execute(command, on: run, reason: reason, note: note) else { return }
            case .fetchHistory: return
            case .resumeDispatch:
                guard let run, let token = run.dispatchToken else { return }
                logger.info(
                    "printer \(id) is idle with no trace of run \(run.id), claimed before a restart: dispatching it again under its claim"
                )
                begin(run, on: id, token: token)
            }
        }
        mismatchSince[id] = outcome.mismatch == nil ? nil : (mismatchSince[id] ?? now())
        if let run, let file = report.filename, file == DispatchFile.path(of: run.id), !tracked.contains(file) {
            tracked.insert(file)
            await link.connector.track(file: file)
        }
    }

    /// The guardrail `anomalyPause`: a confident anomaly under one of our printing runs pauses the machine; the
    /// run's `paused` event, when the machine confirms, carries the guard as its reason and the evidence as its note.
    private func pauseOnAnomaly(_ report: MachineReport, on id: PrinterID) async {
        guard let anomaly = report.anomaly, let run = runs[id]?.first(where: { $0.status == .printing }),
            !pausedForAnomaly.contains(run.id),
            let link = links[id],
            let trip = guardrails.anomaly(kind: anomaly.kind, confidence: anomaly.confidence)
        else { return }
        pausedForAnomaly.insert(run.id)
        logger.notice("pausing run \(run.id) on printer \(id): \(trip.sentence)")
        requested[run.id] = (
            .pause,
            CommandContext(
                actor: EventActor(.policy, "guardrails"), reason: trip.reason, note: trip.sentence, time: now())
        )
        do {
            try await link.connector.pause()
        } catch {
            requested[run.id] = nil
            pausedForAnomaly.remove(run.id)
            logger.warning("could not pause run \(run.id) for an anomaly: \(error)")
        }
    }

    /// The printer's claimed or printing run, or a scheduled run of its own whose file the machine prints.
    private func activeRun(on id: PrinterID, report: MachineReport) -> Run? {
        let open = runs[id] ?? []
        if let active = open.first(where: { $0.status != .scheduled }) { return active }
        guard let file = report.filename, let runID = DispatchFile.run(printing: file) else { return nil }
        return open.first { $0.id == runID }
    }

    // MARK: recording

    /// Records a printer command from the connector; false when it could not be recorded (logged).
    @discardableResult
    func execute(_ command: PrinterCommand, on id: PrinterID, reason: ReasonCode, note: String? = nil) async -> Bool {
        let context = CommandContext(
            actor: EventActor(.connector, id.description), reason: reason, note: note, time: now())
        do {
            let outcome = try await store.printers.execute(command, id: id.description, context: context)
            remember(outcome.model, version: outcome.version)
            return true
        } catch {
            logger.warning("cannot record \(command.name) of printer \(id): \(error)")
            return false
        }
    }

    /// Records a run command from the connector and keeps the printer's list of unfinished runs current.
    @discardableResult
    func execute(_ command: RunCommand, on run: Run, reason: ReasonCode, note: String? = nil) async -> Bool {
        var context = CommandContext(
            actor: EventActor(.connector, run.printerID.description), reason: reason, note: note, time: now())
        if let asked = requested[run.id], asked.command == command {
            requested[run.id] = nil
            context = CommandContext(
                actor: asked.context.actor, reason: asked.context.reason, note: asked.context.note, time: context.time)
        }
        do {
            let outcome = try await store.runs.execute(command, id: run.id.description, context: context)
            remember(outcome.model, version: outcome.version)
            if outcome.model.status.isTerminal { removeFile(of: outcome.model) }
            if let moment = RunSnapshot.Moment(after: command, status: outcome.model.status) {
                snapshot(outcome.model, moment)
            }
            return true
        } catch {
            logger.warning("cannot \(command.name) run \(run.id): \(error)")
            if let (stored, version) = try? await store.runs.get(id: run.id.description) {
                remember(stored, version: version)
            }
            return false
        }
    }

    /// Holds `run` at `version` unless a newer state is held already; a finished run leaves its printer's list.
    func remember(_ run: Run, version: Int) {
        guard version >= runVersions[run.id] ?? 0 else { return }
        runVersions[run.id] = version
        var open = runs[run.printerID] ?? []
        if let index = open.firstIndex(where: { $0.id == run.id }) {
            if run.status.isTerminal { open.remove(at: index) } else { open[index] = run }
        } else if !run.status.isTerminal {
            open.append(run)
        }
        runs[run.printerID] = open
    }

    func remember(_ printer: Printer, version: Int) {
        guard version >= printerVersions[printer.id] ?? 0 else { return }
        printerVersions[printer.id] = version
        printers[printer.id] = printer
    }

    /// A finished run's file is deleted from the machine, so its storage holds only what is still to print.
    private func removeFile(of run: Run) {
        guard let connector = links[run.printerID]?.connector else { return }
        let path = DispatchFile.path(of: run.id)
        let logger = logger
        tracked.remove(path)
        Task {
            do { try await connector.delete(path) } catch {
                logger.info("could not delete \(path) from printer \(run.printerID): \(error)")
            }
        }
    }
}
