import Foundation

public enum RunCommand: Sendable, Equatable {
    /// `risk`: the run-stage risk the loop scheduled it on (QA may auto-pass LOW); absent for hand-scheduled runs.
    /// `itemRisks`: on a plate of several plans, each plan's own risk (QA passes each item by its own).
    case schedule(
        RunID, plateID: BuildPlateID, printerID: PrinterID, items: [PlateItem], risk: RiskAssessment? = nil,
        itemRisks: [ItemRisk]? = nil)
    /// Phase one of dispatch: claim the run with a token before anything is sent to the printer.
    case beginDispatch(token: String)
    /// The upload or start failed before the printer began: back to scheduled.
    case abortDispatch(token: String)
    /// Phase two: the printer reports the print under this token has started.
    case confirmStarted(token: String)
    case reportProgress(RunProgress)
    case pause
    case resume
    case complete
    case fail
    case cancel
    case interrupt
    /// QA of one item of a completed run: a failure names its reason; `evidence` are artifact SHA-256s.
    case inspect(planID: PlanID, passed: Bool, code: QAReason? = nil, evidence: [String] = [])
    /// One object of the plate cancelled mid-print (the printer skips it); its copy of the plan failed.
    case excludeObject(name: String, planID: PlanID, copy: Int)
    /// A camera's picture taken at a moment of the run (at most one per moment and camera).
    case recordSnapshot(RunSnapshot)

    public var name: String {
        switch self {
        case .schedule: "schedule"
        case .beginDispatch: "dispatch"
        case .abortDispatch: "abort the dispatch of"
        case .confirmStarted: "confirm the start of"
        case .reportProgress: "report progress of"
        case .pause: "pause"
        case .resume: "resume"
        case .complete: "complete"
        case .fail: "fail"
        case .cancel: "cancel"
        case .excludeObject: "cancel an object of"
        case .recordSnapshot: "record a snapshot of"
        case .interrupt: "interrupt"
        case .inspect: "inspect"
        }
    }
}

public enum RunState: Sendable, Equatable {
    case none
    case exists(Run)

    public var run: Run? {
        if case .exists(let run) = self { run } else { nil }
    }
}

/// Runs: scheduled → dispatching → printing ⇄ paused → completed | failed | cancelled | interrupted;
/// a completed run's items are then inspected one by one (QA pending → passed | failed).
public enum RunDecider: Decider {
    public static let initialState = RunState.none

    /// The statuses each status-changing command may start from, and where it leads.
    static let moves: [String: (from: Set<RunStatus>, to: RunStatus)] = [
        "pause": ([.printing], .paused),
        "resume": ([.paused], .printing),
        "complete": ([.dispatching, .printing, .paused], .completed),
        "fail": ([.dispatching, .printing, .paused], .failed),
        "cancel": ([.scheduled, .dispatching, .printing, .paused], .cancelled),
        "interrupt": ([.dispatching, .printing, .paused], .interrupted),
    ]

    public static func decide(_ command: RunCommand, state: RunState, context: CommandContext) throws(DomainError)
        -> [RunEvent]
    {
        guard case .exists(let run) = state else {
            guard case .schedule(let id, let plateID, let printerID, let items, let risk, let itemRisks) = command
            else {
                throw .notFound(aggregate: "run", command: command.name)
            }
            try BuildPlateDecider.validate(items)
            return [
                .scheduled(
                    RunScheduled(
                        runID: id, plateID: plateID, printerID: printerID, items: items, risk: risk,
                        itemRisks: itemRisks, at: context.time))
            ]
        }
        let illegal = DomainError.illegalTransition(aggregate: "run", command: command.name, state: run.status.rawValue)
        let change = RunStatusChanged(detail: context.note, at: context.time)
        switch command {
        case .schedule(let id, let plateID, let printerID, let items, _, _):
            guard id == run.id, plateID == run.plateID, printerID == run.printerID, items == run.items else {
                throw .alreadyExists(aggregate: "run")
            }
            return []
        case .beginDispatch(let token):
            guard !token.isEmpty, token.count <= 100 else {
                throw .invalid(field: "token", reason: "1 to 100 characters")
            }
            if run.status == .dispatching, run.dispatchToken == token { return [] }
            guard run.status == .scheduled else { throw illegal }
            return [.dispatching(RunDispatching(token: token, at: context.time))]
        case .abortDispatch(let token):
            if run.status == .scheduled { return [] }
            guard run.status == .dispatching else { throw illegal }
            try checkToken(token, run)
            return [.dispatchAborted(change)]
        case .confirmStarted(let token):
            if [.printing, .paused].contains(run.status), run.dispatchToken == token { return [] }
            guard run.status == .dispatching else { throw illegal }
            try checkToken(token, run)
            return [.started(change)]
        case .reportProgress(let progress):
            guard [.printing, .paused].contains(run.status) else { throw illegal }
            guard progress.fraction.isFinite, (0...1).contains(progress.fraction) else {
                throw .invalid(field: "progress.fraction", reason: "between 0 and 1")
            }
            if run.progress == progress { return [] }
            return [.progressed(RunProgressed(progress: progress, at: context.time))]
        case .pause: return try move(run, "pause", illegal) { .paused(change) }
        case .resume: return try move(run, "resume", illegal) { .resumed(change) }
        case .complete: return try move(run, "complete", illegal) { .completed(change) }
        case .fail: return try move(run, "fail", illegal) { .failed(change) }
        case .cancel: return try move(run, "cancel", illegal) { .cancelled(change) }
        case .interrupt: return try move(run, "interrupt", illegal) { .interrupted(change) }
        case .excludeObject(let name, let planID, let copy):
            if run.excluded?.contains(where: { $0.name == name }) == true { return [] }
            guard [.printing, .paused].contains(run.status) else { throw illegal }
            guard run.items.contains(where: { $0.planID == planID && copy >= 0 && copy < $0.copies }) else {
                throw .invalid(field: "planID", reason: "plan \(planID) has no copy \(copy) in this run")
            }
            guard (1...200).contains(name.count) else { throw .invalid(field: "name", reason: "1 to 200 characters") }
            return [
                .objectExcluded(
                    ObjectExclusion(name: name, planID: planID, copy: copy, reason: context.note, at: context.time))
            ]
        case .recordSnapshot(let snapshot):
            guard snapshot.artifact.count == 64, snapshot.artifact.allSatisfy(\.isHexDigit) else {
                throw .invalid(field: "artifact", reason: "the SHA-256 of a stored picture")
            }
            let taken = run.snapshots ?? []
            if taken.contains(where: { $0.moment == snapshot.moment && $0.camera == snapshot.camera }) { return [] }
            return [.snapshotTaken(snapshot)]
        case .inspect(let planID, let passed, let code, let evidence):
            guard run.status == .completed else { throw illegal }
            guard run.items.contains(where: { $0.planID == planID }) else {
                throw .invalid(field: "planID", reason: "plan \(planID) was not printed in this run")
            }
            if passed, code != nil {
                throw .invalid(field: "failure", reason: "a passed item has no failure reason; leave it out")
            }
            if !passed, code == nil {
                throw .invalid(
                    field: "failure",
                    reason: "say why it failed: \(QAReason.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard evidence.count <= 20, evidence.allSatisfy({ (1...128).contains($0.count) }) else {
                throw .invalid(
                    field: "evidence",
                    reason: "at most 20 artifact SHA-256s (upload photos with POST /api/v1/artifacts)")
            }
            if let last = run.inspections.last(where: { $0.planID == planID }), last.passed == passed,
                last.code == code, evidence.isEmpty
            {
                return []
            }
            return [
                .itemInspected(
                    ItemInspection(
                        planID: planID, passed: passed, reason: context.note, code: code,
                        evidence: evidence.isEmpty ? nil : evidence, at: context.time))
            ]
        }
    }

    private static func checkToken(_ token: String, _ run: Run) throws(DomainError) {
        guard run.dispatchToken == token else {
            throw .invalid(field: "token", reason: "the run was claimed with another dispatch token")
        }
    }

    private static func move(_ run: Run, _ name: String, _ illegal: DomainError, _ event: () -> RunEvent)
        throws(DomainError) -> [RunEvent]
    {
        guard let move = moves[name] else { throw illegal }
        if run.status == move.to { return [] }
        guard move.from.contains(run.status) else { throw illegal }
        return [event()]
    }

    public static func evolve(_ state: RunState, _ event: RunEvent) -> RunState {
        if case .scheduled(let e) = event {
            return .exists(
                Run(
                    id: e.runID, plateID: e.plateID, printerID: e.printerID, items: e.items, status: .scheduled,
                    dispatchToken: nil,
                    progress: nil, failure: nil, inspections: [], risk: e.risk, scheduledAt: e.at, startedAt: nil,
                    endedAt: nil, updatedAt: e.at, itemRisks: e.itemRisks))
        }
        guard case .exists(var run) = state else { return state }
        func end(_ status: RunStatus, _ change: RunStatusChanged) {
            run.status = status
            run.endedAt = change.at
            run.updatedAt = change.at
        }
        switch event {
        case .scheduled: break
        case .dispatching(let e):
            run.status = .dispatching
            run.dispatchToken = e.token
            run.updatedAt = e.at
        case .dispatchAborted(let c):
            run.status = .scheduled
            run.dispatchToken = nil
            run.updatedAt = c.at
        case .started(let c):
            run.status = .printing
            run.startedAt = c.at
            run.updatedAt = c.at
        case .progressed(let e):
            run.progress = e.progress
            run.updatedAt = e.at
        case .paused(let c):
            run.status = .paused
            run.updatedAt = c.at
        case .resumed(let c):
            run.status = .printing
            run.updatedAt = c.at
        case .completed(let c): end(.completed, c)
        case .failed(let c):
            end(.failed, c)
            run.failure = c.detail
        case .cancelled(let c): end(.cancelled, c)
        case .interrupted(let c): end(.interrupted, c)
        case .objectExcluded(let exclusion):
            run.excluded = (run.excluded ?? []) + [exclusion]
            run.updatedAt = exclusion.at
        case .snapshotTaken(let snapshot):
            run.snapshots = (run.snapshots ?? []) + [snapshot]
        case .itemInspected(let inspection):
            run.inspections.append(inspection)
            run.updatedAt = inspection.at
        }
        return .exists(run)
    }
}
