@testable import FarmServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("Route contract")
struct RouteContractTests {
    @Test("the OpenAPI document lists exactly the routes the router serves")
    func openAPIMatchesRouter() async throws {
        try await withFarm { farm in
            let routes = Set(farm.routes.map { "\($0.method.rawValue) \($0.path)" })
            let document = try #require(try JSONSerialization.jsonObject(with: OpenAPIDocument.load()) as? [String: Any])
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            let documented = Set(paths.flatMap { path, operations in operations.keys.map { "\($0.uppercased()) \(path)" } })
            #expect(routes.subtracting(documented).sorted() == [], "routes missing from openapi.json")
            #expect(documented.subtracting(routes).sorted() == [], "documented routes the router does not serve")
            #expect(routes.count >= 16)
            let served = try await farm.request(.get, "/api/v1/openapi.json", headers: [:])
            #expect(served.status == .ok)
            #expect(served.json["openapi"] as? String == "3.1.0")
        }
    }

    @Test("every route except the named public ones answers 401 without credentials or with a wrong token")
    func everyRouteNeedsCredentials() async throws {
        try await withFarm { farm in
            let publicPaths = AuthMiddleware.publicPaths(publicMetrics: false)
            #expect(publicPaths == ["/healthz", "/api/v1/openapi.json"])
            for route in farm.routes {
                let path = route.path
                    .replacingOccurrences(of: "{id}", with: "01936a4e-0000-7000-8000-000000000001")
                    .replacingOccurrences(of: "{revision}", with: "1")
                for headers in [HTTPFields(), [.authorization: "Bearer wrong"], [.authorization: "Basic \(testToken)"]] as [HTTPFields] {
                    let response = try await farm.request(route.method, path, json: "{}", headers: headers)
                    if publicPaths.contains(route.path) {
                        #expect(response.status != .unauthorized, "\(route) should be public")
                    } else {
                        #expect(response.status == .unauthorized, "\(route) answered \(response.status) without valid credentials")
                        #expect(response.problemCode == "unauthorized")
                    }
                }
            }
            #expect(try await farm.eventCount() == 0)
        }
    }

    @Test("metrics are private unless configured public, and count requests by route template")
    func metrics() async throws {
        try await withFarm { farm in
            #expect(try await farm.request(.get, "/metrics", headers: [:]).status == .unauthorized)
            try await farm.request(.post, "/api/v1/intents", json: intentJSON)
            try await farm.request(.get, "/api/v1/intents/01936a4e-0000-7000-8000-000000000001")
            let text = try await farm.request(.get, "/metrics").text
            #expect(text.contains(#"printfarm_http_requests_total{method="POST",route="/api/v1/intents",status="201"} 1"#))
            #expect(text.contains(#"route="/api/v1/intents/{id}",status="404""#))
            #expect(text.contains("printfarm_events_appended_total 1"))
            #expect(text.contains("printfarm_http_request_duration_seconds_bucket"))
            #expect(text.contains("printfarm_projection_lag_events 0"))
        }
        try await withFarm(configure: { $0.publicMetrics = true }) { farm in
            let status = try await farm.request(.get, "/metrics", headers: [:]).status
            #expect(status == .ok)
        }
    }

    @Test("health answers without credentials and names the database")
    func health() async throws {
        for engine in TestEngine.allCases {
            try await withFarm(engine) { farm in
                let response = try await farm.request(.get, "/healthz", headers: [:])
                #expect(response.status == .ok)
                #expect(response.json["database"] as? String == engine.rawValue)
                #expect(response.json["schemaVersion"] as? Int == 2)
            }
        }
    }
}
