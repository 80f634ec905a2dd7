import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Moonraker's HTTP API for commands and files: one request per call, the API key as `X-Api-Key`, every failure a
/// `ConnectorError`. Stateless; the status stream is `MoonrakerConnector`'s.
public struct MoonrakerClient: HostAPIClient {
    /// Our folder under the gcodes root: files we upload live here, named after their run.
    public static let folder = DispatchFile.folder

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

    public struct RemoteFile: Sendable, Equatable {
        public var path: String
        public var size: Int
        public var modified: Double
    }

    public struct HistoryJob: Sendable, Equatable {
        public var jobID: String
        public var filename: String
        public var status: String
        public var startTime: Double?
        public var endTime: Double?
        public var printDuration: Double?

        /// The job in the farm's words; Moonraker's status stays as the detail.
        public var machineJob: MachineJob {
            MachineJob(
                id: jobID, filename: filename, status: Self.status(status), detail: status,
                ended: endTime.map { Date(timeIntervalSince1970: $0) })
        }

        /// Moonraker's job statuses: Klipper stopping under a print (a G-code error, a shutdown, Klippy killed) is
        /// the machine failing it; only a job Moonraker itself lost track of (its own crash) is interrupted.
        static func status(_ word: String) -> MachineJob.Status {
            switch word {
            case "in_progress": .inProgress
            case "completed": .completed
            case "cancelled": .cancelled
            case "error", "klippy_shutdown", "klippy_disconnect": .failed
            default: .interrupted
            }
        }
    }

    // MARK: server and printer

    public func serverInfo() async throws(ConnectorError) -> JSONValue { try await call(.GET, "/server/info") }
    public func printerInfo() async throws(ConnectorError) -> JSONValue { try await call(.GET, "/printer/info") }

    /// The webcams configured in Moonraker (`[webcam]` sections or its database), as it lists them.
    public func webcams() async throws(ConnectorError) -> [JSONValue] {
        try await call(.GET, "/server/webcams/list")["webcams"]?.array ?? []
    }

    /// `printer.objects.query` of the objects the connector subscribes to; the `status` object.
    public func queryStatus() async throws(ConnectorError) -> JSONValue {
        let query = MoonrakerStatus.subscribed.map { URLQueryItem(name: $0, value: nil) }
        return try await call(.GET, "/printer/objects/query", query: query)["status"] ?? .null
    }

    /// Klipper's parsed configuration (`configfile.settings`): sections of lowercase keys with typed values.
    public func configSettings() async throws(ConnectorError) -> JSONValue {
        try await call(.GET, "/printer/objects/query", query: [URLQueryItem(name: "configfile", value: "settings")])[
            "status"]?["configfile"]?["settings"] ?? .null
    }

    /// What a session's `.poll` asks: Klippy's state, and the full status when it is ready.
    public func poll() async -> Result<MoonrakerSession.PollAnswer, MoonrakerSession.PollFailure> {
        do throws(ConnectorError) {
            let info = try await serverInfo()
            let host = info["klippy_state"]?.string ?? "disconnected"
            guard host == "ready" else {
                // Klipper's reason is only in printer.info; while it is shut down the objects still answer (with the
                // stale job), and a session that took them from the socket must see the same from a poll.
                let message = host == "disconnected" ? nil : (try? await printerInfo())?["state_message"]?.string
                let status = host == "disconnected" ? nil : try? await queryStatus()
                return .success(.init(host: host, message: message, status: status))
            }
            return .success(.init(host: host, status: try await queryStatus()))
        } catch {
            return .failure(.init(error.description))
        }
    }

    /// The instance's API key (`GET /access/api_key`), readable by a trusted client or with a key.
    public func fetchAPIKey() async throws(ConnectorError) -> String {
        guard let key = try await call(.GET, "/access/api_key").string else {
            throw ConnectorError(kind: .malformed, message: "no API key in the answer")
        }
        return key
    }

    // MARK: jobs

    public func start(_ path: String) async throws(ConnectorError) {
        _ = try await call(.POST, "/printer/print/start", query: [URLQueryItem(name: "filename", value: path)])
    }

    public func pause() async throws(ConnectorError) { _ = try await call(.POST, "/printer/print/pause") }
    public func resume() async throws(ConnectorError) { _ = try await call(.POST, "/printer/print/resume") }
    public func cancel() async throws(ConnectorError) { _ = try await call(.POST, "/printer/print/cancel") }

    /// Runs G-code through Klipper (`printer.gcode.script`). Klipper answers "ok" to commands it does not know.
    public func runGCode(_ script: String) async throws(ConnectorError) {
        _ = try await call(.POST, "/printer/gcode/script", query: [URLQueryItem(name: "script", value: script)])
    }

    /// Skips one object of the print from now on (Klipper's `EXCLUDE_OBJECT`), then reads back the objects Klipper
    /// excludes: Klipper says "ok" to a name the file never defined, so only the list confirms it.
    public func excludeObject(_ name: String) async throws(ConnectorError) -> [String] {
        try await runGCode("EXCLUDE_OBJECT NAME=\(name)")
        let status = try await call(
            .GET, "/printer/objects/query", query: [URLQueryItem(name: "exclude_object", value: nil)])
        return status["status"]?["exclude_object"]?["excluded_objects"]?.array?.compactMap(\.string) ?? []
    }

    /// Restarts Klipper's firmware and host software (`FIRMWARE_RESTART`): the way out of a shutdown.
    public func firmwareRestart() async throws(ConnectorError) {
        _ = try await call(.POST, "/printer/firmware_restart")
    }

    public func history(limit: Int = 50) async throws(ConnectorError) -> [HistoryJob] {
        let result = try await call(
            .GET, "/server/history/list",
            query: [URLQueryItem(name: "limit", value: String(limit)), URLQueryItem(name: "order", value: "desc")])
        return (result["jobs"]?.array ?? []).compactMap { job in
            guard let id = job["job_id"]?.string, let filename = job["filename"]?.string,
                let status = job["status"]?.string
            else { return nil }
            return HistoryJob(
                jobID: id, filename: filename, status: status, startTime: job["start_time"]?.number,
                endTime: job["end_time"]?.number,
                printDuration: job["print_duration"]?.number)
        }
    }

    // MARK: files

    /// Uploads a local file into `gcodes/printfarm/` as `name`; answers the path to start it by.
    public func upload(file: String, as name: String) async throws(ConnectorError) -> String {
        let (request, size) = try MultipartUpload.request(
            url: url("/server/files/upload", query: []), fields: [("root", "gcodes"), ("path", Self.folder)],
            file: file, as: name)
        // The upload answer is the only one not wrapped in {"result": …}.
        let result = try await send(request, timeout: .seconds(max(60, Int64(size / 1_000_000))), wrapped: false)
        guard let path = result["item"]?["path"]?.string else {
            throw ConnectorError(kind: .malformed, message: "the upload answer names no file")
        }
        return path
    }

    /// The files under `gcodes/<folder>` (every file when `folder` is nil), paths relative to the gcodes root.
    public func files(in folder: String? = Self.folder) async throws(ConnectorError) -> [RemoteFile] {
        let result = try await call(.GET, "/server/files/list", query: [URLQueryItem(name: "root", value: "gcodes")])
        return (result.array ?? []).compactMap { file in
            guard let path = file["path"]?.string else { return nil }
            if let folder, !path.hasPrefix(folder + "/") { return nil }
            return RemoteFile(path: path, size: file["size"]?.int ?? 0, modified: file["modified"]?.number ?? 0)
        }
    }

    public func delete(_ path: String) async throws(ConnectorError) {
        _ = try await call(
            .DELETE,
            "/server/files/gcodes/"
                + path.split(separator: "/").map { ConnectorError.escape(String($0)) }.joined(separator: "/"),
            escaped: true)
    }

    /// Moonraker's metadata of a file: `gcode_start_byte` and `gcode_end_byte` give true progress.
    public func metadata(_ path: String) async throws(ConnectorError) -> JSONValue {
        try await call(.GET, "/server/files/metadata", query: [URLQueryItem(name: "filename", value: path)])
    }

    // MARK: transport

    private func call(_ method: HTTPMethod, _ path: String, query: [URLQueryItem] = [], escaped: Bool = false)
        async throws(ConnectorError) -> JSONValue
    {
        var request = HTTPClientRequest(url: url(path, query: query, escaped: escaped))
        request.method = method
        return try await send(request, timeout: timeout)
    }

    private func send(_ request: HTTPClientRequest, timeout: TimeAmount, wrapped: Bool = true)
        async throws(ConnectorError) -> JSONValue
    {
        let (status, data) = try await exchange(request, timeout: timeout)
        guard (200..<300).contains(status) else {
            // Moonraker registers its /printer endpoints only once Klippy has connected: a 404 there means no Klipper.
            if status == 404, request.url.contains("/printer/") {
                throw ConnectorError(
                    kind: .hostNotReady, status: status,
                    message: "Klipper has not connected to Moonraker (its /printer endpoints are missing)")
            }
            throw ConnectorError.moonraker(status: status, body: data)
        }
        guard let json = JSONValue.parse(data), let result = wrapped ? json["result"] : json else {
            throw ConnectorError(
                kind: .malformed, status: status,
                message: "not a Moonraker answer: \(String(decoding: data.prefix(120), as: UTF8.self))")
        }
        return result
    }
}
