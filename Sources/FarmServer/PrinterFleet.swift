import AsyncHTTPClient
import FarmArtifacts
import FarmDomain
import FarmStore
import Foundation
import Logging
import PrinterLink
import ServiceLifecycle

/// The farm's side of every machine link: one connector per registered Moonraker (or virtual) printer, the
/// reconciliation of what each machine reports with the Printer and Run streams, and two-phase dispatch.
///
/// The registry and the unfinished runs are read again every `syncInterval`, so a printer registered or a run
/// scheduled over the API is picked up without a restart; each pass also reconciles every printer, which is what
/// makes grace periods expire and what resumes, after a restart, the dispatches a crash left half done.
actor PrinterFleet: Service {
    struct Timing: Sendable {
        /// How often the registry and the runs are read again, and every printer reconciled.
        var sync: Duration = .seconds(2)
        /// How long a start may take to show in the machine's reports before the claim is given back.
        var startTimeout: TimeInterval = 30
        /// How long a printer rests after a failed dispatch.
        var retryAfter: TimeInterval = 30
        /// How long a printing run may be missing from an idle machine before it is interrupted.
        var grace: TimeInterval = 60
    }

    struct Link {
        var address: String
        var key: String?
        var client: MoonrakerClient
        var connector: MoonrakerConnector
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
    private(set) var reports: [PrinterID: MachineReport] = [:]
    var printers: [PrinterID: Printer] = [:]
    /// Each printer's unfinished runs (scheduled, dispatching, printing, paused), oldest first.
    var runs: [PrinterID: [Run]] = [:]
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
    private var reconciling: Set<PrinterID> = []
    private var reconcileAgain: Set<PrinterID> = []

    init(
        store: Store, artifacts: ArtifactStore, now: @escaping @Sendable () -> Date, newID: @escaping @Sendable () -> UUID, logger: Logger,
        timing: Timing = .init()
    ) {
        self.store = store
        self.artifacts = artifacts
        self.now = now
        self.newID = newID
        self.logger = logger
        self.timing = timing
        self.reconciler = Reconciler(grace: timing.grace)
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.sync()
                try? await Task.sleep(for: self.timing.sync)
            }
        }
        for (_, link) in links { link.task.cancel() }
        links = [:]
    }

    /// Reads the registry and the unfinished runs, starts connectors for new printers (or changed addresses and
    /// keys) and stops the others, then reconciles every connected printer and dispatches where one is free.
    func sync() async {
        let keys: [PrinterID: String]
        do {
            printers = Dictionary(uniqueKeysWithValues: try await store.printers.all().map { ($0.id, $0) })
            keys = try await store.credentials.printerAPIKeys()
            var open: [PrinterID: [Run]] = [:]
            for status in [RunStatus.scheduled, .dispatching, .printing, .paused] {
                for run in try await store.runs.all(status: status.rawValue) { open[run.printerID, default: []].append(run) }
            }
            runs = open.mapValues { $0.sorted { $0.scheduledAt < $1.scheduledAt } }
        } catch {
            logger.warning("cannot read the printer registry or the runs: \(error)")
            return
        }
        let wanted = printers.filter { [.moonraker, .virtual].contains($0.value.connector) }
        for (id, link) in links where wanted[id]?.address != link.address || keys[id] != link.key {
            link.task.cancel()
            links[id] = nil
            reports[id] = nil
        }
        for (id, printer) in wanted where links[id] == nil {
            guard let base = URL(string: printer.address), base.scheme == "http" || base.scheme == "https" else {
                let why = "the address \(printer.address) is not an http:// URL; register the Moonraker address, e.g. http://192.168.1.20:7125"
                await execute(.observe(.offline, message: why), on: id, reason: .printerObserved)
                continue
            }
            connect(id, base: base, address: printer.address, key: keys[id])
        }
        for id in links.keys {
            await reconcile(id)
            await dispatchIfFree(id)
        }
    }

    private func connect(_ id: PrinterID, base: URL, address: String, key: String?) {
        let client = MoonrakerClient(base: base, apiKey: key, http: HTTPClient.shared)
        let connector = MoonrakerConnector(
            client: client, configuration: .init(apiKey: key), seed: UInt64(truncatingIfNeeded: id.description.hashValue), logger: logger)
        let task = Task {
            async let running: Void = connector.run()
            for await event in connector.events {
                if case .report(let report) = event { await self.received(report, from: id) }
            }
            _ = await running
        }
        links[id] = Link(address: address, key: key, client: client, connector: connector, task: task)
        configured.remove(id)
    }

    private func received(_ report: MachineReport, from id: PrinterID) async {
        reports[id] = report
        await reconcile(id)
        await dispatchIfFree(id)
        if report.link == .live, report.host == nil || report.host == "ready", configured.insert(id).inserted {
            Task { await self.readConfiguration(id) }
        }
    }

    /// Fills in the printer's capabilities from Klipper's configuration (axes, nozzle, heater limits), once per
    /// connection; what Klipper does not know (enclosure, materials) stays as entered.
    private func readConfiguration(_ id: PrinterID) async {
        guard let client = links[id]?.client, let printer = printers[id] else { return }
        do {
            let capabilities = KlipperConfig(settings: try await client.configSettings()).applied(to: printer.capabilities)
            guard capabilities != printer.capabilities else { return }
            await execute(.updateCapabilities(capabilities), on: id, reason: .printerObserved, note: "read from the printer's Klipper configuration")
        } catch {
            configured.remove(id)
            logger.info("cannot read the Klipper configuration of printer \(id): \(error)")
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
                situation.history = try await link.client.history(limit: 100)
                outcome = reconciler.reconcile(situation)
            } catch {
                logger.warning("cannot read the print history of printer \(id): \(error); reconciling again in \(timing.sync)")
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
                logger.info("printer \(id) is idle with no trace of run \(run.id), claimed before a restart: dispatching it again under its claim")
                begin(run, on: id, token: token)
            }
        }
        mismatchSince[id] = outcome.mismatch == nil ? nil : (mismatchSince[id] ?? now())
        if let run, let file = report.filename, file == DispatchFile.path(of: run.id), !tracked.contains(file) {
            tracked.insert(file)
            await link.connector.track(file: file)
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
        let context = CommandContext(actor: EventActor(.connector, id.description), reason: reason, note: note, time: now())
        do {
            printers[id] = try await store.printers.execute(command, id: id.description, context: context).model
            return true
        } catch {
            logger.warning("cannot record \(command.name) of printer \(id): \(error)")
            return false
        }
    }

    /// Records a run command from the connector and keeps the printer's list of unfinished runs current.
    @discardableResult
    func execute(_ command: RunCommand, on run: Run, reason: ReasonCode, note: String? = nil) async -> Bool {
        var context = CommandContext(actor: EventActor(.connector, run.printerID.description), reason: reason, note: note, time: now())
        if let asked = requested[run.id], asked.command == command {
            requested[run.id] = nil
            context = CommandContext(actor: asked.context.actor, reason: asked.context.reason, note: asked.context.note, time: context.time)
        }
        do {
            let updated = try await store.runs.execute(command, id: run.id.description, context: context).model
            remember(updated)
            if updated.status.isTerminal { removeFile(of: updated) }
            return true
        } catch {
            logger.warning("cannot \(command.name) run \(run.id): \(error)")
            if let stored = try? await store.runs.get(id: run.id.description)?.model { remember(stored) }
            return false
        }
    }

    func remember(_ run: Run) {
        var open = runs[run.printerID] ?? []
        if let index = open.firstIndex(where: { $0.id == run.id }) {
            if run.status.isTerminal { open.remove(at: index) } else { open[index] = run }
        } else if !run.status.isTerminal {
            open.append(run)
        }
        runs[run.printerID] = open
    }

    /// A finished run's file is deleted from the machine, so its storage holds only what is still to print.
    private func removeFile(of run: Run) {
        guard let client = links[run.printerID]?.client else { return }
        let path = DispatchFile.path(of: run.id), logger = logger
        tracked.remove(path)
        Task {
            do { try await client.delete(path) } catch { logger.info("could not delete \(path) from printer \(run.printerID): \(error)") }
        }
    }
}
