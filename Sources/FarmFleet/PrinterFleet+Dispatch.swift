import FarmDomain
import FarmProduction
import Foundation
import PrinterLink

/// Why a dispatch stopped before the machine began printing; the run goes back to scheduled with it.
struct DispatchFailure: Error, CustomStringConvertible {
    var description: String
}

/// Two-phase dispatch: (1) claim the run with a token, recorded before anything reaches the machine; (2) upload
/// its G-code under a name that carries the run id, check the machine is still idle, start, and wait until the
/// machine itself reports the file. A crash between the two leaves a claimed run, which reconciliation settles
/// from what the machine reports and its history before any retry, so a print is never started twice.
extension PrinterFleet {
    /// Dispatches the printer's oldest scheduled run when the printer is free: live, ready and idle, with no job,
    /// no run of ours on it, not in maintenance, not desynced or degraded, and not resting after a failure.
    func dispatchIfFree(_ id: PrinterID) async {
        guard dispatching[id] == nil, let printer = printers[id], let report = reports[id], links[id] != nil,
            report.link == .live, report.state == .idle, printer.status == .idle, printer.job == nil,
            printer.desynced == nil, printer.degraded == nil, (restUntil[id] ?? .distantPast) <= now(),
            let open = runs[id], !open.contains(where: { $0.status != .scheduled }), let next = open.first
        else { return }
        let token = newID().uuidString.lowercased()
        dispatching[id] = next.id
        guard await execute(.beginDispatch(token: token), on: next, reason: .dispatchClaimed) else {
            dispatching[id] = nil
            return
        }
        begin(next, on: id, token: token)
    }

    /// A run scheduled over the API: queued on its printer and dispatched now if the printer is free.
    public func scheduled(_ run: Run, version: Int) async {
        remember(run, version: version)
        await dispatchIfFree(run.printerID)
    }

    /// Phase two, in its own task: the printer's reports keep flowing while the file travels.
    func begin(_ run: Run, on id: PrinterID, token: String) {
        dispatching[id] = run.id
        Task { await self.upload(run, on: id, token: token) }
    }

    private func upload(_ run: Run, on id: PrinterID, token: String) async {
        do {
            guard let link = links[id] else { throw DispatchFailure(description: "the printer is no longer connected") }
            guard let plate = try await store.plates.get(id: run.plateID.description)?.model,
                let sha = plate.gcodeArtifact
            else {
                throw DispatchFailure(
                    description: "plate \(run.plateID) has no G-code; slice it and freeze the plate with it")
            }
            let path = artifacts.path(of: sha)
            guard FileManager.default.fileExists(atPath: path) else {
                throw DispatchFailure(
                    description: "the G-code \(sha) of plate \(run.plateID) is missing from the artifact store")
            }
            let remote = try await link.connector.upload(file: path, as: DispatchFile.name(of: run.id))
            await link.connector.track(file: remote)
            tracked.insert(remote)
            // The machine may have changed while the file travelled: start only on a live, ready, idle printer.
            guard let report = reports[id], report.link == .live, report.state == .idle else {
                throw DispatchFailure(
                    description:
                        "the printer stopped being idle during the upload (\(reports[id]?.state.rawValue ?? "no report"))"
                )
            }
            try await link.connector.start(remote)
            // Moonraker answers "ok" to a start that did nothing: only the machine's own report counts.
            let deadline = now().addingTimeInterval(timing.startTimeout)
            while !Self.began(remote, reports[id]) {
                guard now() < deadline else {
                    throw DispatchFailure(
                        description:
                            "the printer accepted the start but did not report \(remote) within \(Int(timing.startTimeout)) s"
                    )
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            dispatching[id] = nil
            await reconcile(id)
        } catch {
            dispatching[id] = nil
            let why = (error as? DispatchFailure)?.description ?? "\(error)"
            logger.warning(
                "dispatch of run \(run.id) to printer \(id) failed: \(why); the printer rests \(Int(timing.retryAfter)) s"
            )
            restUntil[id] = now().addingTimeInterval(timing.retryAfter)
            await execute(.abortDispatch(token: token), on: run, reason: .dispatchFailed, note: String(why.prefix(500)))
        }
    }

    private static func began(_ file: String, _ report: MachineReport?) -> Bool {
        guard let report, report.filename == file, let job = report.job else { return false }
        return job != .standby
    }
}

/// What an operator may ask of a run on its printer.
public enum RunAction: String, Sendable, CaseIterable {
    case pause, resume, cancel

    public var command: RunCommand {
        switch self {
        case .pause: .pause
        case .resume: .resume
        case .cancel: .cancel
        }
    }

    public var target: RunStatus {
        switch self {
        case .pause: .paused
        case .resume: .printing
        case .cancel: .cancelled
        }
    }
}

extension PrinterFleet {
    /// Carries out an operator's pause, resume or cancel. A run not yet on its printer changes at once; one on
    /// the printer changes when the machine reports it did (Moonraker says "ok" to commands that did nothing), and
    /// the event then carries the operator as actor, with their reason and note.
    public func perform(_ action: RunAction, on runID: RunID, context: CommandContext, wait: TimeInterval = 10)
        async throws
        -> Run
    {
        guard let run = try await store.runs.get(id: runID.description)?.model else {
            throw FleetError.notFound("run \(runID)")
        }
        guard [.printing, .paused].contains(run.status) else {
            if run.status == .dispatching {
                throw FleetError(
                    .conflict, code: "run-dispatching", title: "The run is being sent to its printer",
                    detail: "wait until it is printing (a few seconds), then \(action.rawValue) it")
            }
            let outcome = try await store.runs.execute(action.command, id: runID.description, context: context)
            remember(outcome.model, version: outcome.version)
            return outcome.model
        }
        if run.status == action.target { return run }
        guard let link = links[run.printerID], let report = reports[run.printerID], report.link == .live else {
            throw FleetError(
                .conflict, code: "printer-unreachable", title: "The printer cannot be reached",
                detail:
                    "printer \(run.printerID) is \(reports[run.printerID]?.state.rawValue ?? "not connected"); act on the machine itself, the run will follow what it reports"
            )
        }
        requested[runID] = (action.command, context)
        do {
            switch action {
            case .pause: try await link.connector.pause()
            case .resume: try await link.connector.resume()
            case .cancel: try await link.connector.cancel()
            }
        } catch {
            requested[runID] = nil
            throw FleetError(
                .machineRefused, code: "printer-refused", title: "The printer refused the command",
                detail: "\(error)")
        }
        let deadline = now().addingTimeInterval(wait)
        while now() < deadline {
            if let current = runs[run.printerID]?.first(where: { $0.id == runID }), current.status == action.target {
                return current
            }
            if runs[run.printerID]?.contains(where: { $0.id == runID }) != true,
                let stored = try await store.runs.get(id: runID.description)?.model,
                stored.status.isTerminal
            {
                return stored
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw FleetError(
            .machineSilent, code: "printer-did-not-confirm", title: "The printer did not confirm in time",
            detail:
                "the printer accepted the \(action.rawValue) but did not report it within \(Int(wait)) s; the run follows when it does"
        )
    }
}

extension PrinterFleet {
    /// Cancels one object of a printing plate (an operator saw it fail): Klipper skips it from now on, the others
    /// print on, and the run records the object's copy as failed (the loop reprints it). Refused unless the run
    /// prints, its plate defines the object, and the printer confirms it excludes it.
    public func exclude(object name: String, on runID: RunID, context: CommandContext) async throws -> Run {
        guard let run = try await store.runs.get(id: runID.description)?.model else {
            throw FleetError.notFound("run \(runID)")
        }
        let objects = try await store.plates.get(id: run.plateID.description)?.model.objects ?? []
        guard let object = objects.first(where: { $0.name == name.uppercased() }) else {
            let known = objects.map(\.name).joined(separator: ", ")
            throw FleetError.invalid(
                "name",
                objects.isEmpty
                    ? "the plate of this run defines no objects (plates composed in farm mode do); "
                        + "cancel the run instead"
                    : "the plate of this run has no object \(name.prefix(200)); its objects are \(known)")
        }
        if run.excluded?.contains(where: { $0.name == object.name }) == true { return run }
        guard [.printing, .paused].contains(run.status) else {
            throw FleetError(
                .conflict, code: "run-not-printing", title: "The run is not printing",
                detail: "run \(runID) is \(run.status.rawValue); an object can be cancelled only while its plate prints"
            )
        }
        guard let link = links[run.printerID], reports[run.printerID]?.link == .live else {
            throw FleetError(
                .conflict, code: "printer-unreachable", title: "The printer cannot be reached",
                detail: "printer \(run.printerID) is not connected; cancel the object on the machine itself")
        }
        let excluded: [String]
        do {
            excluded = try await link.connector.excludeObject(object.name)
        } catch  where error.kind == .unsupported {
            throw FleetError(
                .conflict, code: "exclusion-unsupported", title: "The printer cannot skip one object",
                detail: "\(error.message); cancel the run instead")
        } catch {
            throw FleetError(
                .machineRefused, code: "printer-refused", title: "The printer refused the command",
                detail: "\(error)")
        }
        guard excluded.contains(object.name) else {
            throw FleetError(
                .machineRefused, code: "printer-did-not-confirm", title: "The printer did not confirm",
                detail:
                    "the printer does not list \(object.name) among the objects it skips (it lists "
                    + "\(excluded.joined(separator: ", "))); does its Klipper have [exclude_object] in printer.cfg?"
            )
        }
        let outcome = try await store.runs.execute(
            .excludeObject(name: object.name, planID: object.planID, copy: object.copy), id: runID.description,
            context: context)
        remember(outcome.model, version: outcome.version)
        return outcome.model
    }
}

extension PrinterFleet: RunDispatcher {}
