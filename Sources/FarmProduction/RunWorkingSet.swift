import FarmDomain
import Foundation

/// The runs the production loop plans with, and what it needs from all the others. It holds every run of the
/// plans it tracks (open plans, and plans created since it last read everything), every unfinished run, and each
/// printer's last finished runs (enough for the degradation guard); of the rest it keeps only when each printer
/// was last used and which G-code made parts that passed QA. Fed from a full read and then from the event log,
/// so a pass costs what changed, not the farm's whole history.
struct RunWorkingSet {
    /// Finished (completed or failed) runs kept per printer.
    let keepPerPrinter: Int
    private(set) var runs: [RunID: Run] = [:]
    private var versions: [RunID: Int] = [:]
    /// Plans whose every run is held.
    private(set) var tracked: Set<PlanID>
    /// Each printer's last finished runs, by end time, oldest first.
    private var recent: [PrinterID: [(id: RunID, ended: Date)]] = [:]
    /// G-code artifacts of plates whose parts passed QA.
    var proven: Set<String> = []

    init(keepPerPrinter: Int, tracking plans: Set<PlanID>) {
        self.keepPerPrinter = max(1, keepPerPrinter)
        self.tracked = plans
    }

    func version(of id: RunID) -> Int? { versions[id] }

    /// The runs held, oldest first.
    var held: [Run] { runs.values.sorted { ($0.scheduledAt, $0.id) < ($1.scheduledAt, $1.id) } }

    /// Takes a run as read at `version`; a copy older than the one held changes nothing. Returns whether the run
    /// newly passed QA (its plate's G-code is then proven; the caller looks it up).
    @discardableResult
    mutating func absorb(_ run: Run, version: Int) -> Bool {
        if let mine = versions[run.id], mine >= version { return false }
        let passedBefore = runs[run.id]?.qa == .passed
        if [.completed, .failed].contains(run.status), let ended = run.endedAt {
            keepRecent(run.id, ended: ended, on: run.printerID)
        }
        if isHeld(run) {
            runs[run.id] = run
            versions[run.id] = version
        } else if runs[run.id] != nil {
            forget(run.id)
        }
        return run.qa == .passed && !passedBefore
    }

    /// Tracks a plan created after the last full read: it has no run older than that.
    mutating func track(_ plan: PlanID) { tracked.insert(plan) }

    /// Stops tracking plans no longer open and lets go of their runs, unless held for another reason.
    mutating func keepTracking(only open: Set<PlanID>) {
        let closed = tracked.subtracting(open)
        guard !closed.isEmpty else { return }
        tracked.subtract(closed)
        for run in runs.values where run.items.contains(where: { closed.contains($0.planID) }) && !isHeld(run) {
            forget(run.id)
        }
    }

    private func isHeld(_ run: Run) -> Bool {
        !run.status.isTerminal || run.items.contains { tracked.contains($0.planID) }
            || recent[run.printerID]?.contains { $0.id == run.id } == true
    }

    private mutating func keepRecent(_ id: RunID, ended: Date, on printer: PrinterID) {
        var list = recent[printer, default: []].filter { $0.id != id }
        list.append((id, ended))
        list.sort { $0.ended < $1.ended }
        let dropped = list.count > keepPerPrinter ? Array(list.prefix(list.count - keepPerPrinter)) : []
        recent[printer] = Array(list.suffix(keepPerPrinter))
        for old in dropped {
            if let run = runs[old.id], !isHeld(run) { forget(old.id) }
        }
    }

    private mutating func forget(_ id: RunID) {
        runs[id] = nil
        // The version stays known only while the run is held; a run let go and changed later is read again.
        versions[id] = nil
    }
}
