import FarmDomain
import FarmStore
import Foundation

/// A connected Spoolman as the API and the Materials page show it: the link and how its reads go.
public struct SpoolmanLinkStatus: Encodable, Sendable, Equatable {
    public enum State: String, Encodable, Sendable {
        /// Connected, not read yet.
        case waiting
        /// The last read worked.
        case inStep
        /// The last read failed: `lastError` says why; the farm works on and the next read tries again.
        case down
        /// Disconnected: not read, usage no longer sent.
        case disconnected
    }

    public var id: SpoolmanLinkID
    public var url: String
    public var pollSeconds: Int
    public var state: State
    public var connectedAt: Date
    public var lastSyncAt: Date?
    /// What the last good read changed.
    public var lastChanges: SpoolmanImport.Summary?
    public var lastError: String?
    public var lastErrorAt: Date?

    public init(_ link: SpoolmanConnection, health: LinkHealthStore.Health) {
        id = link.id
        url = link.spec.url
        pollSeconds = link.spec.pollSeconds
        connectedAt = link.registeredAt
        lastSyncAt = health.lastSyncAt
        lastChanges = health.summary.flatMap {
            try? JSONDecoder().decode(SpoolmanImport.Summary.self, from: Data($0.utf8))
        }
        lastError = health.lastError
        lastErrorAt = health.lastErrorAt
        state =
            link.retired ? .disconnected : health.isDown ? .down : health.lastSyncAt == nil ? .waiting : .inStep
    }

    public static func all(in store: Store) async throws -> [SpoolmanLinkStatus] {
        var statuses: [SpoolmanLinkStatus] = []
        for link in try await store.spoolmanLinks.all() {
            statuses.append(
                SpoolmanLinkStatus(link, health: try await store.linkHealth.health(of: link.id.description)))
        }
        return statuses
    }
}

extension SpoolmanImport.Summary {
    /// "2 registered, 1 weighed in, 5 unchanged"
    public var sentence: String {
        let parts = [
            (registered, "registered"), (corrected, "corrected"), (weighed, "weighed in"), (archived, "archived"),
            (unchanged, "unchanged"),
        ].filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }
        let said = parts.isEmpty ? "nothing to take" : parts.joined(separator: ", ")
        return skipped.isEmpty ? said : said + "; \(skipped.count) skipped"
    }
}
