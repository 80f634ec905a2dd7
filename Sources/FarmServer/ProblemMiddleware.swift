import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Turns every error into an RFC 9457 problem response. Unknown errors become a 500 whose detail says nothing
/// about internals; the log gets the error itself.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = FarmRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            var problem: Problem
            if let error = error as? HTTPError, error.status == .notFound, error.body == nil {
                // why: the router's own not-found carries no body; our handlers' not-founds are Problems.
                problem = .unknownRoute(request.method, request.uri.path)
            } else if let mapped = ProblemMapping.problem(for: error) {
                problem = mapped
                if problem.status >= 500 { context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"]) }
            } else {
                context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
                problem = .internalError
            }
            problem.instance = request.uri.path
            return problem.response()
        }
    }
}
