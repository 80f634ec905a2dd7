import Crypto
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
    /// The access token the API takes now (nil: none, every call is 401).
    var token: String?
    /// Etsy's OAuth side: consent codes with their PKCE challenge and redirect, the refresh token it takes now.
    var codes: [String: (challenge: String, redirect: String)] = [:]
    var refreshToken: String?
    private(set) var tokenRequests: [[String: String]] = []
    private var issued = 0
    /// Receipt JSON by id, with its last modification (unix seconds).
    var receipts: [String: (updated: Int64, json: String)] = [:]
    var throttle = false
    private(set) var minLastModified: [String] = []
    /// The bodies of `createReceiptShipment` calls, by receipt.
    private(set) var shipments: [(receipt: String, body: ReceivedJSON)] = []

    init(apiKey: String, token: String) {
        self.apiKey = apiKey
        self.token = token
    }

    func put(_ id: String, updated: Int64, json: String) { receipts[id] = (updated, json) }
    func expireToken() { token = nil }
    func revokeRefresh() { refreshToken = nil }

    /// Etsy's consent page, as if the person agreed at once: back to `redirect_uri` with a code and the state.
    func consent(_ request: Request) -> Response {
        let query = request.uri.queryParameters
        func value(_ name: String) -> String { query[Substring(name)].map(String.init) ?? "" }
        guard value("client_id") == apiKey.split(separator: ":").first.map(String.init),
            value("response_type") == "code",
            value("code_challenge_method") == "S256", value("scope").split(separator: " ").contains("transactions_w"),
            !value("code_challenge").isEmpty, !value("state").isEmpty
        else { return error(.badRequest, "invalid_request") }
        issued += 1
        let code = "code-\(issued)"
        codes[code] = (value("code_challenge"), value("redirect_uri"))
        var location = URLComponents(string: value("redirect_uri"))!
        location.queryItems = [
            URLQueryItem(name: "code", value: code), URLQueryItem(name: "state", value: value("state")),
        ]
        return Response(status: .found, headers: [.location: location.string!])
    }

    /// `POST /v3/public/oauth/token`, form-encoded: a code with its verifier, or the refresh token, buys a new pair.
    func tokenGrant(_ body: ByteBuffer) -> Response {
        var fields: [String: String] = [:]
        for pair in String(buffer: body).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? "" }
            if parts.count == 2 { fields[parts[0]] = parts[1] }
        }
        tokenRequests.append(fields)
        let keystring = apiKey.split(separator: ":").first.map(String.init)
        func refuse(_ why: String) -> Response {
            Self.json(.badRequest, #"{"error":"invalid_grant","error_description":"\#(why)"}"#)
        }
        guard fields["client_id"] == keystring else { return refuse("client_id is not an app's keystring") }
        switch fields["grant_type"] {
        case "authorization_code":
            guard let code = fields["code"], let pending = codes.removeValue(forKey: code) else {
                return refuse("code is invalid or was used")
            }
            guard fields["redirect_uri"] == pending.redirect else { return refuse("redirect_uri does not match") }
            let digest = Data(SHA256.hash(data: Data((fields["code_verifier"] ?? "").utf8))).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
            guard digest == pending.challenge else { return refuse("code_verifier does not match the challenge") }
        case "refresh_token":
            guard let refresh = fields["refresh_token"], refresh == refreshToken else {
                return refuse("refresh_token is invalid")
            }
        default:
            return Self.json(.badRequest, #"{"error":"unsupported_grant_type"}"#)
        }
        issued += 1
        token = "12345678.A\(issued)"
        refreshToken = "12345678.R\(issued)"
        return Self.json(
            .ok,
            #"""
            {"access_token":"\#(token!)","token_type":"Bearer","expires_in":3600,\#
            "refresh_token":"\#(refreshToken!)"}
            """#
        )
    }

    static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        var response = Response(status: status, body: .init(byteBuffer: ByteBuffer(string: text)))
        response.headers[.contentType] = "application/json"
        return response
    }
    func setThrottle(_ on: Bool) { throttle = on }

    func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        Response(status: status, body: .init(byteBuffer: ByteBuffer(string: #"{"error":"\#(message)"}"#)))
    }

    func refusal(_ request: Request) -> Response? {
        if throttle { return Response(status: .tooManyRequests) }
        guard request.headers[HTTPField.Name("x-api-key")!] == apiKey else {
            return error(.forbidden, "Shared secret is required in x-api-key header")
        }
        guard let token, request.headers[.authorization] == "Bearer \(token)" else {
            return error(.unauthorized, "invalid_token")
        }
        return nil
    }

    /// `createReceiptShipment`: the receipt is marked shipped with a new `shipments[]` entry and returned.
    func ship(_ request: Request, receipt: String, body: ByteBuffer) -> Response {
        if let refusal = refusal(request) { return refusal }
        guard let found = receipts[receipt],
            var object = try? JSONSerialization.jsonObject(with: Data(found.json.utf8)) as? [String: Any]
        else { return error(.notFound, "Receipt not found") }
        guard request.headers[.contentType]?.hasPrefix("application/json") == true,
            let fields = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]
        else { return error(.badRequest, "Invalid body") }
        shipments.append((receipt, ReceivedJSON(value: fields)))
        var entries = object["shipments"] as? [[String: Any]] ?? []
        entries.append([
            "receipt_shipping_id": 1_000_000 + shipments.count, "carrier_name": fields["carrier_name"] ?? "",
            "tracking_code": fields["tracking_code"] ?? "", "shipment_notification_timestamp": 1_800_000_000,
        ])
        object["shipments"] = entries
        object["is_shipped"] = true
        let json = String(decoding: (try? JSONSerialization.data(withJSONObject: object)) ?? Data(), as: UTF8.self)
        receipts[receipt] = (found.updated, json)
        var response = Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: json)))
        response.headers[.contentType] = "application/json"
        return response
    }

    func answer(_ request: Request, receipt: String?) -> Response {
        if let refusal = refusal(request) { return refusal }
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
        router.get("/oauth/connect") { request, _ in await self.consent(request) }
        router.post("/v3/public/oauth/token") { request, _ in
            await self.tokenGrant(try await request.body.collect(upTo: 1 << 16))
        }
        router.post("/v3/application/shops/{shop}/receipts/{id}/tracking") { request, context in
            let body = try await request.body.collect(upTo: 1 << 20)
            return await self.ship(request, receipt: context.parameters.get("id") ?? "", body: body)
        }
        return try await serveStandIn(router)
    }
}
