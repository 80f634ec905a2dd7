import Foundation
import Logging
import ServiceLifecycle
import VirtualPrinter

/// Runs `service` while `body` runs with the port it reports on `ports`, then shuts it down gracefully, whether `body`
/// succeeds or throws: cancelling a server drops connections it accepted but had not yet handled, and NIO traps on
/// their unfinished writers.
public func withRunningService(
    _ service: some Service, ports: AsyncStream<Int>, logger: Logger, _ body: (Int) async throws -> Void
) async throws {
    let group = ServiceGroup(configuration: .init(services: [service], logger: logger))
    let server = Task { try await group.run() }
    do {
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        try await body(port)
    } catch {
        await group.triggerGracefulShutdown()
        _ = await server.result
        throw error
    }
    await group.triggerGracefulShutdown()
    _ = await server.result
}

/// Runs the camera stand-in (`VirtualCamera`) on a free loopback port while `body` runs.
public func withCameraStandIn(
    fps: Double = 20, hang: Duration = .seconds(10), _ body: (URL) async throws -> Void
) async throws {
    let (ports, sink) = AsyncStream<Int>.makeStream()
    var logger = Logger(label: "camera")
    logger.logLevel = .error
    let app = VirtualCamera.application(port: 0, fps: fps, hang: hang) { sink.yield($0) }
    try await withRunningService(app, ports: ports, logger: logger) { port in
        try await body(URL(string: "http://127.0.0.1:\(port)")!)
    }
}
