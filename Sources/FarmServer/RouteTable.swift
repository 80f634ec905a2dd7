import HTTPTypes
import Synchronization

/// The routes a server registered, by method and path template, filled once registration is done: which methods a
/// path takes, for a 405 that names them.
final class RouteTable: Sendable {
    private let entries = Mutex<[(method: HTTPRequest.Method, segments: [Substring])]>([])

    func set(_ routes: [SecuredRoutes.Entry]) {
        entries.withLock { $0 = routes.map { ($0.method, $0.path.split(separator: "/")) } }
    }

    /// The methods some route takes at `path`, in a stable order; empty when no route has that path.
    func methods(for path: String) -> [HTTPRequest.Method] {
        let segments = path.split(separator: "/")
        let methods = entries.withLock { entries in entries.filter { Self.matches($0.segments, segments) }.map(\.method)
        }
        return Set(methods.map(\.rawValue)).sorted().compactMap { HTTPRequest.Method($0) }
    }

    /// `{name}` and `*` match one segment, `**` the rest.
    static func matches(_ template: [Substring], _ path: [Substring]) -> Bool {
        for (index, part) in template.enumerated() {
            if part == "**" { return true }
            guard index < path.count else { return false }
            if part == "*" || (part.hasPrefix("{") && part.hasSuffix("}")) { continue }
            if part != path[index] { return false }
        }
        return template.count == path.count
    }
}
