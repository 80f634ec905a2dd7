import FarmDomain
import FarmStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import FarmServer

@Suite("Route contract")
struct RouteContractTests {
    @Test("the OpenAPI document lists exactly the routes the router serves")
    func openAPIMatchesRouter() async throws {
        try await withFarm { farm in
            let pages = Set(farm.entries.filter(\.web).map { "\($0.method.rawValue) \($0.path)" })
            let routes = Set(farm.routes.map { "\($0.method.rawValue) \($0.path)" }).subtracting(pages)
            #expect(!pages.isEmpty)
            let document = try #require(
                try JSONSerialization.jsonObject(with: OpenAPIDocument.load()) as? [String: Any])
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            let documented = Set(
                paths.flatMap { path, operations in operations.keys.map { "\($0.uppercased()) \(path)" } })
            #expect(routes.subtracting(documented).sorted() == [], "routes missing from openapi.json")
            #expect(documented.subtracting(routes).sorted() == [], "documented routes the router does not serve")
            #expect(routes.count >= 16)
            let served = try await farm.request(.get, "/api/v1/openapi.json", headers: [:])
            #expect(served.status == .ok)
            #expect(served.json["openapi"] as? String == "3.1.0")
        }
    }

    @Test("every route is registered with a permission or as one of the named public routes")
    func everyRouteIsRegistered() async throws {
        try await withFarm { farm in
            let served = Set(farm.routes.map { "\($0.method.rawValue) \($0.path)" })
            let registered = Set(farm.entries.map { "\($0.method.rawValue) \($0.path)" })
            #expect(served == registered, "a route was added to the router without a permission")
            let publicRoutes = Set(farm.entries.filter { $0.permission == nil }.map(\.path))
            #expect(
                publicRoutes == [
                    "/healthz", "/api/v1/openapi.json", "/api/v1/sessions", "/login", "/ui/app.css", "/ui/app.js",
                    // The shops cannot sign in: each delivery proves itself by its signature.
                    "/webhooks/shops/{id}",
                ])
        }
    }

    @Test("every protected route answers 401 without valid credentials and 403 to a caller who lacks its permission")
    func everyRouteNeedsCredentials() async throws {
        try await withFarm { farm in
            let readKey = try await farm.makeAPIKey(.read).key
            let operateKey = try await farm.makeAPIKey(.operate).key
            let malformed: [HTTPFields] = [
                [:], [.authorization: "Bearer wrong"], [.authorization: "Basic \(testToken)"],
                [.authorization: "Bearer"],
                [.authorization: "Bearer pfk_aaaaaaaaaaaa_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"],
                [.authorization: "Bearer " + String(repeating: "x", count: 10_000)],
            ]
            for entry in farm.entries {
                let path =
                    entry.path
                    .replacingOccurrences(of: "{id}", with: "01936a4e-0000-7000-8000-000000000001")
                    .replacingOccurrences(of: "{revision}", with: "1")
                    // The live stream would never end; ask for one event (the key creations are in the log).
                    + (entry.path == "/api/v1/events/stream" ? "?after=0&limit=1" : "")
                for headers in malformed {
                    let response = try await farm.request(entry.method, path, json: "{}", headers: headers)
                    if entry.permission == nil {
                        #expect(response.status != .unauthorized, "\(entry.path) should be public")
                    } else if entry.web {
                        // A page sends a person without a session to sign in, and shows nothing of the farm.
                        #expect(
                            response.status == .seeOther,
                            "\(entry.path) answered \(response.status) without valid credentials")
                        #expect(response.headers[.location]?.hasPrefix("/login?next=") == true)
                        #expect(response.text.isEmpty)
                    } else {
                        #expect(
                            response.status == .unauthorized,
                            "\(entry.method) \(entry.path) answered \(response.status) without valid credentials")
                        #expect(response.problemCode == "unauthorized")
                        #expect(!response.text.contains(testToken))
                    }
                }
                for (key, scope) in [(readKey, APIKeyScope.read), (operateKey, .operate)] {
                    guard let permission = entry.permission else { continue }
                    let response = try await farm.request(entry.method, path, json: "{}", headers: bearer(key))
                    if entry.web {
                        // API keys get no pages (no session to carry a CSRF token): sign in as a person.
                        #expect(response.status == .seeOther, "\(entry.path) answered \(response.status) to an API key")
                    } else if scope.permissions.contains(permission) {
                        #expect(
                            response.status != .forbidden && response.status != .unauthorized,
                            "\(entry.method) \(entry.path) refused a \(scope) key")
                    } else {
                        #expect(
                            response.status == .forbidden,
                            "\(entry.method) \(entry.path) answered \(response.status) to a \(scope) key")
                        #expect(response.problemCode == "forbidden")
                    }
                }
            }
            // The two key creations, and the operate key's upload of the bytes "{}" (a valid upload: any bytes are); no
            // refused request changed anything.
            #expect(try await farm.eventCount() == 3)
        }
    }

    @Test("metrics are private unless configured public, and count requests by route template")
    func metrics() async throws {
        try await withFarm { farm in
            #expect(try await farm.request(.get, "/metrics", headers: [:]).status == .unauthorized)
            try await farm.request(.post, "/api/v1/intents", json: intentJSON)
            try await farm.request(.get, "/api/v1/intents/01936a4e-0000-7000-8000-000000000001")
            let text = try await farm.request(.get, "/metrics").text
            #expect(
                text.contains(#"printfarm_http_requests_total{method="POST",route="/api/v1/intents",status="201"} 1"#))
            #expect(text.contains(#"route="/api/v1/intents/{id}",status="404""#))
            #expect(text.contains("printfarm_events_appended_total 2"), "the seeded key's creation and the intent")
            #expect(text.contains("printfarm_http_request_duration_seconds_bucket"))
            #expect(text.contains("printfarm_projection_lag_events 0"))
        }
        try await withFarm(configure: { $0.publicMetrics = true }) { farm in
            let status = try await farm.request(.get, "/metrics", headers: [:]).status
            #expect(status == .ok)
            #expect(farm.entries.contains(.init(method: .get, path: "/metrics", permission: nil)))
        }
    }

    @Test("health answers without credentials and names the database")
    func health() async throws {
        for engine in TestEngine.allCases {
            try await withFarm(engine) { farm in
                let response = try await farm.request(.get, "/healthz", headers: [:])
                #expect(response.status == .ok)
                #expect(response.json["database"] as? String == engine.rawValue)
                let latest = try await farm.store.schemaVersion().latest
                #expect(latest >= 6 && response.json["schemaVersion"] as? Int == latest, "every migration applied")
            }
        }
    }
}
