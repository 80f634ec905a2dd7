import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Etsy's Open API as the farm's poller sees it, from the reference pack: `getShopReceipts` with
/// `min_last_modified` (inclusive), `sort_on=updated`, `limit`/`offset` and `count` as the total; `getShopReceipt`;
/// `x-api-key: keystring:shared_secret` (403 otherwise) and a bearer token (401 otherwise); a 429 without rate headers
/// when told to throttle.
actor EtsyStandIn {
    let apiKey: String
    let token: String
    /// Receipt JSON by id, with its last modification (unix seconds).
    var receipts: [String: (updated: Int64, json: String)] = [:]
    var throttle = false
    private(set) var minLastModified: [String] = []

    init(apiKey: String, token: String) {
        self.apiKey = apiKey
        self.token = token
    }

    func put(_ id: String, updated: Int64, json: String) { receipts[id] = (updated, json) }
    func setThrottle(_ on: Bool) { throttle = on }

    func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        Response(status: status, body: .init(byteBuffer: ByteBuffer(string: #"{"error":"\#(message)"}"#)))
    }

    func answer(_ request: Request, receipt: String?) -> Response {
        if throttle { return Response(status: .tooManyRequests) }
        guard request.headers[HTTPField.Name("x-api-key")!] == apiKey else {
            return error(.forbidden, "Shared secret is required in x-api-key header")
        }
        guard request.headers[.authorization] == "Bearer \(token)" else { return error(.unauthorized, "invalid_token") }
        let json: String
        if let receipt {
            guard let found = receipts[receipt] else { return error(.notFound, "Receipt not found") }
            json = found.json
        } else {
            let query = request.uri.queryParameters
            let since = query["min_last_modified"].flatMap { Int64(String($0)) } ?? 0
            minLastModified.append(query["min_last_modified"].map(String.init) ?? "")
            let limit = min(100, query["limit"].flatMap { Int(String($0)) } ?? 25)
            let offset = query["offset"].flatMap { Int(String($0)) } ?? 0
            let matching = receipts.filter { $0.value.updated >= since }.sorted {
                ($0.value.updated, $0.key) < ($1.value.updated, $1.key)
            }
            let page = matching.dropFirst(offset).prefix(limit).map(\.value.json)
            json = #"{"count":\#(matching.count),"results":[\#(page.joined(separator: ","))]}"#
        }
        var response = Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: json)))
        response.headers[.contentType] = "application/json"
        return response
    }

    func serve() async throws -> (port: Int, task: Task<Void, any Error>) {
        let router = Router()
        router.get("/v3/application/shops/{shop}/receipts") { request, _ in await self.answer(request, receipt: nil) }
        router.get("/v3/application/shops/{shop}/receipts/{id}") { request, context in
            await self.answer(request, receipt: context.parameters.get("id"))
        }
        return try await serveStandIn(router)
    }
}
