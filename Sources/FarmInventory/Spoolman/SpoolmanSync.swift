import AsyncHTTPClient
import FarmDomain
import FarmStore
import Foundation
import Logging
import ServiceLifecycle

/// Keeps the farm in step with each connected Spoolman: every link is read again when its `pollSeconds` have passed
/// since its last read (good or failed), and what changed there is taken in as the import does. Each read's outcome
/// is the link's health (`store.linkHealth`): the Materials page and the API show it. A Spoolman that is down, slow or
/// answers garbage is an error on its link, never on the farm: the next read tries again.
public struct SpoolmanSync: Service {
    let store: Store
    /// How often the links are looked at; each is read on its own interval.
    let tick: Duration
    let now: @Sendable () -> Date
    let logger: Logger
    let http: HTTPClient

    public static let actor = EventActor(.system, "spoolman-sync")

    public init(
        store: Store, tick: Duration = .seconds(2), now: @escaping @Sendable () -> Date, logger: Logger,
        http: HTTPClient = .shared
    ) {
        self.store = store
        self.tick = tick
        self.now = now
        self.logger = logger
        self.http = http
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await syncDue()
                try? await Task.sleep(for: tick)
            }
        }
    }

    /// Reads every connected Spoolman whose interval has passed; one that fails does not stop the others.
    public func syncDue() async {
        do {
            for link in try await store.spoolmanLinks.all() where !link.retired {
                let health = try await store.linkHealth.health(of: link.id.description)
                let last = [health.lastSyncAt, health.lastErrorAt].compactMap { $0 }.max()
                if let last, now().timeIntervalSince(last) < Double(link.spec.pollSeconds) { continue }
                do {
                    try await sync(link)
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("keeping Spoolman at \(link.spec.url) in step failed: \(error)")
                }
            }
        } catch {
            logger.warning("reading the Spoolman links: \(error)")
        }
    }

    /// Reads one Spoolman now and takes in what changed there; the outcome becomes the link's health.
    @discardableResult
    public func sync(_ link: SpoolmanConnection) async throws -> SpoolmanImport.Summary {
        guard let url = URL(string: link.spec.url) else {
            throw SpoolmanError(message: "the link's address \(link.spec.url) is not a URL")
        }
        let context = CommandContext(
            actor: Self.actor, reason: .materialSynced, note: "from Spoolman at \(link.spec.url)", time: now())
        do {
            let summary = try await SpoolmanImport(store: store, client: SpoolmanClient(base: url, http: http)).run(
                context: context)
            let json = String(decoding: try JSONEncoder().encode(summary), as: UTF8.self)
            try await store.linkHealth.recordSync(of: link.id.description, at: now(), summary: json)
            return summary
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            try await store.linkHealth.recordError(String(describing: error), of: link.id.description, at: now())
            throw error
        }
    }
}
