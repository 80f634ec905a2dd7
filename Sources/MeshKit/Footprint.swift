/// The model seen from above: the convex hull of its vertices in the XY plane.
enum Footprint {
    /// Counter-clockwise hull, thinned evenly to at most `limit` points (an inner approximation: for a 100 mm round
    /// part at 128 points it is off by less than 0.03 mm).
    static func hull(of positions: [SIMD3<Float>], limit: Int) -> [SIMD2<Double>] {
        var points = candidates(positions)
        guard !points.isEmpty else { return [] }
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
            while hull.count >= lowerCount && turn(hull[hull.count - 2], hull[hull.count - 1], p) <= 0 {
                hull.removeLast()
            }
            hull.append(p)
        }
        if hull.count > 1 { hull.removeLast() }
        guard hull.count > limit else { return hull }
        return (0..<limit).map { hull[$0 * hull.count / limit] }
    }

    /// Akl–Toussaint: points strictly inside the octagon of extreme points cannot be on the hull; only the rest are
    /// kept (for a finely tessellated part, a tiny share).
    private static func candidates(_ positions: [SIMD3<Float>]) -> [SIMD2<Double>] {
        // Extremes along -y, x-y, x, x+y, y, y-x, -x, -x-y: counter-clockwise around the octagon. Eight lanes at once.
        var best = SIMD8<Float>(repeating: -.infinity)
        var bestX = SIMD8<Float>(repeating: 0)
        var bestY = SIMD8<Float>(repeating: 0)
        var finite = 0
        positions.withUnsafeBufferPointer { points in
            for p in points where p.x.isFinite && p.y.isFinite && p.z.isFinite {
                finite += 1
                let scores = SIMD8<Float>(-p.y, p.x - p.y, p.x, p.x + p.y, p.y, p.y - p.x, -p.x, -p.x - p.y)
                let better = scores .> best
                best.replace(with: scores, where: better)
                bestX.replace(with: p.x, where: better)
                bestY.replace(with: p.y, where: better)
            }
        }
        let extremes = (0..<8).map { SIMD2<Float>(bestX[$0], bestY[$0]) }
        guard finite > 0 else { return [] }
        var octagon: [SIMD2<Float>] = []
        for e in extremes where octagon.last != e && octagon.first != e { octagon.append(e) }
        var kept: [SIMD2<Double>] = []
        guard octagon.count >= 3 else {
            for p in positions where p.x.isFinite && p.y.isFinite && p.z.isFinite {
                kept.append(SIMD2(Double(p.x), Double(p.y)))
            }
            return kept
        }
        // Each edge a → b as lanes (repeating the last edge to fill eight): inside when left of every edge.
        var ax = SIMD8<Float>()
        var ay = SIMD8<Float>()
        var dx = SIMD8<Float>()
        var dy = SIMD8<Float>()
        for lane in 0..<8 {
            let i = Swift.min(lane, octagon.count - 1)
            let a = octagon[i]
            let b = octagon[(i + 1) % octagon.count]
            ax[lane] = a.x
            ay[lane] = a.y
            dx[lane] = b.x - a.x
            dy[lane] = b.y - a.y
        }
        positions.withUnsafeBufferPointer { points in
            for p in points where p.x.isFinite && p.y.isFinite && p.z.isFinite {
                let side = dx * (SIMD8(repeating: p.y) - ay) - dy * (SIMD8(repeating: p.x) - ax)
                if any(side .<= 0) { kept.append(SIMD2(Double(p.x), Double(p.y))) }
            }
        }
        return kept
    }
}
