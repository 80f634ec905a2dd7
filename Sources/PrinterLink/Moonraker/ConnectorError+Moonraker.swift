import Foundation

/// Moonraker's error answers. Moonraker 0.11 hides the detail of many errors in the last line of a Python
/// traceback and replaces reasons holding `<` or a newline with "Unknown", so the detail is dug out of the
/// traceback where the message says nothing.
extension ConnectorError {
    /// An HTTP error answer: `{"error": {"code", "message", "traceback"}}` (or anything else a proxy may send).
    public static func moonraker(status: Int, body: Data) -> ConnectorError {
        let error = JSONValue.parse(body)?["error"]
        var message = error?["message"]?.string ?? HTTPStatusText.reason(status)
        if let traceback = error?["traceback"]?.string, let detail = detail(fromTraceback: traceback, status: status),
            detail != message
        {
            message = detail
        }
        return ConnectorError(kind: kind(status: status), status: status, message: message)
    }

    /// A JSON-RPC error object: its code is an HTTP status for application errors, a JSON-RPC code otherwise.
    public static func moonraker(rpcError error: JSONValue) -> ConnectorError {
        let code = error["code"]?.int ?? -32603
        let message = error["message"]?.string ?? "no message"
        if code == -32602, message.contains("Unauthorized") || message.contains("API Key") || message.contains("JWT") {
            return ConnectorError(kind: .unauthorized, status: nil, message: message)
        }
        if code < 0 { return ConnectorError(kind: .malformed, status: nil, message: "JSON-RPC \(code): \(message)") }
        return ConnectorError(kind: kind(status: code), status: code, message: message)
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
