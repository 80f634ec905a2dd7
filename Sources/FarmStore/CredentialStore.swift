import FarmDomain
import Foundation
import SQLKit

/// Secrets, kept apart from the event log: password hashes, TOTP seeds, recovery-code digests and API key
/// digests. Nothing here is ever returned by the API or written to a log.
public struct CredentialStore: Sendable {
    let engine: any SQLEngine

    public struct UserSecrets: Sendable, Equatable {
        public var passwordHash: String?
        public var totpSecret: String?
        public var totpPendingSecret: String?
        public var totpLastStep: Int64?
        public var recoveryDigests: [String]

        public init(
            passwordHash: String? = nil, totpSecret: String? = nil, totpPendingSecret: String? = nil,
            totpLastStep: Int64? = nil, recoveryDigests: [String] = []
        ) {
            self.passwordHash = passwordHash
            self.totpSecret = totpSecret
            self.totpPendingSecret = totpPendingSecret
            self.totpLastStep = totpLastStep
            self.recoveryDigests = recoveryDigests
        }
    }

    public func secrets(of user: UserID) async throws -> UserSecrets {
        try await engine.read { db in
            guard
                let row = try await db.raw(
                    "SELECT password_hash, totp_secret, totp_pending_secret, totp_last_step, recovery_digests FROM user_credentials WHERE user_id = \(bind: user.description)"
                ).first()
            else {
                return UserSecrets()
            }
            let digests = try JSONDecoder().decode(
                [String].self, from: Data(try row.decode(column: "recovery_digests", as: String.self).utf8))
            return UserSecrets(
                passwordHash: try row.decode(column: "password_hash", as: String?.self),
                totpSecret: try row.decode(column: "totp_secret", as: String?.self),
                totpPendingSecret: try row.decode(column: "totp_pending_secret", as: String?.self),
                totpLastStep: try row.decode(column: "totp_last_step", as: Int64?.self), recoveryDigests: digests)
        }
    }

    /// Replaces a user's secrets as a whole.
    public func save(_ secrets: UserSecrets, of user: UserID) async throws {
        let digests = String(decoding: try JSONEncoder().encode(secrets.recoveryDigests), as: UTF8.self)
        try await engine.transaction { db in
            try await db.raw(
                """
                INSERT INTO user_credentials (user_id, password_hash, totp_secret, totp_pending_secret, totp_last_step, recovery_digests)
                VALUES (\(bind: user.description), \(bind: secrets.passwordHash), \(bind: secrets.totpSecret), \(bind: secrets.totpPendingSecret), \(bind: secrets.totpLastStep), \(bind: digests))
                ON CONFLICT (user_id) DO UPDATE SET password_hash = excluded.password_hash, totp_secret = excluded.totp_secret,
                    totp_pending_secret = excluded.totp_pending_secret, totp_last_step = excluded.totp_last_step, recovery_digests = excluded.recovery_digests
                """
            ).run()
        }
    }

    /// Records that TOTP step `step` was used, only if it is newer than the last one: of two concurrent
    /// sign-ins with the same code, exactly one succeeds.
    public func consumeTOTPStep(_ step: Int64, of user: UserID) async throws -> Bool {
        try await engine.transaction { db in
            let row = try await db.raw(
                "SELECT totp_last_step FROM user_credentials WHERE user_id = \(bind: user.description)"
            ).first()
            if let last = try row?.decode(column: "totp_last_step", as: Int64?.self), last >= step { return false }
            try await db.raw(
                "UPDATE user_credentials SET totp_last_step = \(bind: step) WHERE user_id = \(bind: user.description)"
            ).run()
            return true
        }
    }

    public struct APIKeySecret: Sendable, Equatable {
        public var apiKeyID: APIKeyID
        public var digest: String
        public var lastUsedAt: Date?
    }

    public func saveAPIKey(keyID: String, apiKeyID: APIKeyID, digest: String) async throws {
        try await engine.transaction { db in
            try await db.raw(
                "INSERT INTO api_key_secrets (key_id, apikey_id, digest) VALUES (\(bind: keyID), \(bind: apiKeyID.description), \(bind: digest))"
            ).run()
        }
    }

    public func apiKey(keyID: String) async throws -> APIKeySecret? {
        try await engine.read { db in
            guard
                let row = try await db.raw(
                    "SELECT apikey_id, digest, last_used_at FROM api_key_secrets WHERE key_id = \(bind: keyID)"
                ).first(),
                let id = APIKeyID(try row.decode(column: "apikey_id", as: String.self))
            else { return nil }
            return APIKeySecret(
                apiKeyID: id, digest: try row.decode(column: "digest", as: String.self),
                lastUsedAt: try row.decode(column: "last_used_at", as: String?.self).flatMap(Timestamps.parse))
        }
    }

    /// Notes when a key was last used. Callers throttle this (once a minute per key is plenty).
    public func touchAPIKey(keyID: String, at date: Date) async throws {
        try await engine.transaction { db in
            try await db.raw(
                "UPDATE api_key_secrets SET last_used_at = \(bind: Timestamps.format(date)) WHERE key_id = \(bind: keyID)"
            ).run()
        }
    }

    /// Sets (or with nil removes) the API key the farm uses to reach a printer.
    public func savePrinterAPIKey(_ key: String?, of printer: PrinterID, at date: Date) async throws {
        try await engine.transaction { db in
            if let key {
                try await db.raw(
                    """
                    INSERT INTO printer_secrets (printer_id, api_key, updated_at) VALUES (\(bind: printer.description), \(bind: key), \(bind: Timestamps.format(date)))
                    ON CONFLICT (printer_id) DO UPDATE SET api_key = excluded.api_key, updated_at = excluded.updated_at
                    """
                ).run()
            } else {
                try await db.raw("DELETE FROM printer_secrets WHERE printer_id = \(bind: printer.description)").run()
            }
        }
    }

    /// Every printer's API key, by printer.
    public func printerAPIKeys() async throws -> [PrinterID: String] {
        try await engine.read { db in
            var keys: [PrinterID: String] = [:]
            for row in try await db.raw("SELECT printer_id, api_key FROM printer_secrets").all() {
                if let id = PrinterID(try row.decode(column: "printer_id", as: String.self)) {
                    keys[id] = try row.decode(column: "api_key", as: String.self)
                }
            }
            return keys
        }
    }
}
