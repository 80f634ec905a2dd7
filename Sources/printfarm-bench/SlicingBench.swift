import ArgumentParser
import Foundation
import Slicing

/// What the slicing pipeline adds beyond the PrusaSlicer process, on the bundled sample models; and a burst of
/// slices queued at once against the concurrency limit and the machine's memory.
struct SlicingBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slicing",
        abstract: "Pipeline overhead over PrusaSlicer on its sample models, and 20 slices queued at once.")

    @Option(help: "Folder of sample models.")
    var models = "/usr/share/PrusaSlicer/shapes"

    @Option(help: "Slices per model.")
    var runs = 3

    @Option(help: "Slices queued at once in the burst.")
    var burst = 20

    func run() async throws {
        let slicer = try PrusaSlicer()
        var profile = try await slicer.defaultProfile()
        profile.settings["perimeter_generator"] = "classic"
        profile.settings["gcode_label_objects"] = "1"
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "printfarm-bench-slicing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try FileManager.default.contentsOfDirectory(atPath: models).filter { $0.hasSuffix(".stl") }.sorted()
        var totalPipeline = 0.0
        var totalProcess = 0.0
        print("model                          process s   pipeline s   added")
        for file in files {
            var pipeline: [Double] = []
            var process: [Double] = []
            for _ in 0..<runs {
                let start = DispatchTime.now().uptimeNanoseconds
                let result = try await slicer.slice(
                    SliceRequest(
                        models: ["\(models)/\(file)"], profile: profile,
                        output: folder.appendingPathComponent("out.gcode").path))
                pipeline.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                process.append(result.seconds)
            }
            let p = median(pipeline)
            let c = median(process)
            totalPipeline += p
            totalProcess += c
            print(
                file.padding(toLength: 30, withPad: " ", startingAt: 0)
                    + String(format: " %9.3f   %10.3f   %5.1f %%", c, p, (p - c) / c * 100))
        }
        print(
            String(
                format: "all models: process %.3f s, pipeline %.3f s, added %.1f %% (medians of %d runs each)",
                totalProcess, totalPipeline, (totalPipeline - totalProcess) / totalProcess * 100, runs))

        // A burst: every slice queued at once; the limit holds and memory stays bounded.
        let burstSlicer = try PrusaSlicer()
        let burstProfile = profile
        let modelFolder = models
        let sampler = Task { () -> Int in
            var lowest = Int.max
            while !Task.isCancelled {
                lowest = min(lowest, Self.availableMemoryKiB() ?? lowest)
                try? await Task.sleep(for: .milliseconds(50))
            }
            return lowest
        }
        let before = Self.availableMemoryKiB() ?? 0
        let start = DispatchTime.now().uptimeNanoseconds
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<burst {
                group.addTask {
                    _ = try await burstSlicer.slice(
                        SliceRequest(
                            models: ["\(modelFolder)/bunny.stl"], profile: burstProfile,
                            output: folder.appendingPathComponent("burst-\(index).gcode").path))
                }
            }
            try await group.waitForAll()
        }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        sampler.cancel()
        let lowest = await sampler.value
        print(
            String(
                format:
                    "burst: %d slices of bunny.stl queued at once, limit %d: done in %.1f s, peak concurrency %d, lowest available memory %d MB (from %d MB)",
                burst, ProcessInfo.processInfo.activeProcessorCount, elapsed, await burstSlicer.peakConcurrency,
                lowest / 1024, before / 1024))
    }

    static func availableMemoryKiB() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") })
        else { return nil }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1])
    }
}

private func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
}
