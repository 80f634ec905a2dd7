import AsyncHTTPClient
import FarmDomain
import FarmShops
import FarmStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import Testing

@testable import FarmServer

@Suite("Etsy OAuth")
struct EtsyOAuthTests {
    @Test(
        """
        an owner authorises an Etsy connection with PKCE; the code is used once; the token is refreshed on a 401 \
        and before it expires; a refused refresh says to authorise again
        """
    )
    func authorise() async throws {
        let standIn = EtsyStandIn(apiKey: "keystring:shared", token: "unused")
        await standIn.expireToken()
        let (port, server) = try await standIn.serve()
        defer { server.cancel() }
        try await withFarm { farm in
            let owner = try await WebPageTests().cookie(farm, "olga", role: .owner)
            let base = "http://127.0.0.1:\(port)"
            let connection = try await farm.connectShop(
                "etsy", name: "Etsy", api: base, shop: "123456", authorize: base,
                secrets: ["apiKey": "keystring", "apiSecret": "shared"])
            let intake = ShopIntake(store: farm.store, now: { Date() }, logger: Logger(label: "t"))
            let polling = ShopPolling(store: farm.store, intake: intake, now: { Date() }, logger: Logger(label: "t"))
            await #expect(throws: ShopClientError.self, "not authorised yet") { try await polling.poll(connection) }

            let redirect = "https://farm.example.com/oauth/etsy/callback"
            let started = try await farm.request(
                .post, "/api/v1/shops/\(connection.id)/oauth", json: #"{"redirectURI":"\#(redirect)"}"#)
            #expect(started.status == .ok, "\(started.text)")
            let authorize = try #require(started.json["authorizeURL"] as? String)
            let query = try #require(URLComponents(string: authorize)?.queryItems)
            func item(_ name: String) -> String? { query.first { $0.name == name }?.value }
            #expect(authorize.hasPrefix(base + "/oauth/connect?"))
            #expect(item("code_challenge_method") == "S256" && item("client_id") == "keystring")
            #expect(item("scope") == "transactions_r transactions_w shops_r" && item("redirect_uri") == redirect)
            let verifier = try #require(try await intake.secrets(of: connection.id).oauthVerifier)
            #expect(item("code_challenge") == EtsyOAuth.challenge(verifier) && (43...128).contains(verifier.count))

            // The person agrees on Etsy's page; Etsy sends the browser back with a code.
            var consent = HTTPClientRequest(url: authorize)
            consent.method = .GET
            let client = HTTPClient(configuration: .init(redirectConfiguration: .disallow))
            let answer: HTTPClientResponse
            do {
                answer = try await client.execute(consent, timeout: .seconds(10))
                try await client.shutdown()
            } catch {
                try? await client.shutdown()
                throw error
            }
            let back = try #require(answer.headers.first(name: "Location").flatMap(URLComponents.init(string:)))
            let callback = "/oauth/etsy/callback?" + (back.percentEncodedQuery ?? "")
            let finished = try await farm.request(.get, callback, headers: [.cookie: owner])
            #expect(finished.status == .seeOther && finished.headers[.location] == "/shops", "\(finished.text)")
            var secrets = try await intake.secrets(of: connection.id)
            #expect(secrets.accessToken == "12345678.A2" && secrets.refreshToken == "12345678.R2")
            #expect(secrets.oauthVerifier == nil && secrets.oauthState == nil)
            #expect(secrets.accessTokenExpiresAt.map { abs($0.timeIntervalSinceNow - 3600) < 60 } == true)
            let replayed = try await farm.request(.get, callback, headers: [.cookie: owner])
            #expect(replayed.status == .badRequest && replayed.text.contains("not one the farm started"))
            let declined = try await farm.request(
                .get, "/oauth/etsy/callback?error=access_denied&error_description=The+user+denied",
                headers: [.cookie: owner])
            #expect(declined.status == .badRequest && declined.text.contains("access_denied"))
            let shown = try await farm.request(.get, "/api/v1/shops/\(connection.id)")
            #expect(!shown.text.contains("12345678.A2") && !shown.text.contains("12345678.R2"), "tokens never shown")

            #expect(try await polling.poll(connection) == 0)
            // Etsy stops taking the token (it lives an hour): refreshed with the refresh token, and the call made
            // again.
            await standIn.expireToken()
            #expect(try await polling.poll(connection) == 0)
            secrets = try await intake.secrets(of: connection.id)
            #expect(secrets.accessToken == "12345678.A3" && secrets.refreshToken == "12345678.R3")
            #expect(await standIn.tokenRequests.last?["refresh_token"] == "12345678.R2")
            // About to expire: refreshed before the call.
            secrets.accessTokenExpiresAt = Date().addingTimeInterval(60)
            try await intake.saveSecrets(secrets, of: connection.id)
            let before = await standIn.tokenRequests.count
            #expect(try await polling.poll(connection) == 0)
            #expect(await standIn.tokenRequests.count == before + 1)
            #expect(try await intake.secrets(of: connection.id).accessToken == "12345678.A4")

            // The refresh token revoked (the seller removed the app): the poll fails and says what to do.
            await standIn.revokeRefresh()
            await standIn.expireToken()
            await #expect(throws: ShopClientError.self) { try await polling.poll(connection) }
            let health = try await farm.store.shopData.health(of: connection.id)
            #expect(health.lastError?.contains("invalid_grant") == true, "\(String(describing: health.lastError))")

            // Only Etsy connections, and a callback address that is a URL.
            let shopify = try await farm.connectShop(
                "shopify", name: "S", api: "https://x.myshopify.com", secrets: ["webhookSecret": "s"])
            let notEtsy = try await farm.request(
                .post, "/api/v1/shops/\(shopify.id)/oauth", json: #"{"redirectURI":"\#(redirect)"}"#)
            #expect(notEtsy.status == .unprocessableContent)
            let badURI = try await farm.request(
                .post, "/api/v1/shops/\(connection.id)/oauth", json: #"{"redirectURI":"javascript:alert(1)"}"#)
            #expect(badURI.status == .unprocessableContent && badURI.text.contains("redirectURI"))
        }
    }
}
