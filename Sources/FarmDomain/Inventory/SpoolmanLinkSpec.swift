import Foundation

public typealias SpoolmanLinkID = TypedID<SpoolmanLinkSpec>
public typealias SpoolmanConnection = InventoryRecord<SpoolmanLinkSpec>

/// A Spoolman the farm keeps in step with: its address and how often its changes are read. Connecting is a
/// registration, disconnecting a retirement, so who linked which Spoolman and when stays in the log.
public struct SpoolmanLinkSpec: RecordSpec {
    public static let aggregate = "spoolman"
    /// Spoolman's base address, like `http://192.168.1.40:7912`.
    public var url: String
    /// Seconds between reads of Spoolman's changes.
    public var pollSeconds: Int

    public static let pollRange = 5...86_400

    public init(url: String, pollSeconds: Int = 60) {
        self.url = url
        self.pollSeconds = pollSeconds
    }

    public var parent: String? { nil }

    public func validate() throws(DomainError) {
        guard url.count <= 500, let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""),
            parsed.host?.isEmpty == false, parsed.user == nil, parsed.password == nil, parsed.query == nil
        else {
            throw .invalid(
                field: "url", reason: "Spoolman's address without a user or password, like http://192.168.1.40:7912")
        }
        guard Self.pollRange.contains(pollSeconds) else {
            throw .invalid(field: "pollSeconds", reason: "seconds between reads, from 5 to 86400 (60)")
        }
    }

    /// One link per Spoolman: its id is derived from the address, so connecting the same one twice is the same link.
    public static func id(for url: String) -> SpoolmanLinkID {
        SpoolmanLinkID(DerivedID.uuid(time: Date(timeIntervalSince1970: 0), key: "spoolman-link|\(url)"))
    }
}
