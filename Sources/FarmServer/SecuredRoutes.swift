import FarmAuth
import FarmDomain
import Foundation
import HTTPTypes
import Hummingbird

/// The only way routes are added: each with the permission it needs, or explicitly public. The list it keeps
/// is what the route-walking test checks every route against, so a route that forgets auth fails the suite.
final class SecuredRoutes {
    struct Entry: Sendable, Equatable {
        let method: HTTPRequest.Method
        let path: String
        /// nil for a public route.
        let permission: Permission?
        /// Part of the web UI (not in the OpenAPI document); its protected pages redirect to sign-in.
        var web = false
    }

    private let router: Router<FarmRequestContext>
    private let groups: [Permission: RouterGroup<FarmRequestContext>]
    /// The same without the idempotency middleware, which reads the whole body: for streamed uploads, which are
    /// idempotent by content anyway.
    private let streamingGroups: [Permission: RouterGroup<FarmRequestContext>]
    /// Web pages: a person without a session is sent to the sign-in page instead of getting a 401.
    private let pageGroups: [Permission: RouterGroup<FarmRequestContext>]
    private(set) var entries: [Entry] = []

    /// - Parameter protected: the middleware every protected route runs, outermost first (authentication,
    ///   then idempotency); the permission check is placed between them.
    init(
        router: Router<FarmRequestContext>, authenticate: Authenticator, csrf: CSRFCheck,
        idempotency: IdempotencyMiddleware
    ) {
        self.router = router
        var groups: [Permission: RouterGroup<FarmRequestContext>] = [:]
        var streamingGroups: [Permission: RouterGroup<FarmRequestContext>] = [:]
        var pageGroups: [Permission: RouterGroup<FarmRequestContext>] = [:]
        for permission in Permission.allCases {
            pageGroups[permission] = router.group()
                .add(middleware: SignInRedirect())
                .add(middleware: authenticate)
                .add(middleware: PersonOnly())
                .add(middleware: RequirePermission(permission: permission))
            groups[permission] = router.group()
                .add(middleware: authenticate)
                .add(middleware: csrf)
                .add(middleware: RequirePermission(permission: permission))
                .add(middleware: idempotency)
            streamingGroups[permission] = router.group()
                .add(middleware: authenticate)
                .add(middleware: csrf)
                .add(middleware: RequirePermission(permission: permission))
        }
        self.groups = groups
        self.streamingGroups = streamingGroups
        self.pageGroups = pageGroups
    }

    /// A web page (GET only: pages read; changes go through the API with the CSRF token).
    func page<Output: ResponseGenerator>(
        _ path: String, _ permission: Permission,
        use handler: @escaping @Sendable (Request, FarmRequestContext) async throws -> Output
    ) {
        pageGroups[permission]!.on(RouterPath(path), method: .get, use: handler)
        entries.append(Entry(method: .get, path: path, permission: permission, web: true))
    }

    /// A public part of the web UI: the sign-in page and the UI's assets.
    func publicPage<Output: ResponseGenerator>(
        _ path: String, use handler: @escaping @Sendable (Request, FarmRequestContext) async throws -> Output
    ) {
        router.on(RouterPath(path), method: .get, use: handler)
        entries.append(Entry(method: .get, path: path, permission: nil, web: true))
    }

    func on<Output: ResponseGenerator>(
        _ method: HTTPRequest.Method, _ path: String, _ permission: Permission,
        use handler: @escaping @Sendable (Request, FarmRequestContext) async throws -> Output
    ) {
        groups[permission]!.on(RouterPath(path), method: method, use: handler)
        entries.append(Entry(method: method, path: path, permission: permission))
    }

    func get<Output: ResponseGenerator>(
        _ path: String, _ permission: Permission,
        use handler: @escaping @Sendable (Request, FarmRequestContext) async throws -> Output
    ) {
        on(.get, path, permission, use: handler)
    }

    func post<Output: ResponseGenerator>(
        _ path: String, _ permission: Permission,
        use handler: @escaping @Sendable (Request, FarmRequestContext) async throws -> Output
    ) {
        on(.post, path, permission, use: handler)
    }

    /// A POST whose handler reads the body as a stream (uploads); an Idempotency-Key is accepted and ignored.
    func postStreaming<Output: ResponseGenerator>(
        _ path: String, _ permission: Permission,
        use handler: @escaping @Sendable (Request, FarmRequestContext) async throws -> Output
    ) {
        streamingGroups[permission]!.on(RouterPath(path), method: .post, use: handler)
        entries.append(Entry(method: .post, path: path, permission: permission))
    }

    func put<Output: ResponseGenerator>(
        _ path: String, _ permission: Permission,
        use handler: @escaping @Sendable (Request, FarmRequestContext) async throws -> Output
    ) {
        on(.put, path, permission, use: handler)
    }

    func delete<Output: ResponseGenerator>(
        _ path: String, _ permission: Permission,
        use handler: @escaping @Sendable (Request, FarmRequestContext) async throws -> Output
    ) {
        on(.delete, path, permission, use: handler)
    }

    /// A route anyone may call. Keep this list short and say why at each call.
    func publicRoute<Output: ResponseGenerator>(
        _ method: HTTPRequest.Method, _ path: String,
        use handler: @escaping @Sendable (Request, FarmRequestContext) async throws -> Output
    ) {
        router.on(RouterPath(path), method: method, use: handler)
        entries.append(Entry(method: method, path: path, permission: nil))
    }
}

/// Refuses a state-changing request made with a session cookie unless it carries the session's CSRF token in
/// `X-CSRF-Token`: another site can make a browser send our cookie, but cannot read the token.
struct CSRFCheck: RouterMiddleware {
    typealias Context = FarmRequestContext
    let tokens: SessionTokens
    static let header = HTTPField.Name("X-CSRF-Token")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        if let principal = context.principal, principal.viaCookie, let session = principal.sessionID,
            ![.get, .head, .options].contains(request.method)
        {
            let expected = Array(tokens.csrfToken(for: session).utf8)
            guard let presented = request.headers[Self.header], ConstantTime.equal(Array(presented.utf8), expected)
            else {
                throw Problem.csrfRefused
            }
        }
        return try await next(request, context)
    }
}

/// For pages: a request without a valid session goes to the sign-in page (saying so when a session cookie came
/// but has expired), and one without the permission gets a page saying what it lacks.
struct SignInRedirect: RouterMiddleware {
    typealias Context = FarmRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let problem as Problem where problem.status == 401 {
            let expired = request.cookies[Authenticator.cookieName] != nil
            var query =
                "next="
                + (request.uri.path.addingPercentEncoding(
                    withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "/-_"))) ?? "/")
            if expired { query += "&expired=1" }
            return Response(status: .seeOther, headers: [.location: "/login?" + query, .cacheControl: "no-store"])
        } catch let problem as Problem where problem.status == 403 {
            return WebPage.message(title: "Not allowed", text: problem.detail, status: .forbidden)
        }
    }
}

/// Pages are for people signed in: an API key (no session, so no CSRF token for the page's changes) is sent to sign
/// in, whatever its scope, before its permission is weighed.
struct PersonOnly: RouterMiddleware {
    typealias Context = FarmRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard context.principal?.sessionID != nil else { throw Problem.unauthorized }
        return try await next(request, context)
    }
}

/// Refuses a request whose caller lacks the route's permission (403), after authentication.
struct RequirePermission: RouterMiddleware {
    typealias Context = FarmRequestContext
    let permission: Permission

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard let principal = context.principal else { throw Problem.unauthorized }
        guard principal.permissions.contains(permission) else { throw Problem.forbidden(permission) }
        return try await next(request, context)
    }
}

/// Who is calling and what they may do.
public struct Principal: Sendable, Equatable {
    public let actor: EventActor
    public let permissions: Set<Permission>
    /// The sign-in session, when the caller presented a session token.
    public let sessionID: String?
    /// The session came in a cookie, which a browser sends by itself: changes need the CSRF token too.
    public let viaCookie: Bool
    /// The signed-in person, as read when the session was checked (nil for an API key).
    public let user: User?

    public init(
        actor: EventActor, permissions: Set<Permission>, sessionID: String? = nil, viaCookie: Bool = false,
        user: User? = nil
    ) {
        self.actor = actor
        self.permissions = permissions
        self.sessionID = sessionID
        self.viaCookie = viaCookie
        self.user = user
    }
}
