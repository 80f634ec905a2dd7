import FarmDomain
import FarmStore
import Foundation
import Logging
import ServiceLifecycle

/// When an intent is cancelled (by a person, the API, or its shop), its runs that have not started are cancelled too,
/// so nothing is printed for an order nobody wants. A run already dispatching or printing is left to a person: the
/// printer is working on it, and stopping it is a decision at the machine. A reaction to `intent.cancelled`, so every
/// way of cancelling gets it.
public struct CancellationReaction: Service {
    let store: Store
    let now: @Sendable () -> Date
    let logger: Logger
    let follower: EventFollower

    public init(store: Store, now: @escaping @Sendable () -> Date, logger: Logger) {
        self.store = store
        self.now = now
        self.logger = logger
        self.follower = EventFollower(
            store: store, name: "cancellation",
            types: [EventTypeName.make(aggregate: IntentEvent.aggregate, name: "cancelled")])
    }

    public func run() async throws {
        let logger = logger
        await cancelWhenGracefulShutdown {
            await follower.run(onError: { logger.warning("cancellation reaction: \($0)") }) { event in
                try await self.handle(event)
            }
        }
    }

    /// Handles what arrived since the last pass (for tests, which drive it without the service).
    @discardableResult
    public func pass() async throws -> Int {
        try await follower.pass { try await handle($0) }
    }

    func handle(_ event: StoredEvent) async throws {
        let intentID = String(event.stream.dropFirst(IntentEvent.aggregate.count + 1))
        for (plan, _) in try await store.plans.allVersioned(ref: intentID) {
            for (run, _) in try await store.runs.allVersioned(linkedTo: plan.id.description)
            where run.status == .scheduled {
                let context = CommandContext(
                    actor: EventActor(.system, "cancellation"), reason: .intentCancelled,
                    note: "the order was cancelled", time: now())
                _ = try await store.runs.execute(
                    .cancel, id: run.id.description, context: context,
                    correlationID: event.correlationID ?? event.id, causationID: event.id)
                logger.info("cancelled run \(run.id): its order \(intentID) was cancelled")
            }
        }
    }
}
