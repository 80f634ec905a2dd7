import FarmDomain
import Foundation
import SQLKit

/// Sign-in sessions. A session token is valid only while its row says so: logout and disabling a user revoke
/// rows, and the token is refused at once, before it expires.
public struct SessionStore: Sendable {
    let engine: any SQLEngine

    public struct Session: Sendable, Equatable {
        public var id: String
        public var userID: UserID
        public var createdAt: Date
        public var expiresAt: Date
        public var revokedAt: Date?

        public init(id: String, userID: UserID, createdAt: Date, expiresAt: Date, revokedAt: Date? = nil) {
            self.id = id
            self.userID = userID
            self.createdAt = createdAt
            self.expiresAt = expiresAt
            self.revokedAt = revokedAt
        }

        public func isValid(at date: Date) -> Bool { revokedAt == nil && date < expiresAt }
    }

    public func create(_ session: Session) async throws {
        try await engine.transaction { db in
            try await db.raw(
                """
                INSERT INTO sessions (id, user_id, created_at, expires_at)
                VALUES (\(bind: session.id), \(bind: session.userID.description), \(bind: Timestamps.format(session.createdAt)), \(bind: Timestamps.format(session.expiresAt)))
                """
            ).run()
        }
    }

    public func session(id: String) async throws -> Session? {
        try await engine.read { db in
            guard
                let row = try await db.raw(
                    "SELECT id, user_id, created_at, expires_at, revoked_at FROM sessions WHERE id = \(bind: id)"
                ).first(),
                let user = UserID(try row.decode(column: "user_id", as: String.self)),
                let created = Timestamps.parse(try row.decode(column: "created_at", as: String.self)),
                let expires = Timestamps.parse(try row.decode(column: "expires_at", as: String.self))
            else { return nil }
            return Session(
                id: id, userID: user, createdAt: created, expiresAt: expires,
                revokedAt: try row.decode(column: "revoked_at", as: String?.self).flatMap(Timestamps.parse))
        }
    }

    public func revoke(id: String, at date: Date) async throws {
        try await engine.transaction { db in
            try await db.raw(
                "UPDATE sessions SET revoked_at = \(bind: Timestamps.format(date)) WHERE id = \(bind: id) AND revoked_at IS NULL"
            ).run()
        }
    }

    /// Revokes every open session of `user`, but `except` (the one asking, when it changes its own password).
    public func revokeAll(of user: UserID, except kept: String? = nil, at date: Date) async throws {
        try await engine.transaction { db in
            try await db.raw(
                """
                UPDATE sessions SET revoked_at = \(bind: Timestamps.format(date))
                WHERE user_id = \(bind: user.description) AND revoked_at IS NULL AND id <> \(bind: kept ?? "")
                """
            ).run()
        }
    }

    /// The value of the server secret `name`, made by `make` the first time. Every process sharing the database
    /// gets the same value, even when several start at once.
    public func serverSecret(named name: String, make: @Sendable () -> String, now: Date) async throws -> String {
        try await engine.transaction { db in
            try await db.raw(
                "INSERT INTO server_secrets (name, value, created_at) VALUES (\(bind: name), \(bind: make()), \(bind: Timestamps.format(now))) ON CONFLICT (name) DO NOTHING"
            ).run()
            guard
                let value = try await db.raw("SELECT value FROM server_secrets WHERE name = \(bind: name)").first()?
                    .decode(column: "value", as: String.self)
            else {
                throw StoreError.corrupt("server secret \(name) vanished")
            }
            return value
        }
    }
}
