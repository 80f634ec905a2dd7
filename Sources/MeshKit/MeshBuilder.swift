/// Welds corners into shared vertices as triangles arrive, so a model costs memory for its distinct vertices and
/// three 32-bit indices per triangle rather than for its file.
///
/// Welding is exact: corners with identical coordinates (bit for bit, -0 taken as +0) are one vertex.
public struct MeshBuilder: TriangleSink, Sendable {
    /// Distinct vertices in order of first appearance.
    public private(set) var positions: [SIMD3<Float>] = []
    /// Three vertex indices per triangle.
    public private(set) var indices: [Int32] = []
    /// Open-addressing table of vertex indices (or -1), keyed by a hash of the coordinates' bits.
    private var slots: [Int32]
    private var mask: Int

    public init(expectedTriangles: Int = 1024) {
        // Closed meshes have about half as many vertices as triangles; the table stays at most half full.
        let capacity = max(64, (expectedTriangles + expectedTriangles / 2).nextPowerOfTwo)
        slots = Array(repeating: -1, count: capacity)
        mask = capacity - 1
        positions.reserveCapacity(expectedTriangles / 2 + 8)
        indices.reserveCapacity(expectedTriangles * 3)
    }

    public var triangleCount: Int { indices.count / 3 }

    public mutating func add(_ a: SIMD3<Float>, _ b: SIMD3<Float>, _ c: SIMD3<Float>) {
        indices.append(weld(a))
        indices.append(weld(b))
        indices.append(weld(c))
    }

    @inline(__always)
    private mutating func weld(_ corner: SIMD3<Float>) -> Int32 {
        // Adding +0 turns -0 into +0, so the two zeros weld.
        let p = corner + SIMD3<Float>(repeating: 0)
        let x = p.x.bitPattern, y = p.y.bitPattern, z = p.z.bitPattern
        var slot = Self.hash(x, y, z) & mask
        while true {
            let existing = slots[slot]
            if existing < 0 { break }
            let q = positions[Int(existing)]
            if q.x.bitPattern == x && q.y.bitPattern == y && q.z.bitPattern == z { return existing }
            slot = (slot + 1) & mask
        }
        let index = Int32(positions.count)
        positions.append(p)
        slots[slot] = index
        if positions.count * 2 > slots.count { grow() }
        return index
    }

    private mutating func grow() {
        let capacity = slots.count * 2
        mask = capacity - 1
        slots = Array(repeating: -1, count: capacity)
        for (index, p) in positions.enumerated() {
            var slot = Self.hash(p.x.bitPattern, p.y.bitPattern, p.z.bitPattern) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(index)
        }
    }

    @inline(__always)
    private static func hash(_ x: UInt32, _ y: UInt32, _ z: UInt32) -> Int {
        var hash = UInt64(x) &* 0x9E37_79B9_7F4A_7C15
        hash ^= UInt64(y) &* 0xC2B2_AE3D_27D4_EB4F
        hash ^= UInt64(z) &* 0x1656_67B1_9E37_79F9
        // why: round coordinates have long runs of zero low bits; the finaliser (MurmurHash3's) spreads the high ones down.
        hash ^= hash >> 33
        hash &*= 0xFF51_AFD7_ED55_8CCD
        hash ^= hash >> 33
        return Int(truncatingIfNeeded: hash)
    }

    /// Frees the welding table; call once every triangle is in.
    public mutating func finishWelding() {
        slots = []
        mask = 0
    }
}

extension Int {
    var nextPowerOfTwo: Int {
        guard self > 1 else { return 1 }
        return 1 << (Int.bitWidth - (self - 1).leadingZeroBitCount)
    }
}
