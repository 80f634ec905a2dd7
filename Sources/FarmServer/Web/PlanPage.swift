import FarmDomain
import FarmStore
import Foundation

/// A plan: its revisions newest first, each with what changed from the one before (profile keys, orientation,
/// supports, requirements), the gate decisions, the runs made from it, and — for a revision waiting for approval —
/// what approving it would change, next to the button.
enum PlanPage {
    static func render(
        _ plan: Plan, version: Int, intent: Intent?, runs: [Run], printers: [PrinterID: String], events: [StoredEvent],
        actors: [String: String],
        viewer: Viewer, schedule: FarmSchedule? = nil
    ) -> HTML {
        let stamp = Timeline.stamper(viewer.timeZone)
        let item = intent?.lineItems.first { $0.id == plan.lineItemID }
        let progress = PlanProgress(plan: plan, runs: runs)
        var facts: [HTML] = [
            "<dt>Status</dt><dd><span class=\"badge plan-\(plan.status.rawValue)\">\(WebPage.words(plan.status.rawValue))</span></dd>",
            "<dt>Order</dt><dd>\(intent.map { HTML("<a href=\"/orders/\($0.id)\">\(OrdersPage.name(of: $0))</a>") } ?? HTML("\(plan.intentID)"))</dd>",
        ]
        if let item {
            facts.append(
                "<dt>Line item</dt><dd>\(item.quantity) × \(item.material)\(item.colour.map { " \($0)" } ?? "")</dd>")
            facts.append(
                "<dt>Progress</dt><dd>\(progress.passed) of \(item.quantity) passed QA, \(progress.inFlight) on the way, \(progress.failures) failed</dd>"
            )
        }
        if let current = plan.currentRevision {
            facts.append("<dt>Prints from</dt><dd>revision \(current.number)</dd>")
        }
        facts.append("<dt>Scheduling</dt><dd>\(schedulingWords(plan.scheduling, printers: printers))</dd>")
        for (printer, print) in schedule?.prints(of: plan.id) ?? [] {
            facts.append("<dt>Planned</dt><dd>\(SchedulePage.words(print, on: printer, stamp: stamp))</dd>")
        }
        let revisions = plan.revisions.reversed().map { revision in
            self.revision(
                revision, of: plan, version: version, previous: plan.revisions.last { $0.number < revision.number },
                runs: runs, item: item, viewer: viewer, stamp: stamp)
        }
        let rows = runs.sorted { $0.id > $1.id }.map { RunPage.row($0, printer: printers[$0.printerID], stamp: stamp) }
        let title = "Plan for \(item.map { "\($0.quantity) × \($0.material)" } ?? "a line item")"
        return WebPage.layout(
            title: title, viewer: viewer, current: "/orders",
            main: """
                <nav class="crumbs" aria-label="Breadcrumb"><a href="/orders">Orders</a> › \(intent.map { HTML("<a href=\"/orders/\($0.id)\">\(OrdersPage.name(of: $0))</a>") } ?? "Order") › Plan</nav>
                <div class="page-head"><h1>\(title)</h1></div>
                <dl class="facts">\(facts)</dl>
                \(viewer.may(.operate) ? schedulingForm(plan, version: version, printers: printers) : HTML.empty)
                <section class="panel wide" aria-labelledby="revisions"><h2 id="revisions">Revisions</h2>\(revisions)</section>
                <section class="panel wide" aria-labelledby="runs"><h2 id="runs">Runs</h2>\(rows.isEmpty ? HTML("<p class=\"empty\">No run yet.</p>") : HTML("<table class=\"list\">\(RunPage.rowHead)<tbody>\(rows)</tbody></table>"))</section>
                <section class="panel wide" aria-labelledby="timeline"><h2 id="timeline">Timeline</h2>\(Timeline.render(events, actors: actors, stamp: stamp))</section>
                """)
    }

    static func schedulingWords(_ scheduling: PlanScheduling?, printers: [PrinterID: String]) -> String {
        var words: [String] = []
        if scheduling?.rush == true { words.append("rush") }
        if let pinned = scheduling?.pinnedPrinter {
            words.append("pinned to \(printers[pinned] ?? pinned.description)")
        }
        if let group = scheduling?.pinnedGroup { words.append("kept to group \(group)") }
        return words.isEmpty ? "any printer that fits, by due date" : words.joined(separator: ", ")
    }

    /// Pin to a printer or a group, mark rush: inputs the schedule weighs, not orders it obeys blindly.
    static func schedulingForm(_ plan: Plan, version: Int, printers: [PrinterID: String]) -> HTML {
        let current = plan.scheduling ?? PlanScheduling()
        let options = printers.sorted { $0.value < $1.value }.map { id, name in
            HTML("<option value=\"\(id)\"\(current.pinnedPrinter == id ? HTML(" selected") : .empty)>\(name)</option>")
        }
        return """
            <section class="panel wide" aria-labelledby="scheduling"><h2 id="scheduling">Scheduling</h2>
            <form class="ship" data-post="/api/v1/plans/\(plan.id)/scheduling" data-method="PUT" \
            data-version="\(version)" data-done="Scheduling saved">
            <label><input type="checkbox" name="rush"\(current.rush ? HTML(" checked") : .empty)> Rush \
            <span class="quiet">(its lateness weighs five times)</span></label>
            <label>Pin to printer \
            <select name="pinnedPrinter"><option value="">no pin</option>\(options)</select></label>
            <label>or to group <input name="pinnedGroup" maxlength="60" value="\(current.pinnedGroup ?? "")"></label>
            <button type="submit">Save</button>
            <p class="error" role="alert" hidden></p>
            </form>
            </section>
            """
    }

    static func revision(
        _ revision: PlanRevision, of plan: Plan, version: Int, previous: PlanRevision?, runs: [Run], item: LineItem?,
        viewer: Viewer, stamp: (Date) -> String
    ) -> HTML {
        let decisions = (plan.decisions ?? []).filter { $0.revision == revision.number }.map { decision in
            HTML(
                "<li>\(WebPage.riskChip(decision.risk, decision: decision)) \(decision.explanation)\(decision.overridden ? " (override)" : "")</li>"
            )
        }
        let changes: HTML
        if let previous {
            let diff = Self.diff(previous.spec, revision.spec)
            changes =
                diff.isEmpty
                ? "<p class=\"quiet\">Same recipe as revision \(previous.number).</p>"
                : """
                <table class="diff" aria-label="Changes from revision \(previous.number)"><thead><tr><th scope="col">Setting</th><th scope="col">Revision \(previous.number)</th><th scope="col">Revision \(revision.number)</th></tr></thead>
                <tbody>\(diff.map { HTML("<tr><th scope=\"row\">\($0.key)</th><td class=\"old\">\($0.old)</td><td class=\"new\">\($0.new)</td></tr>") })</tbody></table>
                """
        } else {
            changes =
                "<table class=\"diff\" aria-label=\"Recipe\"><tbody>\(Self.settings(revision.spec).map { HTML("<tr><th scope=\"row\">\($0.key)</th><td>\($0.value)</td></tr>") })</tbody></table>"
        }
        var approval: HTML = .empty
        // A draft waits for its first approval; a revision a guardrail stopped waits for a person to look and approve
        // it again (or to draft a better one).
        if revision.number == plan.revisions.last?.number, [.draft, .reviewRequired].contains(revision.status),
            viewer.may(.operate)
        {
            let impact = Self.impact(of: revision, plan: plan, runs: runs, quantity: item?.quantity).map {
                HTML("<li>\($0)</li>")
            }
            approval = """
                <div class="approval" aria-label="Approve revision \(revision.number)">
                  <h4>If you approve revision \(revision.number)</h4><ul class="impact">\(impact)</ul>
                  <div class="actions">\(WebPage.buttons([TriageBoard.Action.approve(plan.id, revision: revision.number)], version: version, viewer: viewer))</div>
                </div>
                """
        }
        if let waiting = plan.awaitedApproval, waiting.revision == revision.number, viewer.may(.operate) {
            approval = """
                <div class="approval" aria-label="\(TriageBoard.words(waiting.gate)) waits for approval">
                  <h4>\(TriageBoard.words(waiting.gate)) waits for your approval</h4><p>\(waiting.explanation)</p>
                  <div class="actions">\(WebPage.buttons([TriageBoard.Action.goAhead(plan.id, gate: waiting.gate, revision: revision.number)], version: version, viewer: viewer))</div>
                </div>
                """
        }
        return """
            <article class="revision" id="revision-\(revision.number)">
              <h3>Revision \(revision.number) <span class="badge plan-\(revision.status.rawValue)">\(WebPage.words(revision.status.rawValue))</span> <span class="quiet">\(stamp(revision.createdAt))</span></h3>
              \(revision.reasons.isEmpty ? HTML.empty : HTML("<p class=\"why\">\(revision.reasons.joined(separator: "; "))</p>"))
              \(changes)
              \(decisions.isEmpty ? HTML.empty : HTML("<ul class=\"decisions\">\(decisions)</ul>"))
              \(approval)
            </article>
            """
    }

    /// A recipe as named settings, in a fixed order.
    static func settings(_ spec: PlanSpec) -> [(key: String, value: String)] {
        func number(_ value: Double?) -> String { value.map { String(format: "%g", $0) } ?? "any" }
        let requirements = spec.requirements
        return [
            ("profile", spec.profile),
            (
                "orientation",
                "x \(number(spec.orientation.x))°, y \(number(spec.orientation.y))°, z \(number(spec.orientation.z))°"
            ),
            ("supports", WebPage.words(spec.supports.rawValue)),
            ("nozzle", requirements.nozzleDiameter.map { "\(number($0)) mm" } ?? "any"),
            ("material", requirements.material ?? "any"),
            ("enclosure", requirements.enclosure ? "required" : "not required"),
            ("hardened nozzle", requirements.hardenedNozzle ? "required" : "not required"),
            (
                "build volume",
                requirements.minimumVolume.map { "at least \(number($0.x)) × \(number($0.y)) × \(number($0.z)) mm" }
                    ?? "any"
            ),
            ("post-processing", spec.postProcessing.isEmpty ? "none" : spec.postProcessing.joined(separator: ", ")),
        ]
    }

    /// The settings that differ between two recipes.
    static func diff(_ old: PlanSpec, _ new: PlanSpec) -> [(key: String, old: String, new: String)] {
        zip(settings(old), settings(new)).compactMap { before, after in
            before.value == after.value ? nil : (before.key, before.value, after.value)
        }
    }

    /// What approving `revision` changes: which revision new runs print, the runs already queued from an earlier
    /// revision (they keep theirs), and how many copies are still to be made.
    static func impact(of revision: PlanRevision, plan: Plan, runs: [Run], quantity: Int?) -> [String] {
        var lines: [String] = []
        let current = plan.currentRevision
        lines.append(
            current.map { "New runs print revision \(revision.number) instead of revision \($0.number)." }
                ?? "Printing can start: revision \(revision.number) is the plan's first approved recipe.")
        let queued = runs.filter { run in
            [.scheduled, .dispatching].contains(run.status)
                && run.items.contains { $0.planID == plan.id && $0.revision != revision.number }
        }
        let printing = runs.filter { run in
            [.printing, .paused].contains(run.status)
                && run.items.contains { $0.planID == plan.id && $0.revision != revision.number }
        }
        if queued.isEmpty && printing.isEmpty {
            lines.append("No queued or printing run uses an earlier revision.")
        } else {
            if !queued.isEmpty {
                lines.append(
                    "\(queued.count) queued run(s) keep their earlier revision (\(queued.map { String($0.id.description.suffix(6)) }.joined(separator: ", "))): cancel them to print the new recipe instead."
                )
            }
            if !printing.isEmpty {
                lines.append("\(printing.count) run(s) printing an earlier revision finish as they are.")
            }
        }
        if let quantity {
            let progress = PlanProgress(plan: plan, runs: runs)
            let left = max(0, quantity - progress.passed - progress.inFlight)
            lines.append(
                "\(left) of \(quantity) cop\(quantity == 1 ? "y" : "ies") still to schedule will print from it; the revision is sliced first if it has not been."
            )
        }
        return lines
    }
}
