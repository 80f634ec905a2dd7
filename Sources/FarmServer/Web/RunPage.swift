import FarmDomain
import FarmStore
import Foundation

/// A run's page: what it printed where, its progress or outcome, each item's QA verdict (and the form to record
/// one), and its timeline of events with who and why.
enum RunPage {
    /// `actors`: names for the actors that are people (`user:<id>` → username).
    static func render(_ run: Run, version: Int, printer: String?, events: [StoredEvent], actors: [String: String] = [:], viewer: Viewer) -> HTML {
        let stamp = stamper(viewer.timeZone)
        let status = run.status.rawValue
        var facts: [HTML] = [
            "<dt>Printer</dt><dd>\(printer ?? run.printerID.description)</dd>",
            "<dt>Status</dt><dd><span class=\"badge badge-\(status)\">\(status)</span></dd>",
            "<dt>Scheduled</dt><dd>\(stamp(run.scheduledAt))</dd>",
        ]
        if let started = run.startedAt { facts.append("<dt>Started</dt><dd>\(stamp(started))</dd>") }
        if let ended = run.endedAt { facts.append("<dt>Ended</dt><dd>\(stamp(ended))</dd>") }
        if let progress = run.progress, !run.status.isTerminal {
            facts.append("<dt>Progress</dt><dd>\(progress.percent) %\(progress.layer.map { ", layer \($0)" } ?? "")</dd>")
        }
        if let failure = run.failure { facts.append("<dt>Failure</dt><dd>\(failure)</dd>") }
        let items = run.items.enumerated().map { index, item in self.item(item, index: index, run: run, version: version, viewer: viewer) }
        let timeline = collapsed(events).reversed().map { event, repeats in
            let times: HTML = repeats > 1 ? HTML(" ×\(repeats)") : .empty
            return HTML("<li><time datetime=\"\(Timestamps.format(event.time))\">\(stamp(event.time))</time> <strong>\(short(event.type))</strong>\(times) by \(actors[event.actor] ?? event.actor) <span class=\"reason\">(\(event.reason))</span></li>")
        }
        return WebPage.layout(title: "Run \(run.id.description.suffix(6))", viewer: viewer, main: """
            <nav class="crumbs" aria-label="Breadcrumb"><a href="/">Today</a> › Run \(run.id.description.suffix(6))</nav>
            <div class="page-head"><h1>Run on \(printer ?? "a printer")</h1>\(WebPage.riskChip(run.risk, decision: nil))</div>
            <dl class="facts">\(facts)</dl>
            <section class="panel wide" aria-labelledby="items"><h2 id="items">Items and QA</h2>\(items)</section>
            <section class="panel wide" aria-labelledby="timeline"><h2 id="timeline">Timeline</h2><ol class="timeline">\(timeline)</ol></section>
            """)
    }

    static func item(_ item: PlateItem, index: Int, run: Run, version: Int, viewer: Viewer) -> HTML {
        let verdict = run.inspections.last { $0.planID == item.planID }
        let said: HTML
        if let verdict {
            let reason = verdict.code.map { " — \(label($0))" } ?? ""
            said = "<p class=\"verdict \(verdict.passed ? "passed" : "failed")\">\(verdict.passed ? "Passed" : "Failed")\(reason)\(verdict.reason.map { ": \($0)" } ?? "")</p>"
        } else {
            said = run.status == .completed ? "<p class=\"verdict waiting\">Waits for QA</p>" : .empty
        }
        let heading: HTML = "<h3>Item \(index + 1): plan \(item.planID.description.suffix(6)), revision \(item.revision), \(item.copies) cop\(item.copies == 1 ? "y" : "ies")</h3>"
        guard run.status == .completed, viewer.may(.operate) else { return "<div class=\"item\">\(heading)\(said)</div>" }
        let prefix = "qa-\(index)"
        let reasons = QAReason.allCases.map { HTML("<option value=\"\($0.rawValue)\">\(label($0))</option>") }
        return """
            <div class="item">\(heading)\(said)
              <form class="qa" data-run="\(run.id)" data-plan="\(item.planID)" data-version="\(version)" novalidate>
                <fieldset><legend>\(verdict == nil ? "Record the verdict" : "Change the verdict")</legend>
                  <label><input type="radio" name="\(prefix)-verdict" value="pass" required> Pass</label>
                  <label><input type="radio" name="\(prefix)-verdict" value="fail"> Fail</label>
                  <label for="\(prefix)-failure">Reason (for a failure)</label>
                  <select id="\(prefix)-failure" name="failure"><option value="">choose…</option>\(reasons)</select>
                  <label for="\(prefix)-note">Note</label>
                  <textarea id="\(prefix)-note" name="note" maxlength="2000" rows="2"></textarea>
                  <p class="error" role="alert" hidden></p>
                  <button type="submit" class="primary">Record</button>
                </fieldset>
              </form>
            </div>
            """
    }

    static func label(_ reason: QAReason) -> String {
        switch reason {
        case .dimensions: "dimensions"
        case .surface: "surface"
        case .layerShift: "layer shift"
        case .warping: "warping"
        case .stringing: "stringing"
        case .other: "other"
        }
    }

    /// Runs of the same event type by the same actor become one line (the last of them, with a count): a print
    /// reports progress hundreds of times.
    static func collapsed(_ events: [StoredEvent]) -> [(event: StoredEvent, repeats: Int)] {
        var lines: [(event: StoredEvent, repeats: Int)] = []
        for event in events {
            if let last = lines.last, last.event.type == event.type, last.event.actor == event.actor {
                lines[lines.count - 1] = (event, last.repeats + 1)
            } else {
                lines.append((event, 1))
            }
        }
        return lines
    }

    /// `printfarm.run.completed.v1` → `run completed`.
    static func short(_ type: String) -> String {
        let parts = type.split(separator: ".")
        return parts.count >= 3 ? parts.dropFirst().dropLast().joined(separator: " ") : type
    }

    /// Formats times in `zone`; one formatter per page (making one costs far more than using it).
    static func stamper(_ zone: TimeZone) -> (Date) -> String {
        let formatter = DateFormatter()
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss zzz"
        return { formatter.string(from: $0) }
    }
}
