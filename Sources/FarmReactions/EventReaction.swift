import FarmStore
import Foundation
import Logging
import ServiceLifecycle

/// A reaction to events in the log: it follows its event types with an `EventFollower` and handles each once it is
/// appended, whichever way it came in. Handlers must do nothing when their work is done (delivery is at least once).
public protocol EventReaction: Service {
    var follower: EventFollower { get }
    var logger: Logger { get }
    func handle(_ event: StoredEvent) async throws
}

extension EventReaction {
    public func run() async throws {
        let logger = logger
        let name = follower.name
        await cancelWhenGracefulShutdown {
            await follower.run(onError: { logger.warning("\(name) reaction: \($0)") }) { event in
                try await self.handle(event)
            }
        }
    }

    /// Handles what arrived since the last pass (for tests, which drive it without the service).
    @discardableResult
    public func pass() async throws -> Int {
        try await follower.pass { try await handle($0) }
    }

    /// The aggregate id of an event's stream (`intent-<id>` → `<id>`).
    public func streamID(_ event: StoredEvent, aggregate: String) -> String {
        String(event.stream.dropFirst(aggregate.count + 1))
    }
}
