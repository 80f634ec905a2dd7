import FarmDomain
import FarmStore
import Foundation

/// The home page's four lanes: what needs a person now, what is at risk, what is printing, what waits for QA.
/// Each card says in one line why it is there and carries the actions that fit it. Made from a `BoardSource`
/// that `BoardFeed` keeps current, so a render costs the cards, not the farm's history.
struct TriageBoard: Sendable {
    enum Lane: String, CaseIterable, Sendable {
        case attention, atRisk, running, qa

        var title: String {
            switch self {
            case .attention: "Attention now"
            case .atRisk: "At risk"
            case .running: "Running"
            case .qa: "Ready for QA"
            }
        }
    }

    /// One thing to do about a card, carried out by the page through the REST API.
    struct Action: Sendable, Equatable {
        enum Style: String, Sendable { case primary, normal, danger }
        var label: String
        var path: String
        /// The JSON body sent (before a reason the person types, when `asksReason`).
        var body: String
        var permission: Permission
        var style: Style = .normal
        /// The page asks for a reason first (cancel, reject).
        var asksReason = false

        /// Accept or reject an order held for review.
        static func review(_ intent: IntentID) -> [Action] {
            let path = "/api/v1/intents/\(intent)/transitions"
            return [
                Action(
                    label: "Accept", path: path, body: #"{"action":"accept"}"#, permission: .operate, style: .primary),
                Action(
                    label: "Reject", path: path, body: #"{"action":"reject"}"#, permission: .operate, style: .danger,
                    asksReason: true),
            ]
        }

        /// Bring the machine out of its error the way its state calls for (from the live report), resync a desynced
        /// printer, clear a degraded one (after checking the machine), mark its bed cleared.
        static func recover(_ printer: Printer, recovery: PrinterRecovery?) -> [Action] {
            let path = "/api/v1/printers/\(printer.id)/transitions"
            var actions: [Action] = []
            if let recovery, printer.observed == .error {
                actions.append(
                    Action(
                        label: recovery.title, path: "/api/v1/printers/\(printer.id)/recover",
                        body: #"{"action":"\#(recovery.rawValue)"}"#,
                        permission: .operate, style: .primary))
            }
            if printer.desynced != nil {
                actions.append(
                    Action(
                        label: "Resync", path: path, body: #"{"action":"resync"}"#, permission: .operate,
                        style: .primary))
            }
            if printer.degraded != nil {
                actions.append(
                    Action(
                        label: "Clear degraded", path: path, body: #"{"action":"clearDegraded"}"#, permission: .operate,
                        style: .primary))
            }
            if printer.bedOccupied != nil {
                actions.append(
                    Action(
                        label: "Mark bed cleared", path: path, body: #"{"action":"clearBed"}"#, permission: .operate,
                        style: .primary))
            }
            return actions
        }

        /// An operator's go-ahead at a gate that waits for approval (a reprint, a dispatch): an override with the
        /// reason they give.
        static func goAhead(_ plan: PlanID, gate: Gate, revision: Int) -> Action {
            Action(
                label: "Approve \(words(gate).lowercased())",
                path: "/api/v1/plans/\(plan)/revisions/\(revision)/decisions",
                body: #"{"gate":"\#(gate.rawValue)","decide":"autoAdvance"}"#, permission: .operate, style: .primary,
                asksReason: true)
        }

        /// Tell the shop again, once the cause of the failure is fixed.
        static func retryFulfilment(_ sale: SaleID) -> Action {
            Action(
                label: "Retry telling the shop", path: "/api/v1/sales/\(sale)/fulfilment/retry", body: "{}",
                permission: .operate, style: .primary)
        }

        /// The changeover the schedule asked for is done: the printer holds the new setup and prints.
        static func confirmChangeover(_ printer: PrinterID) -> Action {
            Action(
                label: "Confirm changeover done", path: "/api/v1/printers/\(printer)/changeover/confirm", body: "{}",
                permission: .operate, style: .primary)
        }

        static func approve(_ plan: PlanID, revision: Int) -> Action {
            Action(
                label: "Approve revision \(revision)", path: "/api/v1/plans/\(plan)/revisions/\(revision)/approve",
                body: "{}", permission: .operate, style: .primary)
        }
    }

    struct Card: Sendable {
        enum Kind: String, Sendable { case intent, plan, printer, changeover, run, sale, material, consumable }
        var kind: Kind
        var id: String
        /// The aggregate's version the actions expect (If-Match): a stale card's action is refused, not applied.
        var version: Int
        var title: String
        var why: String
        var risk: RiskAssessment?
        var decision: GateRecord?
        var badges: [String] = []
        var progress: RunProgress?
        var actions: [Action] = []
        /// The page with its details.
        var link: String {
            switch kind {
            case .intent: "/orders/\(id)"
            case .plan: "/plans/\(id)"
            case .printer, .changeover: "/printers/\(id)"
            case .run: "/runs/\(id)"
            // A sale and the intent serving it share their id; a held one has no intent yet.
            case .sale: badges.contains("held") ? "/shops#sale-\(id)" : "/orders/\(id)"
            case .material: "/materials"
            case .consumable: "/materials#consumable-\(id)"
            }
        }
    }

    var lanes: [Lane: [Card]]

    func cards(_ lane: Lane) -> [Card] { lanes[lane] ?? [] }

    /// Orders with less than this left before their due date are at risk.
    static let slackThreshold: TimeInterval = 12 * 3600
    /// Failed runs stay on the board this long.
    static let failedWindow: TimeInterval = 24 * 3600

    /// The board from what the feed holds: cards are made at `now` (slack, failures of the last day, ages);
    /// `recoveries` are what the machines in error need, from their live reports.
    static func make(
        _ source: BoardSource, now: Date, recoveries: [PrinterID: PrinterRecovery] = [:], timeZone: TimeZone = .current,
        materials: [MaterialForecast.Line] = [], consumables: [(model: Consumable, version: Int)] = []
    ) -> TriageBoard {
        var lanes: [Lane: [Card]] = [:]
        func add(_ lane: Lane, _ card: Card) { lanes[lane, default: []].append(card) }
        let names = source.printers.mapValues(\.model.name)
        let clock = Self.clock(timeZone)
        for line in materials {
            add(.attention, materialCard(line, printer: line.runsOut.flatMap { names[$0.printer] }, clock: clock))
        }
        for (consumable, version) in consumables where !consumable.due.isEmpty {
            guard let printer = consumable.installed?.printer else { continue }
            add(.attention, consumableCard(consumable, version: version, printer: names[printer] ?? "its printer"))
        }
        // Changeovers first: the schedule's next prints wait for them.
        for (printer, version) in source.printers.values.sorted(by: { $0.model.id < $1.model.id }) {
            guard let task = printer.changeover else { continue }
            let order = source.intents.values.first { intent in
                source.plans[task.plan]?.model.intentID == intent.model.id
            }
            add(
                .attention,
                Card(
                    kind: .changeover, id: printer.id.description, version: version,
                    title: "\(task.sentence.capitalizedFirst) on \(printer.name) before \(clock(task.before))",
                    why:
                        "the next planned print\(order.map { " (\(OrdersPage.name(of: $0.model)))" } ?? "") needs it; "
                        + "the printer waits until you confirm it is done",
                    badges: ["changeover"], actions: [Action.confirmChangeover(printer.id)]))
        }

        for (printer, version) in source.printers.values.sorted(by: { $0.model.id < $1.model.id }) {
            if let card = printerCard(printer, version: version, recovery: recoveries[printer.id]) {
                add(.attention, card)
            }
        }
        let intents = source.intents.values.sorted { $0.model.id < $1.model.id }
        for (intent, version) in intents where intent.status == .needsReview {
            let id = intent.id.description
            add(
                .attention,
                Card(
                    kind: .intent, id: id, version: version, title: title(of: intent),
                    why: intent.statusReasons.first ?? "waits for review",
                    risk: intent.decisions?.last?.risk, decision: intent.decisions?.last, badges: ["needs review"],
                    actions: Action.review(intent.id)))
        }
        for (plan, version) in source.plans.values.sorted(by: { $0.model.id < $1.model.id }) {
            // A gate waiting on a plan of an order that closed meanwhile waits for nothing.
            if let card = planCard(plan, version: version, open: source.intents[plan.intentID] != nil) {
                add(.attention, card)
            }
        }
        for (sale, version) in source.sales.values.sorted(by: { $0.model.id < $1.model.id }) {
            add(.attention, saleCard(sale, version: version))
        }
        let runs = source.runs.values.sorted { $0.model.id < $1.model.id }
        // The source holds failed runs of the last `failedWindow` only.
        for (run, version) in runs where run.status == .failed {
            add(
                .attention,
                Card(
                    kind: .run, id: run.id.description, version: version,
                    title: "Run on \(names[run.printerID] ?? "a printer") failed",
                    why: run.failure ?? "the print failed", risk: run.risk, badges: ["failed"]))
        }
        for (intent, version) in intents where intent.status != .needsReview {
            if let card = riskCard(intent, version: version, now: now) { add(.atRisk, card) }
        }
        for (run, version) in runs where [.dispatching, .printing, .paused].contains(run.status) {
            add(.running, runningCard(run, version: version, printer: names[run.printerID]))
        }
        for (run, version) in runs where run.status == .completed && run.qa == .pending {
            add(
                .qa,
                Card(
                    kind: .run, id: run.id.description, version: version,
                    title:
                        "\(run.items.reduce(0) { $0 + $1.copies }) part(s) from \(names[run.printerID] ?? "a printer")",
                    why:
                        "completed \(run.endedAt.map { relative($0, now: now) } ?? ""), \(run.inspections.count) of \(run.items.count) item(s) inspected",
                    risk: run.risk))
        }
        return TriageBoard(lanes: lanes)
    }

    /// Filament the schedule needs and the stock does not hold (or stock under its reorder point).
    static func materialCard(_ line: MaterialForecast.Line, printer: String?, clock: (Date) -> String) -> Card {
        let name = [line.material, line.colour].compactMap { $0 }.joined(separator: " ")
        let key = String(name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : Character("-") })
        let grams = { (value: Double) in "\(Int(value.rounded())) g" }
        guard let out = line.runsOut else {
            return Card(
                kind: .material, id: key, version: 0, title: "Reorder \(name)",
                why:
                    "\(grams(line.afterSchedule)) left once the schedule is printed, under the reorder point of "
                    + "\(grams(line.reorderPoint ?? 0)); the spools hold \(grams(line.inStock))",
                badges: ["reorder"])
        }
        let late = out.due.map { " — due \(clock($0))" } ?? ""
        return Card(
            kind: .material, id: key, version: 0,
            title: "\(name) runs out at the print starting \(clock(out.start))\(printer.map { " on \($0)" } ?? "")",
            why:
                "the schedule needs \(grams(line.needed)), the spools hold \(grams(line.inStock)): "
                + "\(grams(out.short)) short by then\(late); load or order more",
            badges: out.due == nil ? ["material"] : ["material", "order at risk"])
    }

    /// A nozzle or sheet past a limit: maintenance before its printer's next print (whose risk it raises).
    static func consumableCard(_ consumable: Consumable, version: Int, printer: String) -> Card {
        let title = consumable.spec.title
        let cleaningOnly = consumable.due.allSatisfy { $0.hasPrefix("to clean") }
        return Card(
            kind: .consumable, id: consumable.id.description, version: version,
            title: "\(cleaningOnly ? "Clean" : "Replace") the \(title) on \(printer)",
            why: consumable.due.joined(separator: "; ") + "; it raises the risk of the printer's next print",
            badges: ["maintenance"],
            actions: cleaningOnly
                ? [
                    Action(
                        label: "Cleaned", path: "/api/v1/consumables/\(consumable.id)/clean", body: "{}",
                        permission: .operate, style: .primary)
                ] : [])
    }

    static func title(of intent: Intent) -> String {
        let items = intent.lineItems.map { "\($0.quantity)× \($0.material)" }.joined(separator: ", ")
        return "\(OrdersPage.name(of: intent))\(intent.customer.map { " for \($0)" } ?? ""): \(items)"
    }

    private static func saleCard(_ sale: Sale, version: Int) -> Card {
        let name = "\(sale.order.platform.rawValue.capitalizedFirst) order \(sale.order.name ?? sale.order.orderID)"
        if sale.status == .held {
            return Card(
                kind: .sale, id: sale.id.description, version: version, title: "\(name) is held",
                why: sale.reasons.first ?? "waits for a person", badges: ["held"])
        }
        return Card(
            kind: .sale, id: sale.id.description, version: version, title: "\(name) shipped; the shop was not told",
            why: sale.fulfilment?.lastError ?? "telling the shop failed", badges: ["shop not told"],
            actions: [Action.retryFulfilment(sale.id)])
    }

    private static func printerCard(_ printer: Printer, version: Int, recovery: PrinterRecovery?) -> Card? {
        var badges: [String] = []
        var why: String?
        if let desync = printer.desynced {
            badges.append("desynced")
            why = desync
        }
        if let degraded = printer.degraded {
            badges.append("degraded")
            why = why ?? degraded
        }
        if let bed = printer.bedOccupied {
            badges.append("bed to clear")
            why = why ?? bed
        }
        if printer.status == .error {
            badges.append("error")
            why = why ?? printer.lastMessage ?? "the printer reports an error"
        }
        guard let why else { return nil }
        return Card(
            kind: .printer, id: printer.id.description, version: version, title: printer.name, why: why, badges: badges,
            actions: Action.recover(printer, recovery: recovery))
    }

    private static func planCard(_ plan: Plan, version: Int, open: Bool) -> Card? {
        guard let revision = plan.revisions.last else { return nil }
        if let waiting = plan.awaitedApproval, let number = waiting.revision, open, revision.status == .approved {
            return Card(
                kind: .plan, id: plan.id.description, version: version,
                title: "\(words(waiting.gate)) waits for approval", why: waiting.explanation,
                risk: waiting.risk, decision: waiting, badges: ["approval"],
                actions: [Action.goAhead(plan.id, gate: waiting.gate, revision: number)])
        }
        let decision = plan.decisions?.latest(.approvePlan, revision: revision.number)
        if revision.status == .reviewRequired {
            return Card(
                kind: .plan, id: plan.id.description, version: version,
                title: "Plan stopped at revision \(revision.number)",
                why: revision.reasons.first ?? "a guardrail stopped it", risk: decision?.risk, decision: decision,
                badges: ["review required"])
        }
        guard let decision, decision.outcome != .autoAdvance else { return nil }
        return Card(
            kind: .plan, id: plan.id.description, version: version,
            title: "Revision \(revision.number) waits for approval", why: decision.explanation,
            risk: decision.risk, decision: decision, badges: ["approval"],
            actions: [Action.approve(plan.id, revision: revision.number)])
    }

    private static func riskCard(_ intent: Intent, version: Int, now: Date) -> Card? {
        let risk = intent.decisions?.last?.risk
        let slack = intent.dueDate.map { $0.timeIntervalSince(now) }
        var reasons: [String] = []
        if let slack, slack < slackThreshold {
            reasons.append(slack < 0 ? "overdue by \(duration(-slack))" : "due in \(duration(slack))")
        }
        if risk?.level == .high { reasons.append("HIGH risk") }
        guard !reasons.isEmpty else { return nil }
        return Card(
            kind: .intent, id: intent.id.description, version: version, title: title(of: intent),
            why: reasons.joined(separator: ", ") + " (\(intent.status.rawValue))",
            risk: risk, decision: intent.decisions?.last)
    }

    private static func runningCard(_ run: Run, version: Int, printer: String?) -> Card {
        let base = "/api/v1/runs/\(run.id)/"
        var actions: [Action] = []
        switch run.status {
        case .printing: actions.append(Action(label: "Pause", path: base + "pause", body: "{}", permission: .operate))
        case .paused:
            actions.append(
                Action(label: "Resume", path: base + "resume", body: "{}", permission: .operate, style: .primary))
        default: break
        }
        actions.append(
            Action(
                label: "Cancel", path: base + "cancel", body: "{}", permission: .operate, style: .danger,
                asksReason: true))
        var why = run.status.rawValue
        if let progress = run.progress {
            why = "\(progress.percent) %"
            if let layer = progress.layer { why += ", layer \(layer)\(progress.totalLayers.map { " of \($0)" } ?? "")" }
            if let left = progress.remainingSeconds { why += ", \(duration(left)) left" }
            if run.status == .paused { why = "paused at " + why }
        }
        return Card(
            kind: .run, id: run.id.description, version: version,
            title: printer ?? "printer \(run.printerID.description.suffix(6))", why: why, risk: run.risk,
            badges: run.status == .paused ? ["paused"] : [], progress: run.progress, actions: actions)
    }

    static func words(_ gate: Gate) -> String {
        switch gate {
        case .acceptIntent: "Acceptance"
        case .approvePlan: "Plan approval"
        case .slice: "Slicing"
        case .dispatch: "Dispatch"
        case .reprint: "Reprint"
        }
    }

    static func duration(_ seconds: TimeInterval) -> String {
        let minutes = Int((seconds / 60).rounded())
        if minutes < 60 { return "\(minutes) min" }
        if minutes < 48 * 60 { return "\(minutes / 60) h \(minutes % 60) min" }
        return "\(minutes / 1440) days"
    }

    /// "14:20" in the farm's time zone.
    static func clock(_ zone: TimeZone) -> (Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.timeZone = zone
        formatter.dateFormat = "HH:mm"
        return { formatter.string(from: $0) }
    }

    static func relative(_ time: Date, now: Date) -> String { "\(duration(max(0, now.timeIntervalSince(time)))) ago" }
}
