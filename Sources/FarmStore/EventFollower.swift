import FarmDomain
import Foundation
import SQLKit

/// Follows the event log for one reaction (preflight a received intent, …): hands each new event of its types to a
/// handler, in order, and records how far it got in `reaction_cursors`, so after a restart it goes on where it
/// stopped. Delivery is at least once: a handler must do nothing when its work is already done.
public struct EventFollower: Sendable {
    let store: Store
    public let name: String
    public let types: Set<String>
    /// Where this process has read to, and what it last wrote down.
    let memory = Memory()

    final class Memory: @unchecked Sendable {
        let lock = NSLock()
        var read: Int64?
        var saved: Int64 = 0
    }

    public init(store: Store, name: String, types: Set<String>) {
        self.store = store
        self.name = name
        self.types = types
    }

    /// Reads and handles everything appended since the last pass; returns how many events were handled. A handler
    /// that throws stops the pass before that event (it is handed over again next time).
    ///
    /// The position is kept in memory and written only after a handled event or every thousand events: on a busy
    /// farm most appends are telemetry no reaction wants, and a write per append beside the production loop's own
    /// slowed a loaded SQLite farm. After a restart the few events since the last write are read again and passed
    /// over.
    @discardableResult
    public func pass(pageSize: Int = 500, handle: (StoredEvent) async throws -> Void) async throws -> Int {
        var cursor: Int64
        if let read = memory.lock.withLock({ memory.read }) {
            cursor = read
        } else {
            cursor = try await position()
            memory.lock.withLock { memory.saved = cursor }
        }
        var handled = 0
        while true {
            let page = try await store.events.read(after: cursor, limit: pageSize)
            var handledHere = 0
            for event in page {
                if types.contains(event.type) {
                    try await handle(event)
                    handledHere += 1
                }
                cursor = event.sequence
                let reached = cursor
                memory.lock.withLock { memory.read = reached }
            }
            handled += handledHere
            let behind = cursor - memory.lock.withLock { memory.saved }
            if handledHere > 0 || behind >= 1000 {
                try await save(cursor)
                let saved = cursor
                memory.lock.withLock { memory.saved = saved }
            }
            if page.count < pageSize { return handled }
        }
    }

    /// Passes until cancelled: after every append in this process, and at least every `interval` (for appends made
    /// by other processes on the same database). A failing pass is reported and tried again.
    public func run(
        every interval: Duration = .seconds(5), onError: @escaping @Sendable (any Error) -> Void,
        handle: @escaping @Sendable (StoredEvent) async throws -> Void
    ) async {
        let appends = store.broadcaster.subscribe()
        let wakeups = AsyncStream<Void> { continuation in
            let listener = Task {
                for await _ in appends { continuation.yield() }
                continuation.finish()
            }
            let ticker = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    continuation.yield()
                }
            }
            continuation.onTermination = { _ in
                listener.cancel()
                ticker.cancel()
            }
        }
        func passReporting() async {
            do {
                try await pass(handle: handle)
            } catch is CancellationError {
                // Shutting down: not a failure.
            } catch {
                onError(error)
            }
        }
        await passReporting()
        for await _ in wakeups {
            if Task.isCancelled { break }
            await passReporting()
        }
    }

    func position() async throws -> Int64 {
        try await store.engine.read { db in
            try await db.raw("SELECT position FROM reaction_cursors WHERE name = \(bind: name)").first()
                .map { try $0.decode(column: "position", as: Int64.self) } ?? 0
        }
    }

    func save(_ position: Int64) async throws {
        let now = Timestamps.format(Date())
        try await store.engine.transaction { db in
            try await db.raw(
                """
                INSERT INTO reaction_cursors (name, position, updated_at)
                VALUES (\(bind: name), \(bind: position), \(bind: now))
                ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at
                """
            ).run()
        }
    }
}
