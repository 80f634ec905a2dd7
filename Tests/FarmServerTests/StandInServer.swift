import Hummingbird
import ServiceLifecycle

/// Serves a shop stand-in's routes on a free port of 127.0.0.1 until the returned task is cancelled.
func serveStandIn(_ router: Router<BasicRequestContext>) async throws -> (port: Int, task: Task<Void, any Error>) {
    let (ports, sink) = AsyncStream<Int>.makeStream()
    let app = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { sink.yield($0.localAddress?.port ?? 0) })
    // why: cancelling a Hummingbird server drops connections it accepted but had not handled, and NIO traps on their
    // unfinished writers; cancelling this task shuts the server down gracefully instead.
    let group = ServiceGroup(configuration: .init(services: [app], logger: app.logger))
    let runner = Task { try await group.run() }
    let task = Task {
        try await withTaskCancellationHandler {
            try await runner.value
        } onCancel: {
            Task { await group.triggerGracefulShutdown() }
        }
    }
    var iterator = ports.makeAsyncIterator()
    guard let port = await iterator.next() else { throw CancellationError() }
    return (port, task)
}

/// A JSON object a stand-in received, handed to the test as it was parsed.
struct ReceivedJSON: @unchecked Sendable {
    let value: [String: Any]
    subscript(key: String) -> Any? { value[key] }
}
