import Foundation

/// Tells live subscribers (the event stream endpoints) that events were appended in this process.
/// Subscribers then read from the store, so a missed signal costs latency, never an event.
public final class EventBroadcaster: @unchecked Sendable {
    private let lock = NSLock()
    private var continuations: [UUID: AsyncStream<Int64>.Continuation] = [:]
    private var published: Int64 = 0

    /// Events appended through this store since it opened (every repository's appends).
    public var publishedCount: Int64 { lock.withLock { published } }

    public init() {}

    /// A stream of head sequences; ends when the subscriber's task is cancelled.
    public func subscribe() -> AsyncStream<Int64> {
        let id = UUID()
        let (stream, continuation) = AsyncStream<Int64>.makeStream(bufferingPolicy: .bufferingNewest(1))
        continuation.onTermination = { [weak self] _ in self?.remove(id) }
        lock.withLock { continuations[id] = continuation }
        return stream
    }

    public func publish(_ events: [StoredEvent]) {
        guard let head = events.map(\.sequence).max() else { return }
        let targets = lock.withLock {
            published += Int64(events.count)
            return Array(continuations.values)
        }
        for continuation in targets { continuation.yield(head) }
    }

    private func remove(_ id: UUID) {
        _ = lock.withLock { continuations.removeValue(forKey: id) }
    }
}
