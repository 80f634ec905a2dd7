import FarmStore
import Foundation
import HTTPTypes
import Hummingbird

/// Health, metrics and the API contract.
struct SystemRoutes {
    let services: FarmServices
    let openAPIDocument: Data

    func register(on router: Router<FarmRequestContext>) {
        router.get("/healthz") { _, _ in try await health() }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: ResponseBody(byteBuffer: ByteBuffer(string: services.metrics.render())))
        }
        router.get("/api/v1/openapi.json") { _, _ in JSONIO.response(openAPIDocument) }
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
            return try JSONIO.response(Health(status: "ok", database: services.store.location.engine, schemaVersion: schema.current, headSequence: head))
        } catch {
            throw Problem.unavailable
        }
    }
}
