import Crypto
import FarmDomain
import Foundation
import HTTPTypes
import Hummingbird

/// Every route needs credentials except a short, named allow-list. Until users and API keys exist, the
/// credential is the farm's bootstrap API token; its holder acts as `apikey:bootstrap`.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = FarmRequestContext

    /// Paths reachable without credentials, and why.
    static func publicPaths(publicMetrics: Bool) -> Set<String> {
        var paths: Set<String> = [
            "/healthz",  // load balancers and process supervisors
            "/api/v1/openapi.json",  // integrators read the contract before they have a token
        ]
        if publicMetrics { paths.insert("/metrics") }  // a Prometheus on a trusted network, when configured
        return paths
    }

    let tokenDigest: SHA256.Digest
    let publicPaths: Set<String>

    init(token: String, publicPaths: Set<String>) {
        self.tokenDigest = SHA256.hash(data: Data(token.utf8))
        self.publicPaths = publicPaths
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if publicPaths.contains(request.uri.path) { return try await next(request, context) }
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw Problem.unauthorized
        }
        let presented = SHA256.hash(data: Data(header.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces).utf8))
        // why: comparing fixed-size digests (SHA256.Digest's == is constant-time) leaks neither the token nor its length.
        guard presented == tokenDigest else { throw Problem.unauthorized }
        var context = context
        context.actor = EventActor(.apikey, "bootstrap")
        return try await next(request, context)
    }
}
