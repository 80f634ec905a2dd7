import Foundation

/// How the analysis judges what it measures.
public struct AnalysisOptions: Sendable, Equatable {
    /// A downward face is an overhang when its surface leans more than this many degrees away from the build
    /// direction (0° is a vertical wall, 90° a flat ceiling). PrusaSlicer's default support threshold is similar.
    public var overhangAngle: Double
    /// Points sampled (area-weighted) to estimate wall thickness; 0 skips the estimate.
    public var wallThicknessSamples: Int
    /// An overhang that starts on the bed and ends within this height of it is self-supporting, not a support need:
    /// the undersides of a 31 mm sphere (4.5 mm) and of a torus. Taller ones, like an upside-down cone, still count.
    public var selfSupportingHeight: Double

    public init(overhangAngle: Double = 45, wallThicknessSamples: Int = 2048, selfSupportingHeight: Double = 5) {
        self.overhangAngle = overhangAngle
        self.wallThicknessSamples = wallThicknessSamples
        self.selfSupportingHeight = selfSupportingHeight
    }
}

public struct BoundingBox: Sendable, Equatable {
    public var min: SIMD3<Float>
    public var max: SIMD3<Float>
    public var size: SIMD3<Double> { SIMD3<Double>(max) - SIMD3<Double>(min) }

    public init(min: SIMD3<Float>, max: SIMD3<Float>) {
        self.min = min
        self.max = max
    }
}

/// What the size of a model suggests about the units it was drawn in (STL carries none).
public enum UnitsGuess: String, Sendable, Equatable, Codable {
    case millimetres
    /// Under 1 mm across: almost certainly drawn in metres.
    case probablyMetres
    /// Under 5 mm across: perhaps drawn in inches (an M3 nut, 6.35 mm, is not suspected).
    case perhapsInches
    /// The file declared its units (3MF) and they were converted to millimetres.
    case declared

    static func guess(largestExtent: Double) -> UnitsGuess {
        if largestExtent < 1 { return .probablyMetres }
        if largestExtent < 5 { return .perhapsInches }
        return .millimetres
    }
}

/// Geometry facts of a mesh: topology counts are exact (over exactly welded vertices), sums are accumulated in Double.
public struct MeshAnalysis: Sendable, Equatable {
    public var triangleCount: Int
    public var vertexCount: Int
    public var boundingBox: BoundingBox?
    /// Signed: negative when the faces point inwards (a flipped solid).
    public var volume: Double
    public var surfaceArea: Double
    /// Connected pieces (triangles sharing a vertex).
    public var shells: Int
    /// Pieces resting neither on the bed nor on another piece: they would print in mid-air.
    public var floatingShells: Int
    /// Edges used by one triangle only: holes.
    public var openEdges: Int
    /// Edges shared by more than two triangles.
    public var nonManifoldEdges: Int
    /// Edges whose two triangles run them the same way: neighbours facing opposite ways.
    public var inconsistentEdges: Int
    public var degenerateTriangles: Int
    public var nonFiniteCoordinates: Int
    /// Area of downward faces steeper than `overhangAngle` that need support: not counting faces resting on the bed
    /// nor self-supporting overhangs (see `AnalysisOptions.selfSupportingHeight`).
    public var overhangArea: Double
    /// Area of downward faces steeper than `overhangAngle` that grow out of the first layer and stay low.
    public var selfSupportingOverhangArea: Double
    public var overhangAngle: Double
    /// The convex hull of the model seen from above (counter-clockwise, at most 128 points), to fit it on a bed
    /// turned about Z.
    public var footprint: [SIMD2<Double>]
    public var wallThickness: WallThickness?
    public var unitsGuess: UnitsGuess

    public var isWatertight: Bool {
        openEdges == 0 && nonManifoldEdges == 0 && inconsistentEdges == 0 && triangleCount > 0
    }
    public var overhangShare: Double { surfaceArea > 0 ? overhangArea / surfaceArea : 0 }

    public init(_ mesh: Mesh, options: AnalysisOptions = AnalysisOptions()) {
        var builder = MeshBuilder(expectedTriangles: mesh.triangleCount)
        for t in 0..<mesh.triangleCount {
            builder.add(mesh.corners[3 * t], mesh.corners[3 * t + 1], mesh.corners[3 * t + 2])
        }
        self.init(builder, options: options)
    }

    public init(_ builder: MeshBuilder, options: AnalysisOptions = AnalysisOptions(), declaredUnits: Bool = false) {
        var builder = builder
        let (positions, indices) = builder.finish()
        triangleCount = indices.count / 3
        vertexCount = positions.count
        overhangAngle = options.overhangAngle

        var nonFinite = 0
        var low = SIMD3<Float>(repeating: .infinity)
        var high = SIMD3<Float>(repeating: -.infinity)
        for p in positions {
            if p.x.isFinite && p.y.isFinite && p.z.isFinite {
                low = pointwiseMin(low, p)
                high = pointwiseMax(high, p)
            } else {
                nonFinite += 1
            }
        }
        // Count corners, not distinct vertices, as a reader would: every use of a broken coordinate.
        nonFiniteCoordinates =
            nonFinite == 0
            ? 0
            : indices.reduce(0) { count, index in
                let p = positions[Int(index)]
                return count + (p.x.isFinite && p.y.isFinite && p.z.isFinite ? 0 : 1)
            }
        boundingBox = low.x <= high.x ? BoundingBox(min: low, max: high) : nil
        let largest = boundingBox.map { $0.size.max() } ?? 0
        unitsGuess = declaredUnits ? .declared : UnitsGuess.guess(largestExtent: largest)

        // Edges on one core while the sums, the footprint and the shells run on another.
        final class Parts: @unchecked Sendable {
            var geometry: Geometry?
            var topology: Topology?
            var shells: Shells?
            var overhangs: OverhangRegions?
            var footprint: [SIMD2<Double>] = []
        }
        let parts = Parts()
        let bedZ = Double(low.z)
        let angle = options.overhangAngle
        let selfSupporting = options.selfSupportingHeight
        let inputs = UncheckedSendable(value: (positions, indices))
        DispatchQueue.concurrentPerform(iterations: 2) { part in
            let (positions, indices) = inputs.value
            if part == 0 {
                parts.topology = Topology(vertexCount: positions.count, indices: indices)
            } else {
                let geometry = Geometry(positions: positions, indices: indices, bedZ: bedZ, overhangAngle: angle)
                parts.geometry = geometry
                parts.overhangs = OverhangRegions(
                    positions: positions, indices: indices, faces: geometry.overhangFaces, bedZ: bedZ,
                    selfSupportingHeight: selfSupporting)
                parts.footprint = Footprint.hull(of: positions, limit: 128)
                parts.shells = Shells(positions: positions, indices: indices, bedZ: Float(bedZ))
            }
        }
        let geometry = parts.geometry!
        let topology = parts.topology!
        volume = geometry.volume
        surfaceArea = geometry.area
        overhangArea = parts.overhangs!.supportArea
        selfSupportingOverhangArea = parts.overhangs!.selfSupportingArea
        degenerateTriangles = geometry.degenerate
        openEdges = topology.open
        nonManifoldEdges = topology.nonManifold
        inconsistentEdges = topology.inconsistent
        shells = parts.shells!.count
        floatingShells = parts.shells!.floating
        footprint = parts.footprint
        wallThickness =
            options.wallThicknessSamples > 0 && boundingBox != nil
            ? WallThickness.estimate(
                positions: positions, indices: indices, samples: options.wallThicknessSamples, inverted: volume < 0)
            : nil
    }
}

/// Sums over triangles: volume, area, degenerate faces; and the overhanging faces.
private struct Geometry {
    var volume = 0.0, area = 0.0, degenerate = 0
    var overhangFaces: [(start: Int32, area: Double)] = []

    init(positions: [SIMD3<Float>], indices: [Int32], bedZ: Double, overhangAngle: Double) {
        let threshold = sin(overhangAngle * .pi / 180)
        // Faces within this height of the lowest point rest on the bed and need no support.
        let bedTop = bedZ + 0.01
        positions.withUnsafeBufferPointer { p in
            indices.withUnsafeBufferPointer { idx in
                for t in stride(from: 0, to: idx.count, by: 3) {
                    let ia = Int(idx[t])
                    let ib = Int(idx[t + 1])
                    let ic = Int(idx[t + 2])
                    let a = SIMD3<Double>(p[ia])
                    let b = SIMD3<Double>(p[ib])
                    let c = SIMD3<Double>(p[ic])
                    let normal = cross(b - a, c - a)
                    let doubleArea = (normal * normal).sum().squareRoot()
                    guard doubleArea.isFinite else {
                        degenerate += 1
                        continue
                    }
                    area += doubleArea / 2
                    volume += (a * cross(b, c)).sum() / 6
                    if ia == ib || ib == ic || ia == ic || doubleArea == 0 {
                        degenerate += 1
                        continue
                    }
                    if -normal.z / doubleArea > threshold && Swift.max(a.z, b.z, c.z) > bedTop {
                        overhangFaces.append((Int32(t), doubleArea / 2))
                    }
                }
            }
        }
    }
}

/// Edge counts. Each undirected edge is filed under its lower vertex (a compressed adjacency list, 4 bytes per edge
/// use), so counting needs no hash table and little memory.
private struct Topology {
    var open = 0, nonManifold = 0, inconsistent = 0

    init(vertexCount: Int, indices: [Int32]) {
        var start = largeArray(repeating: Int32(0), count: vertexCount + 1)
        start.withUnsafeMutableBufferPointer { degree in
            indices.withUnsafeBufferPointer { idx in
                for t in stride(from: 0, to: idx.count, by: 3) {
                    let a = idx[t]
                    let b = idx[t + 1]
                    let c = idx[t + 2]
                    if a != b { degree[Int(Swift.min(a, b))] += 1 }
                    if b != c { degree[Int(Swift.min(b, c))] += 1 }
                    if c != a { degree[Int(Swift.min(c, a))] += 1 }
                }
            }
        }
        // Exclusive prefix sums: start[v] is where vertex v's edges begin.
        var total: Int32 = 0
        for v in 0..<vertexCount {
            let count = start[v]
            start[v] = total
            total += count
        }
        start[vertexCount] = total
        // Each entry: the higher vertex, shifted, with the low bit set when the edge runs low → high.
        var entries = largeArray(repeating: UInt32(0), count: Int(total))
        var cursor = start
        entries.withUnsafeMutableBufferPointer { entries in
            cursor.withUnsafeMutableBufferPointer { cursor in
                indices.withUnsafeBufferPointer { idx in
                    @inline(__always) func file(_ from: Int32, _ to: Int32) {
                        guard from != to else { return }
                        let low = Int(Swift.min(from, to))
                        entries[Int(cursor[low])] = UInt32(Swift.max(from, to)) << 1 | (from < to ? 1 : 0)
                        cursor[low] += 1
                    }
                    for t in stride(from: 0, to: idx.count, by: 3) {
                        file(idx[t], idx[t + 1])
                        file(idx[t + 1], idx[t + 2])
                        file(idx[t + 2], idx[t])
                    }
                }
            }
            for v in 0..<vertexCount {
                let range = Int(start[v])..<Int(start[v + 1])
                guard !range.isEmpty else { continue }
                var slice = UnsafeMutableBufferPointer(rebasing: entries[range])
                slice.sort()
                var i = slice.startIndex
                while i < slice.endIndex {
                    let other = slice[i] >> 1
                    var uses = 0
                    var forward = 0
                    while i < slice.endIndex && slice[i] >> 1 == other {
                        uses += 1
                        forward += Int(slice[i] & 1)
                        i += 1
                    }
                    switch uses {
                    case 1: open += 1
                    case 2: if forward != 1 { inconsistent += 1 }
                    default: nonManifold += 1
                    }
                }
            }
        }
    }
}

func cross(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> SIMD3<Double> {
    SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}

func dot(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> Double { (a * b).sum() }
