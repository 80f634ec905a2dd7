import FarmDomain
import FarmPlates
import Foundation

/// Farm mode's plate composer: every plate not yet printing as a top view of its bed (SVG drawn on the server: the
/// bed, each part where the composer's estimate or the slicer put it, labelled with its order and item, in its
/// filament's colour), with its fill, due date, printers and place in the schedule. An operator moves a part to
/// another plate that can take it (or to one of its own), splits or locks a plate, or re-composes the unlocked rest;
/// each change answers with what it does to the schedule.
enum PlatesPage {
    /// What the page says about one plan on a plate.
    struct PartFacts: Sendable {
        var intent: IntentID
        var name: String
        var material: String
        var colour: String?
        var key: String
        /// Its footprint as it lies, and its profile (whose bed it shares).
        var width: Double
        var depth: Double
        var profile: String
        var due: Date? = nil
    }

    struct Shown: Sendable {
        var plate: BuildPlate
        var version: Int
        /// A plate still composing as the composer's estimate lays it out now (nil where its bed is unknown).
        var estimate: PlateDraft?
        /// The bed its parts share, where it is known.
        var bed: Bed?
    }

    static func render(
        _ plates: [Shown], parts: [PlanID: PartFacts], schedule: FarmSchedule?, now: Date, viewer: Viewer
    ) -> HTML {
        WebPage.layout(
            title: "Plates", viewer: viewer, current: "/plates",
            main: """
                <div class="page-head"><h1>Plates</h1>\(viewer.may(.operate) ? recompose : .empty)</div>
                <section id="plates" data-fragment="/ui/plates" data-subjects="plate- run-" data-poll="30000" \
                aria-label="Plates">
                \(part(plates, parts: parts, schedule: schedule, now: now, viewer: viewer))
                </section>
                """)
    }

    static let recompose: HTML = """
        <button type="button" data-action="/api/v1/plates/recompose" \
        title="Discard every unlocked plate still composing; the composer makes them afresh within seconds">\
        Re-compose unlocked plates</button>
        """

    static func part(
        _ plates: [Shown], parts: [PlanID: PartFacts], schedule: FarmSchedule?, now: Date, viewer: Viewer
    ) -> HTML {
        guard !plates.isEmpty else {
            return "<p class=\"empty\">No plate waits. Parts of new orders are put on plates as they are sliced.</p>"
        }
        let clock = TriageBoard.clock(viewer.timeZone)
        let stamp = Timeline.stamper(viewer.timeZone)
        let outlook = Dictionary(
            (schedule?.plates ?? []).map { ($0.plate, $0) }, uniquingKeysWith: { a, _ in a })
        var planned: [BuildPlateID: (printer: String, print: FarmSchedule.ScheduledPrint)] = [:]
        for queue in schedule?.printers ?? [] {
            for print in queue.prints { if let plate = print.plate { planned[plate] = (queue.name, print) } }
        }
        // Which plates a part may move to: those still composing whose parts are alike.
        let composing = plates.filter { $0.plate.status == .composing }
        func key(_ plate: BuildPlate) -> String? { plate.items.first.flatMap { parts[$0.planID]?.key } }
        return HTML(
            trusted: plates.map { shown -> String in
                let plate = shown.plate
                let name = "Plate \(plate.id.description.suffix(6))"
                let view = outlook[plate.id]
                let status = plate.status.rawValue
                var facts: [HTML] = [
                    """
                    <dt>Status</dt><dd><span class="badge badge-\(status)">\(status)</span>\
                    \(plate.isLocked ? " locked" : "")</dd>
                    """,
                    "<dt>Parts</dt><dd>\(plate.copies) part(s) from \(plate.items.count) plan(s)</dd>",
                ]
                if let due = plate.items.compactMap({ parts[$0.planID]?.due }).min() {
                    facts.append("<dt>Due</dt><dd>\(stamp(due))</dd>")
                }
                // A plate the loop could not lay out (a gate waits) has an outlook without a bed.
                let laidOut = view.flatMap { $0.bedWidth > 0 ? $0 : nil }
                if let fill = shown.estimate?.fill ?? laidOut?.fill {
                    facts.append("<dt>Bed filled</dt><dd>\(Int((fill * 100).rounded())) %</dd>")
                }
                if let printers = laidOut?.printers {
                    let names = printers.isEmpty ? "none can take it" : printers.joined(separator: ", ")
                    facts.append("<dt>Printers</dt><dd>\(names)</dd>")
                }
                if let (printer, print) = planned[plate.id] {
                    let timing: String =
                        print.due.map { due in
                            print.late ? "late (due \(stamp(due)))" : "on time (due \(stamp(due)))"
                        } ?? "no due date"
                    facts.append(
                        """
                        <dt>Planned</dt><dd class="\(print.late ? "late" : "")">on \(printer), \
                        \(clock(print.start))–\(clock(print.end)), \(timing)</dd>
                        """)
                } else if let waiting = view?.waiting {
                    facts.append("<dt>Waits</dt><dd>\(waiting)</dd>")
                }
                let items = plate.items.map { item -> HTML in
                    let facts = parts[item.planID]
                    let label =
                        "\(item.copies) × \(facts?.name ?? "plan \(item.planID.description.suffix(6))"), "
                        + "\(facts?.material ?? "")\(facts?.colour.map { " \($0)" } ?? "")"
                    let order = facts.map {
                        HTML(" for <a href=\"/orders/\($0.intent)\">order \($0.intent.description.suffix(6))</a>")
                    }
                    guard plate.status == .composing, viewer.may(.operate) else {
                        return "<li><a href=\"/plans/\(item.planID)\">\(label)</a>\(order ?? .empty)</li>"
                    }
                    let targets = composing.filter { other in
                        other.plate.id != plate.id && key(other.plate) != nil && key(other.plate) == facts?.key
                    }.map { other in
                        HTML(
                            "<option value=\"\(other.plate.id)\">plate \(other.plate.id.description.suffix(6))</option>"
                        )
                    }
                    let field = "move-\(plate.id.description.suffix(6))-\(item.planID.description.suffix(6))"
                    return """
                        <li><a href="/plans/\(item.planID)">\(label)</a>\(order ?? .empty)
                        <form class="inline" data-post="/api/v1/plates/\(plate.id)/move" \
                        data-version="\(shown.version)" data-done="Moved">
                        <input type="hidden" name="planID" value="\(item.planID)">
                        <label for="\(field)">Move to</label>
                        <select id="\(field)" name="to"><option value="">a plate of its own</option>\(targets)</select>
                        <button type="submit">Move</button><p class="error" role="alert" hidden></p></form></li>
                        """
                }
                var actions: [HTML] = []
                if plate.status == .composing, viewer.may(.operate) {
                    actions.append(
                        """
                        <button type="button" data-action="/api/v1/plates/\(plate.id)/lock" \
                        data-body='{"locked": \(!plate.isLocked)}' data-version="\(shown.version)">\
                        \(plate.isLocked ? "Unlock" : "Lock as it is")</button>
                        """)
                    if plate.copies > 1 {
                        actions.append(
                            """
                            <button type="button" data-action="/api/v1/plates/\(plate.id)/split" \
                            data-version="\(shown.version)">Split in two</button>
                            """)
                    }
                }
                let html: HTML = """
                    <article class="plate panel" id="plate-\(plate.id)" aria-labelledby="plate-\(plate.id)-name">
                    <h2 id="plate-\(plate.id)-name">\(name)</h2>
                    \(bed(shown, view: view, parts: parts))
                    <dl class="facts">\(facts)</dl>
                    <ul class="plate-items">\(items)</ul>
                    \(actions.isEmpty ? HTML.empty : HTML("<div class=\"actions\">\(actions)</div>"))
                    </article>
                    """
                return html.text
            }.joined())
    }

    /// The bed from above, its front edge at the bottom: each part where the slicer (a frozen plate) or the
    /// composer's estimate (a plate still composing) put it.
    static func bed(_ shown: Shown, view: FarmSchedule.PlateOutlook?, parts: [PlanID: PartFacts]) -> HTML {
        let plate = shown.plate
        var boxes: [(plan: PlanID, x: Double, y: Double, width: Double, depth: Double)] = []
        var size = (width: shown.bed?.width ?? view?.bedWidth ?? 0, depth: shown.bed?.depth ?? view?.bedDepth ?? 0)
        if let objects = plate.objects, !objects.isEmpty {
            boxes = objects.map { ($0.planID, $0.minX, $0.minY, $0.maxX - $0.minX, $0.maxY - $0.minY) }
        } else if let estimate = shown.estimate {
            boxes = estimate.placements.compactMap { placement in
                PlanID(placement.item).map {
                    ($0, placement.rect.x, placement.rect.y, placement.rect.width, placement.rect.depth)
                }
            }
            size = (estimate.bed.width, estimate.bed.depth)
        } else if let view {
            boxes = view.parts.map { ($0.plan, $0.x, $0.y, $0.width, $0.depth) }
        }
        let width = max(size.width, boxes.map { $0.x + $0.width }.max() ?? 0, 1)
        let depth = max(size.depth, boxes.map { $0.y + $0.depth }.max() ?? 0, 1)
        let f = SchedulePage.f
        let shapes = boxes.map { box -> HTML in
            let facts = parts[box.plan]
            let label = "\(facts?.name ?? "plan \(box.plan.description.suffix(6))")"
            let order = facts.map { "order \($0.intent.description.suffix(6))" } ?? ""
            let y = depth - box.y - box.depth
            // Only a part wide enough has room for its label.
            let caption =
                box.width >= 24 ? text(String(order.suffix(6)), x: box.x + box.width / 2, y: y + box.depth / 2) : .empty
            return """
                <g class="part"><title>\(label), \(order)</title>\
                <rect x="\(f(box.x))" y="\(f(y))" width="\(f(box.width))" height="\(f(box.depth))" \
                fill="\(colour(facts?.colour))"/>\(caption)</g>
                """
        }
        let source = plate.objects?.isEmpty == false ? "where the slicer put them" : "as the composer estimates"
        return """
            <figure class="bed"><svg viewBox="-2 -2 \(f(width + 4)) \(f(depth + 4))" role="img" \
            aria-label="\(plate.copies) part(s) on a \(Int(width)) × \(Int(depth)) mm bed, \(source)">\
            <rect class="bed-outline" x="0" y="0" width="\(f(width))" height="\(f(depth))"/>\(shapes)</svg>\
            <figcaption>\(Int(width)) × \(Int(depth)) mm, parts \(source)</figcaption></figure>\
            \(WebPage.gcodePreview(plate.gcodeArtifact, alt: "The sliced plate from above"))
            """
    }

    /// A part's label, centred on it.
    static func text(_ label: String, x: Double, y: Double) -> HTML {
        let f = SchedulePage.f
        return """
            <text x="\(f(x))" y="\(f(y))" text-anchor="middle" dominant-baseline="middle">\(label)</text>
            """
    }

    /// A filament colour's name as a fill; unknown names are grey.
    static func colour(_ name: String?) -> String {
        let known = [
            "black": "#333333", "white": "#f4f4f4", "red": "#d9534f", "blue": "#3b73c4", "green": "#4caf50",
            "yellow": "#f2c94c", "orange": "#f39c34", "purple": "#8e5bbf", "pink": "#e98bb8", "grey": "#9aa3ad",
            "gray": "#9aa3ad", "brown": "#8b5a2b", "silver": "#c0c6cc", "gold": "#c9a43b", "natural": "#e8e0c8",
        ]
        return name.flatMap { known[$0.lowercased()] } ?? "#b8c2cc"
    }
}
