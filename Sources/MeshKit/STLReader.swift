import Foundation

/// Reads binary and ASCII STL. Binary is recognised by size (84 + 50 × n bytes) even behind a `solid` header,
/// and a header count that disagrees with the size is overruled by the size (with a warning).
public struct STLReader: Sendable {
    /// Refuse meshes above this many triangles before allocating for them.
    public var triangleLimit: Int

    public init(triangleLimit: Int = 50_000_000) {
        self.triangleLimit = triangleLimit
    }

    public enum Format: String, Sendable { case binary, ascii }

    /// Reads a whole model into memory; for tests and small files.
    public func read(_ data: Data) throws(MeshError) -> (mesh: Mesh, warnings: [MeshWarning]) {
        var mesh = Mesh()
        let (_, warnings) = try read(.data(data), into: &mesh)
        return (mesh, warnings)
    }

    /// Streams the model's triangles into `sink`.
    public func read<Sink: TriangleSink>(_ source: ByteSource, into sink: inout Sink) throws(MeshError) -> (
        Format, [MeshWarning]
    ) {
        let size = try source.size()
        guard size > 0 else { throw .empty }
        let head = try source.prefix(1024)
        let startsWithSolid = head.starts(with: "solid".utf8)
        let ascii = startsWithSolid && head.allSatisfy { $0 == 9 || $0 == 10 || $0 == 13 || (32...126).contains($0) }
        guard size >= 84 else {
            if ascii { return (.ascii, try readASCII(source, into: &sink)) }
            throw .truncated(expectedBytes: 84, actualBytes: size)
        }
        let header = UInt32(head[80]) | UInt32(head[81]) << 8 | UInt32(head[82]) << 16 | UInt32(head[83]) << 24
        let sizeFits = (size - 84) % 50 == 0
        let actual = (size - 84) / 50
        if sizeFits && Int(header) == actual {
            try readBinary(source, count: actual, into: &sink)
            return (.binary, startsWithSolid ? [.binaryWithSolidHeader] : [])
        }
        if ascii { return (.ascii, try readASCII(source, into: &sink)) }
        if sizeFits && actual > 0 {
            // why: exporters are known to write a wrong count; the size cannot lie about what is there.
            try readBinary(source, count: actual, into: &sink)
            return (.binary, [.triangleCountMismatch(header: header, actual: actual)])
        }
        // A count no model this farm accepts could have, in a file far too small for it, is noise, not a cut-off file.
        if Int(header) > triangleLimit {
            throw .notAMesh("its header claims \(header) triangles in a file of \(size) bytes")
        }
        if Int(header) > actual { throw .truncated(expectedBytes: 84 + Int(header) * 50, actualBytes: size) }
        throw .notAMesh("its size fits neither a binary nor an ASCII STL")
    }

    private func readBinary<Sink: TriangleSink>(_ source: ByteSource, count: Int, into sink: inout Sink)
        throws(MeshError)
    {
        guard count <= triangleLimit else { throw .tooLarge(triangles: count, limit: triangleLimit) }
        var remaining = count
        try source.forEachChunk(from: 84, chunkSize: 50 * 65_536) { (raw: UnsafeRawBufferPointer) throws(MeshError) in
            let triangles = Swift.min(remaining, raw.count / 50)
            sink.addBinaryRecords(raw, count: triangles)
            remaining -= triangles
        }
    }

    private func readASCII<Sink: TriangleSink>(_ source: ByteSource, into sink: inout Sink) throws(MeshError)
        -> [MeshWarning]
    {
        var parser = ASCIIParser(triangleLimit: triangleLimit)
        try source.forEachChunk(from: 0, chunkSize: 1 << 20) { (chunk: UnsafeRawBufferPointer) throws(MeshError) in
            try parser.feed(chunk, into: &sink)
        }
        try parser.finish(into: &sink)
        return []
    }
}

/// Line-by-line ASCII STL, fed in chunks; a line cut by a chunk boundary waits for the rest.
private struct ASCIIParser {
    let triangleLimit: Int
    var pending: [UInt8] = []
    var line = 0
    var corners: [SIMD3<Float>] = []
    var triangles = 0

    init(triangleLimit: Int) { self.triangleLimit = triangleLimit }

    mutating func feed<Sink: TriangleSink>(_ chunk: UnsafeRawBufferPointer, into sink: inout Sink) throws(MeshError) {
        var lineStart = 0
        for i in 0..<chunk.count where chunk[i] == 10 {
            if pending.isEmpty {
                try parseLine(UnsafeRawBufferPointer(rebasing: chunk[lineStart..<i]), into: &sink)
            } else {
                pending.append(contentsOf: chunk[lineStart..<i])
                let joined = pending
                pending.removeAll(keepingCapacity: true)
                try withBytes(of: joined) { (raw: UnsafeRawBufferPointer) throws(MeshError) in
                    try parseLine(raw, into: &sink)
                }
            }
            lineStart = i + 1
        }
        pending.append(contentsOf: chunk[lineStart...])
        guard pending.count <= 4096 else {
            throw .malformedASCII(line: line + 1, reason: "a line longer than 4096 characters")
        }
    }

    mutating func finish<Sink: TriangleSink>(into sink: inout Sink) throws(MeshError) {
        if !pending.isEmpty {
            let rest = pending
            pending = []
            try withBytes(of: rest) { (raw: UnsafeRawBufferPointer) throws(MeshError) in try parseLine(raw, into: &sink)
            }
        }
        guard corners.isEmpty else { throw .malformedASCII(line: line, reason: "the last facet is not closed") }
        guard triangles > 0 else { throw .notAMesh("no facets") }
    }

    private mutating func parseLine<Sink: TriangleSink>(_ text: UnsafeRawBufferPointer, into sink: inout Sink)
        throws(MeshError)
    {
        line += 1
        let words = text.split(whereSeparator: { $0 == 32 || $0 == 9 || $0 == 13 })
        guard let keyword = words.first else { return }
        if keyword.elementsEqual("vertex".utf8) {
            guard words.count == 4 else { throw .malformedASCII(line: line, reason: "a vertex needs three numbers") }
            var values = SIMD3<Float>()
            for axis in 0..<3 {
                let word = String(decoding: words[axis + 1], as: UTF8.self)
                guard let value = Float(word) else {
                    throw .malformedASCII(line: line, reason: "'\(word.prefix(40))' is not a number")
                }
                values[axis] = value
            }
            guard corners.count < 3 else {
                throw .malformedASCII(line: line, reason: "a facet needs exactly three vertices, got more")
            }
            corners.append(values)
        } else if keyword.elementsEqual("endfacet".utf8) {
            guard corners.count == 3 else {
                throw .malformedASCII(line: line, reason: "a facet needs exactly three vertices, got \(corners.count)")
            }
            triangles += 1
            guard triangles <= triangleLimit else { throw .tooLarge(triangles: triangles, limit: triangleLimit) }
            sink.add(corners[0], corners[1], corners[2])
            corners.removeAll(keepingCapacity: true)
        }
    }
}
