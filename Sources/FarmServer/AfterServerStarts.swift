import ServiceLifecycle
import Synchronization

/// Opens once the HTTP server listens. Work that acts on the farm (the printer connections, the production loop)
/// waits for it, so a `serve` that cannot bind its port fails before it has touched a printer or an order.
final class ServerStarted: Sendable {
    private let state = Mutex<(open: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

    func open() {
        let waiting = state.withLock { state in
            state.open = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }

    /// Returns when the server listens, or at once when the task is cancelled (it then never opens for this caller).
    func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state in
                    if state.open || Task.isCancelled { return true }
                    state.waiting.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiting = state.withLock { state in
                defer { state.waiting = [] }
                return state.waiting
            }
            for continuation in waiting { continuation.resume() }
        }
    }

    var isOpen: Bool { state.withLock { $0.open } }
}

/// Runs `service` only once the server listens; on a shutdown (or a failed bind) before that, never.
struct AfterServerStarts<Inner: Service>: Service {
    let started: ServerStarted
    let inner: Inner

    func run() async throws {
        await cancelWhenGracefulShutdown { await started.wait() }
        guard started.isOpen, !Task.isCancelled else { return }
        try await inner.run()
    }
}
