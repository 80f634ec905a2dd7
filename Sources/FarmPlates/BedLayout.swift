/// An axis-aligned rectangle on the bed, in millimetres from the bed's front-left corner.
public struct BedRect: Sendable, Hashable, Codable {
    public var x: Double
    public var y: Double
    public var width: Double
    public var depth: Double

    public init(x: Double, y: Double, width: Double, depth: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.depth = depth
    }

    public var maxX: Double { x + width }
    public var maxY: Double { y + depth }
    public var area: Double { width * depth }

    /// Overlap with `other` grown by `gap` on every side (touching at exactly `gap` is no overlap).
    func overlaps(_ other: BedRect, gap: Double) -> Bool {
        x < other.maxX + gap && other.x < maxX + gap && y < other.maxY + gap && other.y < maxY + gap
    }
}

/// A printer's bed as the composer sees it: its rectangle, the gap the slicer keeps between parts, and areas parts
/// must stay off (a clip, a purge line, a camera's blind corner).
public struct Bed: Sendable, Hashable, Codable {
    public var width: Double
    public var depth: Double
    /// The slicer's distance between arranged parts (PrusaSlicer's `duplicate_distance`).
    public var spacing: Double
    public var exclusions: [BedRect]

    public init(width: Double, depth: Double, spacing: Double = 6, exclusions: [BedRect] = []) {
        self.width = width
        self.depth = depth
        self.spacing = spacing
        self.exclusions = exclusions
    }

    /// The area parts may use: the bed less its exclusions (inside the bed).
    public var usableArea: Double {
        let excluded = exclusions.reduce(0.0) { total, rect in
            let w = max(0, min(rect.maxX, width) - max(rect.x, 0))
            let d = max(0, min(rect.maxY, depth) - max(rect.y, 0))
            return total + w * d
        }
        return max(1, width * depth - excluded)
    }
}

/// A fast estimate of where parts go on one bed: bottom-left placement on a skyline (the front edge of free space
/// across the bed's width), keeping the bed's spacing and exclusions. Only for choosing which parts share a plate:
/// the slicer's own arrangement places them for printing, and may refuse a plate this thought would fit.
public struct BedLayout: Sendable, Equatable {
    public let bed: Bed
    public private(set) var placed: [BedRect] = []
    public private(set) var usedArea = 0.0
    /// Segments of the skyline, left to right: from `x`, free space starts at `y` (gap included).
    private var skyline: [(x: Double, y: Double)]

    public init(bed: Bed) {
        self.bed = bed
        skyline = [(0, 0)]
    }

    public static func == (a: BedLayout, b: BedLayout) -> Bool { a.bed == b.bed && a.placed == b.placed }

    /// The share of the usable bed the parts cover (0…1).
    public var fill: Double { usedArea / bed.usableArea }

    /// Where a `width` × `depth` part would go, without placing it; nil when it does not fit.
    public func position(width: Double, depth: Double) -> BedRect? {
        guard width > 0, depth > 0, width <= bed.width, depth <= bed.depth,
            usedArea + width * depth <= bed.usableArea
        else { return nil }
        let gap = bed.spacing
        var best: BedRect?
        for start in skyline.indices {
            let x = skyline[start].x
            guard x + width <= bed.width else { break }
            // The part rests on the highest segment under it.
            var y = 0.0
            var index = start
            while index < skyline.count && skyline[index].x < x + width {
                y = max(y, skyline[index].y)
                index += 1
            }
            var candidate = BedRect(x: x, y: y, width: width, depth: depth)
            // An exclusion in the way pushes the part behind it.
            while let blocking = bed.exclusions.first(where: { $0.overlaps(candidate, gap: gap) }) {
                candidate.y = blocking.maxY + gap
            }
            guard candidate.maxY <= bed.depth else { continue }
            if best == nil || candidate.y < best!.y { best = candidate }
        }
        return best
    }

    /// Places the part where `position` says; nil (nothing placed) when it does not fit.
    public mutating func place(width: Double, depth: Double) -> BedRect? {
        guard let rect = position(width: width, depth: depth) else { return nil }
        placed.append(rect)
        usedArea += rect.area
        raise(from: rect.x, to: min(bed.width, rect.maxX + bed.spacing), height: rect.maxY + bed.spacing)
        return rect
    }

    /// Sets the skyline to `height` over [from, to).
    private mutating func raise(from: Double, to: Double, height: Double) {
        var next: [(x: Double, y: Double)] = [(from, height)]
        for (index, segment) in skyline.enumerated() {
            let end = index + 1 < skyline.count ? skyline[index + 1].x : bed.width
            if segment.x < from { next.append(segment) }
            if segment.x < to && end > to {
                next.append((to, segment.y))
            } else if segment.x >= to {
                next.append(segment)
            }
        }
        next.sort { $0.x < $1.x }
        // Neighbours at one height are one segment.
        var merged: [(x: Double, y: Double)] = []
        for segment in next where merged.last?.y != segment.y { merged.append(segment) }
        skyline = merged
    }
}
