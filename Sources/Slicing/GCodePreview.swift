import FarmDomain
import Foundation

/// A picture of what a G-code file prints, for pages: the thumbnail a slicer embedded (`; thumbnail begin …`, PNG
/// or JPG, the largest), or else one drawn from the file — PrusaSlicer's command line cannot embed thumbnails (it
/// renders them with its GUI's OpenGL; prusa3d/PrusaSlicer#7878), so the farm's own slices have none. The drawing is
/// the plate from above: every extruded millimetre marked on a 1 mm grid, shaded by the highest layer printed there.
public enum GCodePreview: Sendable, Equatable {
    case embedded(Data, mediaType: String)
    case drawn(svg: String)

    public var mediaType: String {
        switch self {
        case .embedded(_, let type): type
        case .drawn: "image/svg+xml"
        }
    }

    public var bytes: Data {
        switch self {
        case .embedded(let data, _): data
        case .drawn(let svg): Data(svg.utf8)
        }
    }

    /// Reads the file once.
    public static func read(path: String) throws -> GCodePreview {
        var reader = Reader()
        try GCodeFacts.scan(path: path) { reader.lines($0) }
        if let best = reader.thumbnails.max(by: { $0.pixels < $1.pixels }),
            let data = Data(base64Encoded: best.base64, options: .ignoreUnknownCharacters)
        {
            return .embedded(data, mediaType: best.jpeg ? "image/jpeg" : "image/png")
        }
        return .drawn(svg: reader.heights.svg())
    }

    struct Thumbnail {
        var pixels: Int
        var jpeg: Bool
        var base64 = ""
    }

    /// The highest Z extruded at each square millimetre.
    struct HeightMap {
        var cells: [Int64: Double] = [:]

        static func key(_ x: Int, _ y: Int) -> Int64 { Int64(x) << 32 | Int64(UInt32(bitPattern: Int32(y))) }

        mutating func extrude(from a: (Double, Double), to b: (Double, Double), z: Double) {
            let length = hypot(b.0 - a.0, b.1 - a.1)
            let steps = max(1, Int(length * 2))
            for step in 0...steps {
                let t = Double(step) / Double(steps)
                let x = Int((a.0 + (b.0 - a.0) * t).rounded(.down))
                let y = Int((a.1 + (b.1 - a.1) * t).rounded(.down))
                let key = Self.key(x, y)
                if let known = cells[key], known >= z { continue }
                cells[key] = z
            }
        }

        /// Rows of cells (merged where neighbours share a shade), Y up as on the printer, in six shades of the
        /// farm's blue from the lowest layer to the highest.
        func svg() -> String {
            let points = cells.map { (x: Int($0.key >> 32), y: Int(Int32(truncatingIfNeeded: $0.key)), z: $0.value) }
            guard let minX = points.map(\.x).min(), let maxX = points.map(\.x).max(),
                let minY = points.map(\.y).min(), let maxY = points.map(\.y).max()
            else {
                return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"></svg>"
            }
            let top = max(points.map(\.z).max() ?? 1, 0.001)
            let shades = ["#cfe0f3", "#a9c8ea", "#7fabdc", "#5690cc", "#2f74b8", "#0b5cad"]
            func shade(_ z: Double) -> Int { min(shades.count - 1, Int(z / top * Double(shades.count))) }
            var grid: [Int: [Int: Int]] = [:]
            for point in points { grid[point.y, default: [:]][point.x] = shade(point.z) }
            var rects: [String] = []
            for y in minY...maxY {
                guard let row = grid[y] else { continue }
                var x = minX
                while x <= maxX {
                    guard let level = row[x] else {
                        x += 1
                        continue
                    }
                    var end = x
                    while end + 1 <= maxX, row[end + 1] == level { end += 1 }
                    // SVG's y grows down: the printer's back is at the top of the picture.
                    rects.append(
                        "<rect x=\"\(x - minX + 2)\" y=\"\(maxY - y + 2)\" width=\"\(end - x + 1)\" height=\"1\" "
                            + "fill=\"\(shades[level])\"/>")
                    x = end + 1
                }
            }
            let width = maxX - minX + 5
            let height = maxY - minY + 5
            return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(width) \(height)\" "
                + "shape-rendering=\"crispEdges\"><rect width=\"\(width)\" height=\"\(height)\" fill=\"#f4f5f7\"/>"
                + rects.joined() + "</svg>"
        }
    }

    struct Reader {
        var thumbnails: [Thumbnail] = []
        var reading: Int?
        var heights = HeightMap()
        var head = PrintHead()
        /// Inside the printer's own start or end G-code (`;TYPE:Custom`: a purge line across the bed), which is no
        /// part of the plate.
        var custom = false

        mutating func lines(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
            GCodeFacts.eachLine(in: bytes) { line in
                guard let first = line.first else { return }
                if first == UInt8(ascii: ";") {
                    comment(line)
                } else if first == UInt8(ascii: "G") || first == UInt8(ascii: "M") {
                    command(line)
                }
            }
        }

        mutating func comment(_ line: UnsafeBufferPointer<UInt8>) {
            if let index = reading {
                let text = String(decoding: line.dropFirst(), as: UTF8.self).trimmingCharacters(in: .whitespaces)
                if text.hasPrefix("thumbnail") && text.hasSuffix(" end") {
                    reading = nil
                } else {
                    thumbnails[index].base64 += text
                }
                return
            }
            if line.count > 6, line[1] == UInt8(ascii: "T"), line[2] == UInt8(ascii: "Y") {
                custom = String(decoding: line, as: UTF8.self).hasPrefix(";TYPE:Custom")
                return
            }
            guard line.count > 12, line[2] == UInt8(ascii: "t") else { return }
            let text = String(decoding: line, as: UTF8.self)
            // "; thumbnail begin 220x124 12345", "; thumbnail_JPG begin …" (QOI is no picture a browser shows).
            for (prefix, jpeg) in [("; thumbnail begin ", false), ("; thumbnail_JPG begin ", true)]
            where text.hasPrefix(prefix) {
                let size = text.dropFirst(prefix.count).split(separator: " ").first ?? ""
                let sides = size.split(separator: "x").compactMap { Int($0) }
                thumbnails.append(Thumbnail(pixels: sides.count == 2 ? sides[0] * sides[1] : 0, jpeg: jpeg))
                reading = thumbnails.count - 1
            }
        }

        mutating func command(_ line: UnsafeBufferPointer<UInt8>) {
            if let segment = head.apply(line), !custom {
                heights.extrude(from: (segment.from.x, segment.from.y), to: (segment.to.x, segment.to.y), z: head.z)
            }
        }
    }
}
