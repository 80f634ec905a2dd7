import FarmDomain
import FarmFleet
import FarmStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Slicing

/// An RFC 9457 problem: a stable `code` clients can switch on and a `detail` a person can act on.
public struct Problem: Error, Equatable, Sendable, Encodable {
    public var status: Int
    public var code: String
    public var title: String
    public var detail: String
    public var instance: String?
    /// Seconds to wait before trying again (`Retry-After` on the response); not part of the body.
    public var retryAfter: Int?
    /// The methods the path takes (`Allow` on a 405); not part of the body.
    public var allow: [HTTPRequest.Method]?

    public var type: String { "urn:printfarm:problem:\(code)" }

    public init(status: HTTPResponse.Status, code: String, title: String, detail: String) {
        self.status = status.code
        self.code = code
        self.title = title
        self.detail = detail
    }

    enum CodingKeys: String, CodingKey { case type, status, code, title, detail, instance }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        try container.encode(status, forKey: .status)
        try container.encode(code, forKey: .code)
        try container.encode(title, forKey: .title)
        try container.encode(detail, forKey: .detail)
        try container.encodeIfPresent(instance, forKey: .instance)
    }

    func response() -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? encoder.encode(self)) ?? Data("{\"code\":\"internal\"}".utf8)
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        if let allow { headers[.allow] = allow.map(\.rawValue).joined(separator: ", ") }
        return Response(
            status: HTTPResponse.Status(code: status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(data: body)))
    }
}

extension Problem {
    static func invalidJSON(_ detail: String) -> Problem {
        Problem(
            status: .badRequest, code: "invalid-json", title: "The request body is not valid JSON for this endpoint",
            detail: detail)
    }
    static func invalidField(_ field: String, _ reason: String) -> Problem {
        Problem(
            status: .unprocessableContent, code: "invalid-field",
            title: "A field has a value this endpoint cannot accept", detail: "\(field): \(reason)")
    }
    static func invalidParameter(_ name: String, _ reason: String) -> Problem {
        Problem(
            status: .badRequest, code: "invalid-parameter", title: "A parameter is not valid",
            detail: "\(name): \(reason)")
    }
    static func notFound(_ what: String) -> Problem {
        Problem(status: .notFound, code: "not-found", title: "No such resource", detail: "\(what) does not exist")
    }
    static func methodNotAllowed(_ method: HTTPRequest.Method, _ path: String, allowed: [HTTPRequest.Method]) -> Problem
    {
        var problem = Problem(
            status: .methodNotAllowed, code: "method-not-allowed", title: "The endpoint does not take this method",
            detail:
                "\(path) takes \(allowed.map(\.rawValue).joined(separator: ", ")), not \(method); see /api/v1/openapi.json"
        )
        problem.allow = allowed
        return problem
    }
    static func unknownRoute(_ method: HTTPRequest.Method, _ path: String) -> Problem {
        Problem(
            status: .notFound, code: "unknown-route", title: "No such endpoint",
            detail:
                "\(method) \(path) is not an endpoint of this server; see /api/v1/openapi.json for the ones there are")
    }
    static let unauthorized = Problem(
        status: .unauthorized, code: "unauthorized", title: "Credentials are missing or wrong",
        detail:
            "send `Authorization: Bearer <token>` with a session token from POST /api/v1/sessions or an API key (pfk_…)"
    )
    static let csrfRefused = Problem(
        status: .forbidden, code: "csrf-token-missing",
        title: "A change made with a session cookie needs the CSRF token",
        detail: "send the csrfToken you received at sign-in as the X-CSRF-Token header")
    static let invalidCredentials = Problem(
        status: .unauthorized, code: "invalid-credentials", title: "Sign-in failed",
        detail:
            "the username, password or code is not right; after 5 failures in a row the account locks for 15 minutes")
    static let totpRequired = Problem(
        status: .unauthorized, code: "totp-required", title: "This account needs its authenticator code",
        detail: "send the current 6-digit code from your authenticator app (or a recovery code) as `totp`")
    static func tooManySignIns(retryAfter seconds: Int) -> Problem {
        var problem = Problem(
            status: .tooManyRequests, code: "too-many-sign-ins", title: "Too many failed sign-ins",
            detail:
                "too many failed sign-ins from this address; wait \(seconds) s (Retry-After) and try again, or ask an owner to reset the password"
        )
        problem.retryAfter = seconds
        return problem
    }
    static func forbidden(_ permission: Permission) -> Problem {
        Problem(
            status: .forbidden, code: "forbidden", title: "Your credentials do not allow this",
            detail:
                "this needs the '\(permission.rawValue)' permission; ask an owner for a role or API key scope that has it"
        )
    }
    static func unsupportedMediaType(_ got: String?) -> Problem {
        Problem(
            status: .unsupportedMediaType, code: "unsupported-media-type", title: "The body must be JSON",
            detail: "send Content-Type: application/json\(got.map { " (got \($0))" } ?? "")")
    }
    static func payloadTooLarge(_ limit: Int) -> Problem {
        Problem(
            status: .contentTooLarge, code: "payload-too-large", title: "The request body is too large",
            detail: "bodies are limited to \(limit) bytes")
    }
    static func slicerMissing(_ detail: String) -> Problem {
        Problem(status: .serviceUnavailable, code: "slicer-missing", title: "No slicer is available", detail: detail)
    }
    static func invalidProfile(_ detail: String) -> Problem {
        Problem(
            status: .unprocessableContent, code: "invalid-profile", title: "The profile cannot be used", detail: detail)
    }
    static func sliceFailed(_ failure: SliceFailure) -> Problem {
        let said = failure.slicerOutput.split(separator: "\n").suffix(3).joined(separator: " / ")
        return Problem(
            status: .unprocessableContent, code: "slice-failed", title: "The slicer could not slice this",
            detail: "\(failure.code.rawValue): \(failure.message)" + (said.isEmpty ? "" : "; the slicer said: \(said)"))
    }
    static func internalFailure(_ detail: String) -> Problem {
        Problem(
            status: .internalServerError, code: "internal", title: "The server failed to handle the request",
            detail: detail)
    }
    static func uploadTooLarge(_ limit: Int) -> Problem {
        Problem(
            status: .contentTooLarge, code: "upload-too-large", title: "The upload is too large",
            detail:
                "uploads are limited to \(limit) bytes (the server's max-upload-bytes); simplify or compress the model, or ask the farm to raise the limit"
        )
    }
    static let uploadEmpty = Problem(
        status: .unprocessableContent, code: "upload-empty", title: "The upload is empty",
        detail: "the request carried no bytes; send the file as the body or as the multipart field 'file'")
    static func uploadMalformed(_ detail: String) -> Problem {
        Problem(status: .badRequest, code: "upload-malformed", title: "The upload could not be read", detail: detail)
    }
    static func rangeNotSatisfiable(size: Int) -> Problem {
        Problem(
            status: .rangeNotSatisfiable, code: "range-not-satisfiable", title: "The range is outside the file",
            detail: "the file has \(size) bytes; ask for bytes=0-\(max(0, size - 1)) or less")
    }
    static func versionMismatch(expected: Int, actual: Int) -> Problem {
        Problem(
            status: .preconditionFailed, code: "version-mismatch", title: "The resource changed since you read it",
            detail:
                "If-Match names version \(expected) but the resource is at version \(actual); GET it again, then retry with the new ETag"
        )
    }
    static let invalidIfMatch = Problem(
        status: .badRequest, code: "invalid-if-match", title: "If-Match is not an ETag this server gave out",
        detail: "send the ETag from a GET, for example If-Match: \"3\"")
    static let idempotencyKeyReused = Problem(
        status: .unprocessableContent, code: "idempotency-key-reused",
        title: "The Idempotency-Key was used for a different request",
        detail: "use a new key for a new request; a key may only be retried with the identical method, path and body")
    static let idempotencyKeyInProgress = Problem(
        status: .conflict, code: "idempotency-key-in-progress",
        title: "A request with this Idempotency-Key is still running",
        detail: "wait for the first request to finish, then retry to receive its response")
    static let invalidIdempotencyKey = Problem(
        status: .badRequest, code: "invalid-idempotency-key", title: "The Idempotency-Key header is not usable",
        detail: "use 1 to 255 visible ASCII characters, for example a UUID")
    static let secretShownOnce = Problem(
        status: .conflict, code: "secret-shown-once",
        title: "The first request with this Idempotency-Key returned a secret",
        detail:
            "secrets are shown once and never stored; if that response was lost, revoke what it created and create a new one"
    )
    static let internalError = Problem(
        status: .internalServerError, code: "internal", title: "The server failed to handle the request",
        detail: "nothing was changed; the error is in the server log; retry, and report it if it persists")
    static let unavailable = Problem(
        status: .serviceUnavailable, code: "storage-unavailable", title: "The database cannot be reached",
        detail: "check that the database is running and reachable, then retry")
}

/// The one place errors become HTTP: domain and storage errors never know about status codes.
enum ProblemMapping {
    static func problem(for error: any Error) -> Problem? {
        switch error {
        case let problem as Problem: return problem
        case let error as DomainError: return domain(error)
        case let error as StoreError: return storage(error)
        case let error as FleetError: return fleet(error)
        case let error as HTTPError: return http(error)
        case let error as NIOTooManyBytesError:
            return Problem(
                status: .contentTooLarge, code: "payload-too-large", title: "The request body is too large",
                detail: "bodies are limited to \(error.maxBytes.map(String.init) ?? "a fixed number of") bytes")
        default: return nil
        }
    }

    static func fleet(_ error: FleetError) -> Problem {
        switch error.kind {
        case .notFound: Problem(status: .notFound, code: error.code, title: error.title, detail: error.detail)
        case .invalid:
            Problem(status: .unprocessableContent, code: error.code, title: error.title, detail: error.detail)
        case .conflict: Problem(status: .conflict, code: error.code, title: error.title, detail: error.detail)
        case .machineRefused: Problem(status: .badGateway, code: error.code, title: error.title, detail: error.detail)
        case .machineSilent:
            Problem(status: .gatewayTimeout, code: error.code, title: error.title, detail: error.detail)
        }
    }

    static func domain(_ error: DomainError) -> Problem {
        switch error {
        case .illegalTransition:
            Problem(
                status: .conflict, code: "illegal-transition", title: "Not allowed in the current state",
                detail: error.description)
        case .notFound(let aggregate, _):
            .notFound("the \(aggregate)")
        case .alreadyExists:
            Problem(
                status: .conflict, code: "already-exists", title: "The id is taken",
                detail: "\(error.description); use a new id, or GET the existing one")
        case .invalid(let field, let reason):
            .invalidField(field, reason)
        case .unknownEventType:
            Problem(
                status: .internalServerError, code: "unknown-event-type",
                title: "Stored data is newer than this server",
                detail: "\(error.description); upgrade the server to the version that wrote it")
        }
    }

    static func storage(_ error: StoreError) -> Problem {
        switch error {
        case .concurrencyConflict(_, let expected, let actual):
            .versionMismatch(expected: expected, actual: actual)
        case .configuration:
            .unavailable
        case .corrupt:
            .internalError
        }
    }

    static func http(_ error: HTTPError) -> Problem {
        switch error.status {
        case .contentTooLarge:
            Problem(
                status: .contentTooLarge, code: "payload-too-large", title: "The request body is too large",
                detail: error.body ?? "the body exceeds the server's limit")
        case .notFound:
            Problem(status: .notFound, code: "not-found", title: "No such resource", detail: error.body ?? "not found")
        case .methodNotAllowed:
            Problem(
                status: .methodNotAllowed, code: "method-not-allowed", title: "Method not allowed",
                detail: error.body ?? "this endpoint does not take that method")
        case .unauthorized:
            .unauthorized
        default:
            Problem(
                status: error.status, code: "http-\(error.status.code)", title: error.status.reasonPhrase,
                detail: error.body ?? error.status.reasonPhrase)
        }
    }
}
