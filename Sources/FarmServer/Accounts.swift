import FarmAuth
import FarmDomain
import FarmStore
import Foundation
import NIOPosix

/// Creating accounts and keys, shared by the API, the command line and the benchmarks.
public enum Accounts {
    /// A new API key: its digest stored, its aggregate created. Returns the whole key, which nothing keeps.
    public static func issueAPIKey(
        store: Store, name: String, scope: APIKeyScope, id: APIKeyID, context: CommandContext,
        correlationID: String? = nil
    ) async throws -> (key: String, outcome: CommandOutcome<APIKeyDecider>) {
        // Validate before storing anything, so a refused key leaves no digest behind.
        _ = try APIKeyDecider.decide(
            .create(id, name: name, scope: scope, keyID: "probe"), state: .none, context: context)
        var generator = SystemRandomNumberGenerator()
        let (key, parsed) = APIKeyFormat.generate(using: &generator)
        try await store.credentials.saveAPIKey(
            keyID: parsed.id, apiKeyID: id, digest: APIKeyFormat.digest(of: parsed.secret))
        let outcome = try await store.apiKeys.execute(
            .create(id, name: name, scope: scope, keyID: parsed.id), id: id.description, context: context,
            correlationID: correlationID)
        return (key, outcome)
    }

    /// A new user with a password. Refuses a taken username or a password that breaks the rules.
    public static func createUser(
        store: Store, passwords: Passwords, username: String, role: Role, password: String, id: UserID,
        context: CommandContext,
        correlationID: String? = nil
    ) async throws -> CommandOutcome<UserDecider> {
        try UserDecider.validate(username: username)
        if try await store.users.list(ref: username, limit: 1).first != nil {
            throw DomainError.alreadyExists(aggregate: "user")
        }
        try passwords.validate(password)
        // bcrypt is slow on purpose: keep it off the event loops.
        let hash = try await NIOThreadPool.singleton.runIfActive { try passwords.hash(password) }
        // The hash first: an account whose creation then fails has no events and cannot sign in.
        try await store.credentials.save(.init(passwordHash: hash), of: id)
        return try await store.users.execute(
            .create(id, username: username, role: role), id: id.description, context: context,
            correlationID: correlationID)
    }
}
