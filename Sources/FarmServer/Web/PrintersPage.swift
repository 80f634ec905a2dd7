import FarmDomain
import FarmStore
import Foundation
import PrinterLink

/// All printers at a glance — state, what each prints and how far, temperatures, loaded material, recent health,
/// the desynced / degraded / maintenance badges and the maintenance toggle — and each printer's own page.
enum PrintersPage {
    /// What the pages know of a printer beyond its record: the run it prints, the machine's last report (live
    /// temperatures, when the farm is connected to it) and its latest runs.
    struct Live: Sendable {
        var run: Run?
        var report: MachineReport?
        var health: Health
        /// The printer's camera, when its host has one (its address never reaches a page: the farm relays it).
        var camera: CameraSource? = nil
    }

    /// How a printer did lately: of its last finished runs (scheduled since an operator last cleared it), how many
    /// completed — the record the degradation guardrail reads.
    struct Health: Sendable, Equatable {
        var completed: Int
        var finished: Int

        /// `outcomes`: the statuses of its last finished runs.
        init(_ outcomes: [String]) {
            completed = outcomes.filter { $0 == RunStatus.completed.rawValue }.count
            finished = outcomes.count
        }

        static let finishedStatuses = [RunStatus.completed.rawValue, RunStatus.failed.rawValue]

        var text: String {
            finished == 0
                ? "no finished run yet"
                : "\(completed) of the last \(finished) run\(finished == 1 ? "" : "s") completed"
        }

        var level: String {
            finished == 0
                ? "unknown" : completed * 10 >= finished * 9 ? "good" : completed * 10 >= finished * 7 ? "fair" : "poor"
        }
    }

    static func render(_ printers: [(model: Printer, version: Int)], live: [PrinterID: Live], viewer: Viewer) -> HTML {
        let counts = Dictionary(grouping: printers, by: \.model.status).mapValues(\.count)
        let summary = PrinterStatus.allCases.compactMap { status in
            counts[status].map {
                HTML("<span class=\"badge status-\(status.rawValue)\">\($0) \(status.rawValue)</span>")
            }
        }
        return WebPage.layout(
            title: "Printers", viewer: viewer, current: "/printers",
            main: """
                <div class="page-head"><h1>Printers</h1>\(summary)</div>
                <section id="printers" data-fragment="/ui/printers" data-subjects="printer- run-" data-poll="10000" data-min-interval="\(printers.count > 100 ? 3000 : 0)" aria-label="Printers">
                \(grid(printers, live: live, viewer: viewer))
                </section>
                """)
    }

    static func grid(_ printers: [(model: Printer, version: Int)], live: [PrinterID: Live], viewer: Viewer) -> HTML {
        let tiles = printers.sorted { ($0.model.name, $0.model.id) < ($1.model.name, $1.model.id) }.map {
            tile($0.model, version: $0.version, live: live[$0.model.id], viewer: viewer)
        }
        return "<ul class=\"printer-grid\">\(tiles)</ul>"
    }

    static func tile(_ printer: Printer, version: Int, live: Live?, viewer: Viewer) -> HTML {
        var lines: [HTML] = ["<p>\(material(printer))</p>"]
        if let run = live?.run, let progress = run.progress {
            lines.append(
                "<p><a href=\"/runs/\(run.id)\">\(progress.percent) %\(progress.layer.map { ", layer \($0)" } ?? "")</a></p>"
            )
            lines.append(WebPage.progressBar(progress))
        } else if let job = printer.job {
            lines.append("<p>\(job.external ? "printing a job started elsewhere: " : "")\(job.file)</p>")
        }
        if let temperatures = temperatures(live?.report) { lines.append("<p class=\"temps\">\(temperatures)</p>") }
        if let health = live?.health { lines.append("<p class=\"health health-\(health.level)\">\(health.text)</p>") }
        if let why = printer.desynced ?? printer.degraded ?? printer.bedOccupied
            ?? (printer.status == .error ? printer.lastMessage : nil)
        {
            lines.append("<p class=\"why\">\(why)</p>")
        }
        let actions = WebPage.buttons(
            TriageBoard.Action.recover(printer, recovery: live?.report?.recovery) + maintenance(printer),
            version: version, viewer: viewer)
        return """
            <li class="printer-tile status-\(printer.status.rawValue)" id="printer-\(printer.id)">
              <div class="card-head"><strong><a href="/printers/\(printer.id)">\(printer.name)</a></strong>\(badges(printer))</div>
              \(lines)
              \(actions.isEmpty ? HTML.empty : HTML("<div class=\"actions\">\(actions)</div>"))
            </li>
            """
    }

    static func page(
        _ printer: Printer, version: Int, live: Live, history: [Run], events: [StoredEvent], actors: [String: String],
        viewer: Viewer
    ) -> HTML {
        WebPage.layout(
            title: printer.name, viewer: viewer, current: "/printers",
            main: """
                <nav class="crumbs" aria-label="Breadcrumb"><a href="/printers">Printers</a> › \(printer.name)</nav>
                <section id="printer-live" data-fragment="/ui/printers/\(printer.id)" data-subjects="\(PrinterDecider.stream(printer.id))" data-poll="10000" aria-label="Printer">
                \(detail(printer, version: version, live: live, history: history, events: events, actors: actors, viewer: viewer))
                </section>
                \(cameraPanel(printer, live.camera, viewer: viewer))
                \(windows(printer, version: version, viewer: viewer))
                """)
    }

    /// The live view, relayed by the farm's server (so a camera on the farm's own network is reached from anywhere
    /// the farm is, and never exposed): the MJPEG stream, or the snapshot refreshed every two seconds. An owner may
    /// give the printer a camera (or change or remove the one given) below it.
    static func cameraPanel(_ printer: Printer, _ camera: CameraSource?, viewer: Viewer) -> HTML {
        let settings = viewer.may(.administer) ? cameraForm(printer) : .empty
        guard let camera else {
            guard viewer.may(.administer) else { return .empty }
            return """
                <section class="panel wide" aria-labelledby="camera"><h2 id="camera">Camera</h2>\
                <p class="empty">No camera: its host lists none and none was given.</p>\(settings)</section>
                """
        }
        let base = "/api/v1/printers/\(printer.id)/camera"
        let alt =
            "Live view of \(printer.name) (camera \(camera.name)\(camera.stream == nil ? ", a picture every 2 s" : ""))"
        let view: HTML =
            camera.stream != nil
            ? "<img class=\"live-view\" src=\"\(base)/stream\" alt=\"\(alt)\" width=\"640\">"
            : "<img class=\"live-view\" src=\"\(base)/snapshot\" data-refresh=\"2000\" alt=\"\(alt)\" width=\"640\">"
        return """
            <section class="panel wide" aria-labelledby="camera"><h2 id="camera">Camera</h2>\(view)\(settings)</section>
            """
    }

    /// The camera an owner gives the printer: its addresses stay on the server (the form shows them only to owners).
    /// No version guard: the printer's version moves with what the machine reports, which a setting need not wait for.
    static func cameraForm(_ printer: Printer) -> HTML {
        let given = printer.camera
        let remove: HTML =
            given == nil
            ? .empty
            : """
            <form class="inline" data-post="/api/v1/printers/\(printer.id)/camera" data-method="DELETE" \
            data-done="Camera removed"><button type="submit">Remove this camera</button>\
            <span class="error" role="alert" hidden></span></form>
            """
        return """
            <details class="camera-settings"><summary>\(given == nil ? "Give a camera" : "Change the camera")</summary>
            <form class="ship" data-post="/api/v1/printers/\(printer.id)/camera" data-method="PUT" \
            data-done="Camera saved">
            <label>Name <input name="name" maxlength="40" value="\(given?.name ?? "camera")"></label>
            <label>Snapshot address (one JPEG) <input name="snapshot" type="url" maxlength="500" \
            value="\(given?.snapshot ?? "")" placeholder="http://192.168.1.30:8080/?action=snapshot"></label>
            <label>Stream address (MJPEG) <input name="stream" type="url" maxlength="500" \
            value="\(given?.stream ?? "")" placeholder="http://192.168.1.30:8080/?action=stream"></label>
            <button type="submit" class="primary">Save camera</button>
            <p class="quiet">The farm's server reads the camera and relays it: the browser never needs to reach it. \
            A camera given here is shown before the ones the printer's host lists.</p>
            <p class="error" role="alert" hidden></p></form>\(remove)</details>
            """
    }

    /// Planned stops, with a form to plan one and a button to cancel each (outside the live part, so a refresh never
    /// clears what a person is typing).
    static func windows(_ printer: Printer, version: Int, viewer: Viewer) -> HTML {
        let stamp = Timeline.stamper(viewer.timeZone)
        let now = Date()
        let rows = printer.maintenanceWindows(after: now).map { window in
            let cancel: HTML =
                viewer.may(.operate)
                ? """
                <form class="inline" data-post="/api/v1/printers/\(printer.id)/maintenance-windows/\(window.id)" \
                data-method="DELETE" data-version="\(version)" data-done="Window cancelled">\
                <button type="submit">Cancel</button><span class="error" role="alert" hidden></span></form>
                """ : .empty
            return HTML(
                """
                <tr><td>\(stamp(window.start))</td><td>\(stamp(window.end))</td><td>\(window.reason)</td>\
                <td>\(cancel)</td></tr>
                """)
        }
        let table: HTML =
            rows.isEmpty
            ? "<p class=\"empty\">No maintenance planned.</p>"
            : """
            <table class="list"><thead><tr><th scope="col">From</th><th scope="col">Until</th><th scope="col">Why</th>\
            <th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead><tbody>\(rows)</tbody></table>
            """
        let form: HTML =
            viewer.may(.operate)
            ? """
            <form class="ship" data-post="/api/v1/printers/\(printer.id)/maintenance-windows" \
            data-version="\(version)" data-done="Maintenance planned">
            <label>From <input name="start" type="datetime-local" required></label>
            <label>Until <input name="end" type="datetime-local" required></label>
            <label>Why <input name="reason" required maxlength="200" placeholder="belt tension check"></label>
            <button type="submit" class="primary">Plan maintenance</button>
            <p class="quiet">Nothing is started on \(printer.name) that would run into a planned stop.</p>
            <p class="error" role="alert" hidden></p></form>
            """ : .empty
        return """
            <section class="panel wide" aria-labelledby="windows"><h2 id="windows">Planned maintenance</h2>\
            \(table)\(form)</section>
            """
    }

    /// The printer page's content, which follows the printer's events (and temperatures every few seconds).
    static func detail(
        _ printer: Printer, version: Int, live: Live, history: [Run], events: [StoredEvent], actors: [String: String],
        viewer: Viewer
    ) -> HTML {
        let stamp = Timeline.stamper(viewer.timeZone)
        var facts: [HTML] = [
            "<dt>Status</dt><dd>\(badges(printer))\(printer.status == .maintenance ? HTML(" <span class=\"quiet\">(the machine reports \(printer.observed.rawValue))</span>") : .empty)</dd>",
            "<dt>Connection</dt><dd>\(printer.connector.rawValue) at <code>\(printer.address)</code>\(live.report.map { HTML(" — \($0.link.rawValue)\($0.linkReason.map { ": \($0)" } ?? "")") } ?? .empty)</dd>",
            "<dt>Material</dt><dd>\(material(printer))</dd>",
        ]
        let fitted = [
            printer.nozzle.map { String(format: "%g mm nozzle", $0) }, printer.fittedSurface.map { "\($0) sheet" },
        ].compactMap { $0 }
        if !fitted.isEmpty { facts.append("<dt>Fitted</dt><dd>\(fitted.joined(separator: ", "))</dd>") }
        if let task = printer.changeover {
            facts.append(
                """
                <dt>Changeover</dt><dd class="why">\(task.sentence) before \(stamp(task.before)) \
                (the next planned print waits for it)</dd>
                """
            )
        }
        if let run = live.run {
            facts.append(
                "<dt>Printing</dt><dd><a href=\"/runs/\(run.id)\">run \(run.id.description.suffix(6))</a>\(run.progress.map { HTML(", \($0.percent) %") } ?? .empty)</dd>"
            )
        } else if let job = printer.job {
            facts.append("<dt>Printing</dt><dd>\(job.external ? "a job started elsewhere: " : "")\(job.file)</dd>")
        }
        if let temperatures = temperatures(live.report) {
            facts.append("<dt>Temperatures</dt><dd>\(temperatures)</dd>")
        }
        facts.append(
            "<dt>Health</dt><dd><span class=\"health health-\(live.health.level)\">\(live.health.text)</span>\(printer.healthySince.map { HTML(" <span class=\"quiet\">since cleared \(stamp($0))</span>") } ?? .empty)</dd>"
        )
        if let why = printer.desynced { facts.append("<dt>Desynced</dt><dd class=\"why\">\(why)</dd>") }
        if let why = printer.degraded { facts.append("<dt>Degraded</dt><dd class=\"why\">\(why)</dd>") }
        if let why = printer.bedOccupied { facts.append("<dt>Bed</dt><dd class=\"why\">\(why)</dd>") }
        if let message = printer.lastMessage { facts.append("<dt>Last message</dt><dd>\(message)</dd>") }
        facts.append("<dt>Registered</dt><dd>\(stamp(printer.registeredAt))</dd>")

        let capabilities = printer.capabilities
        func number(_ value: Double) -> String { String(format: "%g", value) }
        let capabilityRows: [(String, String)] = [
            (
                "Build volume",
                "\(number(capabilities.buildVolume.x)) × \(number(capabilities.buildVolume.y)) × \(number(capabilities.buildVolume.z)) mm"
            ),
            ("Nozzles", capabilities.nozzleDiameters.map { "\(number($0)) mm" }.joined(separator: ", ")),
            ("Enclosure", capabilities.enclosure ? "yes" : "no"),
            ("Hardened nozzle", capabilities.hardenedNozzle ? "yes" : "no"),
            ("Hotend up to", capabilities.maxHotendTemperature.map { "\(number($0)) °C" } ?? "not recorded"),
            ("Bed up to", capabilities.maxBedTemperature.map { "\(number($0)) °C" } ?? "not recorded"),
            ("Materials", capabilities.materials.isEmpty ? "any" : capabilities.materials.joined(separator: ", ")),
            ("Direct drive", capabilities.directDrive == true ? "yes" : "no"),
            ("Group", capabilities.group ?? "none"),
            ("Power circuit", capabilities.powerCircuit ?? "not recorded"),
        ]
        let calibrations = (printer.calibrations ?? []).sorted { $0.kind < $1.kind }.map { calibration in
            let values = calibration.values.sorted { $0.key < $1.key }.map { "\($0.key) \(number($0.value))" }.joined(
                separator: ", ")
            return HTML(
                "<tr><th scope=\"row\">\(calibration.kind)</th><td>\(values)</td><td>\(calibration.note ?? "")</td><td>\(stamp(calibration.calibratedAt))</td></tr>"
            )
        }
        let actions = WebPage.buttons(
            (printer.changeover == nil ? [] : [TriageBoard.Action.confirmChangeover(printer.id)])
                + TriageBoard.Action.recover(printer, recovery: live.report?.recovery) + maintenance(printer),
            version: version, viewer: viewer)
        return """
            <div class="page-head"><h1>\(printer.name)</h1>\(actions.isEmpty ? HTML.empty : HTML("<div class=\"actions\">\(actions)</div>"))</div>
            <dl class="facts">\(facts)</dl>
            <section class="panel wide" aria-labelledby="capabilities"><h2 id="capabilities">Capabilities</h2>
              <table class="diff"><tbody>\(capabilityRows.map { HTML("<tr><th scope=\"row\">\($0.0)</th><td>\($0.1)</td></tr>") })</tbody></table></section>
            <section class="panel wide" aria-labelledby="calibration"><h2 id="calibration">Calibration</h2>\(calibrations.isEmpty
                ? HTML("<p class=\"empty\">No calibration recorded.</p>")
                : HTML("<table class=\"list\"><thead><tr><th scope=\"col\">Kind</th><th scope=\"col\">Values</th><th scope=\"col\">Note</th><th scope=\"col\">When</th></tr></thead><tbody>\(calibrations)</tbody></table>"))</section>
            <section class="panel wide" aria-labelledby="history"><h2 id="history">Latest runs</h2>\(history.isEmpty
                ? HTML("<p class=\"empty\">No run yet.</p>")
                : HTML("<table class=\"list\">\(RunPage.rowHead)<tbody>\(history.map { RunPage.row($0, printer: printer.name, stamp: stamp) })</tbody></table>"))</section>
            <section class="panel wide" aria-labelledby="timeline"><h2 id="timeline">Timeline</h2>\(Timeline.render(events, actors: actors, stamp: stamp))</section>
            """
    }

    static func badges(_ printer: Printer) -> HTML {
        var badges: [HTML] = [
            "<span class=\"badge status-\(printer.status.rawValue)\">\(printer.status.rawValue)</span>"
        ]
        if printer.desynced != nil { badges.append("<span class=\"badge badge-desynced\">desynced</span>") }
        if printer.degraded != nil { badges.append("<span class=\"badge badge-degraded\">degraded</span>") }
        if printer.bedOccupied != nil { badges.append("<span class=\"badge badge-bed-to-clear\">bed to clear</span>") }
        return "\(badges)"
    }

    static func material(_ printer: Printer) -> String {
        printer.loadedMaterial.map { "\($0.material)\($0.colour.map { " \($0)" } ?? "")" } ?? "no material recorded"
    }

    /// `hotend 214 / 215 °C · bed 60 / 60 °C`, from the machine's last report.
    static func temperatures(_ report: MachineReport?) -> String? {
        guard let report, report.link == .live else { return nil }
        let heaters = [("hotend", report.extruder), ("bed", report.bed)].compactMap { name, heater in
            heater.map {
                "\(name) \(Int($0.temperature.rounded()))\($0.target > 0 ? " / \(Int($0.target.rounded()))" : "") °C"
            }
        }
        return heaters.isEmpty ? nil : heaters.joined(separator: " · ")
    }

    /// The maintenance switch, where it can be used: a printer that prints (or holds a paused print) cannot be
    /// taken into maintenance until the print ends or is cancelled.
    static func maintenance(_ printer: Printer) -> [TriageBoard.Action] {
        guard ![.busy, .paused].contains(printer.status) else { return [] }
        let (label, action) =
            printer.status == .maintenance
            ? ("End maintenance", "endMaintenance") : ("Start maintenance", "startMaintenance")
        return [
            TriageBoard.Action(
                label: label, path: "/api/v1/printers/\(printer.id)/transitions", body: #"{"action":"\#(action)"}"#,
                permission: .operate)
        ]
    }
}
