import FarmDomain
import FarmStore
import Foundation
import HTTPTypes
import Hummingbird

/// What the route handlers need, passed in once at build time: no globals.
struct FarmServices: Sendable {
    let store: Store
    let metrics: FarmMetrics
    let now: @Sendable () -> Date
    let newID: @Sendable () -> UUID
    let eventSource: String

    /// The actor, reason and time for a command a request asks for.
    func commandContext(
        _ context: FarmRequestContext, reason: String?, note: String?, defaultReason: ReasonCode = .apiRequest
    ) throws -> CommandContext {
        var code = defaultReason
        if let reason {
            guard let parsed = ReasonCode(rawValue: reason) else {
                throw Problem.invalidField(
                    "reason", "'\(reason)' is not a reason code; use dotted lowercase words such as operator.override")
            }
            code = parsed
        }
        if let note, note.count > 2000 { throw Problem.invalidField("note", "at most 2000 characters") }
        return CommandContext(actor: context.actor ?? .anonymous, reason: code, note: note, time: now())
    }

    /// The correlation id a client sent, or this request's id, so every event can be traced to its request.
    /// The request's `X-Correlation-ID`, else its own id. One that is not 1 to 100 visible ASCII characters is refused
    /// rather than replaced: a client that sent it expects to find its events by it.
    func correlationID(_ request: Request, _ context: FarmRequestContext) throws -> String {
        guard let header = request.headers[.correlationID] else { return context.id }
        guard (1...100).contains(header.count), header.allSatisfy({ $0.isASCII && !$0.isWhitespace && !$0.isNewline })
        else {
            throw Problem.invalidParameter("X-Correlation-ID", "1 to 100 visible ASCII characters")
        }
        return header
    }
}

/// The endpoints every aggregate has: get one with its ETag, list a page, run a command.
struct AggregateEndpoints<A: StoredAggregate>: Sendable where A.Command: Sendable {
    let repository: AggregateRepository<A>
    let services: FarmServices
    /// The collection path, for example `/api/v1/intents`.
    let collection: String
    /// The noun in messages, for example `intent`.
    let noun: String

    func id(_ context: FarmRequestContext) throws -> String {
        let text = try context.parameters.require("id")
        guard let uuid = UUID(uuidString: text) else { throw Problem.invalidParameter("id", "'\(text)' is not a UUID") }
        return uuid.uuidString.lowercased()
    }

    func get(_ request: Request, _ context: FarmRequestContext) async throws -> Response {
        let id = try id(context)
        guard let row = try await repository.row(id: id) else { throw Problem.notFound("\(noun) \(id)") }
        return JSONIO.response(row.body, etag: row.version)
    }

    func list(_ request: Request, status: String?, ref: String?) async throws -> Response {
        let query = QueryParameters(request)
        let limit = try query.limit()
        let rows = try await repository.list(status: status, ref: ref, after: try query.uuid("after"), limit: limit)
        return JSONIO.page(rows, limit: limit)
    }

    /// Runs `command` on aggregate `id` under the request's If-Match, and answers with the new state.
    func execute(
        _ command: A.Command, id: String, request: Request, context: FarmRequestContext, reason: String?, note: String?,
        created: Bool = false
    ) async throws -> Response {
        let commandContext = try services.commandContext(context, reason: reason, note: note)
        let location = created ? "\(collection)/\(id)" : nil
        let render: @Sendable (CommandOutcome<A>) throws -> (response: Response, body: Data) = { outcome in
            let isNew = created && outcome.version == outcome.events.count
            let body = try StoreCoding.encoder().encode(outcome.model)
            return (
                JSONIO.response(body, status: isNew ? .created : .ok, etag: outcome.version, location: location), body
            )
        }
        var answer: (@Sendable (CommandOutcome<A>) throws -> IdempotentAnswer)?
        if let (scope, key) = context.idempotency {
            answer = { (outcome: CommandOutcome<A>) throws -> IdempotentAnswer in
                let rendered = try render(outcome)
                return IdempotentAnswer(
                    scope: scope, key: key,
                    response: IdempotencyMiddleware.stored(rendered.response, body: rendered.body))
            }
        }
        let outcome = try await repository.execute(
            command, id: id, expectedVersion: try request.expectedVersion(), context: commandContext,
            correlationID: try services.correlationID(request, context), answer: answer)
        var response = try render(outcome).response
        if answer != nil { response.headers[.idempotencyStored] = "true" }
        return response
    }
}

extension HTTPField.Name {
    static let correlationID = HTTPField.Name("X-Correlation-ID")!
    static let lastEventID = HTTPField.Name("Last-Event-ID")!
}
