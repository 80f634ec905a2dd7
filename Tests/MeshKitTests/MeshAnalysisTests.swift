import Foundation
import MeshKit
import MeshTestSupport
import Testing

/// Equal to a part in 10¹² (sums of Double products round in the last bits).
func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= abs(b) * 1e-12 }

@Suite("Mesh analysis")
struct MeshAnalysisTests {
    @Test("a cube is closed, one shell, with exact volume, area and bounding box")
    func cube() {
        let analysis = MeshAnalysis(MeshFixtures.cube(size: 10, origin: SIMD3(5, -5, 0)))
        #expect(analysis.triangleCount == 12)
        #expect(analysis.vertexCount == 8)
        #expect(close(analysis.volume, 1000))
        #expect(close(analysis.surfaceArea, 600))
        #expect(analysis.boundingBox?.min == SIMD3(5, -5, 0))
        #expect(analysis.boundingBox?.max == SIMD3(15, 5, 10))
        #expect(analysis.shells == 1)
        #expect(analysis.isWatertight)
        #expect(analysis.openEdges == 0 && analysis.nonManifoldEdges == 0 && analysis.inconsistentEdges == 0)
    }

    @Test("a sphere's volume approaches 4/3 π r³ from below and it is watertight")
    func sphere() {
        let analysis = MeshAnalysis(MeshFixtures.sphere(radius: 10, rings: 64, segments: 128))
        let exact = 4.0 / 3 * Double.pi * 1000
        #expect(analysis.isWatertight)
        #expect(analysis.volume < exact && analysis.volume > exact * 0.99)
        #expect(analysis.shells == 1)
    }

    @Test(
        "a missing face leaves four open edges; one flipped face, three inconsistent edges; all flipped, negative volume"
    )
    func defects() {
        var missing = MeshFixtures.cube()
        missing.corners.removeLast(6)
        let open = MeshAnalysis(missing)
        #expect(open.openEdges == 4)
        #expect(!open.isWatertight)

        var flipped = MeshFixtures.cube()
        flipped.corners.swapAt(0, 1)
        let oneFlipped = MeshAnalysis(flipped)
        #expect(oneFlipped.inconsistentEdges == 3)
        #expect(!oneFlipped.isWatertight)

        var inverted = MeshFixtures.cube()
        for t in 0..<inverted.triangleCount { inverted.corners.swapAt(t * 3, t * 3 + 1) }
        let all = MeshAnalysis(inverted)
        #expect(close(all.volume, -1000))
        #expect(all.inconsistentEdges == 0, "consistently oriented, just inside out")
    }

    @Test("two separate cubes are two shells; two cubes sharing an edge are non-manifold there")
    func shells() {
        let apart = Mesh(corners: MeshFixtures.cube().corners + MeshFixtures.cube(origin: SIMD3(20, 0, 0)).corners)
        #expect(MeshAnalysis(apart).shells == 2)
        #expect(close(MeshAnalysis(apart).volume, 2000))
        let touching = Mesh(corners: MeshFixtures.cube().corners + MeshFixtures.cube(origin: SIMD3(10, 10, 0)).corners)
        let analysis = MeshAnalysis(touching)
        #expect(analysis.nonManifoldEdges == 1)
        #expect(analysis.shells == 1)
    }

    @Test("pieces standing on the bed, on another piece or inside one do not float; one with air under it does")
    func floatingPieces() {
        func analysis(_ meshes: Mesh...) -> MeshAnalysis { MeshAnalysis(Mesh(corners: meshes.flatMap(\.corners))) }
        let apart = analysis(MeshFixtures.cube(), MeshFixtures.cube(origin: SIMD3(20, 0, 0)))
        #expect(apart.shells == 2 && apart.floatingShells == 0)
        let stacked = analysis(MeshFixtures.cube(), MeshFixtures.cube(size: 4, origin: SIMD3(3, 3, 10)))
        #expect(stacked.shells == 2 && stacked.floatingShells == 0)
        let sunk = analysis(MeshFixtures.box(SIMD3(30, 30, 2)), MeshFixtures.cube(size: 2, origin: SIMD3(5, 5, 1)))
        #expect(sunk.shells == 2 && sunk.floatingShells == 0, "a letter sunk into a plate")
        let hollow = MeshAnalysis(MeshFixtures.hollowBox())
        #expect(hollow.shells == 2 && hollow.floatingShells == 0, "a cavity is inside its solid")
        let beside = analysis(MeshFixtures.cube(), MeshFixtures.cube(origin: SIMD3(20, 0, 5)))
        #expect(beside.floatingShells == 1, "5 mm above the bed with nothing under it")
        let above = analysis(MeshFixtures.cube(), MeshFixtures.cube(size: 4, origin: SIMD3(3, 3, 12)))
        #expect(above.floatingShells == 1, "2 mm above the piece below")
        let halfLayer = analysis(MeshFixtures.cube(), MeshFixtures.cube(origin: SIMD3(20, 0, 0.05)))
        #expect(halfLayer.floatingShells == 0, "within half a first layer is on the bed")
    }

    @Test(
        "the undersides of a small sphere and a low upside-down cone grow from the bed; a big sphere, a tall one, a table top need support"
    )
    func overhangs() {
        let small = MeshAnalysis(Mesh(corners: MeshFixtures.sphere(radius: 10).corners.map { $0 + SIMD3(0, 0, 10) }))
        #expect(small.overhangArea == 0)
        // The cap steeper than 45°: 2πr²(1 − cos 45°) ≈ 184 mm² on a perfect sphere.
        #expect(small.selfSupportingOverhangArea > 150 && small.selfSupportingOverhangArea < 200)
        let big = MeshAnalysis(Mesh(corners: MeshFixtures.sphere(radius: 40).corners.map { $0 + SIMD3(0, 0, 40) }))
        #expect(big.overhangShare > 0.12 && big.overhangShare < 0.15, "its cap reaches 11.7 mm up")
        let raised = MeshAnalysis(
            Mesh(
                corners: MeshFixtures.sphere(radius: 10).corners.map { $0 + SIMD3(0, 0, 13) }
                    + MeshFixtures.box(SIMD3(2, 2, 4), origin: SIMD3(-1, -1, 0)).corners))
        #expect(raised.overhangArea > 150, "a ball on a pedestal: its underside starts 3 mm up")

        let lowCone = MeshAnalysis(MeshFixtures.frustum(bottom: 1, top: 8, height: 3))
        #expect(lowCone.overhangArea == 0 && lowCone.selfSupportingOverhangArea > 0)
        let tallCone = MeshAnalysis(MeshFixtures.frustum(bottom: 1, top: 15, height: 10))
        #expect(tallCone.selfSupportingOverhangArea == 0)
        #expect(tallCone.overhangShare > 0.5, "its whole side leans 54° out")

        let legs = [SIMD3<Float>(0, 0, 0), SIMD3(37, 0, 0), SIMD3(0, 37, 0), SIMD3(37, 37, 0)]
        let table = MeshAnalysis(
            Mesh(
                corners: MeshFixtures.box(SIMD3(40, 40, 3), origin: SIMD3(0, 0, 10)).corners
                    + legs.flatMap { MeshFixtures.box(SIMD3(3, 3, 11), origin: $0).corners }))
        #expect(table.floatingShells == 0)
        #expect(close(table.overhangArea, 1600), "the table top's underside, 10 mm above the bed")
    }

    @Test("slivers and repeated corners are degenerate; NaN coordinates are counted and kept out of the box")
    func degenerate() {
        var mesh = MeshFixtures.cube()
        mesh.corners += [SIMD3(0, 0, 0), SIMD3(1, 1, 1), SIMD3(2, 2, 2)]  // collinear sliver
        mesh.corners += [SIMD3(.nan, 0, 0), SIMD3(0, .infinity, 0), SIMD3(0, 0, 1)]
        let analysis = MeshAnalysis(mesh)
        #expect(analysis.degenerateTriangles == 2)
        #expect(analysis.nonFiniteCoordinates == 2)
        #expect(analysis.boundingBox?.max == SIMD3(10, 10, 10))
        #expect(analysis.volume.isFinite)
    }
}

@Suite("STL reading")
struct STLReaderTests {
    let reader = STLReader()

    @Test("binary and ASCII files of the same model read to the same mesh")
    func roundTrip() throws {
        let mesh = MeshFixtures.sphere(rings: 8, segments: 16)
        let binary = try reader.read(MeshFixtures.binarySTL(mesh))
        let ascii = try reader.read(MeshFixtures.asciiSTL(mesh))
        #expect(binary.mesh == mesh)
        #expect(binary.warnings.isEmpty)
        #expect(MeshAnalysis(ascii.mesh).triangleCount == mesh.triangleCount)
        #expect(abs(MeshAnalysis(ascii.mesh).volume - MeshAnalysis(mesh).volume) < 1e-3)
    }

    @Test("a binary file with a 'solid' header is binary; a wrong triangle count is overruled by the size")
    func quirks() throws {
        let mesh = MeshFixtures.cube()
        let solid = try reader.read(MeshFixtures.binarySTL(mesh, header: "solid but actually binary"))
        #expect(solid.mesh == mesh)
        #expect(solid.warnings == [.binaryWithSolidHeader])
        let wrongCount = try reader.read(MeshFixtures.binarySTL(mesh, count: 7))
        #expect(wrongCount.mesh == mesh)
        #expect(wrongCount.warnings == [.triangleCountMismatch(header: 7, actual: 12)])
    }

    @Test("empty, truncated, tiny, random and huge-claim files are refused with a reason, never a crash")
    func badFiles() {
        #expect(throws: MeshError.empty) { try reader.read(Data()) }
        let full = MeshFixtures.binarySTL(MeshFixtures.cube())
        #expect(throws: MeshError.truncated(expectedBytes: 684, actualBytes: 660)) { try reader.read(full.prefix(660)) }
        #expect(throws: MeshError.truncated(expectedBytes: 84, actualBytes: 10)) {
            try reader.read(Data(repeating: 1, count: 10))
        }
        var claim = Data(repeating: 0, count: 200)
        claim.replaceSubrange(80..<84, with: [0x00, 0xE1, 0xF5, 0x05])  // 100 M triangles
        #expect(throws: MeshError.notAMesh("its header claims 100000000 triangles in a file of 200 bytes")) {
            try reader.read(claim)
        }
        claim.replaceSubrange(80..<84, with: [0x40, 0x42, 0x0F, 0x00])  // 1 M triangles: plausible, so cut short
        #expect(throws: MeshError.truncated(expectedBytes: 50_000_084, actualBytes: 200)) { try reader.read(claim) }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            let random = Data(
                (0..<Int.random(in: 1...4000, using: &generator)).map { _ in
                    UInt8.random(in: 0...255, using: &generator)
                })
            _ = try? reader.read(random)
        }
        #expect(throws: MeshError.self) {
            try reader.read(Data("solid x\nfacet normal 0 0 0\nouter loop\nvertex 1 2\n".utf8))
        }
        #expect(throws: MeshError.self) {
            try reader.read(
                Data("solid x\nfacet normal 0 0 0\nouter loop\nvertex 1 2 3\nvertex 1 2 4\nendloop\nendfacet\n".utf8))
        }
        #expect(throws: MeshError.self) { try reader.read(Data("solid nothing here\nendsolid\n".utf8)) }
    }
}
