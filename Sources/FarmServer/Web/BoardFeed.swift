import FarmDomain
import FarmStore
import Foundation

/// What the triage board is made from: every printer (names and conditions) and the intents, plans and runs that
/// can make a card, each with its version.
struct BoardSource: Sendable {
    var printers: [PrinterID: (model: Printer, version: Int)] = [:]
    var intents: [IntentID: (model: Intent, version: Int)] = [:]
    var plans: [PlanID: (model: Plan, version: Int)] = [:]
    var runs: [RunID: (model: Run, version: Int)] = [:]

    static let intentStatuses: [IntentStatus] = [.needsReview, .preflighted, .accepted, .inProduction]
    static let planStatuses: [PlanRevisionStatus] = [.draft, .reviewRequired]
    static let runStatuses: [RunStatus] = [.dispatching, .printing, .paused]

    static func holds(_ intent: Intent) -> Bool { intentStatuses.contains(intent.status) }
    static func holds(_ plan: Plan) -> Bool { planStatuses.contains(plan.status) }
    /// Runs under way, failed ones (shown for a day), completed ones waiting for QA.
    static func holds(_ run: Run, now: Date) -> Bool {
        runStatuses.contains(run.status) || (run.status == .completed && run.qa == .pending)
            || (run.status == .failed && (run.endedAt ?? run.updatedAt) > now.addingTimeInterval(-TriageBoard.failedWindow))
    }
}

/// Keeps the board's source current from the event log, as the fleet and the production loop keep theirs: read
/// with indexed queries once, then only the aggregates whose streams gained events are read again. A render costs
/// the cards on the board and what changed since the last one, not the farm's size or history. Everything is read
/// again every `fullRead` as a safety net.
actor BoardFeed {
    let store: Store
    let fullRead: TimeInterval
    private var source: BoardSource?
    private var cursor: Int64 = 0
    private var lastFullRead: Date?

    init(store: Store, fullRead: TimeInterval = 600) {
        self.store = store
        self.fullRead = fullRead
    }

    func board(now: Date) async throws -> TriageBoard {
        if source != nil, let lastFullRead, now.timeIntervalSince(lastFullRead) < fullRead {
            try await catchUp(now: now)
        } else {
            try await readAll(now: now)
        }
        return TriageBoard.make(source ?? BoardSource(), now: now)
    }

    private func readAll(now: Date) async throws {
        let head = try await store.events.headSequence()
        let decoder = StoreCoding.decoder()
        var fresh = BoardSource()
        for (printer, version) in try await store.printers.allVersioned() { fresh.printers[printer.id] = (printer, version) }
        for status in BoardSource.intentStatuses {
            for (intent, version) in try await store.intents.allVersioned(status: status.rawValue) { fresh.intents[intent.id] = (intent, version) }
        }
        for status in BoardSource.planStatuses {
            for (plan, version) in try await store.plans.allVersioned(status: status.rawValue) { fresh.plans[plan.id] = (plan, version) }
        }
        var rows: [ReadModelRow] = []
        for status in BoardSource.runStatuses { rows += try await store.runs.list(status: status.rawValue, limit: 5000) }
        rows += try await store.runs.list(status: RunStatus.failed.rawValue, after: TriageBoard.lowerBound(now.addingTimeInterval(-TriageBoard.failedWindow)), limit: 1000)
        rows += try await store.runs.list(queue: ReadQueue.qa, limit: 5000)
        for row in rows {
            let run = try decoder.decode(Run.self, from: row.body)
            if BoardSource.holds(run, now: now) { fresh.runs[run.id] = (run, row.version) }
        }
        source = fresh
        cursor = head
        lastFullRead = now
    }

    private static let printerStream = PrinterDecider.stream(""), intentStream = IntentDecider.stream("")
    private static let planStream = PlanDecider.stream(""), runStream = RunDecider.stream("")

    private func catchUp(now: Date) async throws {
        var changed: [String: Int] = [:]
        while true {
            let page = try await store.events.touched(after: cursor, limit: 1000)
            for event in page { changed[event.stream] = max(changed[event.stream] ?? 0, event.version) }
            guard let last = page.last else { break }
            cursor = last.sequence
            if page.count < 1000 { break }
        }
        guard var current = source else { return }
        for (stream, version) in changed {
            if let id = PrinterID(String(stream.trimmingPrefix(Self.printerStream))), version > current.printers[id]?.version ?? 0 {
                current.printers[id] = try await store.printers.get(id: id.description).map { ($0.model, $0.version) }
            } else if let id = IntentID(String(stream.trimmingPrefix(Self.intentStream))), version > current.intents[id]?.version ?? 0 {
                current.intents[id] = try await store.intents.get(id: id.description).flatMap { BoardSource.holds($0.model) ? ($0.model, $0.version) : nil }
            } else if let id = PlanID(String(stream.trimmingPrefix(Self.planStream))), version > current.plans[id]?.version ?? 0 {
                current.plans[id] = try await store.plans.get(id: id.description).flatMap { BoardSource.holds($0.model) ? ($0.model, $0.version) : nil }
            } else if let id = RunID(String(stream.trimmingPrefix(Self.runStream))), version > current.runs[id]?.version ?? 0 {
                current.runs[id] = try await store.runs.get(id: id.description).flatMap { BoardSource.holds($0.model, now: now) ? ($0.model, $0.version) : nil }
            }
        }
        // Failed runs leave the board after a day without an event of their own.
        current.runs = current.runs.filter { BoardSource.holds($0.value.model, now: now) }
        source = current
    }
}
