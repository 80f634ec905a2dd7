import Foundation
import SQLKit

/// A stored response to replay for a repeated `Idempotency-Key`.
public struct IdempotentResponse: Sendable, Equatable, Codable {
    public var status: Int
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

public enum IdempotencyClaim: Sendable, Equatable {
    /// First use of the key: carry out the request, then `complete` or `release` it.
    case claimed
    /// The key was used for the same request: answer with the stored response.
    case replay(IdempotentResponse)
    /// The key was used for a different request.
    case mismatch
    /// The first request with this key has not finished yet.
    case inProgress
}

/// The answer to a request made under an `Idempotency-Key`, stored in the same transaction as the change it reports.
public struct IdempotentAnswer: Sendable {
    public var scope: String
    public var key: String
    public var response: IdempotentResponse

    public init(scope: String, key: String, response: IdempotentResponse) {
        self.scope = scope
        self.key = key
        self.response = response
    }
}

/// Remembers the first response per (scope, key) so a retried request is answered, not repeated.
///
/// A claim is made before the request runs. Commands store their answer in their own transaction
/// (`AggregateRepository.execute(…, answer:)`), so a change and its answer commit together; a claim whose request
/// died before committing anything (the process was killed) stays unanswered and is taken over after `lease`.
public struct IdempotencyStore: Sendable {
    let engine: any SQLEngine
    /// How long an unanswered claim holds its key; longer than any request may run.
    public static let lease: TimeInterval = 15 * 60

    public func claim(scope: String, key: String, requestHash: String, now: Date) async throws -> IdempotencyClaim {
        try await engine.transaction { db in
            if let row = try await db.raw(
                "SELECT request_hash, status, headers, body, created_at FROM idempotency_keys WHERE scope = \(bind: scope) AND key = \(bind: key)"
            ).first() {
                guard try row.decode(column: "request_hash", as: String.self) == requestHash else { return .mismatch }
                guard let status = try row.decode(column: "status", as: Int?.self) else {
                    // why: a claim made by a process that was killed mid-request answered 409 to every retry forever
                    // (issue 17). Nothing it did committed (a committed change carries its answer), so it may run again.
                    let claimedAt = Timestamps.parse(try row.decode(column: "created_at", as: String.self)) ?? now
                    guard now.timeIntervalSince(claimedAt) >= Self.lease else { return .inProgress }
                    try await db.raw(
                        "UPDATE idempotency_keys SET created_at = \(bind: Timestamps.format(now)) WHERE scope = \(bind: scope) AND key = \(bind: key) AND status IS NULL"
                    ).run()
                    return .claimed
                }
                let headers = try JSONDecoder().decode(
                    [String: String].self,
                    from: Data((try row.decode(column: "headers", as: String?.self) ?? "{}").utf8))
                return .replay(
                    IdempotentResponse(
                        status: status, headers: headers, body: try row.decode(column: "body", as: Data?.self) ?? Data()
                    ))
            }
            try await db.raw(
                "INSERT INTO idempotency_keys (scope, key, request_hash, created_at) VALUES (\(bind: scope), \(bind: key), \(bind: requestHash), \(bind: Timestamps.format(now)))"
            ).run()
            return .claimed
        }
    }

    public func complete(scope: String, key: String, response: IdempotentResponse) async throws {
        try await engine.transaction { db in
            try await Self.store(IdempotentAnswer(scope: scope, key: key, response: response), on: db)
        }
    }

    /// Stores `answer` on `db`, inside the caller's transaction.
    static func store(_ answer: IdempotentAnswer, on db: any SQLDatabase) async throws {
        let headers = String(decoding: try JSONEncoder().encode(answer.response.headers), as: UTF8.self)
        try await db.raw(
            "UPDATE idempotency_keys SET status = \(bind: answer.response.status), headers = \(bind: headers), body = \(bind: answer.response.body) WHERE scope = \(bind: answer.scope) AND key = \(bind: answer.key)"
        ).run()
    }

    /// Forgets a claim whose request failed on our side, so the client can retry with the same key.
    public func release(scope: String, key: String) async throws {
        try await engine.transaction { db in
            try await db.raw(
                "DELETE FROM idempotency_keys WHERE scope = \(bind: scope) AND key = \(bind: key) AND status IS NULL"
            ).run()
        }
    }

    /// Deletes records older than `date`; returns how many.
    @discardableResult
    public func purge(before date: Date) async throws -> Int {
        try await engine.transaction { db in
            let cutoff = Timestamps.format(date)
            let count =
                try await db.raw("SELECT COUNT(*) AS n FROM idempotency_keys WHERE created_at < \(bind: cutoff)")
                .first()?.decode(column: "n", as: Int.self) ?? 0
            try await db.raw("DELETE FROM idempotency_keys WHERE created_at < \(bind: cutoff)").run()
            return count
        }
    }
}
