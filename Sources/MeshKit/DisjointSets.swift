/// Disjoint sets over vertex numbers (union-find with path halving), on a buffer the caller owns: the analysis
/// tables are too big to copy, and a buffer keeps the inner loops free of array exclusivity checks.
struct DisjointSets {
    let parent: UnsafeMutableBufferPointer<Int32>

    /// Every element starts as a set of its own.
    init(_ parent: UnsafeMutableBufferPointer<Int32>) {
        for i in parent.indices { parent[i] = Int32(i) }
        self.parent = parent
    }

    func find(_ x: Int32) -> Int32 {
        var x = x
        while parent[Int(x)] != x {
            parent[Int(x)] = parent[Int(parent[Int(x)])]
            x = parent[Int(x)]
        }
        return x
    }

    func union(_ a: Int32, _ b: Int32) {
        let ra = find(a)
        let rb = find(b)
        if ra != rb { parent[Int(Swift.max(ra, rb))] = Swift.min(ra, rb) }
    }
}
