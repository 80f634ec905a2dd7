import Foundation

/// A planned stop of one printer (a nozzle change, a belt check, the room being cleaned): nothing is started on it
/// that would run into the window, and the scheduler plans around it.
public struct MaintenanceWindow: Codable, Sendable, Equatable {
    public var id: String
    public var start: Date
    public var end: Date
    public var reason: String

    public init(id: String, start: Date, end: Date, reason: String) {
        self.id = id
        self.start = start
        self.end = end
        self.reason = reason
    }

    /// The longest window the farm accepts: longer stops are maintenance mode, switched on and off by a person.
    public static let longest: TimeInterval = 14 * 86_400

    public func validate(now: Date) throws(DomainError) {
        guard !id.isEmpty, id.count <= 64, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
        else { throw .invalid(field: "id", reason: "1 to 64 letters, digits or dashes") }
        guard end > start else { throw .invalid(field: "end", reason: "a window ends after it starts") }
        guard end > now else { throw .invalid(field: "end", reason: "the window is over already") }
        guard end.timeIntervalSince(start) <= Self.longest else {
            throw .invalid(
                field: "end",
                reason: "a window lasts at most 14 days; for a longer stop switch the printer to maintenance")
        }
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, reason.count <= 200 else {
            throw .invalid(field: "reason", reason: "say why in 1 to 200 characters, like \"belt tension check\"")
        }
    }

    public func overlaps(_ from: Date, _ to: Date) -> Bool { start < to && end > from }
}

public struct MaintenanceWindowScheduled: Codable, Sendable, Equatable {
    public var window: MaintenanceWindow
    public var at: Date

    public init(window: MaintenanceWindow, at: Date) {
        self.window = window
        self.at = at
    }
}

public struct MaintenanceWindowCancelled: Codable, Sendable, Equatable {
    public var id: String
    public var at: Date

    public init(id: String, at: Date) {
        self.id = id
        self.at = at
    }
}

extension Printer {
    /// The windows not over at `now`, soonest first.
    public func maintenanceWindows(after now: Date) -> [MaintenanceWindow] {
        (maintenanceWindows ?? []).filter { $0.end > now }.sorted { $0.start < $1.start }
    }

    /// A window that a print from `from` to `to` would run into.
    public func maintenance(overlapping from: Date, _ to: Date) -> MaintenanceWindow? {
        maintenanceWindows(after: from).first { $0.overlaps(from, to) }
    }
}
