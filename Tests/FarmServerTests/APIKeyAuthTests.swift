import FarmDomain
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import FarmServer

@Suite("API key authentication")
struct APIKeyAuthTests {
    @Test(
        "an API key acts under its own id, within its scope; revoked or altered keys are refused",
        arguments: TestEngine.allCases)
    func apiKeys(engine: TestEngine) async throws {
        try await withFarm(engine) { farm in
            let (key, id) = try await farm.makeAPIKey(.operate, name: "shop sync")
            let created = try await farm.request(.post, "/api/v1/intents", json: intentJSON, headers: bearer(key))
            #expect(created.status == .created)
            let intentID = try #require(created.json["id"] as? String)
            #expect(try await farm.store.events.read(stream: "intent-\(intentID)").first?.actor == "apikey:\(id)")
            #expect(
                try await farm.store.credentials.apiKey(keyID: String(key.dropFirst(4).prefix(12)))?.lastUsedAt != nil)

            let altered = String(key.dropLast()) + (key.hasSuffix("a") ? "b" : "a")
            #expect(try await farm.request(.get, "/api/v1/intents", headers: bearer(altered)).status == .unauthorized)
            #expect(
                try await farm.request(.post, "/api/v1/printers", json: "{}", headers: bearer(key)).status == .forbidden
            )

            _ = try await farm.store.apiKeys.execute(
                .revoke, id: id.description,
                context: CommandContext(actor: .cli, reason: .operatorRequest, time: Date()))
            let revoked = try await farm.request(.get, "/api/v1/intents", headers: bearer(key))
            #expect(revoked.status == .unauthorized)
            #expect(revoked.problemCode == "unauthorized")
        }
    }
}
