import FarmStore
import Foundation

/// An aggregate's events as a list, newest first: when, what, who and why. Every detail page shows one.
enum Timeline {
    /// `actors`: names for the actors that are people (`user:<id>` → username).
    static func render(_ events: [StoredEvent], actors: [String: String], stamp: (Date) -> String) -> HTML {
        let lines = collapsed(events).reversed().map { event, repeats in
            let times: HTML = repeats > 1 ? HTML(" ×\(repeats)") : .empty
            return HTML(
                "<li><time datetime=\"\(Timestamps.format(event.time))\">\(stamp(event.time))</time> <strong>\(short(event.type))</strong>\(times) by \(actors[event.actor] ?? event.actor) <span class=\"reason\">(\(event.reason))</span></li>"
            )
        }
        return "<ol class=\"timeline\">\(lines)</ol>"
    }

    /// Runs of the same event type by the same actor become one line (the last of them, with a count): a print
    /// reports progress hundreds of times.
    static func collapsed(_ events: [StoredEvent]) -> [(event: StoredEvent, repeats: Int)] {
        var lines: [(event: StoredEvent, repeats: Int)] = []
        for event in events {
            if let last = lines.last, last.event.type == event.type, last.event.actor == event.actor {
                lines[lines.count - 1] = (event, last.repeats + 1)
            } else {
                lines.append((event, 1))
            }
        }
        return lines
    }

    /// `printfarm.run.completed.v1` → `run completed`.
    static func short(_ type: String) -> String {
        let parts = type.split(separator: ".")
        return parts.count >= 3 ? parts.dropFirst().dropLast().joined(separator: " ") : type
    }

    /// Formats times in `zone`; one formatter per page (making one costs far more than using it).
    static func stamper(_ zone: TimeZone) -> (Date) -> String {
        let formatter = DateFormatter()
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss zzz"
        return { formatter.string(from: $0) }
    }
}
