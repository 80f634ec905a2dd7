import FarmDomain
import Foundation

/// All printers at a glance: state, what each prints and how far, loaded material, the desynced / degraded /
/// maintenance badges, and the maintenance toggle for operators.
enum PrintersPage {
    static func render(_ printers: [(model: Printer, version: Int)], runs: [PrinterID: Run], viewer: Viewer) -> HTML {
        let tiles = printers.sorted { ($0.model.name, $0.model.id) < ($1.model.name, $1.model.id) }.map { tile($0.model, version: $0.version, run: runs[$0.model.id], viewer: viewer) }
        let counts = Dictionary(grouping: printers, by: \.model.status).mapValues(\.count)
        let summary = PrinterStatus.allCases.compactMap { status in counts[status].map { HTML("<span class=\"badge status-\(status.rawValue)\">\($0) \(status.rawValue)</span>") } }
        return WebPage.layout(title: "Printers", viewer: viewer, current: "/printers", main: """
            <div class="page-head"><h1>Printers</h1>\(summary)</div>
            <ul class="printer-grid" aria-label="Printers">\(tiles)</ul>
            """)
    }

    static func tile(_ printer: Printer, version: Int, run: Run?, viewer: Viewer) -> HTML {
        var badges: [HTML] = []
        if printer.desynced != nil { badges.append("<span class=\"badge badge-desynced\">desynced</span>") }
        if printer.degraded != nil { badges.append("<span class=\"badge badge-degraded\">degraded</span>") }
        let material = printer.loadedMaterial.map { "\($0.material)\($0.colour.map { " \($0)" } ?? "")" } ?? "no material recorded"
        var lines: [HTML] = ["<p>\(material)</p>"]
        if let run, let progress = run.progress {
            lines.append("<p><a href=\"/runs/\(run.id)\">\(progress.percent) %\(progress.layer.map { ", layer \($0)" } ?? "")</a></p>")
            lines.append(WebPage.progressBar(progress))
        } else if let job = printer.job {
            lines.append("<p>\(job.external ? "printing a job started elsewhere: " : "")\(job.file)</p>")
        }
        if let why = printer.desynced ?? printer.degraded ?? (printer.status == .error ? printer.lastMessage : nil) { lines.append("<p class=\"why\">\(why)</p>") }
        var actions: [HTML] = []
        if viewer.may(.operate) {
            let path = "/api/v1/printers/\(printer.id)/transitions"
            let (label, action) = printer.status == .maintenance ? ("End maintenance", "endMaintenance") : ("Start maintenance", "startMaintenance")
            actions.append("<button type=\"button\" data-action=\"\(path)\" data-body=\"{&quot;action&quot;:&quot;\(action)&quot;}\" data-version=\"\(version)\">\(label)</button>")
        }
        return """
            <li class="printer-tile status-\(printer.status.rawValue)" id="printer-\(printer.id)">
              <div class="card-head"><strong>\(printer.name)</strong><span class="badge status-\(printer.status.rawValue)">\(printer.status.rawValue)</span>\(badges)</div>
              \(lines)
              \(actions.isEmpty ? HTML.empty : HTML("<div class=\"actions\">\(actions)</div>"))
            </li>
            """
    }
}
