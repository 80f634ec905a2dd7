import AsyncHTTPClient
import Foundation

/// Why a request to a printer's host (Moonraker, OctoPrint) failed, in words an operator can act on. Every
/// connector throws it, so the fleet tells an unreachable machine from one that refused, whatever it runs.
public struct ConnectorError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable {
        /// No connection, a timeout, a TLS failure.
        case unreachable
        /// 401, or a JSON-RPC -32602 "Unauthorized" / "Invalid API Key"; OctoPrint's 403 to a key it does not know.
        case unauthorized
        /// 503 "Klippy Host not connected", Klippy shut down, OctoPrint not connected to its printer: the machine
        /// cannot take commands now.
        case hostNotReady
        /// 400: the host refused the request (a missing file, "SD busy", a bad argument).
        case rejected
        /// 409: the machine's state does not allow it now (OctoPrint: cancel with nothing printing, a start while
        /// a job is active).
        case conflict
        case forbidden
        case notFound
        /// 5xx other than 503: the host itself failed.
        case serverError
        /// The answer was not what the host's API promises (an HTML error page from a proxy, garbage).
        case malformed
        /// This kind of machine cannot do it (OctoPrint cannot skip one object of a print).
        case unsupported
    }

    public var kind: Kind
    public var status: Int?
    public var message: String

    public init(kind: Kind, status: Int? = nil, message: String) {
        self.kind = kind
        self.status = status
        self.message = message
    }

    static func kind(status: Int) -> Kind {
        switch status {
        case 401: .unauthorized
        case 403: .forbidden
        case 404: .notFound
        case 409: .conflict
        case 503: .hostNotReady
        case 400..<500: .rejected
        default: .serverError
        }
    }

    public var description: String {
        let prefix = status.map { "HTTP \($0): " } ?? ""
        switch kind {
        case .unreachable: return "the printer cannot be reached: \(message)"
        case .unauthorized: return "the printer refused our credentials (\(prefix)\(message)); check the API key"
        case .hostNotReady: return "the printer's host is not ready (\(prefix)\(message))"
        case .malformed: return "the printer gave an answer we cannot read: \(message)"
        case .conflict: return "the printer's state does not allow it (\(prefix)\(message))"
        case .unsupported: return message
        default: return "the printer refused: \(prefix)\(message)"
        }
    }
}

extension ConnectorError {
    /// A request that got no answer: no connection, a timeout, a TLS failure.
    static func unreachable(_ error: any Error) -> ConnectorError {
        let message: String
        switch error as? HTTPClientError {
        case .deadlineExceeded?, .readTimeout?, .connectTimeout?: message = "no answer in time"
        default: message = String(describing: error)
        }
        return ConnectorError(kind: .unreachable, message: message)
    }

    /// `text` as one segment of a URL path or query (RFC 3986 unreserved characters kept).
    static func escape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
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
