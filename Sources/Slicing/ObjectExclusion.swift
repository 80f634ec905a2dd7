import FarmDomain
import Foundation

/// Klipper's object exclusion, written into G-code whose objects PrusaSlicer labelled (2.5 writes only the
/// `; printing object …` comments): every object is defined with its centre and outline (`EXCLUDE_OBJECT_DEFINE`)
/// before the first command, and each of its sections is wrapped in `EXCLUDE_OBJECT_START` / `_END`, so an
/// operator can cancel one failed object while the others print on. The same input gives the same bytes.
enum ObjectExclusion {
    /// Rewrites the file at `path` in place; a file that defines objects already is left as it is.
    static func annotate(path: String, placements: [ObjectPlacement]) throws {
        guard !placements.isEmpty else { return }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        if data.range(of: Data("\nEXCLUDE_OBJECT_DEFINE ".utf8)) != nil { return }
        var definitions = ""
        for placement in placements {
            let (x0, y0, x1, y1) = (
                number(placement.minX), number(placement.minY), number(placement.maxX), number(placement.maxY)
            )
            definitions +=
                "EXCLUDE_OBJECT_DEFINE NAME=\(PlateObject.exclusionName(label: placement.label))"
                + " CENTER=\(number(placement.centreX)),\(number(placement.centreY))"
                + " POLYGON=[[\(x0),\(y0)],[\(x1),\(y0)],[\(x1),\(y1)],[\(x0),\(y1)]]\n"
        }
        var output = Data()
        output.reserveCapacity(data.count + definitions.utf8.count + placements.count * 200)
        var defined = false
        let start = Array("; printing object ".utf8)
        let stop = Array("; stop printing object ".utf8)
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var lineStart = 0
            while lineStart < bytes.count {
                var end = lineStart
                while end < bytes.count, bytes[end] != 10 { end += 1 }
                let line = UnsafeBufferPointer(rebasing: bytes[lineStart..<end])
                let next = min(bytes.count, end + 1)
                let whole = UnsafeBufferPointer(rebasing: bytes[lineStart..<next])
                if !defined, let first = line.first, first != UInt8(ascii: ";"), !line.isEmpty {
                    output.append(contentsOf: Data(definitions.utf8))
                    defined = true
                }
                if line.starts(with: start) {
                    output.append(contentsOf: whole)
                    if next == end { output.append(10) }
                    let label = String(decoding: line.dropFirst(start.count), as: UTF8.self)
                    output.append(contentsOf: Data("EXCLUDE_OBJECT_START NAME=\(exclusionName(label))\n".utf8))
                } else if line.starts(with: stop) {
                    let label = String(decoding: line.dropFirst(stop.count), as: UTF8.self)
                    output.append(contentsOf: Data("EXCLUDE_OBJECT_END NAME=\(exclusionName(label))\n".utf8))
                    output.append(contentsOf: whole)
                } else {
                    output.append(contentsOf: whole)
                }
                lineStart = next
            }
        }
        try output.write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    private static func exclusionName(_ label: String) -> String {
        PlateObject.exclusionName(label: label.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    private static func number(_ value: Double) -> String { String(format: "%.3f", value) }
}
