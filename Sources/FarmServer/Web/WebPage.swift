import FarmDomain
import Foundation
import HTTPTypes
import Hummingbird

/// Who a page is rendered for: what they may do decides which buttons exist.
struct Viewer: Sendable {
    var name: String
    var role: String
    var permissions: Set<Permission>
    /// Sent back as X-CSRF-Token with every change the page makes.
    var csrfToken: String
    var timeZone: TimeZone
    /// The farm batches parts on plates (farm mode): the Plates page is in the menu.
    var plates = false

    func may(_ permission: Permission) -> Bool { permissions.contains(permission) }
}

/// The web UI's HTML: one layout, the sign-in page, the triage board. Server-rendered; `/ui/app.js` adds the
/// live updates and carries out actions through the REST API.
enum WebPage {
    static func response(_ html: HTML, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                // why: the pages load only their own script and style; nothing inline, nothing from elsewhere.
                .contentSecurityPolicy:
                    "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
                .init("X-Content-Type-Options")!: "nosniff",
                // why: page addresses name orders, plans and runs; links out of the farm must not carry them.
                .init("Referrer-Policy")!: "same-origin",
            ],
            body: .init(byteBuffer: ByteBuffer(string: html.text)))
    }

    /// The main navigation: path and name.
    static let sections = [
        ("/", "Today"), ("/orders", "Orders"), ("/printers", "Printers"), ("/schedule", "Schedule"),
        ("/materials", "Materials"), ("/shops", "Shops"),
    ]

    /// The menu: plates only for a farm that batches them (solo farms never see plates).
    static func sections(_ viewer: Viewer) -> [(String, String)] {
        guard viewer.plates else { return sections }
        var shown = sections
        shown.insert(("/plates", "Plates"), at: 4)
        return shown
    }

    static func layout(title: String, viewer: Viewer?, current: String = "/", main: HTML, bodyClass: String = "")
        -> HTML
    {
        let header: HTML
        if let viewer {
            header = """
                <header class="top">
                  <a class="brand" href="/">Print Farm OS</a>
                  <nav aria-label="Main">\(Self.sections(viewer).map { path, name in
                    HTML("<a href=\"\(path)\"\(path == current ? HTML(" aria-current=\"page\"") : .empty)>\(name)</a>")
                  })</nav>
                  <span id="connection" class="connection" role="status" aria-live="polite" hidden></span>
                  <span class="who">\(viewer.name) <span class="role">\(viewer.role)</span></span>
                  <button type="button" id="sign-out" class="quiet">Sign out</button>
                </header>
                """
        } else {
            header = #"<header class="top"><span class="brand">Print Farm OS</span></header>"#
        }
        return """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title) · Print Farm OS</title>
            <link rel="stylesheet" href="/ui/app.css">
            \(viewer.map { HTML("<meta name=\"csrf-token\" content=\"\($0.csrfToken)\">") } ?? .empty)
            <script src="/ui/app.js" defer></script>
            </head>
            <body class="\(bodyClass)">
            \(header)
            <div id="toast" class="toast" role="alert" aria-live="assertive" hidden></div>
            <main id="main">
            \(main)
            </main>
            </body>
            </html>
            """
    }

    static func message(title: String, text: String, status: HTTPResponse.Status) -> Response {
        response(
            layout(
                title: title, viewer: nil,
                main:
                    "<section class=\"panel\"><h1>\(title)</h1><p>\(text)</p><p><a href=\"/\">Back to the board</a></p></section>"
            ), status: status)
    }

    // MARK: sign-in

    static func signIn(next: String, expired: Bool) -> HTML {
        let notice: HTML =
            expired ? #"<p class="notice" role="status">Your session has expired. Sign in again to go on.</p>"# : .empty
        return layout(
            title: "Sign in", viewer: nil,
            main: """
                <section class="panel sign-in">
                  <h1>Sign in</h1>
                  \(notice)
                  <form id="sign-in" data-next="\(next)" novalidate>
                    <label for="username">Username</label>
                    <input id="username" name="username" autocomplete="username" required maxlength="64" autofocus>
                    <label for="password">Password</label>
                    <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024">
                    <div id="totp-row" hidden>
                      <label for="totp">Authenticator code</label>
                      <input id="totp" name="totp" inputmode="numeric" autocomplete="one-time-code" maxlength="32">
                    </div>
                    <p id="sign-in-error" class="error" role="alert" hidden></p>
                    <button type="submit" class="primary">Sign in</button>
                  </form>
                </section>
                """)
    }

    // MARK: triage board

    static func boardPage(_ board: TriageBoard, viewer: Viewer, wall: Bool) -> HTML {
        layout(
            title: "Today", viewer: viewer,
            main: """
                <div class="board-head">
                  <h1>Today</h1>
                  <a class="quiet" href="\(wall ? "/" : "/?wall=1")">\(wall ? "Leave wall mode" : "Wall mode")</a>
                </div>
                <section id="board" class="board" data-fragment="/ui/board" aria-label="Triage board">
                \(boardLanes(board, viewer: viewer))
                </section>
                """, bodyClass: wall ? "wall" : "")
    }

    static func boardLanes(_ board: TriageBoard, viewer: Viewer) -> HTML {
        TriageBoard.Lane.allCases.map { lane in
            let cards = board.cards(lane)
            let empty: HTML = cards.isEmpty ? "<li class=\"empty\">\(emptyText(lane))</li>" : .empty
            return """
                <div class="lane lane-\(lane.rawValue)" data-lane="\(lane.rawValue)">
                  <h2>\(lane.title) <span class="count" aria-label="\(cards.count) cards">\(cards.count)</span></h2>
                  <ul>\(cards.map { card($0, viewer: viewer) })\(empty)</ul>
                </div>
                """
        }.joined()
    }

    static func emptyText(_ lane: TriageBoard.Lane) -> String {
        switch lane {
        case .attention: "Nothing needs you."
        case .atRisk: "No order at risk."
        case .running: "No printer is printing."
        case .qa: "Nothing waits for QA."
        }
    }

    static func card(_ card: TriageBoard.Card, viewer: Viewer) -> HTML {
        let badges = card.badges.map {
            HTML("<span class=\"badge badge-\($0.replacingOccurrences(of: " ", with: "-"))\">\($0)</span>")
        }
        let progress = card.progress.map(progressBar) ?? .empty
        let actions = buttons(card.actions, version: card.version, viewer: viewer)
        return """
            <li class="card kind-\(card.kind.rawValue)" id="card-\(card.kind.rawValue)-\(card.id)" data-id="\(card.id)" data-version="\(card.version)">
              <div class="card-head"><strong class="title"><a href="\(card.link)">\(card.title)</a></strong>\(badges)\(riskChip(card.risk, decision: card.decision))</div>
              <p class="why">\(card.why)</p>
              \(progress)
              \(actions.isEmpty ? HTML.empty : HTML("<div class=\"actions\">\(actions)</div>"))
            </li>
            """
    }

    /// The actions `viewer` may take, as buttons the page script carries out (with `version` as If-Match).
    static func buttons(_ actions: [TriageBoard.Action], version: Int, viewer: Viewer) -> [HTML] {
        actions.filter { viewer.may($0.permission) }.map { action in
            HTML(
                """
                <button type="button" class="\(action.style.rawValue)" data-action="\(action.path)" data-body="\(action.body)" data-version="\(version)"\(action.asksReason ? HTML(" data-reason=\"1\"") : .empty)>\(action.label)</button>
                """)
        }
    }

    /// A status as words: `needsReview` → `needs review`.
    static func words(_ camel: String) -> String {
        var text = ""
        for character in camel {
            if character.isUppercase { text += " " + character.lowercased() } else { text.append(character) }
        }
        return text
    }

    static func progressBar(_ progress: RunProgress) -> HTML {
        "<progress max=\"100\" value=\"\(progress.percent)\" aria-label=\"progress\"></progress>"
    }

    /// The level, and on hover or focus the factors and the rule that decided.
    /// The picture of a G-code file (its embedded thumbnail, or the plate drawn from above), small, linking to itself.
    static func gcodePreview(_ sha: String?, alt: String, width: Int = 160) -> HTML {
        guard let sha else { return .empty }
        let source = "/api/v1/artifacts/\(sha)/preview"
        return """
            <a class="gcode-preview" href="\(source)"><img src="\(source)" alt="\(alt)" width="\(width)" \
            loading="lazy"></a>
            """
    }

    static func riskChip(_ risk: RiskAssessment?, decision: GateRecord?) -> HTML {
        guard let risk else { return .empty }
        let factors = risk.factors.map { HTML("<li>+\($0.weight) \($0.sentence)</li>") }
        let rule: HTML =
            decision.map {
                HTML("<p>\($0.gate.rawValue): rule <em>\($0.rule)</em> → \($0.outcome.name). \($0.explanation)</p>")
            } ?? .empty
        return """
            <span class="risk risk-\(risk.level.rawValue.lowercased())" tabindex="0">\(risk.level.rawValue) \(risk.score)<span class="explain" role="tooltip"><ul>\(factors.isEmpty ? [HTML("<li>no risk factor</li>")] : factors)</ul>\(rule)</span></span>
            """
    }
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
