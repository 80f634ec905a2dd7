import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Turns every error into an RFC 9457 problem response. Unknown errors become a 500 whose detail says nothing
/// about internals; the log gets the error itself.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = FarmRequestContext
    /// The routes as registered, to tell "no such path" (404) from "not with this method" (405 with `Allow`).
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch {
            var problem: Problem
            if let error = error as? HTTPError, error.status == .notFound, error.body == nil {
                // why: the router's own not-found carries no body; our handlers' not-founds are Problems.
                let allowed = routes.methods(for: request.uri.path)
                if allowed.isEmpty {
                    problem = .unknownRoute(request.method, request.uri.path)
                } else {
                    problem = .methodNotAllowed(request.method, request.uri.path, allowed: allowed)
                }
            } else if let mapped = ProblemMapping.problem(for: error) {
                problem = mapped
                if problem.status >= 500 {
                    context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
                }
            } else {
                context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
                problem = .internalError
            }
            problem.instance = request.uri.path
            return problem.response()
        }
    }
}
