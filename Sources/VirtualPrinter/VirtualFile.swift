import FarmDomain
import Foundation

/// What a virtual printer keeps of an uploaded G-code file: not its bytes, only what printing it needs and what
/// Moonraker's metadata reports (the printed byte range, the estimate, layers, first-layer temperatures).
public struct VirtualFile: Sendable, Equatable {
    public var path: String
    public var size: Int
    public var modified: Double
    /// The first and last byte of G-code commands: the header and the slicer's config block are not printed.
    public var gcodeStartByte: Int
    public var gcodeEndByte: Int
    public var estimatedSeconds: Double
    public var layers: Int
    public var extruderTemperature: Double
    public var bedTemperature: Double
    public var filamentMillimetres: Double
    public var slicer: String?
    /// Objects the file defines for Klipper's exclusion (`EXCLUDE_OBJECT_DEFINE`), in order.
    public var objects: [DefinedObject] = []

    /// One `EXCLUDE_OBJECT_DEFINE NAME=… CENTER=x,y POLYGON=[[x,y],…]`, as Klipper's `exclude_object` reports it.
    public struct DefinedObject: Sendable, Equatable {
        public var name: String
        public var center: [Double]
        public var polygon: [[Double]]

        init?(line: String) {
            var fields: [String: String] = [:]
            for word in line.split(separator: " ").dropFirst() {
                guard let equals = word.firstIndex(of: "=") else { continue }
                fields[word[..<equals].uppercased()] = String(word[word.index(after: equals)...])
            }
            guard let name = fields["NAME"], !name.isEmpty else { return nil }
            self.name = name.uppercased()
            center = (fields["CENTER"] ?? "").split(separator: ",").compactMap { Double($0) }
            polygon = (fields["POLYGON"] ?? "").split(separator: "]").compactMap { pair in
                let numbers = pair.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: ["[", " "])) }
                return numbers.count == 2 ? numbers : nil
            }
        }
    }

    /// Reads a G-code file's comments (PrusaSlicer's, as Moonraker's metadata does); anything else gets defaults.
    public static func scan(path: String, data: Data, modified: Double) -> VirtualFile {
        var file = VirtualFile(
            path: path, size: data.count, modified: modified, gcodeStartByte: 0, gcodeEndByte: data.count,
            estimatedSeconds: 600, layers: 0,
            extruderTemperature: 210, bedTemperature: 60, filamentMillimetres: 0, slicer: nil)
        // Moonraker's own rules (metadata.py): the start is the newline before the first line matching
        // `[MG]\d+\s`, the end is after the last match of `\n[MG]\d+\s.*\n` (where \s may be the line's own newline,
        // so `.*` is then the next line).
        var lines: [(start: Int, end: Int, command: Bool)] = []
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count, bytes[end] != 10 { end += 1 }
                var command = false
                if end > start, bytes[start] == UInt8(ascii: "M") || bytes[start] == UInt8(ascii: "G") {
                    var digits = start + 1
                    while digits < end, bytes[digits] >= 48, bytes[digits] <= 57 { digits += 1 }
                    command = digits > start + 1 && (digits == end || [9, 11, 12, 13, 32].contains(bytes[digits]))
                }
                if end > start, bytes[start] == UInt8(ascii: ";"), end - start < 200 {
                    file.comment(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self))
                }
                if end - start > 22, bytes[start] == UInt8(ascii: "E"),
                    case let line = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self),
                    line.hasPrefix("EXCLUDE_OBJECT_DEFINE "), let object = DefinedObject(line: line)
                {
                    file.objects.append(object)
                }
                lines.append((start, end, command))
                start = end + 1
            }
        }
        let hasNewline = { (index: Int) in lines[index].end < data.count }
        if let first = lines.indices.first(where: { $0 > 0 && lines[$0].command && hasNewline($0) }) {
            file.gcodeStartByte = lines[first].start - 1
        }
        for index in lines.indices.reversed() where index > 0 && lines[index].command {
            let ownSpace =
                lines[index].end > lines[index].start
                && data[data.startIndex + lines[index].start..<data.startIndex + lines[index].end].contains {
                    $0 == 32 || $0 == 9
                }
            let last = ownSpace ? index : index + 1
            if last < lines.count, hasNewline(last) {
                file.gcodeEndByte = lines[last].end + 1
                break
            }
        }
        return file
    }

    mutating func comment(_ line: String) {
        if line.hasPrefix(";LAYER_CHANGE") {
            layers += 1
            return
        }
        guard let equals = line.range(of: " = ") else {
            if line.hasPrefix("; generated by ") {
                slicer = String(line.dropFirst(15).split(separator: " ").first ?? "")
            }
            return
        }
        let key = line[line.index(after: line.startIndex)..<equals.lowerBound].trimmingCharacters(in: .whitespaces)
        let value = String(line[equals.upperBound...]).trimmingCharacters(in: .whitespaces)
        switch key {
        case "estimated printing time (normal mode)":
            if let seconds = GCodeFacts.seconds(value[...]) { estimatedSeconds = Double(max(1, seconds)) }
        case "first_layer_temperature":
            if let number = Double(value.split(separator: ",").first ?? "") { extruderTemperature = number }
        case "first_layer_bed_temperature":
            if let number = Double(value.split(separator: ",").first ?? "") { bedTemperature = number }
        case "filament used [mm]":
            if let number = Double(value.split(separator: ",").first ?? "") { filamentMillimetres = number }
        default: break
        }
    }
}
