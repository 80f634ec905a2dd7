import ArgumentParser
import FarmArtifacts
import FarmDomain
import FarmProduction
import FarmServer
import FarmStore
import Foundation
import Logging

/// What one production-loop pass costs with a long history stored: reading the farm and planning. Side by side in
/// one run: the loop as it was (every run and plate read and decoded each pass, the planner over all of them)
/// and as it is (open orders read, runs followed through the event log). Between passes the printing runs report
/// progress, so the catch-up has real work.
struct LoopPassBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loop-pass",
        abstract:
            "Production loop pass (read + plan) with N stored runs: full read vs event-log catch-up, side by side.")

    @OptionGroup var storage: BenchStorage

    @Option(help: "Finished runs stored (each with its plate, passed QA).")
    var runs = 100_000

    @Option(help: "Registered printers.")
    var printers = 1_000

    @Option(help: "Open orders in production, each with a plan and a run printing.")
    var orders = 200

    @Option(help: "Passes measured of each kind.")
    var passes = 20

    @Option(help: "Progress reports recorded between passes.")
    var changes = 200

    func run() async throws {
        let store = try await storage.open()
        do {
            try await measure(store)
            await store.shutdown()
        } catch {
            await store.shutdown()
            throw error
        }
    }

    private func measure(_ store: Store) async throws {
        let context = CommandContext(actor: EventActor(.system, "bench"), reason: "bench.seed", time: Date())
        let started = ContinuousClock.now
        let (_, printing, events) = try await FarmSeed.farm(store, printers: printers, runs: runs, orders: orders)
        say(
            "seeded \(printers) printers, \(runs) finished runs with plates (\(events) events), \(orders) open orders printing in \(format(secondsOf(ContinuousClock.now - started), 1)) s"
        )

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "printfarm-bench-loop-\(UUID().uuidString)")
        let artifacts = try ArtifactStore(root: directory)
        defer { try? FileManager.default.removeItem(at: directory) }
        let planner = ProductionPlanner(settings: ProductionSettings())
        let loop = ProductionLoop.reader(store: store, settings: ProductionSettings())
        let first = ContinuousClock.now
        _ = planner.steps(try await loop.snapshot())
        say(
            "catch-up loop's first pass (its full read): \(format(secondsOf(ContinuousClock.now - first) * 1000, 0)) ms"
        )

        var before: [Double] = []
        var after: [Double] = []
        var held: Int = 0
        var steps = 0
        var progress = 0
        for _ in 0..<passes {
            for index in 0..<changes {
                progress += 1
                let run = printing[(progress * 7 + index) % printing.count]
                _ = try await store.runs.execute(
                    .reportProgress(
                        RunProgress(
                            fraction: Double(progress % 99 + 1) / 100, layer: progress % 200 + 1, totalLayers: 200)),
                    id: run.description,
                    context: context)
            }
            // As it was: everything read and decoded, the planner over every run.
            var clock = ContinuousClock.now
            let old = try await Self.fullSnapshot(store)
            steps = planner.steps(old).count
            before.append(secondsOf(ContinuousClock.now - clock) * 1000)
            // As it is.
            clock = ContinuousClock.now
            let farm = try await loop.snapshot()
            let newSteps = planner.steps(farm).count
            after.append(secondsOf(ContinuousClock.now - clock) * 1000)
            held = farm.runs.count
            guard newSteps == steps else {
                throw ValidationError("the two readings planned differently: \(steps) vs \(newSteps) steps")
            }
        }
        let full = await loop.fullReads
        let old = Summary(before)
        let new = Summary(after)
        say(
            "loop pass \(store.location.engine), \(runs + orders) runs stored, \(changes) progress reports between passes, \(passes) passes each, \(steps) steps planned per pass:"
        )
        say(
            "  full read every pass:  median \(format(old.median, 1)) ms  p90 \(format(old.percentile(90), 1)) ms  (\(runs + orders) runs in the snapshot)"
        )
        say(
            "  event-log catch-up:    median \(format(new.median, 2)) ms  p90 \(format(new.percentile(90), 2)) ms  (\(held) runs held; \(full) full read)"
        )
    }

    /// What the loop read each pass before it kept a working set: every open intent and plan, every run, every plate.
    static func fullSnapshot(_ store: Store) async throws -> FarmSnapshot {
        var intents: [Intent] = []
        for status in [IntentStatus.preflighted, .accepted, .inProduction] {
            intents += try await store.intents.all(status: status.rawValue)
        }
        var plans: [Plan] = []
        for intent in intents where intent.status == .inProduction {
            plans += try await store.plans.list(ref: intent.id.description, limit: 500).map {
                try StoreCoding.decoder().decode(Plan.self, from: $0.body)
            }
        }
        let runs = try await store.runs.all()
        let passedPlates = Set(runs.filter { $0.qa == .passed }.map(\.plateID))
        let proven = Set(
            try await store.plates.all().filter { passedPlates.contains($0.id) }.compactMap(\.gcodeArtifact))
        for sha in Set(intents.flatMap { $0.lineItems.compactMap(\.modelArtifact) }) {
            _ = try await store.artifacts.get(id: sha)
        }
        _ = try await store.profileBindings.all()
        return FarmSnapshot(
            now: Date(), intents: intents, plans: plans, runs: runs, printers: try await store.printers.all(),
            models: [:], profiles: [:], gcode: [:], provenGCode: proven)
    }
}
