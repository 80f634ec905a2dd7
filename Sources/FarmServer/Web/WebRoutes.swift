import FarmDomain
import FarmStore
import Foundation
import Hummingbird

/// The operator's web UI: sign-in, the triage board (whole page and the lanes alone, which the page reloads on
/// every event), and the UI's own stylesheet and script.
struct WebRoutes {
    let services: FarmServices
    let tokens: SessionTokens
    let timeZone: TimeZone
    let feed: BoardFeed

    init(services: FarmServices, tokens: SessionTokens, timeZone: TimeZone) {
        self.services = services
        self.tokens = tokens
        self.timeZone = timeZone
        feed = BoardFeed(store: services.store)
    }

    func register(on routes: SecuredRoutes) {
        // The sign-in page and its assets are how a person gets credentials; they show no farm data.
        routes.publicPage("/login") { request, _ in
            let query = QueryParameters(request)
            let next = query.values["next"].flatMap { $0.hasPrefix("/") && !$0.hasPrefix("//") && $0.count <= 500 ? $0 : nil } ?? "/"
            return WebPage.response(WebPage.signIn(next: next, expired: query.values["expired"] == "1"))
        }
        routes.publicPage("/ui/app.css") { request, _ in WebAssets.css.response(for: request) }
        routes.publicPage("/ui/app.js") { request, _ in WebAssets.js.response(for: request) }
        routes.page("/", .read) { request, context in
            let viewer = try viewer(context)
            let board = try await feed.board(now: services.now())
            return WebPage.response(WebPage.boardPage(board, viewer: viewer, wall: QueryParameters(request).values["wall"] == "1"))
        }
        routes.page("/runs/{id}", .read) { _, context in
            let viewer = try viewer(context)
            let id = try context.parameters.require("id")
            guard RunID(id) != nil, let (run, version) = try await services.store.runs.get(id: id) else {
                return WebPage.message(title: "No such run", text: "There is no run \(id.prefix(40)); it may have been mistyped.", status: .notFound)
            }
            let printer = try await services.store.printers.get(id: run.printerID.description)?.model.name
            let events = try await services.store.events.read(stream: RunDecider.stream(run.id))
            // People by name, not by id: the timeline says who.
            var names: [String: String] = [:]
            for actor in Set(events.map(\.actor)) where actor.hasPrefix("user:") {
                if let user = try await services.store.users.get(id: String(actor.dropFirst(5)))?.model { names[actor] = user.username }
            }
            return WebPage.response(RunPage.render(run, version: version, printer: printer, events: events, actors: names, viewer: viewer))
        }
        routes.page("/printers", .read) { _, context in
            let viewer = try viewer(context)
            let printers = try await services.store.printers.allVersioned()
            var runs: [PrinterID: Run] = [:]
            for status in [RunStatus.dispatching, .printing, .paused] {
                for (run, _) in try await services.store.runs.allVersioned(status: status.rawValue) { runs[run.printerID] = run }
            }
            return WebPage.response(PrintersPage.render(printers, runs: runs, viewer: viewer))
        }
        routes.page("/ui/board", .read) { _, context in
            let viewer = try viewer(context)
            let board = try await feed.board(now: services.now())
            return WebPage.response(WebPage.boardLanes(board, viewer: viewer))
        }
    }

    /// Pages are for people: an API key gets no page (it has no session to carry a CSRF token).
    func viewer(_ context: FarmRequestContext) throws -> Viewer {
        guard let principal = context.principal, let session = principal.sessionID, let user = principal.user else { throw Problem.unauthorized }
        return Viewer(
            name: user.username, role: user.role.rawValue, permissions: principal.permissions, csrfToken: tokens.csrfToken(for: session),
            timeZone: timeZone)
    }
}
