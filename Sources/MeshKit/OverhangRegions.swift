/// Overhanging faces grouped into connected regions (faces sharing a vertex), so that an overhang growing out of the
/// first layer and staying low, like the underside of a sphere or a torus, is told apart from one that needs support.
struct OverhangRegions {
    /// Area of regions that need support.
    var supportArea = 0.0
    /// Area of regions that start on the bed and end within `selfSupportingHeight` of it: the part widens a little
    /// each layer from its own first layer, and the few layers that droop rest close above the bed.
    var selfSupportingArea = 0.0

    /// - Parameters:
    ///   - faces: the first index (into `indices`) of each overhanging triangle, and its area.
    init(
        positions: [SIMD3<Float>], indices: [Int32], faces: [(start: Int32, area: Double)], bedZ: Double,
        selfSupportingHeight: Double
    ) {
        guard !faces.isEmpty else { return }
        var parent = largeArray(repeating: Int32(0), count: positions.count)
        var regions: [(low: Double, high: Double, area: Double)] = []
        parent.withUnsafeMutableBufferPointer { buffer in
            let sets = DisjointSets(buffer)
            for face in faces {
                let t = Int(face.start)
                sets.union(indices[t], indices[t + 1])
                sets.union(indices[t + 1], indices[t + 2])
            }
            // Roots first, then a root's entry becomes -(its region + 1): no hash table.
            let roots = faces.map { sets.find(indices[Int($0.start)]) }
            for (face, root) in zip(faces, roots) {
                let t = Int(face.start)
                let z0 = Double(positions[Int(indices[t])].z)
                let z1 = Double(positions[Int(indices[t + 1])].z)
                let z2 = Double(positions[Int(indices[t + 2])].z)
                let low = Swift.min(z0, z1, z2)
                let high = Swift.max(z0, z1, z2)
                if buffer[Int(root)] >= 0 {
                    buffer[Int(root)] = -Int32(regions.count + 1)
                    regions.append((low, high, face.area))
                } else {
                    let region = Int(-buffer[Int(root)] - 1)
                    regions[region].low = Swift.min(regions[region].low, low)
                    regions[region].high = Swift.max(regions[region].high, high)
                    regions[region].area += face.area
                }
            }
        }
        let firstLayer = bedZ + Double(Shells.bedTolerance)
        for region in regions {
            if region.low <= firstLayer && region.high <= bedZ + selfSupportingHeight {
                selfSupportingArea += region.area
            } else {
                supportArea += region.area
            }
        }
    }
}
