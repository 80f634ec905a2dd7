import FarmDomain
import FarmStore
import Foundation
import Logging
import ServiceLifecycle

/// When an intent is cancelled (by a person, the API, or its shop), its runs that have not started are cancelled too,
/// so nothing is printed for an order nobody wants. A run already dispatching or printing is left to a person: the
/// printer is working on it, and stopping it is a decision at the machine. A reaction to `intent.cancelled`, so every
/// way of cancelling gets it.
public struct CancellationReaction: EventReaction {
    let store: Store
    let now: @Sendable () -> Date
    public let logger: Logger
    public let follower: EventFollower

    public init(store: Store, now: @escaping @Sendable () -> Date, logger: Logger) {
        self.store = store
        self.now = now
        self.logger = logger
        self.follower = EventFollower(
            store: store, name: "cancellation",
            types: [EventTypeName.make(aggregate: IntentEvent.aggregate, name: "cancelled")])
    }

    public func handle(_ event: StoredEvent) async throws {
        let intentID = streamID(event, aggregate: IntentEvent.aggregate)
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
