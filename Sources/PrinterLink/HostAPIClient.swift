import AsyncHTTPClient
import Foundation
import NIOCore

/// What the HTTP clients of printer hosts (Moonraker, OctoPrint) share: both take an `X-Api-Key`, answer JSON, and
/// are reached at a base address. Each reads the status and body its own way.
protocol HostAPIClient: Sendable {
    var base: URL { get }
    var apiKey: String? { get }
    var http: HTTPClient { get }
}

extension HostAPIClient {
    /// Sends `request` with the key and reads the whole answer (at most 16 MB); no answer at all is `unreachable`.
    func exchange(_ request: HTTPClientRequest, timeout: TimeAmount) async throws(ConnectorError)
        -> (status: Int, body: Data)
    {
        var request = request
        if let apiKey { request.headers.replaceOrAdd(name: "X-Api-Key", value: apiKey) }
        request.headers.replaceOrAdd(name: "Accept", value: "application/json")
        do {
            let response = try await http.execute(request, timeout: timeout)
            let body = try await response.body.collect(upTo: 16 << 20)
            return (Int(response.status.code), Data(body.readableBytesView))
        } catch {
            throw ConnectorError.unreachable(error)
        }
    }

    /// `path` on the host (percent-encoded unless `escaped` says it already is) with `query`; an item without a
    /// value is sent as its name alone.
    func url(_ path: String, query: [URLQueryItem], escaped: Bool = false) -> String {
        var text = base.absoluteString
        if text.hasSuffix("/") { text.removeLast() }
        text += escaped ? path : path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path
        if !query.isEmpty {
            text +=
                "?"
                + query.map { item in
                    item.value.map { "\(ConnectorError.escape(item.name))=\(ConnectorError.escape($0))" }
                        ?? ConnectorError.escape(item.name)
                }.joined(separator: "&")
        }
        return text
    }
}
