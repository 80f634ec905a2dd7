import ArgumentParser
import FarmDomain
import FarmStore
import Foundation

/// Events per second for one writer and for several concurrent writers, each append its own durable transaction.
struct Appends: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Append throughput: one writer, then N concurrent writers.")

    @OptionGroup var storage: BenchStorage

    @Option(help: "Appends per trial (each appends one event).")
    var count = 5_000

    @Option(help: "Concurrent writers in the second part.")
    var writers = 8

    @Option(help: "Trials per part; the median is reported.")
    var trials = 3

    func run() async throws {
        let store = try await storage.open()
        do {
            let payload = Data(
                #"{"at":"2026-11-25T14:00:00.000Z","progress":{"fraction":0.5,"layer":10,"totalLayers":80}}"#.utf8)
            @Sendable func event() -> NewEvent {
                NewEvent(id: SystemIDs.uuidv7(), type: "printfarm.run.progressed.v1", time: Date(), data: payload)
            }
            say("engine: \(store.location.engine), \(count) single-event appends per trial, \(trials) trials")
            let probeStart = ContinuousClock.now
            for _ in 0..<2000 { _ = try await store.engine.read { db in try await db.raw("SELECT 1 AS one").first() } }
            say(
                "read round trip (SELECT 1), mean of 2000: \(format(secondsOf(ContinuousClock.now - probeStart) / 2000 * 1_000_000)) µs"
            )
            for writerCount in [1, writers] {
                let rates = try await measure(writers: writerCount) { perWriter in
                    let stream = "run-\(SystemIDs.uuidv7())"
                    for version in 0..<perWriter {
                        _ = try await store.events.append(
                            to: stream, expectedVersion: version, events: [event()], metadata: benchMetadata)
                    }
                }
                say(
                    "appends \(store.location.engine) writers=\(writerCount): median \(format(Summary(rates).median)) events/s (trials: \(rates.map { format($0) }.joined(separator: ", ")))"
                )
            }
            // Whole commands: load the read model, decide, append, update the read model, in one transaction.
            for writerCount in [1, writers] {
                let rates = try await measure(writers: writerCount) { perWriter in
                    let id = RunID(SystemIDs.uuidv7())
                    let context = CommandContext(
                        actor: EventActor(.system, "bench"), reason: "bench.command", time: Date())
                    _ = try await store.runs.execute(
                        .schedule(
                            id, plateID: BuildPlateID(UUID()), printerID: PrinterID(UUID()),
                            items: [PlateItem(planID: PlanID(UUID()), revision: 1)]),
                        id: id.description, context: context)
                    _ = try await store.runs.execute(.beginDispatch(token: "t"), id: id.description, context: context)
                    _ = try await store.runs.execute(.confirmStarted(token: "t"), id: id.description, context: context)
                    for step in 0..<max(0, perWriter - 3) {
                        _ = try await store.runs.execute(
                            .reportProgress(RunProgress(fraction: Double(step) / Double(perWriter), layer: step)),
                            id: id.description, context: context)
                    }
                }
                say(
                    "commands \(store.location.engine) writers=\(writerCount): median \(format(Summary(rates).median)) commands/s, one event each (trials: \(rates.map { format($0) }.joined(separator: ", ")))"
                )
            }
            await store.shutdown()
        } catch {
            await store.shutdown()
            throw error
        }
    }

    /// Operations per second in each trial: `writers` tasks each run `work` with their share of `count`.
    private func measure(writers: Int, _ work: @escaping @Sendable (_ perWriter: Int) async throws -> Void) async throws
        -> [Double]
    {
        var rates: [Double] = []
        for _ in 0..<trials {
            let perWriter = count / writers
            let start = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<writers { group.addTask { try await work(perWriter) } }
                try await group.waitForAll()
            }
            rates.append(Double(perWriter * writers) / secondsOf(ContinuousClock.now - start))
        }
        return rates
    }
}
