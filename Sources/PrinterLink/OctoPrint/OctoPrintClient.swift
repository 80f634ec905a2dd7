import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// OctoPrint's REST API (1.x, without the 2.0 version header, so the documented 1.x shapes): one request per call,
/// the API key as `X-Api-Key`, every failure a `ConnectorError`. Stateless; the push link is `OctoPrintConnector`'s.
public struct OctoPrintClient: HostAPIClient {
    public let base: URL
    public let apiKey: String?
    public let http: HTTPClient
    public let timeout: TimeAmount

    public init(base: URL, apiKey: String?, http: HTTPClient, timeout: TimeAmount = .seconds(10)) {
        self.base = base
        self.apiKey = apiKey
        self.http = http
        self.timeout = timeout
    }

    // MARK: link

    /// `GET /api/version`; refuses anything that is not OctoPrint.
    public func version() async throws(ConnectorError) -> String {
        let answer = try await call(.GET, "/api/version")
        guard let text = answer["text"]?.string, text.hasPrefix("OctoPrint") else {
            throw ConnectorError(kind: .malformed, message: "not an OctoPrint: \(answer.text.prefix(120))")
        }
        return answer["server"]?.string ?? text
    }

    /// `POST /api/login {"passive": true}`: the user and session the push socket authenticates with.
    public func passiveLogin() async throws(ConnectorError) -> OctoPrintSession.Login {
        let answer = try await call(.POST, "/api/login", json: ["passive": true])
        guard let name = answer["name"]?.string, let session = answer["session"]?.string else {
            // An API key OctoPrint does not know logs in no one: it answers 200 with no user, or 403.
            throw ConnectorError(kind: .unauthorized, message: "OctoPrint knows no user for this API key")
        }
        return OctoPrintSession.Login(name: name, session: session)
    }

    /// What a session's `.poll` asks.
    public func poll() async -> Result<OctoPrintSession.PollAnswer, OctoPrintSession.Failure> {
        do throws(ConnectorError) {
            let connection = try await call(.GET, "/api/connection")
            let job = try await call(.GET, "/api/job")
            let printer: JSONValue?
            do throws(ConnectorError) {
                printer = try await call(.GET, "/api/printer", query: [URLQueryItem(name: "exclude", value: "sd")])
            } catch  where error.kind == .conflict {
                printer = nil
            }
            return .success(.init(connection: connection, job: job, printer: printer))
        } catch {
            return .failure(.init(error.description, unauthorized: error.kind == .unauthorized))
        }
    }

    // MARK: files and jobs

    /// Uploads a local file into local storage under the farm's folder as `name`; answers its path.
    public func upload(file: String, as name: String) async throws(ConnectorError) -> String {
        try await ensureFolder()
        let (request, size) = try MultipartUpload.request(
            url: url("/api/files/local", query: [], escaped: true), fields: [("path", DispatchFile.folder)], file: file,
            as: name)
        let answer = try await send(request, timeout: .seconds(max(60, Int64(size / 1_000_000))))
        guard let path = answer["files"]?["local"]?["path"]?.string else {
            throw ConnectorError(kind: .malformed, message: "the upload answer names no file")
        }
        return path
    }

    /// Creates the farm's folder in local storage unless it is there.
    func ensureFolder() async throws(ConnectorError) {
        do throws(ConnectorError) {
            _ = try await call(.GET, "/api/files/local/\(DispatchFile.folder)")
        } catch  where error.kind == .notFound {
            let boundary = "printfarm-\(UUID().uuidString)"
            let body =
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"foldername\"\r\n\r\n\(DispatchFile.folder)"
                + "\r\n--\(boundary)--\r\n"
            var request = HTTPClientRequest(url: url("/api/files/local", query: [], escaped: true))
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "multipart/form-data; boundary=\(boundary)")
            request.body = .bytes(ByteBuffer(string: body))
            do throws(ConnectorError) {
                _ = try await send(request, timeout: timeout)
            } catch  where error.kind == .conflict {
                // Made by a concurrent upload in the meantime.
            }
        }
    }

    /// Selects the file and prints it; 409 when a job is active or the printer is not operational.
    public func start(_ path: String) async throws(ConnectorError) {
        _ = try await call(
            .POST, "/api/files/local/\(Self.escape(path: path))", json: ["command": "select", "print": true])
    }

    public func pause() async throws(ConnectorError) {
        _ = try await call(.POST, "/api/job", json: ["command": "pause", "action": "pause"])
    }

    public func resume() async throws(ConnectorError) {
        _ = try await call(.POST, "/api/job", json: ["command": "pause", "action": "resume"])
    }

    public func cancel() async throws(ConnectorError) {
        _ = try await call(.POST, "/api/job", json: ["command": "cancel"])
    }

    public func delete(_ path: String) async throws(ConnectorError) {
        _ = try await call(.DELETE, "/api/files/local/\(Self.escape(path: path))")
    }

    /// Connects OctoPrint to its printer again (with its saved port and baud rate): the way out of an error.
    public func reconnect() async throws(ConnectorError) {
        _ = try? await call(.POST, "/api/connection", json: ["command": "disconnect"])
        _ = try await call(.POST, "/api/connection", json: ["command": "connect"])
    }

    /// Sends G-code lines to the printer (`POST /api/printer/command`); OctoPrint answers before the printer does.
    public func command(_ lines: [String]) async throws(ConnectorError) {
        _ = try await call(.POST, "/api/printer/command", json: ["commands": .array(lines.map { .string($0) })])
    }

    /// The files in the farm's folder with OctoPrint's print statistics (`prints.last`), newest result first: the
    /// nearest OctoPrint has to a history (it keeps none). A file never printed to its end has no result.
    public func results() async throws(ConnectorError) -> [MachineJob] {
        let folder: JSONValue
        do throws(ConnectorError) {
            folder = try await call(.GET, "/api/files/local/\(DispatchFile.folder)")
        } catch  where error.kind == .notFound {
            return []
        }
        let jobs = (folder["children"]?.array ?? []).compactMap { file -> MachineJob? in
            guard let path = file["path"]?.string, let last = file["prints"]?["last"],
                let success = last["success"]?.bool
            else { return nil }
            return MachineJob(
                filename: path, status: success ? .completed : .unsuccessful,
                detail: success ? "printed successfully" : "not printed successfully",
                ended: last["date"]?.number.map { Date(timeIntervalSince1970: $0) })
        }
        return jobs.sorted { ($0.ended ?? .distantPast) > ($1.ended ?? .distantPast) }
    }

    // MARK: transport

    func call(_ method: HTTPMethod, _ path: String, query: [URLQueryItem] = [], json: JSONValue? = nil)
        async throws(ConnectorError) -> JSONValue
    {
        var request = HTTPClientRequest(url: url(path, query: query, escaped: true))
        request.method = method
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json.text))
        }
        return try await send(request, timeout: timeout)
    }

    private func send(_ request: HTTPClientRequest, timeout: TimeAmount) async throws(ConnectorError) -> JSONValue {
        let (status, data) = try await exchange(request, timeout: timeout)
        guard (200..<300).contains(status) else { throw Self.error(status: status, body: data) }
        // 204 No Content answers the commands.
        if data.isEmpty { return .null }
        guard let json = JSONValue.parse(data) else {
            throw ConnectorError(
                kind: .malformed, status: status,
                message: "not an OctoPrint answer: \(String(decoding: data.prefix(120), as: UTF8.self))")
        }
        return json
    }

    /// OctoPrint's errors: `{"error": "…"}` from the API, an HTML page from its web layer or a proxy. A 403 is a
    /// key OctoPrint does not accept (anonymous requests are refused with 403).
    public static func error(status: Int, body: Data) -> ConnectorError {
        let text = String(decoding: body.prefix(2000), as: UTF8.self)
        var message: String
        if let error = JSONValue.parse(body)?["error"]?.string {
            message = error
        } else if text.range(of: "<html", options: .caseInsensitive) != nil
            || text.range(of: "<!doctype", options: .caseInsensitive) != nil
        {
            message = "an HTML page instead of an API answer (\(HTTPStatusText.reason(status)))"
        } else {
            message = text.isEmpty ? HTTPStatusText.reason(status) : String(text.prefix(200))
        }
        message = message.replacingOccurrences(of: "\n", with: " ")
        // A key OctoPrint does not know makes the request anonymous: 403 on the API, and on the login a 400 asking
        // for the CSRF token only a browser's session has.
        let unknownKey = status == 403 || (status == 400 && message.contains("CSRF"))
        let kind: ConnectorError.Kind = unknownKey ? .unauthorized : ConnectorError.kind(status: status)
        return ConnectorError(kind: kind, status: status, message: message)
    }

    static func escape(path: String) -> String {
        path.split(separator: "/").map { ConnectorError.escape(String($0)) }.joined(separator: "/")
    }
}
