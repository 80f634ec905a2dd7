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
    /// Shop orders waiting for a person: held for a mapping, or a shipment the shop could not be told of.
    var sales: [SaleID: (model: Sale, version: Int)] = [:]

    static let intentStatuses: [IntentStatus] = [.needsReview, .preflighted, .accepted, .inProduction]
    static let planStatuses: [PlanRevisionStatus] = [.draft, .reviewRequired]
    static let runStatuses: [RunStatus] = [.dispatching, .printing, .paused]

    static func holds(_ intent: Intent) -> Bool { intentStatuses.contains(intent.status) }
    static func holds(_ sale: Sale) -> Bool { sale.status == .held || sale.fulfilment?.status == .failed }
    static func holds(_ plan: Plan) -> Bool { planStatuses.contains(plan.status) || plan.awaitedApproval != nil }
    /// Runs under way, failed ones (shown for a day), completed ones waiting for QA.
    static func holds(_ run: Run, now: Date) -> Bool {
        runStatuses.contains(run.status) || (run.status == .completed && run.qa == .pending)
            || (run.status == .failed
                && (run.endedAt ?? run.updatedAt) > now.addingTimeInterval(-TriageBoard.failedWindow))
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

    func board(
        now: Date, recoveries: [PrinterID: PrinterRecovery] = [:], timeZone: TimeZone = .current,
        materials: [MaterialForecast.Line] = [], consumables: [(model: Consumable, version: Int)] = []
    ) async throws -> TriageBoard {
        if source != nil, let lastFullRead, now.timeIntervalSince(lastFullRead) < fullRead {
            try await catchUp(now: now)
        } else {
            try await readAll(now: now)
        }
        return TriageBoard.make(
            source ?? BoardSource(), now: now, recoveries: recoveries, timeZone: timeZone, materials: materials,
            consumables: consumables)
    }

    private func readAll(now: Date) async throws {
        let head = try await store.events.headSequence()
        var fresh = BoardSource()
        for (printer, version) in try await store.printers.allVersioned() {
            fresh.printers[printer.id] = (printer, version)
        }
        for status in BoardSource.intentStatuses {
            for (intent, version) in try await store.intents.allVersioned(status: status.rawValue) {
                fresh.intents[intent.id] = (intent, version)
            }
        }
        for status in BoardSource.planStatuses {
            for (plan, version) in try await store.plans.allVersioned(status: status.rawValue) {
                fresh.plans[plan.id] = (plan, version)
            }
        }
        for (plan, version) in try await store.plans.allVersioned(queue: ReadQueue.approval) {
            fresh.plans[plan.id] = (plan, version)
        }
        var runs: [(model: Run, version: Int)] = []
        for status in BoardSource.runStatuses { runs += try await store.runs.allVersioned(status: status.rawValue) }
        // Ids are time-ordered: those after the earliest id of a day ago were created since.
        let dayAgo = RunID(UUIDv7.earliest(at: now.addingTimeInterval(-TriageBoard.failedWindow))).description
        runs += try await store.runs.allVersioned(status: RunStatus.failed.rawValue, after: dayAgo)
        runs += try await store.runs.allVersioned(queue: ReadQueue.qa)
        for (run, version) in runs where BoardSource.holds(run, now: now) { fresh.runs[run.id] = (run, version) }
        for queue in [ReadQueue.saleHeld, ReadQueue.fulfilmentFailed] {
            for (sale, version) in try await store.sales.allVersioned(queue: queue) {
                fresh.sales[sale.id] = (sale, version)
            }
        }
        source = fresh
        cursor = head
        lastFullRead = now
    }

    private func catchUp(now: Date) async throws {
        guard var current = source else { return }
        let changes = try await store.events.changes(after: cursor)
        for (id, version) in changes.of(PrinterDecider.self) {
            guard let id = PrinterID(id), version > current.printers[id]?.version ?? 0 else { continue }
            current.printers[id] = try await store.printers.get(id: id.description).map { ($0.model, $0.version) }
        }
        for (id, version) in changes.of(IntentDecider.self) {
            guard let id = IntentID(id), version > current.intents[id]?.version ?? 0 else { continue }
            current.intents[id] = try await store.intents.get(id: id.description).flatMap {
                BoardSource.holds($0.model) ? ($0.model, $0.version) : nil
            }
        }
        for (id, version) in changes.of(PlanDecider.self) {
            guard let id = PlanID(id), version > current.plans[id]?.version ?? 0 else { continue }
            current.plans[id] = try await store.plans.get(id: id.description).flatMap {
                BoardSource.holds($0.model) ? ($0.model, $0.version) : nil
            }
        }
        for (id, version) in changes.of(RunDecider.self) {
            guard let id = RunID(id), version > current.runs[id]?.version ?? 0 else { continue }
            current.runs[id] = try await store.runs.get(id: id.description).flatMap {
                BoardSource.holds($0.model, now: now) ? ($0.model, $0.version) : nil
            }
        }
        for (id, version) in changes.of(SaleDecider.self) {
            guard let id = SaleID(id), version > current.sales[id]?.version ?? 0 else { continue }
            current.sales[id] = try await store.sales.get(id: id.description).flatMap {
                BoardSource.holds($0.model) ? ($0.model, $0.version) : nil
            }
        }
        cursor = changes.cursor
        // Failed runs leave the board after a day without an event of their own.
        current.runs = current.runs.filter { BoardSource.holds($0.value.model, now: now) }
        source = current
    }
}
