import FarmDomain
import FarmStore
import Foundation

/// A run's page: what it printed where, its progress or outcome, each item's QA verdict (and the form to record
/// one), and its timeline of events with who and why.
enum RunPage {
    /// `actors`: names for the actors that are people (`user:<id>` → username).
    /// `objects`: the objects of the run's plate (farm mode), which an operator may cancel one by one while it prints.
    /// `gcode`: the plate's G-code, whose picture (`…/preview`) shows what the run prints.
    static func render(
        _ run: Run, version: Int, printer: String?, events: [StoredEvent], actors: [String: String] = [:],
        objects: [PlateObject] = [], gcode: String? = nil, viewer: Viewer
    ) -> HTML {
        let items = run.items.enumerated().map { index, item in
            self.item(item, index: index, run: run, version: version, viewer: viewer)
        }
        let itemsPanel: HTML =
            "<section class=\"panel wide\" aria-labelledby=\"items\"><h2 id=\"items\">Items and QA</h2>\(items)</section>"
        // What a person came for first: the QA forms of a run that waits for them.
        let waitsForQA = run.qa == .pending
        let preview = WebPage.gcodePreview(gcode, alt: "What this run prints, from above")
        return WebPage.layout(
            title: "Run \(run.id.description.suffix(6))", viewer: viewer,
            main: """
                <nav class="crumbs" aria-label="Breadcrumb"><a href="/">Today</a> › Run \(run.id.description.suffix(6))</nav>
                <div class="page-head"><h1>Run on \(printer ?? "a printer")</h1>\
                \(WebPage.riskChip(run.risk, decision: nil))\(preview)</div>
                \(waitsForQA ? itemsPanel : .empty)
                <section id="run-live" data-fragment="/ui/runs/\(run.id)" data-subjects="\(RunDecider.stream(run.id))" data-kind="\(run.status.rawValue)" aria-label="Run">
                \(live(run, printer: printer, events: events, actors: actors, viewer: viewer))
                </section>
                \(objectsPanel(run, objects: objects, viewer: viewer))
                \(snapshotsPanel(run))
                \(waitsForQA ? .empty : itemsPanel)
                """)
    }

    /// The cameras' pictures of the run, at its start, pauses, end or failure.
    static func snapshotsPanel(_ run: Run) -> HTML {
        guard let snapshots = run.snapshots, !snapshots.isEmpty else { return .empty }
        let pictures = snapshots.map { shot in
            HTML(
                """
                <figure><a href="/api/v1/artifacts/\(shot.artifact)/content">\
                <img src="/api/v1/artifacts/\(shot.artifact)/content" \
                alt="\(momentLabel(shot.moment)) of the run, camera \(shot.camera)" width="240" loading="lazy"></a>\
                <figcaption>\(momentLabel(shot.moment)) · \(shot.camera)</figcaption></figure>
                """)
        }
        return """
            <section class="panel wide" aria-labelledby="camera"><h2 id="camera">Camera</h2>\
            <div class="evidence snapshots">\(pictures)</div></section>
            """
    }

    static func momentLabel(_ moment: RunSnapshot.Moment) -> String {
        switch moment {
        case .start: "Start"
        case .end: "End"
        case .failure: "Failure"
        case .pause: "Pause"
        }
    }

    static let objectsHelp: HTML = """
        <p>Cancel one that failed: the printer skips it from now on, the others print on, and its part is printed \
        again.</p>
        """

    /// The plate's objects: each one's item, and while the plate prints a way to cancel one that failed (Klipper
    /// skips it, the others print on, its part is reprinted). Outside the live part, so a note being typed stays.
    static func objectsPanel(_ run: Run, objects: [PlateObject], viewer: Viewer) -> HTML {
        guard objects.count > 1 else { return .empty }
        let printing = [.printing, .paused].contains(run.status)
        let rows = objects.enumerated().map { index, object -> HTML in
            let plan = object.planID
            let item: HTML = """
                <a href="/plans/\(plan)">plan \(plan.description.suffix(6))</a>, copy \(object.copy + 1)
                """
            if let excluded = run.excluded?.first(where: { $0.name == object.name }) {
                return """
                    <li><code>\(object.name)</code> — \(item): <strong>cancelled</strong>\
                    \(excluded.reason.map { HTML(" (\($0))") } ?? .empty)</li>
                    """
            }
            guard printing, viewer.may(.operate) else { return "<li><code>\(object.name)</code> — \(item)</li>" }
            return """
                <li><code>\(object.name)</code> — \(item)
                <form class="inline" data-post="/api/v1/runs/\(run.id)/excluded-objects" data-done="Object cancelled">
                <input type="hidden" name="name" value="\(object.name)">
                <label for="exclude-\(index)">What is wrong</label>
                <input id="exclude-\(index)" name="note" maxlength="2000" placeholder="spaghetti, came loose…">
                <button type="submit" class="danger">Cancel this object</button>
                <p class="error" role="alert" hidden></p></form></li>
                """
        }
        return """
            <section class="panel wide" aria-labelledby="objects"><h2 id="objects">Objects on the plate</h2>\
            \(printing ? objectsHelp : .empty)\
            <ul class="plate-items">\(rows)</ul></section>
            """
    }

    /// The part of the page that follows the run as it prints: facts, telemetry, anomalies, timeline. It starts with
    /// its kind (the status): when that changes, the page script loads the whole page (a completed run gets QA forms).
    static func live(_ run: Run, printer: String?, events: [StoredEvent], actors: [String: String], viewer: Viewer)
        -> HTML
    {
        let stamp = Timeline.stamper(viewer.timeZone)
        let status = run.status.rawValue
        var facts: [HTML] = [
            "<dt>Printer</dt><dd><a href=\"/printers/\(run.printerID)\">\(printer ?? run.printerID.description)</a></dd>",
            "<dt>Status</dt><dd><span class=\"badge badge-\(status)\">\(status)</span></dd>",
            "<dt>Scheduled</dt><dd>\(stamp(run.scheduledAt))</dd>",
        ]
        if let started = run.startedAt { facts.append("<dt>Started</dt><dd>\(stamp(started))</dd>") }
        if let ended = run.endedAt { facts.append("<dt>Ended</dt><dd>\(stamp(ended))</dd>") }
        if let progress = run.progress, !run.status.isTerminal {
            facts.append(
                "<dt>Progress</dt><dd>\(progress.percent) %\(progress.layer.map { ", layer \($0)" } ?? "")\(progress.totalLayers.map { " of \($0)" } ?? "")\(progress.remainingSeconds.map { ", \(TriageBoard.duration($0)) left" } ?? "")\(WebPage.progressBar(progress))</dd>"
            )
        }
        if let failure = run.failure { facts.append("<dt>Failure</dt><dd>\(failure)</dd>") }
        let telemetry = Telemetry(run: run, events: events)
        var summary: [HTML] = [
            "<dt>Printing time</dt><dd>\(telemetry.printing.map(TriageBoard.duration) ?? "not started")</dd>",
            "<dt>Progress reports</dt><dd>\(telemetry.reports)\(telemetry.lastReport.map { HTML(", the last at \(stamp($0))") } ?? .empty)</dd>",
            "<dt>Pauses</dt><dd>\(telemetry.pauses.isEmpty ? "none" : "\(telemetry.pauses.count), \(TriageBoard.duration(telemetry.pausedFor)) in all")</dd>",
        ]
        if let layers = run.progress?.totalLayers {
            summary.append("<dt>Layers</dt><dd>\(run.progress?.layer ?? 0) of \(layers)</dd>")
        }
        let anomalies = telemetry.pauses.filter(\.anomaly).map { pause in
            HTML(
                "<li><time>\(stamp(pause.at))</time> \(pause.detail ?? "the printer reported an anomaly") — \(pause.resumed.map { "resumed \(stamp($0))" } ?? "not resumed")</li>"
            )
        }
        return """
            <!--kind:\(status)-->
            <dl class="facts">\(facts)</dl>
            <section class="panel wide" aria-labelledby="telemetry"><h2 id="telemetry">Telemetry</h2><dl class="facts plain">\(summary)</dl>
              <h3>Anomalies</h3>\(anomalies.isEmpty ? HTML("<p class=\"empty\">No anomaly reported.</p>") : HTML("<ul class=\"anomalies\">\(anomalies)</ul>"))</section>
            <section class="panel wide" aria-labelledby="timeline"><h2 id="timeline">Timeline</h2>\(Timeline.render(events, actors: actors, stamp: stamp))</section>
            """
    }

    /// What the run's events say about the print: how long it printed, how often the printer reported, each pause
    /// (by whom, why, how long) and which of them an anomaly detector caused.
    struct Telemetry: Equatable {
        struct Pause: Equatable {
            var at: Date
            var actor: String
            var anomaly: Bool
            var detail: String?
            var resumed: Date?
        }

        var reports = 0
        var lastReport: Date?
        var printing: TimeInterval?
        var pauses: [Pause] = []

        var pausedFor: TimeInterval { pauses.reduce(0) { $0 + (($1.resumed ?? $1.at).timeIntervalSince($1.at)) } }

        init(run: Run, events: [StoredEvent]) {
            let decoder = StoreCoding.decoder()
            for stored in events {
                // The run's own events, decoded as the store decodes them; one that does not decode says nothing here.
                guard let event = try? RunEvent.decodeData(type: stored.type, data: stored.data, decoder: decoder)
                else { continue }
                switch event {
                case .progressed:
                    reports += 1
                    lastReport = stored.time
                case .paused(let change):
                    pauses.append(
                        Pause(
                            at: stored.time, actor: stored.actor,
                            anomaly: stored.reason == ReasonCode.guardAnomalyPause.rawValue, detail: change.detail))
                case .resumed, .cancelled, .failed, .completed, .interrupted:
                    if let last = pauses.indices.last, pauses[last].resumed == nil {
                        pauses[last].resumed = stored.time
                    }
                default: break
                }
            }
            if let elapsed = run.progress?.elapsedSeconds {
                printing = elapsed
            } else if let started = run.startedAt {
                printing = max(0, (run.endedAt ?? lastReport ?? started).timeIntervalSince(started) - pausedFor)
            }
        }
    }

    static func item(_ item: PlateItem, index: Int, run: Run, version: Int, viewer: Viewer) -> HTML {
        let verdict = run.inspections.last { $0.planID == item.planID }
        let said: HTML
        if let verdict {
            let reason = verdict.code.map { " — \(label($0))" } ?? ""
            let photos = (verdict.evidence ?? []).map { sha in
                HTML(
                    "<a href=\"/api/v1/artifacts/\(sha)/content\"><img src=\"/api/v1/artifacts/\(sha)/content\" alt=\"QA evidence \(sha.prefix(8))\" width=\"120\" loading=\"lazy\"></a>"
                )
            }
            said = """
                <p class="verdict \(verdict.passed ? "passed" : "failed")">\(verdict.passed ? "Passed" : "Failed")\(reason)\(verdict.reason.map { ": \($0)" } ?? "")</p>\
                \(photos.isEmpty ? HTML.empty : HTML("<div class=\"evidence\">\(photos)</div>"))
                """
        } else {
            said = run.status == .completed ? "<p class=\"verdict waiting\">Waits for QA</p>" : .empty
        }
        let heading: HTML =
            "<h3>Item \(index + 1): <a href=\"/plans/\(item.planID)\">plan \(item.planID.description.suffix(6))</a>, revision \(item.revision), \(item.copies) cop\(item.copies == 1 ? "y" : "ies")</h3>"
        guard run.status == .completed, viewer.may(.operate) else {
            return "<div class=\"item\">\(heading)\(said)</div>"
        }
        let prefix = "qa-\(index)"
        let reasons = QAReason.allCases.map { HTML("<option value=\"\($0.rawValue)\">\(label($0))</option>") }
        // The QA form starts with the end-of-print picture attached: the evidence a person would take first.
        let attached: HTML =
            run.snapshots?.last(where: { $0.moment == .end }).map { shot in
                HTML(
                    """
                    <label class="attached"><input type="checkbox" name="snapshot" value="\(shot.artifact)" checked> \
                    Attach the camera's end-of-print picture \
                    <img src="/api/v1/artifacts/\(shot.artifact)/content" alt="" width="80" loading="lazy"></label>
                    """)
            } ?? .empty
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
                  \(attached)
                  <label for="\(prefix)-photos">Photos (optional)</label>
                  <input type="file" id="\(prefix)-photos" name="photos" accept="image/*" multiple>
                  <p class="error" role="alert" hidden></p>
                  <button type="submit" class="primary">Record</button>
                </fieldset>
              </form>
            </div>
            """
    }

    static let rowHead: HTML =
        "<thead><tr><th scope=\"col\">Run</th><th scope=\"col\">Printer</th><th scope=\"col\">Status</th><th scope=\"col\">QA</th><th scope=\"col\">Scheduled</th><th scope=\"col\">Ended</th></tr></thead>"

    /// A run as a row of a list (an order's or a plan's runs, a printer's history).
    /// `gcode`: the run's plate's G-code, whose picture leads the row.
    static func row(_ run: Run, printer: String?, stamp: (Date) -> String, gcode: String? = nil) -> HTML {
        let status = run.status.rawValue
        let progress: HTML =
            !run.status.isTerminal && run.progress != nil ? HTML(" \(run.progress!.percent) %") : .empty
        let picture = WebPage.gcodePreview(gcode, alt: "What run \(run.id.description.suffix(6)) prints", width: 64)
        return """
            <tr><td>\(picture)<a href="/runs/\(run.id)">\(run.id.description.suffix(6))</a></td>\
            <td>\(printer ?? String(run.printerID.description.suffix(6)))</td>\
            <td><span class="badge badge-\(status)">\(status)</span>\(progress)\(run.failure.map { HTML(" <span class=\"why\">\($0)</span>") } ?? .empty)</td>\
            <td>\(run.qa == .notApplicable ? "—" : run.qa.rawValue)</td><td>\(stamp(run.scheduledAt))</td><td>\(run.endedAt.map(stamp) ?? "—")</td></tr>
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
}
