/// The model seen from above: the convex hull of its vertices in the XY plane.
enum Footprint {
    /// Counter-clockwise hull, thinned evenly to at most `limit` points (an inner approximation: for a 100 mm round
    /// part at 128 points it is off by less than 0.03 mm).
    static func hull(of positions: [SIMD3<Float>], limit: Int) -> [SIMD2<Double>] {
        var points = positions.compactMap { p -> SIMD2<Double>? in
            p.x.isFinite && p.y.isFinite && p.z.isFinite ? SIMD2(Double(p.x), Double(p.y)) : nil
        }
        guard !points.isEmpty else { return [] }
        points = discardInterior(points)
        points.sort { $0.x < $1.x || ($0.x == $1.x && $0.y < $1.y) }
        // Andrew's monotone chain.
        func turn(_ o: SIMD2<Double>, _ a: SIMD2<Double>, _ b: SIMD2<Double>) -> Double {
            (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x)
        }
        var hull: [SIMD2<Double>] = []
        for p in points {
            while hull.count >= 2 && turn(hull[hull.count - 2], hull[hull.count - 1], p) <= 0 { hull.removeLast() }
            hull.append(p)
        }
        let lowerCount = hull.count + 1
        for p in points.reversed().dropFirst() {
            while hull.count >= lowerCount && turn(hull[hull.count - 2], hull[hull.count - 1], p) <= 0 { hull.removeLast() }
            hull.append(p)
        }
        if hull.count > 1 { hull.removeLast() }
        guard hull.count > limit else { return hull }
        return (0..<limit).map { hull[$0 * hull.count / limit] }
    }

    /// Akl–Toussaint: points strictly inside the octagon of extreme points cannot be on the hull.
    private static func discardInterior(_ points: [SIMD2<Double>]) -> [SIMD2<Double>] {
        guard points.count > 64 else { return points }
        let directions: [SIMD2<Double>] = [[0, -1], [1, -1], [1, 0], [1, 1], [0, 1], [-1, 1], [-1, 0], [-1, -1]]
        var extremes = [SIMD2<Double>](repeating: points[0], count: 8)
        var best = [Double](repeating: -.infinity, count: 8)
        for p in points {
            for (i, d) in directions.enumerated() {
                let score = (p * d).sum()
                if score > best[i] {
                    best[i] = score
                    extremes[i] = p
                }
            }
        }
        var octagon: [SIMD2<Double>] = []
        for e in extremes where octagon.last != e && octagon.first != e { octagon.append(e) }
        guard octagon.count >= 3 else { return points }
        return points.filter { p in
            for i in octagon.indices {
                let a = octagon[i], b = octagon[(i + 1) % octagon.count]
                if (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x) <= 0 { return true }
            }
            return false
        }
    }
}
