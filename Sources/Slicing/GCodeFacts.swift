import FarmDomain
import Foundation

extension GCodeFacts {
    static let keptSettings: Set<String> = [
        "perimeter_generator", "layer_height", "first_layer_height", "nozzle_diameter", "filament_type",
        "filament_density", "filament_diameter",
        "filament_cost", "printer_model", "bed_shape", "max_print_height", "gcode_flavor",
    ]

    /// Reads a G-code file line by line (only comment lines matter).
    public static func read(path: String) throws -> GCodeFacts {
        var parser = Parser()
        try scan(path: path) { parser.lines($0) }
        // An object that never extruded (all its moves were travel) has no extent to report.
        parser.facts.placements.removeAll { !$0.minX.isFinite }
        return parser.facts
    }

    /// Hands the file to `lines` a megabyte at a time; `lines` answers how many bytes (whole lines) it took, and the
    /// rest comes again with the next chunk, the last with a newline added.
    static func scan(path: String, _ lines: (UnsafeBufferPointer<UInt8>) -> Int) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw CocoaError(.fileReadNoSuchFile) }
        defer { try? handle.close() }
        var pending: [UInt8] = []
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            pending.append(contentsOf: chunk)
            pending.removeFirst(pending.withUnsafeBufferPointer(lines))
        }
        pending.append(10)
        _ = pending.withUnsafeBufferPointer(lines)
    }

    /// Hands each complete line of `bytes` (without its newline) to `body`; answers how many bytes that was.
    static func eachLine(
        in bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Void
    ) -> Int {
        var start = 0
        while start < bytes.count {
            guard let base = bytes.baseAddress, let found = memchr(base + start, 10, bytes.count - start) else { break }
            let end = UnsafePointer<UInt8>(found.assumingMemoryBound(to: UInt8.self)) - base
            body(UnsafeBufferPointer(rebasing: bytes[start..<end]))
            start = end + 1
        }
        return start
    }

    private struct Parser {
        var facts = GCodeFacts(
            generator: nil, estimatedSeconds: nil, estimatedSilentSeconds: nil, filamentMillimetres: nil,
            filamentCubicCentimetres: nil,
            filamentGrams: nil, filamentCost: nil, layerCount: 0, layerHeights: [], firstLayerHeight: nil, maxZ: 0,
            objects: [], thumbnails: [],
            settings: [:])
        var heights = Set<Double>()

        // Move state for placements: where the head is, and which labelled object is printing.
        var head = PrintHead()
        var printing: Int?
        var labels: [String: Int] = [:]

        /// Handles the complete lines in `bytes`; returns how many bytes that was. Only comments the facts come from
        /// become strings: most lines of a G-code file are moves, read as bytes.
        mutating func lines(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
            GCodeFacts.eachLine(in: bytes) { line in
                guard line.count >= 3 else { return }
                let first = line[0]
                let second = line[1]
                if first == UInt8(ascii: ";") {
                    // "; …" (header, config, objects, thumbnails), ";Z:", ";HEIGHT:", ";LAYER_CHANGE"
                    if second == UInt8(ascii: " ") || second == UInt8(ascii: "Z") || second == UInt8(ascii: "H")
                        || second == UInt8(ascii: "L")
                    {
                        comment(String(decoding: line, as: UTF8.self))
                    }
                } else if first == UInt8(ascii: "G") || first == UInt8(ascii: "M") {
                    command(line)
                }
            }
        }

        /// G0/G1 moves (tracked always, measured inside a labelled object), G90/G91, M82/M83 and G92.
        mutating func command(_ line: UnsafeBufferPointer<UInt8>) {
            let extruded = head.extruded
            let segment = head.apply(line)
            guard let printing else { return }
            if let segment {
                facts.placements[printing].include(segment.from.x, segment.from.y)
                facts.placements[printing].include(segment.to.x, segment.to.y)
            }
            if head.extruded != extruded {
                facts.placements[printing].filamentMillimetres =
                    (facts.placements[printing].filamentMillimetres ?? 0) + head.extruded - extruded
            }
        }

        mutating func startObject(_ label: String) {
            if let known = labels[label] {
                printing = known
                return
            }
            let (name, id, copy) = ObjectPlacement.parse(label: label)
            labels[label] = facts.placements.count
            printing = facts.placements.count
            facts.placements.append(
                ObjectPlacement(
                    name: name, id: id, copy: copy, minX: .infinity, minY: .infinity, maxX: -.infinity,
                    maxY: -.infinity,
                    filamentMillimetres: 0))
        }

        mutating func comment(_ text: String) {
            let line = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if line == ";LAYER_CHANGE" {
                facts.layerCount += 1
            } else if line.hasPrefix(";Z:"), let z = Double(line.dropFirst(3)) {
                facts.maxZ = max(facts.maxZ, z)
            } else if line.hasPrefix(";HEIGHT:"), let height = Double(line.dropFirst(8)) {
                if facts.firstLayerHeight == nil { facts.firstLayerHeight = height }
                if heights.insert((height * 1000).rounded() / 1000).inserted { facts.layerHeights = heights.sorted() }
            } else if line.hasPrefix("; generated by ") {
                let rest = line.dropFirst(15)
                facts.generator = rest.range(of: " on ").map { String(rest[..<$0.lowerBound]) } ?? String(rest)
            } else if line.hasPrefix("; printing object ") {
                let name = String(line.dropFirst(18))
                if !facts.objects.contains(name) { facts.objects.append(name) }
                startObject(name)
            } else if line.hasPrefix("; stop printing object ") {
                printing = nil
            } else if line.hasPrefix("; thumbnail begin ") {
                if let size = line.dropFirst(18).split(separator: " ").first { facts.thumbnails.append(String(size)) }
            } else if let equals = line.range(of: " = "), line.hasPrefix("; ") {
                value(
                    key: String(line[line.index(line.startIndex, offsetBy: 2)..<equals.lowerBound]),
                    text: String(line[equals.upperBound...]))
            }
        }

        mutating func value(key: String, text: String) {
            switch key {
            case "estimated printing time (normal mode)": facts.estimatedSeconds = GCodeFacts.seconds(text[...])
            case "estimated printing time (silent mode)": facts.estimatedSilentSeconds = GCodeFacts.seconds(text[...])
            case "filament used [mm]": facts.filamentMillimetres = sum(text)
            case "filament used [cm3]": facts.filamentCubicCentimetres = sum(text)
            case "filament used [g]", "total filament used [g]": facts.filamentGrams = sum(text)
            case "filament cost", "total filament cost": facts.filamentCost = sum(text)
            default:
                if GCodeFacts.keptSettings.contains(key) { facts.settings[key] = text }
            }
        }

        /// Several extruders write comma-separated values.
        func sum(_ text: String) -> Double? {
            let values = text.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
            return values.isEmpty ? nil : values.reduce(0, +)
        }
    }
}

extension ObjectPlacement {
    mutating func include(_ x: Double, _ y: Double) {
        minX = Swift.min(minX, x)
        minY = Swift.min(minY, y)
        maxX = Swift.max(maxX, x)
        maxY = Swift.max(maxY, y)
    }
}

/// The print head as G-code moves it: where it is, and how positions and extrusion count (absolute or relative).
struct PrintHead {
    var x = 0.0, y = 0.0, z = 0.0, e = 0.0
    var relativeE = false, relativeXY = false
    /// Millimetres of filament pushed so far, net of retractions (a retraction and its return cancel out).
    var extruded = 0.0

    /// Follows one G or M command; answers the XY segment it extruded along, if it extruded while moving.
    mutating func apply(_ line: UnsafeBufferPointer<UInt8>) -> (
        from: (x: Double, y: Double), to: (x: Double, y: Double)
    )? {
        var words = Words(line: line)
        guard let (letter, code) = words.next(), code >= 0, code == code.rounded() else { return nil }
        switch (letter, Int(code)) {
        case (UInt8(ascii: "G"), 0), (UInt8(ascii: "G"), 1):
            var nx = x
            var ny = y
            var extruded = false
            while let (field, value) = words.next() {
                switch field {
                case UInt8(ascii: "X"): nx = relativeXY ? x + value : value
                case UInt8(ascii: "Y"): ny = relativeXY ? y + value : value
                case UInt8(ascii: "Z"): z = relativeXY ? z + value : value
                case UInt8(ascii: "E"):
                    extruded = relativeE ? value > 0 : value > e
                    self.extruded += relativeE ? value : value - e
                    if !relativeE { e = value }
                default: break
                }
            }
            let from = (x: x, y: y)
            x = nx
            y = ny
            guard extruded, nx != from.x || ny != from.y else { return nil }
            return (from, (x: nx, y: ny))
        case (UInt8(ascii: "G"), 90):
            relativeXY = false
            relativeE = false
        case (UInt8(ascii: "G"), 91):
            relativeXY = true
            relativeE = true
        case (UInt8(ascii: "M"), 82): relativeE = false
        case (UInt8(ascii: "M"), 83): relativeE = true
        case (UInt8(ascii: "G"), 92):
            while let (field, value) = words.next() {
                switch field {
                case UInt8(ascii: "X"): x = value
                case UInt8(ascii: "Y"): y = value
                case UInt8(ascii: "E"): e = value
                default: break
                }
            }
        default: break
        }
        return nil
    }
}

/// The letter-number words of one G-code line ("G1 X10.5 Y-3 E.02 ; comment"), read without making strings.
struct Words {
    let line: UnsafeBufferPointer<UInt8>
    var index = 0

    init(line: UnsafeBufferPointer<UInt8>) { self.line = line }

    mutating func next() -> (UInt8, Double)? {
        while index < line.count {
            let byte = line[index]
            if byte == UInt8(ascii: ";") { return nil }
            index += 1
            guard (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) else { continue }
            if let value = number() { return (byte, value) }
        }
        return nil
    }

    /// A decimal number at `index` ("-12.5", ".02", "7"); nil when there is none.
    private mutating func number() -> Double? {
        var negative = false
        if index < line.count, line[index] == UInt8(ascii: "-") || line[index] == UInt8(ascii: "+") {
            negative = line[index] == UInt8(ascii: "-")
            index += 1
        }
        var whole: Int64 = 0
        var fraction: Int64 = 0
        var scale: Int64 = 1
        var digits = 0
        while index < line.count, let digit = Self.digit(line[index]), whole < 1_000_000_000_000 {
            whole = whole * 10 + digit
            index += 1
            digits += 1
        }
        if index < line.count, line[index] == UInt8(ascii: ".") {
            index += 1
            while index < line.count, let digit = Self.digit(line[index]) {
                if scale < 1_000_000_000_000 {
                    fraction = fraction * 10 + digit
                    scale *= 10
                }
                index += 1
                digits += 1
            }
        }
        guard digits > 0 else { return nil }
        let value = Double(whole) + Double(fraction) / Double(scale)
        return negative ? -value : value
    }

    private static func digit(_ byte: UInt8) -> Int64? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int64(byte - UInt8(ascii: "0")) : nil
    }
}
