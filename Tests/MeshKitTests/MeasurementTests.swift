import Foundation
import MeshKit
import MeshTestSupport
import Testing

@Suite("Overhangs, units, footprint and wall thickness")
struct MeasurementTests {
    @Test("a cube on the bed has no overhang; lifted, its underside is one; a sphere's lower cap beyond 45° is")
    func overhangs() {
        #expect(MeshAnalysis(MeshFixtures.cube()).overhangArea == 0)
        let lifted = MeshAnalysis(
            MeshFixtures.cube(size: 10, origin: SIMD3(0, 0, 5)).corners
                + MeshFixtures.cube(size: 1, origin: SIMD3(30, 0, 0)).corners)
        #expect(close(lifted.overhangArea, 100), "the lifted cube's underside; the small cube rests on the bed")
        // Self-supporting overhangs (growing from the bed) are counted as such only when they end low: none here.
        let judged = AnalysisOptions(selfSupportingHeight: 0)
        let sphere = MeshAnalysis(MeshFixtures.sphere(radius: 10, rings: 180, segments: 180), options: judged)
        // The cap below 45° from the bottom pole: 2πr²(1 − cos 45°); with 1° rings, none straddles the limit.
        let cap = 2 * Double.pi * 100 * (1 - cos(Double.pi / 4))
        #expect(abs(sphere.overhangArea - cap) / cap < 0.03, "\(sphere.overhangArea) vs \(cap)")
        #expect(abs(sphere.overhangShare - cap / (4 * Double.pi * 100)) < 0.01)
        let steeper = MeshAnalysis(
            MeshFixtures.sphere(radius: 10, rings: 90, segments: 180),
            options: AnalysisOptions(overhangAngle: 60, selfSupportingHeight: 0))
        #expect(steeper.overhangArea < sphere.overhangArea)
        let bySelf = MeshAnalysis(MeshFixtures.sphere(radius: 10, rings: 180, segments: 180))
        #expect(bySelf.overhangArea == 0, "the same cap, 2.9 mm high, grows out of the bed")
        #expect(close(bySelf.selfSupportingOverhangArea, sphere.overhangArea))
    }

    @Test("a 0.02 mm part was probably drawn in metres, a 2 mm one perhaps in inches, a 20 mm one in millimetres")
    func units() {
        #expect(MeshAnalysis(MeshFixtures.cube(size: 0.02)).unitsGuess == .probablyMetres)
        #expect(MeshAnalysis(MeshFixtures.cube(size: 2)).unitsGuess == .perhapsInches)
        #expect(MeshAnalysis(MeshFixtures.cube(size: 20)).unitsGuess == .millimetres)
    }

    @Test("the footprint is the convex hull seen from above, thinned to 128 points")
    func footprint() {
        let cube = MeshAnalysis(MeshFixtures.cube(size: 10, origin: SIMD3(1, 2, 3)))
        #expect(Set(cube.footprint.map { [$0.x, $0.y] }) == [[1, 2], [11, 2], [11, 12], [1, 12]])
        let sphere = MeshAnalysis(MeshFixtures.sphere(radius: 10, rings: 90, segments: 360))
        #expect(sphere.footprint.count == 128)
        #expect(sphere.footprint.allSatisfy { abs(($0 * $0).sum().squareRoot() - 10) < 1e-4 })
        // Counter-clockwise: positive signed area.
        let area = zip(sphere.footprint, sphere.footprint.dropFirst() + [sphere.footprint[0]]).reduce(0.0) {
            $0 + ($1.0.x * $1.1.y - $1.1.x * $1.0.y) / 2
        }
        #expect(area > 300 && area < Double.pi * 100)
    }

    @Test(
        "walls across: a solid cube is 10 mm thick, a hollow box's walls 0.3 mm, a sphere its circle's width, a one-layer disk its width, a fin 0.3 mm"
    )
    func wallThickness() throws {
        let cube = try #require(MeshAnalysis(MeshFixtures.cube()).wallThickness)
        #expect(abs(cube.minimum - 10) < 1e-6 && abs(cube.median - 10) < 1e-6)
        #expect(cube.samples > 2000)
        let hollow = try #require(MeshAnalysis(MeshFixtures.hollowBox(outer: 20, wall: 0.3)).wallThickness)
        #expect(abs(hollow.percentile1 - 0.3) < 1e-4)
        #expect(abs(hollow.median - 0.3) < 1e-4)
        let sphere = try #require(MeshAnalysis(MeshFixtures.sphere(radius: 10, rings: 48, segments: 96)).wallThickness)
        // Across a level circle of the sphere: area-uniform points have uniform heights, so the median chord is
        // 2 r √(1 − ¼) ≈ 17.3 mm.
        #expect(sphere.median > 16.8 && sphere.median < 17.8)
        let disk = try #require(MeshAnalysis(MeshFixtures.box(SIMD3(15, 15, 0.2))).wallThickness)
        #expect(disk.percentile5 > 14, "a one-layer disk is 15 mm wide, its 0.2 mm is layers, not walls")
        let fin = try #require(MeshAnalysis(MeshFixtures.box(SIMD3(20, 0.3, 10))).wallThickness)
        #expect(abs(fin.percentile5 - 0.3) < 1e-4)
        let inverted = MeshAnalysis(
            Mesh(corners: MeshFixtures.cube().corners.enumerated().map { $0.element }.reversed()))
        #expect(inverted.volume < 0)
        #expect(abs((inverted.wallThickness?.median ?? 0) - 10) < 1e-6, "an inside-out model is measured the other way")
        let open = MeshAnalysis(Mesh(corners: Array(MeshFixtures.cube().corners.dropLast(6))))
        // Rays from the floor escape through the missing top and are not counted; the walls still face each other.
        #expect(abs((open.wallThickness?.median ?? 0) - 10) < 1e-6)
        #expect(
            MeshAnalysis(MeshFixtures.cube(), options: AnalysisOptions(wallThicknessSamples: 0)).wallThickness == nil)
    }

    @Test("reading a file in chunks gives what reading it whole gives, for binary and ASCII (lines cut by chunk ends)")
    func streaming() throws {
        let sphere = MeshFixtures.sphere(radius: 10, rings: 120, segments: 240)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pf-stream-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, data) in [("b.stl", MeshFixtures.binarySTL(sphere)), ("a.stl", MeshFixtures.asciiSTL(sphere))] {
            let url = directory.appendingPathComponent(name)
            try data.write(to: url)
            #expect(data.count > 1 << 20 || name == "b.stl")
            let fromFile = try ModelReader().analyse(.file(path: url.path))
            let fromMemory = try ModelReader().analyse(.data(data))
            #expect(fromFile == fromMemory)
            #expect(fromFile.analysis == MeshAnalysis(sphere))
            #expect(fromFile.format == (name == "b.stl" ? .binarySTL : .asciiSTL))
        }
        #expect(throws: MeshError.self) {
            try ModelReader().analyse(.file(path: directory.appendingPathComponent("missing.stl").path))
        }
    }
}

@Suite("Welding in parallel")
struct ParallelWeldTests {
    @Test("one partition or eight, bulk binary records or one triangle at a time: the same analysis")
    func partitions() throws {
        let sphere = MeshFixtures.sphere(radius: 10, rings: 100, segments: 200)
        let data = MeshFixtures.binarySTL(sphere)
        func analyse(parallelism: Int) throws -> MeshAnalysis {
            var builder = MeshBuilder(expectedTriangles: 16, parallelism: parallelism)
            _ = try STLReader().read(.data(data), into: &builder)
            return MeshAnalysis(builder)
        }
        let serial = try analyse(parallelism: 1)
        #expect(serial.vertexCount == 99 * 200 + 2, "two poles and 99 rings of 200")
        #expect(try analyse(parallelism: 8) == serial)
        #expect(try analyse(parallelism: 2) == serial)
        var oneByOne = MeshBuilder(expectedTriangles: 16, parallelism: 4)
        for t in 0..<sphere.triangleCount {
            oneByOne.add(sphere.corners[3 * t], sphere.corners[3 * t + 1], sphere.corners[3 * t + 2])
        }
        #expect(MeshAnalysis(oneByOne) == serial)
    }
}

extension MeshAnalysis {
    init(_ corners: [SIMD3<Float>]) { self.init(Mesh(corners: corners)) }
}
