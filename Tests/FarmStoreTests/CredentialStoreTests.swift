import Foundation
import Testing

@testable import FarmDomain
@testable import FarmStore

@Suite("Credentials and accounts on the store")
struct CredentialStoreTests {
    @Test(
        "user secrets are saved and read back whole; they never appear in the user's events",
        arguments: TestEngine.allCases)
    func userSecrets(engine: TestEngine) async throws {
        try await withStore(engine) { store in
            let id = UserID(SystemIDs.uuidv7())
            _ = try await store.users.execute(
                .create(id, username: "ada", role: .owner), id: id.description, context: testContext)
            #expect(try await store.credentials.secrets(of: id) == .init())
            let secrets = CredentialStore.UserSecrets(
                passwordHash: "$2b$12$hashhashhash", totpSecret: "SEEDSEEDSEED", recoveryDigests: ["d1", "d2"])
            try await store.credentials.save(secrets, of: id)
            _ = try await store.users.execute(.recordPasswordChange, id: id.description, context: testContext)
            #expect(try await store.credentials.secrets(of: id) == secrets)
            let events = try await store.events.read(stream: UserDecider.stream(id))
            #expect(events.map(\.type) == ["printfarm.user.created.v1", "printfarm.user.passwordChanged.v1"])
            for event in events {
                let text = String(decoding: event.data, as: UTF8.self)
                #expect(!text.contains("hash") && !text.contains("SEED"))
            }
        }
    }

    @Test("a TOTP step is consumed once; an older or equal step afterwards is refused", arguments: TestEngine.allCases)
    func totpSteps(engine: TestEngine) async throws {
        try await withStore(engine) { store in
            let id = UserID(SystemIDs.uuidv7())
            try await store.credentials.save(.init(totpSecret: "s"), of: id)
            #expect(try await store.credentials.consumeTOTPStep(100, of: id))
            #expect(try await !store.credentials.consumeTOTPStep(100, of: id))
            #expect(try await !store.credentials.consumeTOTPStep(99, of: id))
            #expect(try await store.credentials.consumeTOTPStep(101, of: id))
        }
    }

    @Test("two accounts can never share a username, even created at the same time", arguments: TestEngine.allCases)
    func uniqueUsernames(engine: TestEngine) async throws {
        try await withStore(engine) { store in
            let results = await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        let id = UserID(SystemIDs.uuidv7())
                        do {
                            _ = try await store.users.execute(
                                .create(id, username: "ada", role: .viewer), id: id.description, context: testContext)
                            return true
                        } catch { return false }
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            let users = try await store.users.list(ref: "ada", limit: 10)
            #expect(results.filter { $0 }.count == 1)
            #expect(users.count == 1)
            #expect(try await store.events.headSequence() == 1, "the refused creations left no events")
        }
    }

    @Test("API key digests are found by key id; last use is recorded", arguments: TestEngine.allCases)
    func apiKeySecrets(engine: TestEngine) async throws {
        try await withStore(engine) { store in
            let id = APIKeyID(SystemIDs.uuidv7())
            try await store.credentials.saveAPIKey(keyID: "abc123def456", apiKeyID: id, digest: "d")
            #expect(
                try await store.credentials.apiKey(keyID: "abc123def456")
                    == .init(apiKeyID: id, digest: "d", lastUsedAt: nil))
            #expect(try await store.credentials.apiKey(keyID: "nope") == nil)
            let now = Date(timeIntervalSince1970: 1_800_000_000)
            try await store.credentials.touchAPIKey(keyID: "abc123def456", at: now)
            #expect(try await store.credentials.apiKey(keyID: "abc123def456")?.lastUsedAt == now)
        }
    }
}
