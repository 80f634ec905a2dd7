import FarmDomain
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import FarmServer

@Suite("API keys over HTTP")
struct APIKeyRouteTests {
    @Test(
        "an owner creates a key, sees it once, lists it with its last use, and revokes it",
        arguments: TestEngine.allCases)
    func lifecycle(engine: TestEngine) async throws {
        try await withFarm(engine) { farm in
            let created = try await farm.request(
                .post, "/api/v1/api-keys", json: #"{"name":"shop sync","scope":"operate"}"#)
            #expect(created.status == .created)
            #expect(created.headers[.cacheControl] == "no-store")
            let key = try #require(created.json["key"] as? String)
            let apiKey = try #require(created.json["apiKey"] as? [String: Any])
            let id = try #require(apiKey["id"] as? String)
            #expect(key.hasPrefix("pfk_"))
            #expect(apiKey["scope"] as? String == "operate")
            #expect(apiKey["createdBy"] as? String == "apikey:\(testKeyID)")

            #expect(try await farm.request(.get, "/api/v1/intents", headers: bearer(key)).status == .ok)
            let listed = try #require(
                try await farm.request(.get, "/api/v1/api-keys").json["items"] as? [[String: Any]])
            #expect(listed.count == 2)
            #expect(listed.first { $0["id"] as? String == id }?["lastUsedAt"] is String)
            #expect(
                !(try await farm.request(.get, "/api/v1/api-keys").text.contains(String(key.suffix(40)))),
                "the secret is never listed")
            let events = try await farm.store.events.read(after: 0, limit: 10)
            #expect(
                !events.contains { String(decoding: $0.data, as: UTF8.self).contains(String(key.suffix(40))) },
                "nor in any event")

            #expect(
                try await farm.request(.post, "/api/v1/api-keys", json: "{}", headers: bearer(key)).status == .forbidden
            )
            let revoked = try await farm.request(
                .post, "/api/v1/api-keys/\(id)/revoke", json: #"{"reason":"operator.request","note":"rotated"}"#)
            #expect(revoked.json["revoked"] as? Bool == true)
            #expect(try await farm.request(.get, "/api/v1/intents", headers: bearer(key)).status == .unauthorized)
            #expect(
                (try await farm.request(.get, "/api/v1/api-keys?status=revoked").json["items"] as? [Any])?.count == 1)
        }
    }

    @Test("a retried creation does not show the secret again, and does not make a second key")
    func idempotentCreation() async throws {
        try await withFarm { farm in
            var headers = auth
            headers[.init("Idempotency-Key")!] = "create-shop-key"
            let first = try await farm.request(
                .post, "/api/v1/api-keys", json: #"{"name":"shop","scope":"read"}"#, headers: headers)
            #expect(first.status == .created)
            let retry = try await farm.request(
                .post, "/api/v1/api-keys", json: #"{"name":"shop","scope":"read"}"#, headers: headers)
            #expect(retry.status == .conflict)
            #expect(retry.problemCode == "secret-shown-once")
            #expect(!retry.text.contains("pfk_"))
            #expect(
                (try await farm.request(.get, "/api/v1/api-keys").json["items"] as? [Any])?.count == 2,
                "the seeded key and this one")
        }
    }

    @Test("bad key requests are refused with the field named")
    func badInput() async throws {
        try await withFarm { farm in
            let unknownScope = try await farm.request(.post, "/api/v1/api-keys", json: #"{"name":"x","scope":"god"}"#)
            let blankName = try await farm.request(.post, "/api/v1/api-keys", json: #"{"name":"   ","scope":"read"}"#)
            let missing = try await farm.request(.post, "/api/v1/api-keys/\(UUID().uuidString)/revoke", json: "{}")
            #expect(unknownScope.problemCode == "invalid-field")
            #expect(blankName.problemCode == "invalid-field")
            #expect(missing.problemCode == "not-found")
            #expect(try await farm.eventCount() == 0)
        }
    }
}
