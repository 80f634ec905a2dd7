import Foundation

/// A connector's one push socket (Moonraker's `/websocket`, OctoPrint's SockJS socket) as its actor holds it: what
/// to send on it, and the attempt under way, given up when its upgrade never completes (a host that accepts the
/// connection and then says nothing would otherwise hold the connector forever).
struct SessionSocket {
    /// How long an upgrade may take before the attempt is given up.
    var upgradeLimit: Duration = .seconds(10)
    private var outgoing: AsyncStream<String?>.Continuation?
    private var openingSince: ContinuousClock.Instant?
    private var attempt: Task<PlainWebSocket.Closed, Never>?

    /// Begins an attempt at `base` + `path`; await the returned task for how it ended, then call `ended()`.
    mutating func open(
        base: URL, path: String, onOpen: @escaping @Sendable () async -> Void,
        onText: @escaping @Sendable (String) async -> Void
    ) -> Task<PlainWebSocket.Closed, Never> {
        openingSince = .now
        let (stream, sink) = AsyncStream<String?>.makeStream()
        outgoing = sink
        let task = PlainWebSocket.open(base: base, path: path, outgoing: stream, onOpen: onOpen, onText: onText)
        attempt = task
        return task
    }

    /// The upgrade completed.
    mutating func opened() { openingSince = nil }

    mutating func ended() {
        outgoing?.finish()
        outgoing = nil
        openingSince = nil
    }

    func send(_ text: String) { outgoing?.yield(text) }

    /// Closes the socket normally.
    mutating func close() {
        outgoing?.yield(nil)
        outgoing?.finish()
        outgoing = nil
    }

    /// On each tick: an attempt whose upgrade has taken longer than the limit is cancelled (it then ends as closed).
    mutating func giveUpIfStuck() {
        if let since = openingSince, ContinuousClock.now - since > upgradeLimit {
            openingSince = nil
            attempt?.cancel()
        }
    }

    func cancel() { attempt?.cancel() }
}

extension ContinuousClock.Instant {
    /// Seconds since `start`, as the sans-IO sessions count time.
    func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = self - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
