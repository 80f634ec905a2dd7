import FarmDomain
import FarmIntake
import FarmStore
import Foundation
import Logging
import ServiceLifecycle

/// Preflights every received intent, whichever way it came in (the API, a shop, the demo, another process): a
/// reaction to `intent.received`, recorded as the intent's `preflighted` event. An intent already preflighted (the
/// API route does it before answering) is left alone, so running it again, or in two processes, changes nothing; so
/// is one with no model at all yet.
public struct PreflightReaction: EventReaction {
    let store: Store
    let preflighting: IntentPreflighting
    let now: @Sendable () -> Date
    public let logger: Logger
    public let follower: EventFollower

    public init(store: Store, preflighting: IntentPreflighting, now: @escaping @Sendable () -> Date, logger: Logger) {
        self.store = store
        self.preflighting = preflighting
        self.now = now
        self.logger = logger
        self.follower = EventFollower(
            store: store, name: "preflight",
            types: [EventTypeName.make(aggregate: IntentEvent.aggregate, name: "received")])
    }

    public func handle(_ event: StoredEvent) async throws {
        let id = streamID(event, aggregate: IntentEvent.aggregate)
        // As the API does: an order without any model yet (models come later) is not judged until one is attached.
        guard let intent = try await store.intents.get(id: id)?.model, intent.status == .received,
            intent.preflight == nil, intent.lineItems.contains(where: { $0.modelArtifact != nil })
        else { return }
        let context = CommandContext(actor: EventActor(.system, "preflight"), reason: .preflightPassed, time: now())
        let outcome = try await preflighting.run(
            intentID: id, context: context, correlationID: event.correlationID ?? event.id)
        logger.info("preflighted intent \(id): \(outcome.model.preflight?.rawValue ?? "none")")
    }
}
