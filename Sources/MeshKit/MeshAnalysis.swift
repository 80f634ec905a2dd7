/// Geometry facts of a mesh, all exact (integer counts over welded vertices) or accumulated in Double.
public struct MeshAnalysis: Sendable, Equatable {
    public var triangleCount: Int
    public var vertexCount: Int
    public var boundingBox: (min: SIMD3<Float>, max: SIMD3<Float>)?
    /// Signed: negative when the faces point inwards (a flipped solid).
    public var volume: Double
    public var surfaceArea: Double
    /// Connected pieces (triangles sharing a vertex).
    public var shells: Int
    /// Edges used by one triangle only: holes.
    public var openEdges: Int
    /// Edges shared by more than two triangles.
    public var nonManifoldEdges: Int
    /// Edges whose two triangles run them the same way: neighbours facing opposite ways.
    public var inconsistentEdges: Int
    public var degenerateTriangles: Int
    public var nonFiniteCoordinates: Int

    public var isWatertight: Bool { openEdges == 0 && nonManifoldEdges == 0 && inconsistentEdges == 0 && triangleCount > 0 }

    public static func == (lhs: MeshAnalysis, rhs: MeshAnalysis) -> Bool {
        lhs.triangleCount == rhs.triangleCount && lhs.vertexCount == rhs.vertexCount && lhs.boundingBox?.min == rhs.boundingBox?.min
            && lhs.boundingBox?.max == rhs.boundingBox?.max && lhs.volume == rhs.volume && lhs.surfaceArea == rhs.surfaceArea
            && lhs.shells == rhs.shells && lhs.openEdges == rhs.openEdges && lhs.nonManifoldEdges == rhs.nonManifoldEdges
            && lhs.inconsistentEdges == rhs.inconsistentEdges && lhs.degenerateTriangles == rhs.degenerateTriangles
            && lhs.nonFiniteCoordinates == rhs.nonFiniteCoordinates
    }

    public init(_ mesh: Mesh) {
        let corners = mesh.corners
        triangleCount = mesh.triangleCount
        // Exact welding: identical coordinates (bit for bit, -0 as 0) are one vertex.
        var index: [SIMD3<UInt32>: Int32] = [:]
        index.reserveCapacity(corners.count / 2)
        var welded = [Int32](repeating: 0, count: corners.count)
        var nonFinite = 0
        var low = SIMD3<Float>(repeating: .infinity), high = SIMD3<Float>(repeating: -.infinity)
        for (position, corner) in corners.enumerated() {
            if !(corner.x.isFinite && corner.y.isFinite && corner.z.isFinite) {
                nonFinite += 1
            } else {
                low = pointwiseMin(low, corner)
                high = pointwiseMax(high, corner)
            }
            // Adding +0 turns -0 into +0, so the two zeros weld.
            let normal = corner + SIMD3<Float>(repeating: 0)
            let key = SIMD3<UInt32>(normal.x.bitPattern, normal.y.bitPattern, normal.z.bitPattern)
            if let existing = index[key] {
                welded[position] = existing
            } else {
                let next = Int32(index.count)
                index[key] = next
                welded[position] = next
            }
        }
        vertexCount = index.count
        nonFiniteCoordinates = nonFinite
        boundingBox = low.x <= high.x ? (low, high) : nil

        var volume = 0.0, area = 0.0, degenerate = 0
        // Directed edge counts per undirected edge: key (min, max) → (uses, uses in min→max direction).
        var edges: [UInt64: (uses: Int32, forward: Int32)] = [:]
        edges.reserveCapacity(corners.count)
        var parent = Array(0..<Int32(index.count))
        func find(_ x: Int32) -> Int32 {
            var x = x
            while parent[Int(x)] != x {
                parent[Int(x)] = parent[Int(parent[Int(x)])]
                x = parent[Int(x)]
            }
            return x
        }
        for triangle in 0..<triangleCount {
            let a = corners[triangle * 3], b = corners[triangle * 3 + 1], c = corners[triangle * 3 + 2]
            let da = SIMD3<Double>(a), db = SIMD3<Double>(b), dc = SIMD3<Double>(c)
            let normal = cross(db - da, dc - da)
            let doubleArea = (normal * normal).sum().squareRoot()
            if doubleArea.isFinite { area += doubleArea / 2 }
            let signed = (da * cross(db, dc)).sum() / 6
            if signed.isFinite { volume += signed }
            let ia = welded[triangle * 3], ib = welded[triangle * 3 + 1], ic = welded[triangle * 3 + 2]
            if ia == ib || ib == ic || ia == ic || doubleArea == 0 || !doubleArea.isFinite {
                degenerate += 1
            }
            for (from, to) in [(ia, ib), (ib, ic), (ic, ia)] where from != to {
                let key = UInt64(UInt32(min(from, to))) << 32 | UInt64(UInt32(max(from, to)))
                let entry = edges[key, default: (0, 0)]
                edges[key] = (entry.uses + 1, entry.forward + (from < to ? 1 : 0))
                let rootFrom = find(from), rootTo = find(to)
                if rootFrom != rootTo { parent[Int(rootFrom)] = rootTo }
            }
        }
        var open = 0, nonManifold = 0, inconsistent = 0
        for entry in edges.values {
            switch entry.uses {
            case 1: open += 1
            case 2: if entry.forward != 1 { inconsistent += 1 }
            default: nonManifold += 1
            }
        }
        var roots = Set<Int32>()
        for triangle in 0..<triangleCount { roots.insert(find(welded[triangle * 3])) }
        self.volume = volume
        surfaceArea = area
        degenerateTriangles = degenerate
        openEdges = open
        nonManifoldEdges = nonManifold
        inconsistentEdges = inconsistent
        shells = roots.count
    }
}

private func cross(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> SIMD3<Double> {
    SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}
