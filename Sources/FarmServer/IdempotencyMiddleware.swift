import Crypto
import FarmStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Honours `Idempotency-Key` on every mutating request: the first response is stored per caller and key and
/// replayed for a retry; the same key with a different request is refused with 422.
struct IdempotencyMiddleware: RouterMiddleware {
    typealias Context = FarmRequestContext
    let store: IdempotencyStore
    let now: @Sendable () -> Date

    static let mutating: Set<HTTPRequest.Method> = [.post, .put, .patch, .delete]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard Self.mutating.contains(request.method), let key = request.headers[.idempotencyKey] else {
            return try await next(request, context)
        }
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw Problem.invalidIdempotencyKey
        }
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        var hasher = SHA256()
        hasher.update(data: Data("\(request.method.rawValue) \(request.uri.description)\n".utf8))
        hasher.update(data: Data(buffer: body))
        let hash = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        let scope = context.actor?.description ?? "anonymous"

        switch try await store.claim(scope: scope, key: key, requestHash: hash, now: now()) {
        case .replay(let stored):
            var headers = HTTPFields()
            for (name, value) in stored.headers { if let field = HTTPField.Name(name) { headers[field] = value } }
            headers[.idempotentReplayed] = "true"
            return Response(
                status: .init(code: stored.status), headers: headers,
                body: ResponseBody(byteBuffer: ByteBuffer(data: stored.body)))
        case .mismatch:
            throw Problem.idempotencyKeyReused
        case .inProgress:
            throw Problem.idempotencyKeyInProgress
        case .claimed:
            var replayable = request
            replayable.body = RequestBody(buffer: body)
            var context = context
            context.idempotency = (scope, key)
            var response: Response
            do {
                response = try await next(replayable, context)
            } catch {
                // A refusal (4xx) is an answer worth replaying; a failure on our side is not.
                if let problem = ProblemMapping.problem(for: error), problem.status < 500 {
                    var stored = problem
                    stored.instance = request.uri.path
                    try await remember(stored.response(), scope: scope, key: key)
                } else {
                    try? await store.release(scope: scope, key: key)
                }
                throw error
            }
            if response.headers[.idempotencyStored] != nil {
                // The command stored this answer with its change, in one transaction.
                response.headers[.idempotencyStored] = nil
                return response
            }
            guard response.status.code < 500 else {
                try? await store.release(scope: scope, key: key)
                return response
            }
            if response.headers[.cacheControl] == "no-store" {
                // A response that carries a secret is not stored; a retry learns that it was shown once.
                var shownOnce = Problem.secretShownOnce
                shownOnce.instance = request.uri.path
                try await remember(shownOnce.response(), scope: scope, key: key)
                return response
            }
            return try await remember(response, scope: scope, key: key)
        }
    }

    /// Stores `response` and returns an equivalent one (its body has been read).
    @discardableResult
    private func remember(_ response: Response, scope: String, key: String) async throws -> Response {
        let collector = BodyCollector()
        var response = response
        try await response.body.write(collector)
        try await store.complete(
            scope: scope, key: key,
            response: IdempotentResponse(
                status: response.status.code, headers: Self.headers(of: response), body: Data(buffer: collector.buffer))
        )
        response.body = ResponseBody(byteBuffer: collector.buffer)
        return response
    }

    /// `response`, whose body is `body`, as it is stored for replay.
    static func stored(_ response: Response, body: Data) -> IdempotentResponse {
        IdempotentResponse(status: response.status.code, headers: headers(of: response), body: body)
    }

    private static func headers(of response: Response) -> [String: String] {
        var headers: [String: String] = [:]
        for field in response.headers where field.name != .contentLength && field.name != .idempotencyStored {
            headers[field.name.canonicalName] = field.value
        }
        return headers
    }
}

/// Reads a response body into one buffer.
final class BodyCollector: ResponseBodyWriter, @unchecked Sendable {
    var buffer = ByteBuffer()
    func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        self.buffer.writeBuffer(&buffer)
    }
    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

extension HTTPField.Name {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed")!
    /// Internal, never sent: the route stored its answer itself.
    static let idempotencyStored = HTTPField.Name("X-Printfarm-Idempotency-Stored")!
}
