import Foundation

/// Why a request to a Moonraker failed, in words an operator can act on. Moonraker 0.11 hides the detail of many
/// errors in the last line of a Python traceback and replaces reasons holding `<` or a newline with "Unknown",
/// so the detail is dug out of the traceback where the message says nothing.
public struct MoonrakerError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable {
        /// No connection, a timeout, a TLS failure.
        case unreachable
        /// 401, or a JSON-RPC -32602 "Unauthorized" / "Invalid API Key".
        case unauthorized
        /// 503 "Klippy Host not connected", or Klippy shut down: the machine cannot take commands now.
        case hostNotReady
        /// 400: Moonraker or Klipper refused the request (a missing file, "SD busy", a bad argument).
        case rejected
        case forbidden
        case notFound
        /// 5xx other than 503: Moonraker itself failed.
        case serverError
        /// The answer was not what Moonraker's API promises.
        case malformed
    }

    public var kind: Kind
    public var status: Int?
    public var message: String

    public init(kind: Kind, status: Int? = nil, message: String) {
        self.kind = kind
        self.status = status
        self.message = message
    }

    public var description: String {
        let prefix = status.map { "HTTP \($0): " } ?? ""
        switch kind {
        case .unreachable: return "the printer cannot be reached: \(message)"
        case .unauthorized: return "the printer refused our credentials (\(prefix)\(message)); check the API key"
        case .hostNotReady: return "the printer's Klipper is not ready (\(prefix)\(message))"
        case .malformed: return "the printer gave an answer we cannot read: \(message)"
        default: return "the printer refused: \(prefix)\(message)"
        }
    }

    /// An HTTP error answer: `{"error": {"code", "message", "traceback"}}` (or anything else a proxy may send).
    public static func from(status: Int, body: Data) -> MoonrakerError {
        let error = JSONValue.parse(body)?["error"]
        var message = error?["message"]?.string ?? HTTPStatusText.reason(status)
        if let traceback = error?["traceback"]?.string, let detail = detail(fromTraceback: traceback, status: status),
            detail != message
        {
            message = detail
        }
        return MoonrakerError(kind: kind(status: status, message: message), status: status, message: message)
    }

    /// A JSON-RPC error object: its code is an HTTP status for application errors, a JSON-RPC code otherwise.
    public static func from(rpcError error: JSONValue) -> MoonrakerError {
        let code = error["code"]?.int ?? -32603
        let message = error["message"]?.string ?? "no message"
        if code == -32602, message.contains("Unauthorized") || message.contains("API Key") || message.contains("JWT") {
            return MoonrakerError(kind: .unauthorized, status: nil, message: message)
        }
        if code < 0 { return MoonrakerError(kind: .malformed, status: nil, message: "JSON-RPC \(code): \(message)") }
        return MoonrakerError(kind: kind(status: code, message: message), status: code, message: message)
    }

    static func kind(status: Int, message: String) -> Kind {
        switch status {
        case 401: .unauthorized
        case 403: .forbidden
        case 404: .notFound
        case 503: .hostNotReady
        case 400..<500: .rejected
        default: .serverError
        }
    }

    /// "tornado.web.HTTPError: HTTP 400: Bad Request (Root no_such_root not available)" → that, without the
    /// prefix; "ValueError: invalid literal …" → as it is.
    static func detail(fromTraceback traceback: String, status: Int) -> String? {
        guard
            let last = traceback.split(whereSeparator: \.isNewline).last(where: {
                !$0.trimmingCharacters(in: .whitespaces).isEmpty
            })
        else { return nil }
        var line = last.trimmingCharacters(in: .whitespaces)
        if let range = line.range(of: "HTTP \(status): ") { line = String(line[range.upperBound...]) }
        return line.isEmpty ? nil : String(line.prefix(500))
    }
}

enum HTTPStatusText {
    static func reason(_ status: Int) -> String {
        switch status {
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        default: "status \(status)"
        }
    }
}
