import ArgumentParser
import Foundation
import MeshKit

/// Full model analysis by MeshKit against `admesh -e` on the same large binary STL, side by side in one run. Each
/// analysis runs in its own process so that its peak memory (max RSS from wait4) is its own.
struct MeshBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mesh",
        abstract: "MeshKit vs admesh -e on a finely tessellated sphere (about 4 M triangles, 200 MB).")

    @Option(help: "Triangles in the generated sphere.")
    var triangles = 4_000_000

    @Option(help: "The STL to use (generated there if missing).")
    var file = FileManager.default.temporaryDirectory.appendingPathComponent("printfarm-bench-sphere.stl").path

    @Option(help: "Runs of each contender (alternating); medians are reported.")
    var runs = 5

    func run() throws {
        if !FileManager.default.fileExists(atPath: file) { try Self.writeSphere(triangles: triangles, to: file) }
        let size = try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int ?? 0
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
        let contenders: [(String, [String])] = [
            (
                "MeshKit: read, weld, edges, shells, volume (+ overhangs, footprint; no wall thickness)",
                [me, "mesh-analyse", file, "--wall-samples", "0"]
            ),
            (
                "MeshKit: full preflight analysis (+ overhangs, footprint, 2048 thickness rays)",
                [me, "mesh-analyse", file, "--wall-samples", "2048"]
            ),
            ("admesh -e", ["/usr/bin/admesh", "-e", file]),
        ]
        print("file: \(file), \(size / 1_000_000) MB; \(runs) runs each, alternating")
        var seconds = [[Double]](repeating: [], count: contenders.count)
        var memory = [[Int]](repeating: [], count: contenders.count)
        for _ in 0..<runs {
            for (index, contender) in contenders.enumerated() {
                let (elapsed, peak) = try Self.spawn(contender.1)
                seconds[index].append(elapsed)
                memory[index].append(peak)
            }
        }
        let admesh = median(seconds[contenders.count - 1])
        for (index, contender) in contenders.enumerated() {
            let time = median(seconds[index])
            let peak = memory[index].max() ?? 0
            print(
                String(
                    format:
                        "%@\n    median %.3f s (min %.3f, max %.3f), peak RSS %d MB = %.2f × file, %.1f× admesh's speed",
                    contender.0, time, seconds[index].min() ?? 0, seconds[index].max() ?? 0, peak / 1_000_000,
                    Double(peak) / Double(max(size, 1)), admesh / time))
        }
    }

    /// Runs a command to completion; returns wall time and the child's peak resident memory in bytes.
    static func spawn(_ arguments: [String]) throws -> (Double, Int) {
        var pid: pid_t = 0
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        let argv = arguments.map { strdup($0) } + [nil]
        defer { for arg in argv { free(arg) } }
        let start = DispatchTime.now().uptimeNanoseconds
        guard posix_spawn(&pid, arguments[0], &actions, nil, argv, environ) == 0 else {
            throw ValidationError("cannot run \(arguments[0])")
        }
        var status: Int32 = 0
        var usage = rusage()
        wait4(pid, &status, 0, &usage)
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        guard status == 0 else {
            throw ValidationError("\(arguments.joined(separator: " ")) exited with status \(status)")
        }
        return (elapsed, usage.ru_maxrss * 1024)
    }

    /// A UV sphere of radius 100 mm with about `triangles` triangles, written as binary STL in chunks.
    static func writeSphere(triangles: Int, to path: String) throws {
        let side: Double = (Double(triangles) / 2).squareRoot() * 1.4142
        let segments = max(8, Int(side) / 2 * 2)
        let rings = triangles / (2 * segments) + 1
        let count = 2 * segments * (rings - 1)
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let handle = FileHandle(forWritingAtPath: path)
        else {
            throw ValidationError("cannot write \(path)")
        }
        defer { try? handle.close() }
        var buffer = Data(count: 80)
        withUnsafeBytes(of: UInt32(count).littleEndian) { buffer.append(contentsOf: $0) }
        func point(_ ring: Int, _ segment: Int) -> SIMD3<Float> {
            if ring == 0 { return [0, 0, 100] }
            if ring == rings { return [0, 0, -100] }
            let theta: Double = Double.pi * Double(ring) / Double(rings)
            let phi: Double = 2 * Double.pi * Double(segment % segments) / Double(segments)
            let x: Double = 100 * sin(theta) * cos(phi)
            let y: Double = 100 * sin(theta) * sin(phi)
            let z: Double = 100 * cos(theta)
            return SIMD3(Float(x), Float(y), Float(z))
        }
        func add(_ a: SIMD3<Float>, _ b: SIMD3<Float>, _ c: SIMD3<Float>) {
            buffer.append(Data(count: 12))
            for v in [a, b, c] {
                for value in [v.x, v.y, v.z] {
                    withUnsafeBytes(of: value.bitPattern.littleEndian) { buffer.append(contentsOf: $0) }
                }
            }
            buffer.append(contentsOf: [0, 0])
        }
        for ring in 0..<rings {
            for segment in 0..<segments {
                let a = point(ring, segment)
                let b = point(ring + 1, segment)
                let c = point(ring + 1, segment + 1)
                let d = point(ring, segment + 1)
                if ring != 0 { add(a, b, d) }
                if ring != rings - 1 { add(b, c, d) }
            }
            if buffer.count > 1 << 22 {
                handle.write(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        handle.write(buffer)
    }
}

/// The child the mesh benchmark times: one analysis of one file.
struct MeshAnalyse: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mesh-analyse", abstract: "Analyse one model file (used by `mesh`).", shouldDisplay: false)

    @Argument var file: String
    @Option(name: .customLong("wall-samples")) var wallSamples = 2048

    func run() throws {
        let report = try ModelReader(options: AnalysisOptions(wallThicknessSamples: wallSamples)).analyse(
            .file(path: file))
        let a = report.analysis
        print(
            "\(a.triangleCount) triangles, \(a.vertexCount) vertices, volume \(a.volume), shells \(a.shells), open \(a.openEdges)"
        )
    }
}

private func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
}

/// Where the time of one analysis goes, for tuning: reading and welding, then the rest. Best of `runs`.
struct MeshPhases: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mesh-phases", abstract: "Time the phases of one analysis (best of N).", shouldDisplay: false)

    @Argument var file: String
    @Option var runs = 5

    func run() throws {
        var weld = Double.infinity
        var rest = Double.infinity
        for _ in 0..<runs {
            let size = try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int ?? 0
            let start = DispatchTime.now().uptimeNanoseconds
            var builder = MeshBuilder(expectedTriangles: size / 50)
            _ = try STLReader().read(.file(path: file), into: &builder)
            let welded = DispatchTime.now().uptimeNanoseconds
            if ProcessInfo.processInfo.environment["PRINTFARM_WELD_ONLY"] != nil {
                print(String(format: "read+weld %.1f ms", Double(welded - start) / 1e6))
                continue
            }
            let analysis = MeshAnalysis(builder, options: AnalysisOptions(wallThicknessSamples: 0))
            let done = DispatchTime.now().uptimeNanoseconds
            precondition(analysis.triangleCount > 0)
            weld = min(weld, Double(welded - start) / 1e6)
            rest = min(rest, Double(done - welded) / 1e6)
        }
        print(String(format: "read+weld %.1f ms, analysis %.1f ms (best of %d)", weld, rest, runs))
    }
}
