import FarmStore
import Foundation
import HTTPTypes
import Hummingbird

/// Health, metrics and the API contract.
struct SystemRoutes {
    let services: FarmServices
    let openAPIDocument: Data
    let publicMetrics: Bool

    func register(on routes: SecuredRoutes) {
        // Load balancers and process supervisors probe health without credentials.
        routes.publicRoute(.get, "/healthz") { _, _ in try await health() }
        // Integrators read the contract before they have credentials.
        routes.publicRoute(.get, "/api/v1/openapi.json") { _, _ in JSONIO.response(openAPIDocument) }
        let metrics: @Sendable (Request, FarmRequestContext) async throws -> Response = { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: services.metrics.render())))
        }
        // A Prometheus on a trusted network may scrape without credentials, when the operator says so.
        if publicMetrics {
            routes.publicRoute(.get, "/metrics", use: metrics)
        } else {
            routes.get("/metrics", .read, use: metrics)
        }
    }

    struct Health: Encodable {
        var status: String
        var database: String
        var schemaVersion: Int
        var headSequence: Int64
    }

    /// 200 when the database answers, 503 with a problem when it does not.
    func health() async throws -> Response {
        do {
            let schema = try await services.store.schemaVersion()
            let head = try await services.store.events.headSequence()
            return try JSONIO.response(
                Health(
                    status: "ok", database: services.store.location.engine, schemaVersion: schema.current,
                    headSequence: head))
        } catch {
            throw Problem.unavailable
        }
    }
}
