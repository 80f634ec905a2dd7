import ArgumentParser
import FarmDomain
import FarmStore
import Foundation

/// Seeds a history of runs (ten events each: scheduled, dispatched, started, six progress reports, completed)
/// and times a full projection rebuild from it.
struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Seed N events of realistic run history, then rebuild all projections from them.")

    @OptionGroup var storage: BenchStorage

    @Option(help: "Events to seed (in runs of ten events).")
    var events = 1_000_000

    @Flag(help: "Skip seeding (the database already holds the history).")
    var noSeed = false

    func run() async throws {
        let store = try await storage.open()
        do {
            if !noSeed {
                let start = ContinuousClock.now
                let seeded = try await Self.seed(store, runs: events / 10)
                say("seeded \(seeded) events in \(format(secondsOf(ContinuousClock.now - start), 1)) s")
            }
            let report = try await store.projections.rebuild()
            say(
                "replay \(store.location.engine): \(report.events) events into \(report.streams) read models in \(format(report.seconds, 2)) s (\(format(Double(report.events) / report.seconds)) events/s)"
            )
            await store.shutdown()
        } catch {
            await store.shutdown()
            throw error
        }
    }

    /// Appends `runs` runs of ten events, a thousand runs per transaction. Returns the events written. With
    /// `inspected`, each run also has its plate (composed, frozen with G-code) and passes QA.
    static func seed(
        _ store: Store, runs: Int, printerIDs: [PrinterID] = (0..<100).map { _ in PrinterID(SystemIDs.uuidv7()) },
        inspected: Bool = false
    ) async throws -> Int {
        let encoder = StoreCoding.encoder()
        let base = Date(timeIntervalSince1970: 1_790_000_000)
        let printers = printerIDs.count
        var written = 0
        var batch: [(stream: String, expectedVersion: Int, events: [NewEvent])] = []
        for index in 0..<runs {
            let id = RunID(SystemIDs.uuidv7())
            let time = base.addingTimeInterval(Double(index) * 60)
            let context = CommandContext(actor: EventActor(.system, "bench"), reason: "bench.seed", time: time)
            let plan = PlanID(UUID())
            let plate = BuildPlateID(UUID())
            let items = [PlateItem(planID: plan, revision: 1, copies: 2)]
            var commands: [RunCommand] = [
                .schedule(id, plateID: plate, printerID: printerIDs[index % printers], items: items),
                .beginDispatch(token: "claim-\(index)"), .confirmStarted(token: "claim-\(index)"),
            ]
            for step in 1...6 {
                commands.append(
                    .reportProgress(
                        RunProgress(
                            fraction: Double(step) / 7, layer: step * 10, totalLayers: 70,
                            elapsedSeconds: Double(step) * 600)))
            }
            commands.append(.complete)
            if inspected {
                commands.append(.inspect(planID: plan, passed: true))
                var plateState = BuildPlateDecider.initialState
                var plateEvents: [NewEvent] = []
                for command in [
                    BuildPlateCommand.compose(plate, items: items), .freeze(gcodeArtifact: "gcode-\(index % 500)"),
                ] {
                    for event in try BuildPlateDecider.decide(command, state: plateState, context: context) {
                        plateState = BuildPlateDecider.evolve(plateState, event)
                        plateEvents.append(
                            NewEvent(
                                id: SystemIDs.uuidv7(), type: event.eventType, time: time,
                                data: try event.encodeData(encoder)))
                    }
                }
                batch.append((BuildPlateDecider.stream(plate), 0, plateEvents))
            }
            var state = RunDecider.initialState
            var events: [NewEvent] = []
            for command in commands {
                for event in try RunDecider.decide(command, state: state, context: context) {
                    state = RunDecider.evolve(state, event)
                    events.append(
                        NewEvent(
                            id: SystemIDs.uuidv7(), type: event.eventType, time: time,
                            data: try event.encodeData(encoder)))
                }
            }
            batch.append((RunDecider.stream(id), 0, events))
            if batch.count >= 1000 || index == runs - 1 {
                written += try await store.events.append(batch: batch, metadata: benchMetadata)
                batch.removeAll(keepingCapacity: true)
            }
        }
        return written
    }
}
