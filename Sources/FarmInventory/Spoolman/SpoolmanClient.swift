import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Why Spoolman could not be read or told, in words for the Materials page.
public struct SpoolmanError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Spoolman's REST API (no authentication: it trusts its network). Every call is bounded; what is not Spoolman's
/// JSON is an error that says what came instead, never a crash.
public struct SpoolmanClient: Sendable {
    public let base: URL
    let http: HTTPClient
    let timeout: TimeAmount

    public init(base: URL, http: HTTPClient = .shared, timeout: TimeAmount = .seconds(10)) {
        self.base = base
        self.http = http
        self.timeout = timeout
    }

    public func vendors() async throws(SpoolmanError) -> [SpoolmanWire.Vendor] { try await get("vendor") }
    public func filaments() async throws(SpoolmanError) -> [SpoolmanWire.Filament] { try await get("filament") }
    /// Every spool, archived ones too.
    public func spools() async throws(SpoolmanError) -> [SpoolmanWire.Spool] {
        try await get("spool?allow_archived=true")
    }

    /// Tells Spoolman a print used `grams` of a spool; answers the spool as Spoolman now has it.
    public func use(spool id: Int, grams: Double) async throws(SpoolmanError) -> SpoolmanWire.Spool {
        try await send(.PUT, "spool/\(id)/use", body: #"{"use_weight": \#(grams)}"#)
    }

    private func get<T: Decodable>(_ path: String) async throws(SpoolmanError) -> T {
        try await send(.GET, path, body: nil)
    }

    private func send<T: Decodable>(_ method: HTTPMethod, _ path: String, body: String?) async throws(SpoolmanError)
        -> T
    {
        var text = base.absoluteString
        if text.hasSuffix("/") { text.removeLast() }
        var request = HTTPClientRequest(url: "\(text)/api/v1/\(path)")
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let status: UInt
        let data: Data
        do {
            let response = try await http.execute(request, timeout: timeout)
            status = response.status.code
            data = Data(try await response.body.collect(upTo: 32 << 20).readableBytesView)
        } catch {
            throw SpoolmanError(message: "Spoolman at \(base.absoluteString) cannot be reached: \(error)")
        }
        let head = String(decoding: data.prefix(160), as: UTF8.self).replacingOccurrences(of: "\n", with: " ")
        guard (200..<300).contains(status) else {
            throw SpoolmanError(message: "Spoolman answered HTTP \(status) to \(path): \(head)")
        }
        do {
            return try SpoolmanWire.decoder().decode(T.self, from: data)
        } catch {
            throw SpoolmanError(message: "Spoolman's answer to \(path) is not what its API promises: \(head)")
        }
    }
}
