/// The connected pieces of a mesh (triangles sharing a vertex) and whether each stands on something.
struct Shells {
    var count = 0
    /// Pieces whose lowest point is neither on the bed nor on another piece: they would print in mid-air.
    var floating = 0

    /// A piece rests on the bed when its lowest point is within half a first layer of it: the slicer cuts the first
    /// layer at its middle, so such a piece is in the first layer.
    static let bedTolerance: Float = 0.1
    /// Beyond this many pieces, only the bed counts as support (comparing every pair would take too long; such a
    /// mesh is a soup of triangles that fails on its open edges anyway).
    static let pairLimit = 4096

    init(positions: [SIMD3<Float>], indices: [Int32], bedZ: Float) {
        var parent = largeArray(repeating: Int32(0), count: positions.count)
        var boxes: [(low: SIMD3<Float>, high: SIMD3<Float>)] = []
        var roots = 0
        parent.withUnsafeMutableBufferPointer { buffer in
            let sets = DisjointSets(buffer)
            indices.withUnsafeBufferPointer { idx in
                for t in stride(from: 0, to: idx.count, by: 3) {
                    sets.union(idx[t], idx[t + 1])
                    sets.union(idx[t + 1], idx[t + 2])
                }
            }
            // Every vertex points at its root (the set's lowest vertex, so roots come first); then a root's entry
            // becomes -(its box + 1), which later vertices read through their root: no hash table.
            for v in 0..<positions.count { buffer[v] = sets.find(Int32(v)) }
            for v in 0..<positions.count {
                let root = Int(buffer[v])
                let p = positions[v]
                let finite = p.x.isFinite && p.y.isFinite && p.z.isFinite
                if root == v {
                    roots += 1
                    buffer[v] = -Int32(boxes.count + 1)
                    boxes.append(
                        finite ? (p, p) : (SIMD3(repeating: .infinity), SIMD3(repeating: -.infinity)))
                } else if finite {
                    let box = Int(-buffer[root] - 1)
                    boxes[box].low = pointwiseMin(boxes[box].low, p)
                    boxes[box].high = pointwiseMax(boxes[box].high, p)
                }
            }
        }
        // A piece with no finite corner has no place to judge.
        boxes.removeAll { $0.low.x > $0.high.x }
        count = roots
        floating = Shells.floating(boxes, bedZ: bedZ)
    }

    /// Pieces on the bed stand; lowest first, a piece stands when its lowest point lies within the box of a piece
    /// that stands (a letter sunk into a plate, a cavity inside a solid, a part stacked on another).
    static func floating(_ boxes: [(low: SIMD3<Float>, high: SIMD3<Float>)], bedZ: Float) -> Int {
        let ordered = boxes.sorted { $0.low.z < $1.low.z }
        var standing: [(low: SIMD3<Float>, high: SIMD3<Float>)] = []
        var floating = 0
        for box in ordered {
            let onBed = box.low.z <= bedZ + bedTolerance
            let onAnother =
                !onBed && ordered.count <= pairLimit
                && standing.contains { other in
                    other.low.x <= box.high.x && box.low.x <= other.high.x && other.low.y <= box.high.y
                        && box.low.y <= other.high.y && box.low.z <= other.high.z + bedTolerance
                }
            if onBed || onAnother { standing.append(box) } else { floating += 1 }
        }
        return floating
    }
}
