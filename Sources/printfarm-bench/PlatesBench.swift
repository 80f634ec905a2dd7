import ArgumentParser
import FarmPlates
import FarmScheduling
import Foundation
import MeshKit
import Slicing

/// The plate composer on a realistic mix: the shapes PrusaSlicer ships and parts of our own in mixed sizes, several
/// materials and colours, due dates over two days. Reports the composing time (median), plates, parts per plate and
/// bed fill by the estimate, and how many of the first plates the slicer itself then arranges.
struct PlatesBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plates", abstract: "Compose plates of 1,000 waiting items: time, fill, parts per plate.")

    @Option(help: "Waiting items (plan revisions), each 1–4 copies.") var items = 1000
    @Option(help: "Times to compose (the median is reported).") var runs = 21
    @Option(help: "Plates of shipped shapes to hand to PrusaSlicer's arrangement afterwards (0: none).")
    var slice = 6
    @Option(help: "The seed of the mix.") var seed: UInt64 = 1

    static let shapes = "/usr/share/PrusaSlicer/shapes"

    func run() async throws {
        // The shipped shapes with their footprints (read with MeshKit), and parts of our own.
        var catalogue: [(name: String, width: Double, depth: Double, path: String?)] = []
        for file in (try? FileManager.default.contentsOfDirectory(atPath: Self.shapes))?.sorted() ?? []
        where file.hasSuffix(".stl") {
            let path = "\(Self.shapes)/\(file)"
            guard
                let box = try? ModelReader(options: AnalysisOptions(wallThicknessSamples: 0)).analyse(.file(path: path))
                    .analysis.boundingBox
            else { continue }
            catalogue.append((file, box.size.x, box.size.y, path))
        }
        for (name, width, depth) in [
            ("bracket", 40.0, 25.0), ("lid", 60.0, 60.0), ("clip", 25.0, 10.0), ("tray", 120.0, 80.0),
            ("knob", 30.0, 30.0), ("panel", 150.0, 100.0),
        ] {
            catalogue.append((name, width, depth, nil))
        }
        var random = SplitMix64(seed: seed)
        let groups = ["PLA|black", "PLA|white", "PLA|red", "PETG|black", "PETG|grey", "ABS|black"]
        var waiting: [WaitingPart] = []
        for index in 0..<items {
            let shape = catalogue[random.below(catalogue.count)]
            waiting.append(
                WaitingPart(
                    item: "\(index)|\(shape.name)", group: groups[random.below(groups.count)], width: shape.width,
                    depth: shape.depth, copies: 1 + random.below(4), minutes: 20 + random.below(160),
                    due: 360 + random.below(2520), weight: random.below(10) == 0 ? 5 : 1,
                    printers: Set((0..<20).map { "p\($0)" })))
        }
        let bed = Bed(width: 250, depth: 210, spacing: 6)
        let beds = Dictionary(uniqueKeysWithValues: groups.map { ($0, bed) })
        let composer = PlateComposer()
        var times: [Double] = []
        var result = composer.compose(waiting, open: [], beds: beds)
        for _ in 0..<runs {
            let started = ContinuousClock.now
            result = composer.compose(waiting, open: [], beds: beds)
            let elapsed = ContinuousClock.now - started
            times.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
        }
        times.sort()
        let plates = result.plates
        let parts = plates.reduce(0) { $0 + $1.copies }
        let fill = plates.reduce(0.0) { $0 + $1.fill } / Double(max(1, plates.count))
        let full = plates.filter { $0.fill >= 0.5 }.count
        let waitingParts = waiting.reduce(0) { $0 + $1.copies }
        print(
            "composer: \(items) waiting items (\(waitingParts) parts, \(catalogue.count) shapes, "
                + "\(groups.count) material/colour groups) → \(plates.count) plates, "
                + String(format: "%.1f", Double(parts) / Double(max(1, plates.count))) + " parts per plate, mean fill "
                + String(format: "%.1f %%", fill * 100) + ", \(full) plates at least half full; unplaced "
                + "\(result.unplaced.count)")
        print(
            String(
                format: "composing time: median %.1f ms, fastest %.1f ms, slowest %.1f ms over %d runs",
                times[times.count / 2],
                times.first ?? 0, times.last ?? 0, times.count))
        guard slice > 0 else { return }
        // The slicer's own arrangement of plates made only of shipped shapes, on its 200 × 200 mm default bed.
        let slicer = try PrusaSlicer()
        let profile = try await slicer.defaultProfile()
        let shipped = waiting.filter { part in
            catalogue.contains { $0.path != nil && part.item.hasSuffix("|\($0.name)") }
        }
        let small = composer.compose(
            shipped, open: [], beds: Dictionary(uniqueKeysWithValues: groups.map { ($0, Bed(width: 200, depth: 200)) }))
        var accepted = 0
        var tried = 0
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pf-plates-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // The fullest plates: where the estimate could ask more than the slicer gives.
        for plate in small.plates.sorted(by: { $0.fill > $1.fill }).prefix(slice) {
            tried += 1
            var models: [String] = []
            for part in plate.parts {
                let name = String(part.item.split(separator: "|").last ?? "")
                models += Array(repeating: "\(Self.shapes)/\(name)", count: part.copies)
            }
            let started = ContinuousClock.now
            do {
                _ = try await slicer.slice(
                    SliceRequest(
                        models: models, profile: profile, output: folder.appendingPathComponent("p.gcode").path,
                        merge: true))
                accepted += 1
                print(
                    "  plate of \(plate.copies) parts, estimate \(String(format: "%.0f %%", plate.fill * 100)): "
                        + "arranged and sliced in \(ContinuousClock.now - started)")
            } catch {
                print(
                    "  plate of \(plate.copies) parts, estimate \(String(format: "%.0f %%", plate.fill * 100)): "
                        + "refused: \(error)")
            }
        }
        print("PrusaSlicer arranged \(accepted) of the \(tried) fullest plates the estimate made of its shipped shapes")
    }
}

extension SplitMix64 {
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(1, n))) }
}
