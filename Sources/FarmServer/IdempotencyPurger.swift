import FarmStore
import Foundation
import Logging
import ServiceLifecycle

/// Deletes idempotency records once a retry can no longer need them, every `interval`. Several processes on one
/// database may each run it: deleting what another already deleted is harmless.
struct IdempotencyPurger: Service {
    let store: IdempotencyStore
    let now: @Sendable () -> Date
    let logger: Logger
    /// How long a key answers retries (as Stripe keeps its keys: a day).
    static let retention: TimeInterval = 24 * 3600
    var interval: Duration = .seconds(3600)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let purged = try await store.purge(before: now().addingTimeInterval(-Self.retention))
                    if purged > 0 { logger.info("purged \(purged) idempotency records older than a day") }
                } catch {
                    logger.warning("cannot purge old idempotency records: \(error)")
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
