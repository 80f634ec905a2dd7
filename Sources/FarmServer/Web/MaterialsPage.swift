import FarmDomain
import FarmInventory
import FarmStore
import Foundation

/// Materials: each filament with its stock (what its spools hold, by the farm's count) against its reorder point,
/// every spool with where it is, forms to register a filament and a spool (operators), and a spool's own page: its
/// facts, what to do with it (load, weigh, unload, archive) and its log.
enum MaterialsPage {
    static func grams(_ value: Double) -> String { String(format: "%.0f g", value) }

    static func filamentName(_ filament: Filament?) -> String {
        guard let filament else { return "unknown filament" }
        return filament.spec.name
            ?? ([filament.spec.material, filament.spec.colour].compactMap { $0 }.joined(separator: " "))
    }

    static func render(
        filaments: [Filament], spools: [Spool], lots: [LotID: Lot], printers: [PrinterID: String],
        spoolman: [SpoolmanLinkStatus] = [], consumables: [Consumable] = [], viewer: Viewer
    ) -> HTML {
        let byID = Dictionary(filaments.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let stock = Dictionary(
            spools.filter { !$0.archived }.map { ($0.filament, $0.remaining) }, uniquingKeysWith: +)
        let filamentRows = filaments.filter { !$0.retired }.map { filament in
            let held = stock[filament.id] ?? 0
            let low = filament.spec.reorderPoint.map { held < $0 } ?? false
            let code: HTML = filament.spec.colourHex.map { HTML(" <small>#\($0)</small>") } ?? .empty
            return HTML(
                """
                <tr id="filament-\(filament.id)"><td>\(filamentName(filament))\(code)</td>\
                <td>\(filament.spec.material)</td><td>\(grams(held))</td>\
                <td>\(filament.spec.reorderPoint.map(grams) ?? "—")\
                \(low ? HTML(" <span class=\"badge status-error\">reorder</span>") : .empty)</td></tr>
                """)
        }
        let filamentTable: HTML =
            filamentRows.isEmpty
            ? "<p class=\"empty\">No filament is registered.</p>"
            : """
            <table class="list"><thead><tr><th scope="col">Filament</th><th scope="col">Material</th>\
            <th scope="col">In stock</th><th scope="col">Reorder at</th></tr></thead>\
            <tbody>\(filamentRows)</tbody></table>
            """
        let spoolRows = spools.filter { !$0.archived }.sorted { $0.registeredAt < $1.registeredAt }.map { spool in
            HTML(
                """
                <tr id="spool-\(spool.id)"><td><a href="/spools/\(spool.id)">\(spool.id.description.suffix(6))</a></td>\
                <td>\(filamentName(byID[spool.filament]))</td>\
                <td>\(spool.lot.flatMap { lots[$0]?.spec.number } ?? "—")</td>\
                <td>\(grams(spool.remaining)) of \(grams(spool.initialWeight))</td>\
                <td><span class="badge">\(spool.status.rawValue)</span></td>\
                <td>\(spool.loaded.map { printers[$0.printer] ?? "a printer" } ?? spool.location ?? "")</td></tr>
                """)
        }
        let spoolTable: HTML =
            spoolRows.isEmpty
            ? "<p class=\"empty\">No spool is registered.</p>"
            : """
            <table class="list"><thead><tr><th scope="col">Spool</th><th scope="col">Filament</th>\
            <th scope="col">Lot</th><th scope="col">Left</th><th scope="col">Status</th>\
            <th scope="col">Where</th></tr></thead><tbody>\(spoolRows)</tbody></table>
            """
        return WebPage.layout(
            title: "Materials", viewer: viewer, current: "/materials",
            main: """
                <div class="page-head"><h1>Materials</h1></div>
                <section class="panel wide" aria-labelledby="filaments"><h2 id="filaments">Filaments</h2>\
                \(filamentTable)\(viewer.may(.operate) ? filamentForm : .empty)</section>
                <section class="panel wide" aria-labelledby="spools"><h2 id="spools">Spools</h2>\
                \(spoolTable)\(viewer.may(.operate) ? spoolForm(filaments.filter { !$0.retired }) : .empty)</section>
                \(consumablePanel(consumables, printers: printers, viewer: viewer))
                \(spoolmanPanel(spoolman, viewer: viewer))
                """)
    }

    /// Nozzles and sheets: where each is fitted, what it has printed, and the limits it has reached.
    static func consumablePanel(_ consumables: [Consumable], printers: [PrinterID: String], viewer: Viewer) -> HTML {
        let rows = consumables.filter { !$0.retired }.sorted { $0.registeredAt < $1.registeredAt }.map { item in
            let due: HTML =
                item.due.isEmpty
                ? .empty
                : HTML(" <span class=\"badge status-error\">\(item.due.joined(separator: "; "))</span>")
            let cleaning: HTML =
                item.spec.kind == .sheet ? HTML(" (\(item.printsSinceCleaning) since cleaning)") : .empty
            let clean: HTML =
                viewer.may(.operate) && item.spec.kind == .sheet
                ? """
                <form class="inline" data-post="/api/v1/consumables/\(item.id)/clean" data-done="Sheet cleaned">\
                <button type="submit">Cleaned</button><span class="error" role="alert" hidden></span></form>
                """ : .empty
            return HTML(
                """
                <tr id="consumable-\(item.id)"><td>\(item.spec.title)\(due)</td>\
                <td>\(item.installed.map { printers[$0.printer] ?? "a printer" } ?? "shelf")</td>\
                <td>\(String(format: "%.1f h", item.hours))</td><td>\(grams(item.grams))</td>\
                <td>\(item.prints)\(cleaning)\
                </td><td>\(clean)</td></tr>
                """)
        }
        let table: HTML =
            rows.isEmpty
            ? "<p class=\"empty\">No nozzle or sheet is registered.</p>"
            : """
            <table class="list"><thead><tr><th scope="col">Part</th><th scope="col">Fitted to</th>\
            <th scope="col">Print time</th><th scope="col">Filament</th><th scope="col">Prints</th>\
            <th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead><tbody>\(rows)</tbody></table>
            """
        let options = printers.sorted { $0.value < $1.value }.map {
            HTML("<option value=\"\($0.key)\">\($0.value)</option>")
        }
        let form: HTML =
            viewer.may(.operate)
            ? """
            <details><summary>Register a nozzle or sheet</summary>
            <form class="ship" data-post="/api/v1/consumables" data-done="Registered">
            <label>Kind <select name="kind"><option value="nozzle">nozzle</option>\
            <option value="sheet">build sheet</option></select></label>
            <label>Nozzle diameter (mm) <input name="diameter" type="number" step="0.05" min="0.1" max="2" \
            placeholder="0.4"></label>
            <label>Sheet surface <input name="surface" maxlength="64" placeholder="textured PEI"></label>
            <label>Worn after (print hours) <input name="wearHours" type="number" step="1" min="1"></label>
            <label>Clean every (prints, sheets) <input name="cleanEvery" type="number" step="1" min="1"></label>
            <label>Fit to <select name="printer"><option value="">— on the shelf —</option>\
            \(options)</select></label>
            <button type="submit" class="primary">Register</button>
            <p class="error" role="alert" hidden></p></form></details>
            """ : .empty
        return """
            <section class="panel wide" aria-labelledby="consumables"><h2 id="consumables">Nozzles and sheets</h2>\
            \(table)\(form)</section>
            """
    }

    /// Each connected Spoolman and how its reads go; owners connect and disconnect, operators read one now.
    static func spoolmanPanel(_ links: [SpoolmanLinkStatus], viewer: Viewer) -> HTML {
        let shown = links.filter { $0.state != .disconnected }
        if shown.isEmpty, !viewer.may(.administer) { return .empty }
        let stamp = Timeline.stamper(viewer.timeZone)
        let rows = shown.map { link in
            let (badge, said): (String, String) =
                switch link.state {
                case .waiting: ("status-waiting", "not read yet")
                case .inStep:
                    (
                        "status-ok",
                        "in step: read \(link.lastSyncAt.map(stamp) ?? ""), \(link.lastChanges?.sentence ?? "")"
                    )
                case .down:
                    (
                        "status-error",
                        "cannot be read since \(link.lastErrorAt.map(stamp) ?? ""): \(link.lastError ?? ""). "
                            + "The farm works on; it tries again every \(link.pollSeconds) s"
                    )
                case .disconnected: ("", "disconnected")
                }
            let read: HTML =
                viewer.may(.operate)
                ? """
                <form class="inline" data-post="/api/v1/materials/spoolman/links/\(link.id)/sync" \
                data-done="Spoolman read"><button type="submit">Read now</button>\
                <span class="error" role="alert" hidden></span></form>
                """ : .empty
            let disconnect: HTML =
                viewer.may(.administer)
                ? """
                <form class="inline" data-post="/api/v1/materials/spoolman/links/\(link.id)" data-method="DELETE" \
                data-done="Spoolman disconnected"><button type="submit">Disconnect</button>\
                <span class="error" role="alert" hidden></span></form>
                """ : .empty
            return HTML(
                """
                <li id="spoolman-\(link.id)"><strong>\(link.url)</strong> \
                <span class="badge \(badge)">\(link.state.rawValue)</span> \(said)\(read)\(disconnect)</li>
                """)
        }
        let list: HTML =
            rows.isEmpty ? "<p class=\"empty\">No Spoolman is connected.</p>" : "<ul class=\"links\">\(rows)</ul>"
        let form: HTML =
            viewer.may(.administer)
            ? """
            <details><summary>Connect a Spoolman</summary>
            <form class="ship" data-post="/api/v1/materials/spoolman/links" data-done="Spoolman connected">
            <label>Address <input name="url" type="url" required maxlength="500" \
            placeholder="http://192.168.1.40:7912"></label>
            <label>Read its changes every (s) <input name="pollSeconds" type="number" min="5" max="86400" \
            value="60"></label>
            <button type="submit" class="primary">Connect</button>
            <p class="quiet">Its vendors, filaments and spools are taken in now and its changes every interval; \
            what prints use here is sent to it.</p>
            <p class="error" role="alert" hidden></p></form></details>
            """ : .empty
        return """
            <section class="panel wide" aria-labelledby="spoolman"><h2 id="spoolman">Spoolman</h2>\(list)\(form)\
            </section>
            """
    }

    static let filamentForm: HTML = """
        <details><summary>Register a filament</summary>
        <form class="ship" data-post="/api/v1/filaments" data-done="Filament registered">
        <label>Material <input name="material" required maxlength="64" placeholder="PLA"></label>
        <label>Colour <input name="colour" maxlength="64" placeholder="black"></label>
        <label>Colour code <input name="colourHex" maxlength="9" placeholder="#1A1A1A"></label>
        <label>Density (g/cm³) <input name="density" type="number" step="0.01" min="0.5" max="5" required \
        value="1.24"></label>
        <label>Diameter (mm) <input name="diameter" type="number" step="0.01" min="0.1" max="5" value="1.75"></label>
        <label>Full spool (g) <input name="nominalWeight" type="number" step="1" min="1" value="1000"></label>
        <label>Reorder below (g) <input name="reorderPoint" type="number" step="1" min="0"></label>
        <button type="submit" class="primary">Register filament</button>
        <p class="error" role="alert" hidden></p></form></details>
        """

    static func spoolForm(_ filaments: [Filament]) -> HTML {
        guard !filaments.isEmpty else { return .empty }
        let options = filaments.map { HTML("<option value=\"\($0.id)\">\(filamentName($0))</option>") }
        return """
            <details><summary>Register a spool</summary>
            <form class="ship" data-post="/api/v1/spools" data-done="Spool registered">
            <label>Filament <select name="filament" required>\(options)</select></label>
            <label>Filament on it (g) <input name="initialWeight" type="number" step="1" min="1" \
            placeholder="the filament's full spool"></label>
            <label>Where <input name="location" maxlength="64" placeholder="shelf A2"></label>
            <button type="submit" class="primary">Register spool</button>
            <p class="error" role="alert" hidden></p></form></details>
            """
    }

    /// A spool's page: its facts, its actions, and its log from its events.
    static func spool(
        _ spool: Spool, filament: Filament?, lot: Lot?, events: [StoredEvent], printers: [PrinterID: String],
        orders: [RunID: [(intent: IntentID, label: String)]], viewer: Viewer
    ) -> HTML {
        let stamp = Timeline.stamper(viewer.timeZone)
        let drift: HTML =
            spool.lastWeighIn.map { weighIn in
                HTML(
                    """
                    <dt>Last weigh-in</dt><dd>\(grams(weighIn.net)) on \(stamp(weighIn.at)); the farm had counted \
                    \(grams(weighIn.estimated)) (\(String(format: "%+.0f g", weighIn.drift)))</dd>
                    """)
            } ?? .empty
        let place: HTML =
            spool.loaded.map { HTML(" on \(printers[$0.printer] ?? "a printer") (tool \($0.tool))") } ?? .empty
        let facts: HTML = """
            <dl class="facts"><dt>Filament</dt><dd>\(filamentName(filament))</dd>\
            <dt>Lot</dt><dd>\(lot?.spec.number ?? "—")</dd>\
            <dt>Left</dt><dd>\(grams(spool.remaining)) of \(grams(spool.initialWeight)) \
            (\(grams(spool.used)) used by \(spool.runs.count) prints)</dd>\
            <dt>Status</dt><dd>\(spool.status.rawValue)\(place)</dd>\
            <dt>Where</dt><dd>\(spool.location ?? "—")</dd>\(drift)</dl>
            """
        let log = events.reversed().map { event in
            HTML("<li><time>\(stamp(event.time))</time> \(line(event, printers: printers, orders: orders))</li>")
        }
        return WebPage.layout(
            title: "Spool \(spool.id.description.suffix(6))", viewer: viewer, current: "/materials",
            main: """
                <nav class="crumbs" aria-label="Breadcrumb"><a href="/materials">Materials</a> › \
                spool \(spool.id.description.suffix(6))</nav>
                <section class="panel wide" aria-labelledby="spool"><h2 id="spool">Spool</h2>\(facts)\
                <p><a href="/api/v1/spools/\(spool.id)/label" target="_blank">Print its label</a> \
                (62 × 29 mm, with a QR code to this page)</p>\
                \(viewer.may(.operate) ? actions(spool, printers: printers) : .empty)</section>
                <section class="panel wide" aria-labelledby="log"><h2 id="log">Log</h2><ol class="timeline">\(log)</ol>\
                </section>
                """)
    }

    static func actions(_ spool: Spool, printers: [PrinterID: String]) -> HTML {
        guard !spool.archived else { return .empty }
        let base = "/api/v1/spools/\(spool.id)"
        let options = printers.sorted { $0.value < $1.value }.map {
            HTML("<option value=\"\($0.key)\">\($0.value)</option>")
        }
        let load: HTML =
            spool.loaded == nil
            ? """
            <form class="ship" data-post="\(base)/load" data-done="Spool loaded">\
            <label>Printer <select name="printer" required>\(options)</select></label>\
            <button type="submit">Load on printer</button><p class="error" role="alert" hidden></p></form>
            """
            : """
            <form class="inline" data-post="\(base)/unload" data-done="Spool unloaded">\
            <button type="submit">Unload</button><span class="error" role="alert" hidden></span></form>
            """
        return """
            \(load)
            <form class="ship" data-post="\(base)/weigh" data-done="Weigh-in recorded">\
            <label>On the scale, with its spool (g) \
            <input name="gross" type="number" step="1" min="0" required></label>\
            <button type="submit">Record weigh-in</button><p class="error" role="alert" hidden></p></form>
            <form class="inline" data-post="\(base)/archive" data-done="Spool archived">\
            <button type="submit">Archive (used up)</button><span class="error" role="alert" hidden></span></form>
            """
    }

    /// One entry of a spool's log, in words.
    static func line(
        _ event: StoredEvent, printers: [PrinterID: String], orders: [RunID: [(intent: IntentID, label: String)]]
    ) -> HTML {
        let decoder = StoreCoding.decoder()
        guard let decoded = try? SpoolEvent.decodeData(type: event.type, data: event.data, decoder: decoder) else {
            return HTML("\(event.type)")
        }
        switch decoded {
        case .registered(let e):
            return HTML("registered with \(grams(e.spec.remaining ?? e.spec.initialWeight))")
        case .updated: return "details corrected"
        case .loaded(let e): return HTML("loaded on \(printers[e.printer] ?? "a printer") (tool \(e.tool))")
        case .unloaded(let e): return HTML("taken off \(printers[e.printer] ?? "a printer")")
        case .used(let e):
            let links = (orders[e.run] ?? []).map { HTML("<a href=\"/orders/\($0.intent)\">\($0.label)</a>") }
            let share = e.share < 1 ? HTML(", \(Int((e.share * 100).rounded())) % printed") : .empty
            return HTML(
                """
                \(grams(e.grams)) by <a href="/runs/\(e.run)">a \(e.outcome) run</a> on \
                \(printers[e.printer] ?? "a printer")\(share)\(links.isEmpty ? HTML.empty : HTML(" for ")) \
                \(HTML(trusted: links.map(\.text).joined(separator: ", ")))
                """)
        case .weighed(let e):
            return HTML(
                """
                weighed: \(grams(e.net)) left; the farm had counted \(grams(e.estimated)) \
                (\(String(format: "%+.0f g", e.drift)))
                """)
        case .archived: return "archived"
        case .restored: return "restored"
        }
    }
}
