import Hummingbird

/// Serves a shop stand-in's routes on a free port of 127.0.0.1 until the returned task is cancelled.
func serveStandIn(_ router: Router<BasicRequestContext>) async throws -> (port: Int, task: Task<Void, any Error>) {
    let (ports, sink) = AsyncStream<Int>.makeStream()
    let app = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { sink.yield($0.localAddress?.port ?? 0) })
    let task = Task { try await app.runService(gracefulShutdownSignals: []) }
    var iterator = ports.makeAsyncIterator()
    guard let port = await iterator.next() else { throw CancellationError() }
    return (port, task)
}

/// A JSON object a stand-in received, handed to the test as it was parsed.
struct ReceivedJSON: @unchecked Sendable {
    let value: [String: Any]
    subscript(key: String) -> Any? { value[key] }
}
