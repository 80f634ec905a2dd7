import ArgumentParser
import FarmDomain
import FarmStore
import Foundation
import Logging
import NIOCore
import NIOPosix

@main
struct Bench: AsyncParsableCommand {
    static func main() async {
        // Same executor as `printfarm` itself, so the figures are the server's.
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }

    static let configuration = CommandConfiguration(
        commandName: "printfarm-bench",
        abstract: "Measure Print Farm OS: append throughput, projection replay, API latency under constant load.",
        discussion: "Build with `swift build -c release`; scripts/bench runs all three on SQLite and PostgreSQL.",
        subcommands: [
            Appends.self, Replay.self, API.self, MeshBench.self, MeshAnalyse.self, MeshPhases.self, SlicingBench.self,
            SliceCacheBench.self, FarmDayBench.self, LoopPassBench.self, BoardBench.self, ShopBench.self,
            SchedulingBench.self, PlatesBench.self, OctoPrintBench.self, CameraBench.self, TraceBench.self,
        ])
}

struct BenchStorage: ParsableArguments {
    @Option(
        name: .customLong("database-url"),
        help: "postgres://… or a SQLite file path (default: a new SQLite file in a temporary directory).")
    var databaseURL: String?

    func open(logger: Logger = Logger(label: "bench")) async throws -> Store {
        let location: StorageLocation
        if let databaseURL {
            location = try StorageLocation(url: databaseURL)
        } else {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "printfarm-bench-\(UUID().uuidString)")
            location = .sqlite(path: directory.appendingPathComponent("farm.sqlite").path)
        }
        var quiet = logger
        quiet.logLevel = .warning
        return try await Store.open(location, logger: quiet)
    }
}

/// Medians and percentiles of measured values.
struct Summary {
    var values: [Double]
    init(_ values: [Double]) { self.values = values.sorted() }
    func percentile(_ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let index = min(values.count - 1, max(0, Int((p / 100 * Double(values.count)).rounded(.up)) - 1))
        return values[index]
    }
    var median: Double { percentile(50) }
}

func secondsOf(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// Prints a line at once, even when stdout is a pipe.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func format(_ value: Double, _ digits: Int = 0) -> String { String(format: "%.\(digits)f", value) }

let benchMetadata = EventMetadata(actor: EventActor(.system, "bench"), reason: "bench.seed")
