import Foundation

/// How thick the model's walls are, estimated by casting rays inward from points spread over the walls
/// (area-weighted, with a fixed seed: the same model always gives the same figures).
///
/// A nozzle lays a wall sideways, so thickness is measured across, horizontally: each ray runs along the level part of
/// the inward normal. Floors and roofs (faces within `flatAngle` of level) are not walls: their thickness is a matter
/// of layers, not of the nozzle, and a one-layer disk (PrusaSlicer's helper disk, 0.2 mm) prints fine.
public struct WallThickness: Sendable, Equatable {
    /// Rays that found the far side of the wall.
    public var samples: Int
    public var minimum: Double
    /// 1 % of the sampled surface is thinner than this.
    public var percentile1: Double
    public var percentile5: Double
    public var median: Double

    /// Faces within this many degrees of level are floors or roofs, not walls.
    static let flatAngle = 10.0

    static func estimate(positions: [SIMD3<Float>], indices: [Int32], samples: Int, inverted: Bool) -> WallThickness? {
        let triangles = indices.count / 3
        guard triangles > 0, samples > 0 else { return nil }
        func corners(_ t: Int) -> (SIMD3<Double>, SIMD3<Double>, SIMD3<Double>) {
            (
                SIMD3<Double>(positions[Int(indices[3 * t])]), SIMD3<Double>(positions[Int(indices[3 * t + 1])]),
                SIMD3<Double>(positions[Int(indices[3 * t + 2])])
            )
        }
        // Twice the area of a wall, 0 for a floor or roof; and the horizontal inward direction of a wall.
        let level = sin(flatAngle * .pi / 180)
        func wallArea(_ t: Int) -> Double {
            let (a, b, c) = corners(t)
            let n = cross(b - a, c - a)
            let level2 = n.x * n.x + n.y * n.y
            let area2 = level2 + n.z * n.z
            return area2.isFinite && area2 > 0 && level2 >= level * level * area2 ? area2.squareRoot() : 0
        }
        var total = 0.0
        for t in 0..<triangles { total += wallArea(t) }
        guard total > 0 else { return nil }
        guard let grid = TriangleGrid(positions: positions, indices: indices) else { return nil }

        // Systematic sampling along the cumulative area; a seeded generator places each point inside its triangle.
        var random = SplitMix64(seed: 0x5EED_0F_7A11)
        let step = total / Double(samples)
        var next = step * random.unit()
        var cumulative = 0.0
        var thicknesses: [Double] = []
        thicknesses.reserveCapacity(samples)
        for t in 0..<triangles {
            let area = wallArea(t)
            cumulative += area
            while next < cumulative {
                next += step
                let (a, b, c) = corners(t)
                var u = random.unit()
                var v = random.unit()
                if u + v > 1 { (u, v) = (1 - u, 1 - v) }
                let point = a + (b - a) * u + (c - a) * v
                var normal = cross(b - a, c - a)
                normal.z = 0
                normal /= (normal * normal).sum().squareRoot()
                let inward = inverted ? normal : -normal
                if let thickness = grid.exitDistance(from: point, direction: inward, skipping: t, inverted: inverted) {
                    thicknesses.append(thickness)
                }
            }
        }
        guard !thicknesses.isEmpty else { return nil }
        thicknesses.sort()
        func percentile(_ p: Double) -> Double {
            thicknesses[min(thicknesses.count - 1, Int(Double(thicknesses.count) * p))]
        }
        return WallThickness(
            samples: thicknesses.count, minimum: thicknesses[0], percentile1: percentile(0.01),
            percentile5: percentile(0.05),
            median: percentile(0.5))
    }
}

/// A uniform grid of triangle references over the bounding box, walked cell by cell along a ray.
struct TriangleGrid {
    let positions: [SIMD3<Float>]
    let indices: [Int32]
    let origin: SIMD3<Double>
    let cell: Double
    let dims: SIMD3<Int>
    /// Compressed lists: the triangles of cell `c` are `items[start[c]..<start[c + 1]]`.
    var start: [Int32]
    var items: [Int32]

    init?(positions: [SIMD3<Float>], indices: [Int32]) {
        self.positions = positions
        self.indices = indices
        var low = SIMD3<Double>(repeating: .infinity)
        var high = SIMD3<Double>(repeating: -.infinity)
        for p in positions where p.x.isFinite && p.y.isFinite && p.z.isFinite {
            low = pointwiseMin(low, SIMD3<Double>(p))
            high = pointwiseMax(high, SIMD3<Double>(p))
        }
        guard low.x <= high.x else { return nil }
        let size = pointwiseMax(high - low, SIMD3(repeating: 1e-9))
        let triangles = indices.count / 3
        // About two triangles per cell, at most 128 cells along an axis.
        let targetCells = Double(min(max(triangles / 2, 1), 2_000_000))
        cell = Swift.max(Foundation.cbrt(size.x * size.y * size.z / targetCells), size.max() / 128)
        dims = SIMD3(
            Swift.max(1, clampedIndex((size.x / cell).rounded(.up), 128)),
            Swift.max(1, clampedIndex((size.y / cell).rounded(.up), 128)),
            Swift.max(1, clampedIndex((size.z / cell).rounded(.up), 128)))
        origin = low
        let cellCount = dims.x * dims.y * dims.z
        start = [Int32](repeating: 0, count: cellCount + 1)
        items = []
        // Two passes over the triangles' boxes, split among the cores: count per cell (each part its own counts),
        // then fill. A triangle inside one cell (most, in a fine mesh) remembers it, so the second pass is cheap.
        let partCount = Swift.max(1, Swift.min(4, ProcessInfo.processInfo.activeProcessorCount))
        let chunk = (triangles + partCount - 1) / partCount
        var counts = largeArray(repeating: Int32(0), count: cellCount * partCount)
        var single = largeArray(repeating: Int32(-1), count: triangles)
        let grid = self
        counts.withUnsafeMutableBufferPointer { counts in
            single.withUnsafeMutableBufferPointer { single in
                let shared = UncheckedSendable(value: (counts, single))
                DispatchQueue.concurrentPerform(iterations: partCount) { part in
                    let (counts, single) = shared.value
                    let base = part * cellCount
                    for t in (part * chunk)..<Swift.min(triangles, (part + 1) * chunk) {
                        guard let (from, to) = grid.cellRange(of: t) else {
                            single[t] = -2
                            continue
                        }
                        if from == to {
                            let c = (from.z * grid.dims.y + from.y) * grid.dims.x + from.x
                            single[t] = Int32(c)
                            counts[base + c] += 1
                            continue
                        }
                        for z in from.z...to.z {
                            for y in from.y...to.y {
                                for x in from.x...to.x { counts[base + (z * grid.dims.y + y) * grid.dims.x + x] += 1 }
                            }
                        }
                    }
                }
            }
        }
        // Prefix sums; each part's counts become its write cursors.
        var offsets = [Int32](repeating: 0, count: cellCount + 1)
        var total: Int32 = 0
        for c in 0..<cellCount {
            offsets[c] = total
            for part in 0..<partCount {
                let count = counts[part * cellCount + c]
                counts[part * cellCount + c] = total
                total += count
            }
        }
        offsets[cellCount] = total
        var filled = largeArray(repeating: Int32(0), count: Int(total))
        filled.withUnsafeMutableBufferPointer { filled in
            counts.withUnsafeMutableBufferPointer { cursors in
                single.withUnsafeBufferPointer { single in
                    let shared = UncheckedSendable(value: (filled, cursors, single))
                    DispatchQueue.concurrentPerform(iterations: partCount) { part in
                        let (filled, cursors, single) = shared.value
                        let base = part * cellCount
                        for t in (part * chunk)..<Swift.min(triangles, (part + 1) * chunk) {
                            let known = single[t]
                            if known == -2 { continue }
                            if known >= 0 {
                                filled[Int(cursors[base + Int(known)])] = Int32(t)
                                cursors[base + Int(known)] += 1
                                continue
                            }
                            guard let (from, to) = grid.cellRange(of: t) else { continue }
                            for z in from.z...to.z {
                                for y in from.y...to.y {
                                    for x in from.x...to.x {
                                        let c = base + (z * grid.dims.y + y) * grid.dims.x + x
                                        filled[Int(cursors[c])] = Int32(t)
                                        cursors[c] += 1
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        start = offsets
        items = filled
    }

    private func corners(_ t: Int) -> (SIMD3<Double>, SIMD3<Double>, SIMD3<Double>) {
        (
            SIMD3<Double>(positions[Int(indices[3 * t])]), SIMD3<Double>(positions[Int(indices[3 * t + 1])]),
            SIMD3<Double>(positions[Int(indices[3 * t + 2])])
        )
    }

    private func cellOf(_ p: SIMD3<Double>) -> SIMD3<Int> {
        let q = (p - origin) / cell
        return SIMD3(clampedIndex(q.x, dims.x - 1), clampedIndex(q.y, dims.y - 1), clampedIndex(q.z, dims.z - 1))
    }

    func cellRange(of t: Int) -> (SIMD3<Int>, SIMD3<Int>)? {
        let (a, b, c) = corners(t)
        let low = pointwiseMin(a, pointwiseMin(b, c))
        let high = pointwiseMax(a, pointwiseMax(b, c))
        guard low.x.isFinite, low.y.isFinite, low.z.isFinite, high.x.isFinite, high.y.isFinite, high.z.isFinite else {
            return nil
        }
        return (cellOf(low), cellOf(high))
    }

    /// Distance along the ray to the nearest face it leaves the solid through, or nil when the ray escapes or first
    /// meets a face turned towards it (the model is open or self-intersecting there). In an inside-out model every
    /// face is turned the other way.
    func exitDistance(from origin: SIMD3<Double>, direction: SIMD3<Double>, skipping source: Int, inverted: Bool)
        -> Double?
    {
        var cellIndex = cellOf(origin)
        let stepDir = SIMD3<Int>(direction.x >= 0 ? 1 : -1, direction.y >= 0 ? 1 : -1, direction.z >= 0 ? 1 : -1)
        var tMax = SIMD3<Double>.zero
        var tDelta = SIMD3<Double>.zero
        for axis in 0..<3 {
            let d = direction[axis]
            if d == 0 {
                tMax[axis] = .infinity
                tDelta[axis] = .infinity
            } else {
                let boundary = self.origin[axis] + Double(cellIndex[axis] + (d > 0 ? 1 : 0)) * cell
                tMax[axis] = (boundary - origin[axis]) / d
                tDelta[axis] = cell / abs(d)
            }
        }
        var best = Double.infinity
        var bestFacesAway = false
        let epsilon = 1e-7 * cell * 128
        while true {
            let c = (cellIndex.z * dims.y + cellIndex.y) * dims.x + cellIndex.x
            for i in Int(start[c])..<Int(start[c + 1]) {
                let t = Int(items[i])
                if t == source { continue }
                let (a, b, cc) = corners(t)
                guard let distance = intersect(origin, direction, a, b, cc), distance > epsilon, distance < best else {
                    continue
                }
                best = distance
                bestFacesAway = (dot(cross(b - a, cc - a), direction) > 0) != inverted
            }
            let exit = tMax.min()
            if best <= exit { break }
            let axis = tMax.x == exit ? 0 : (tMax.y == exit ? 1 : 2)
            cellIndex[axis] += stepDir[axis]
            if cellIndex[axis] < 0 || cellIndex[axis] >= dims[axis] { break }
            tMax[axis] += tDelta[axis]
        }
        return best.isFinite && bestFacesAway ? best : nil
    }

    /// Möller–Trumbore, both sides.
    private func intersect(
        _ origin: SIMD3<Double>, _ direction: SIMD3<Double>, _ a: SIMD3<Double>, _ b: SIMD3<Double>, _ c: SIMD3<Double>
    ) -> Double? {
        let e1 = b - a
        let e2 = c - a
        let p = cross(direction, e2)
        let det = dot(e1, p)
        guard abs(det) > 1e-18 else { return nil }
        let inverse = 1 / det
        let s = origin - a
        let u = dot(s, p) * inverse
        guard u >= 0, u <= 1 else { return nil }
        let q = cross(s, e1)
        let v = dot(direction, q) * inverse
        guard v >= 0, u + v <= 1 else { return nil }
        return dot(e2, q) * inverse
    }
}

/// A small, fast, seedable generator (Steele et al.), so estimates are reproducible.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }
}

/// `value` rounded down into 0...upper, NaN as 0. Clamping before converting: `Int(_:)` traps on huge values,
/// and a model's coordinates can be anything up to ±3.4 × 10³⁸ (found by the fuzzer).
func clampedIndex(_ value: Double, _ upper: Int) -> Int {
    guard value > 0 else { return 0 }
    return value >= Double(upper) ? upper : Int(value)
}
