import FarmDomain
import Foundation

/// The farm's plan ahead: a timeline per printer drawn as SVG on the server (prints, changeovers, maintenance, due
/// dates, late plates marked), each placement's reason on hover and on keyboard focus; the plates no printer can
/// take, with why. The timeline is a live part: it is drawn again when printers, runs or plans change.
enum SchedulePage {
    static func render(_ schedule: FarmSchedule?, unavailable: String?, now: Date, viewer: Viewer) -> HTML {
        WebPage.layout(
            title: "Schedule", viewer: viewer, current: "/schedule",
            main: """
                <div class="page-head"><h1>Schedule</h1></div>
                <section id="schedule" data-fragment="/ui/schedule" data-subjects="printer- run- plan- intent-" \
                data-poll="30000" aria-label="Schedule">
                \(part(schedule, unavailable: unavailable, now: now, viewer: viewer))
                </section>
                """)
    }

    static func part(_ schedule: FarmSchedule?, unavailable: String?, now: Date, viewer: Viewer) -> HTML {
        guard let schedule else { return HTML("<p class=\"empty\">\(unavailable ?? "No plan yet.")</p>") }
        let stamp = Timeline.stamper(viewer.timeZone)
        let metrics = schedule.metrics
        let prints = schedule.printers.reduce(0) { $0 + $1.prints.count }
        let summary: HTML = """
            <dl class="facts">\
            <dt>Planned</dt><dd>\(stamp(schedule.plannedAt))</dd>\
            <dt>Plates</dt><dd>\(prints) on \(schedule.printers.count) printer(s)\
            \(schedule.unscheduled.isEmpty ? "" : ", \(schedule.unscheduled.count) no printer can take")</dd>\
            <dt>Late</dt><dd>\(metrics.tardyPlates) plate(s), \(metrics.weightedTardiness) weighted minute(s)</dd>\
            <dt>Changeovers</dt><dd>\(metrics.changeovers)</dd>\
            <dt>All done</dt><dd>\(metrics.finishes.map(stamp) ?? "nothing planned")</dd>\
            </dl>
            """
        let unscheduled = schedule.unscheduled.map { plate in
            let name = "plan \(plate.plan.description.suffix(6))"
            return HTML("<li><a href=\"/plans/\(plate.plan)\">\(name)</a>: \(plate.reason)</li>")
        }
        let untaken: HTML =
            unscheduled.isEmpty
            ? .empty : "<h2>No printer can take</h2><ul class=\"decisions\">\(unscheduled)</ul>"
        return """
            \(summary)
            \(timeline(schedule, now: now, viewer: viewer))
            \(untaken)
            """
    }

    /// The SVG: a row per printer, hours across; the view spans now to the last planned end (4 hours at least, two
    /// days at most).
    static func timeline(_ schedule: FarmSchedule, now: Date, viewer: Viewer) -> HTML {
        guard !schedule.printers.isEmpty else { return HTML("<p class=\"empty\">No printer can take work now.</p>") }
        let clock = TriageBoard.clock(viewer.timeZone)
        let stamp = Timeline.stamper(viewer.timeZone)
        let start = now
        let last = schedule.printers.flatMap(\.prints).map(\.end).max() ?? now
        let span = min(max(last.timeIntervalSince(start), 4 * 3600), 48 * 3600)
        let (label, width, row) = (150.0, 1000.0, 34.0)
        let top = 24.0
        let height = top + row * Double(schedule.printers.count) + 4
        func x(_ date: Date) -> Double {
            label + max(0, min(1, date.timeIntervalSince(start) / span)) * (width - label)
        }
        var parts: [HTML] = []
        // Hour ticks.
        let step: TimeInterval = span > 24 * 3600 ? 4 * 3600 : span > 8 * 3600 ? 2 * 3600 : 3600
        var tick = Date(timeIntervalSince1970: (start.timeIntervalSince1970 / step).rounded(.up) * step)
        while tick.timeIntervalSince(start) <= span {
            let at = x(tick)
            parts.append(
                """
                <line class="tick" x1="\(f(at))" y1="\(f(top - 4))" x2="\(f(at))" y2="\(f(height))"/>\
                <text class="axis" x="\(f(at))" y="14" text-anchor="middle">\(clock(tick))</text>
                """)
            tick = tick.addingTimeInterval(step)
        }
        for (index, queue) in schedule.printers.enumerated() {
            let y = top + row * Double(index)
            parts.append(
                """
                <a href="/printers/\(queue.printer)"><text class="printer" x="4" y="\(f(y + row / 2 + 4))">\
                \(queue.name)</text></a>
                """)
            if let busy = queue.busyUntil, busy > start, !(queue.prints.first?.awaitingChangeover ?? false) {
                parts.append(
                    block(
                        "busy", x: x(start), to: x(busy), y: y, row: row,
                        text: "\(queue.name) is busy until \(stamp(busy))", label: "busy"))
            }
            for window in queue.maintenance where window.start < start.addingTimeInterval(span) {
                parts.append(
                    block(
                        "maintenance", x: x(max(window.start, start)), to: x(window.end), y: y, row: row,
                        text: "maintenance \(stamp(window.start)) to \(stamp(window.end)): \(window.reason)",
                        label: "maintenance"))
            }
            for print in queue.prints where print.start < start.addingTimeInterval(span) {
                if let changeoverStart = print.changeoverStart, !print.changeover.isEmpty {
                    let doing = print.changeover.joined(separator: " and ")
                    parts.append(
                        block(
                            "changeover", x: x(changeoverStart), to: x(print.start), y: y, row: row,
                            text: "\(doing) before \(clock(print.start))"
                                + (print.awaitingChangeover ? " (asked for: waits for a person)" : ""),
                            label: "changeover"))
                }
                let kind = "print" + (print.late ? " late" : "") + (print.rush ? " rush" : "")
                let what =
                    "\(print.material)\(print.colour.map { " \($0)" } ?? "")"
                    + (print.parts.map { ", plate of \($0) part\($0 == 1 ? "" : "s")" } ?? "")
                let due = print.due.map { "due \(stamp($0))" } ?? "no due date"
                parts.append(
                    block(
                        kind, x: x(print.start), to: x(print.end), y: y, row: row,
                        text:
                            "\(what), \(clock(print.start))–\(clock(print.end)), \(due)\(print.late ? ", LATE" : "")"
                            + "\(print.rush ? ", rush" : ""). \(print.reason)",
                        label: what, link: print.plate.map { "/plates#plate-\($0)" } ?? "/plans/\(print.plan)"))
                if let dueDate = print.due, dueDate > start, dueDate < start.addingTimeInterval(span) {
                    parts.append(
                        """
                        <line class="due\(print.late ? " late" : "")" x1="\(f(x(dueDate)))" y1="\(f(y + 2))" \
                        x2="\(f(x(dueDate)))" y2="\(f(y + row - 2))"/>
                        """)
                }
            }
        }
        return """
            <figure class="schedule">
            <svg viewBox="0 0 \(f(width)) \(f(height))" role="group" aria-labelledby="schedule-title" \
            preserveAspectRatio="xMinYMin meet">
            <title id="schedule-title">Planned prints per printer from now to \(stamp(start.addingTimeInterval(span)))\
            </title>
            \(parts)
            </svg>
            <figcaption class="legend"><span class="key print"></span> print <span class="key late"></span> late \
            <span class="key rush"></span> rush <span class="key changeover"></span> changeover \
            <span class="key maintenance"></span> maintenance <span class="key due"></span> due date. \
            Point at or tab to a block for why it is there.</figcaption>
            </figure>
            """
    }

    /// A plate's planned print in words, for the order and plan pages: "on P1 … to … after a changeover (load PETG
    /// black): on time".
    static func words(_ print: FarmSchedule.ScheduledPrint, on printer: String, stamp: (Date) -> String) -> HTML {
        let timing: HTML =
            print.late ? "<strong class=\"late\">late</strong>" : print.due == nil ? "no due date" : "on time"
        let changeover =
            print.changeover.isEmpty ? "" : " after a changeover (\(print.changeover.joined(separator: " and ")))"
        return "on \(printer) \(stamp(print.start)) to \(stamp(print.end))\(changeover): \(timing)"
    }

    /// SVG coordinates with one decimal.
    static func f(_ value: Double) -> String { String(format: "%.1f", value) }

    /// One block of the timeline: focusable, with its sentence as the tooltip and the accessible name.
    static func block(
        _ kind: String, x: Double, to end: Double, y: Double, row: Double, text: String, label: String,
        link: String? = nil
    ) -> HTML {
        let width = max(2, end - x)
        let inner: HTML = """
            <title>\(text)</title>\
            <rect x="\(f(x))" y="\(f(y + 4))" width="\(f(width))" height="\(f(row - 8))" rx="3"/>\
            \(width > 60 ? HTML("<text x=\"\(f(x + 4))\" y=\"\(f(y + row / 2 + 4))\">\(label)</text>") : HTML.empty)
            """
        // A link is focusable by itself; a block without one is made focusable, so keyboards reach every reason.
        guard let link else {
            return "<g class=\"\(kind)\" tabindex=\"0\" role=\"img\" aria-label=\"\(text)\">\(inner)</g>"
        }
        return "<a class=\"\(kind)\" href=\"\(link)\" aria-label=\"\(text)\">\(inner)</a>"
    }
}
