import ArgumentParser
import FarmServer
import FarmStore
import Foundation
import Logging
import ServiceLifecycle

/// The real server on a benchmark's database, in this process, for the benchmarks that measure over HTTP.
struct BenchServer {
    let port: Int
    private let services: ServiceGroup
    private let task: Task<Void, any Error>

    /// Starts on a free loopback port; `location` is the store the benchmark seeded (and has shut down).
    /// `connectPrinters`: whether the fleet and the production loop run (off when the seeded printers are not real).
    static func start(_ location: StorageLocation, storage: BenchStorage, logger: Logger, connectPrinters: Bool = true)
        async throws -> BenchServer
    {
        let databaseURL: String
        switch location {
        case .sqlite(let path): databaseURL = path
        case .postgres: databaseURL = storage.databaseURL!
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "printfarm-bench-server-\(UUID().uuidString)")
        var configuration = ServerConfiguration(
            port: 0, dataDirectory: directory, databaseURL: databaseURL, logLevel: .warning)
        configuration.connectPrinters = connectPrinters
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let app = try await buildApplication(
            configuration: configuration,
            dependencies: ServerDependencies(onServerRunning: { portContinuation.yield($0) }), logger: logger)
        let services = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task { try await services.run() }
        var portIterator = ports.makeAsyncIterator()
        guard let port = await portIterator.next() else { throw ValidationError("the server did not start") }
        return BenchServer(port: port, services: services, task: task)
    }

    func stop() async throws {
        await services.triggerGracefulShutdown()
        try await task.value
    }
}
