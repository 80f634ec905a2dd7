import Foundation

/// Reads binary and ASCII STL. Binary is recognised by size (84 + 50 × n bytes) even behind a `solid` header,
/// and a header count that disagrees with the size is overruled by the size (with a warning).
public struct STLReader: Sendable {
    /// Refuse meshes above this many triangles before allocating for them.
    public var triangleLimit: Int

    public init(triangleLimit: Int = 50_000_000) {
        self.triangleLimit = triangleLimit
    }

    public func read(_ data: Data) throws(MeshError) -> (mesh: Mesh, warnings: [MeshWarning]) {
        guard !data.isEmpty else { throw .empty }
        let startsWithSolid = data.prefix(5).elementsEqual("solid".utf8)
        let ascii = startsWithSolid && looksLikeASCII(data)
        guard data.count >= 84 else {
            if ascii { return (try readASCII(data), []) }
            throw .truncated(expectedBytes: 84, actualBytes: data.count)
        }
        let header = data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 80, as: UInt32.self).littleEndian }
        let sizeFits = (data.count - 84) % 50 == 0
        let actual = (data.count - 84) / 50
        if sizeFits && Int(header) == actual {
            return (try readBinary(data, count: actual), startsWithSolid ? [.binaryWithSolidHeader] : [])
        }
        if ascii { return (try readASCII(data), []) }
        if sizeFits && actual > 0 {
            // why: exporters are known to write a wrong count; the size cannot lie about what is there.
            return (try readBinary(data, count: actual), [.triangleCountMismatch(header: header, actual: actual)])
        }
        if Int(header) > actual { throw .truncated(expectedBytes: 84 + Int(header) * 50, actualBytes: data.count) }
        throw .notAMesh("its size fits neither a binary nor an ASCII STL")
    }

    private func looksLikeASCII(_ data: Data) -> Bool {
        data.prefix(1024).allSatisfy { $0 == 9 || $0 == 10 || $0 == 13 || (32...126).contains($0) }
    }

    private func readBinary(_ data: Data, count: Int) throws(MeshError) -> Mesh {
        guard count <= triangleLimit else { throw .tooLarge(triangles: count, limit: triangleLimit) }
        var corners = [SIMD3<Float>](repeating: .zero, count: count * 3)
        data.withUnsafeBytes { raw in
            corners.withUnsafeMutableBufferPointer { out in
                for triangle in 0..<count {
                    let base = 84 + triangle * 50 + 12
                    for corner in 0..<3 {
                        let offset = base + corner * 12
                        out[triangle * 3 + corner] = SIMD3(
                            Float(bitPattern: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian),
                            Float(bitPattern: raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self).littleEndian),
                            Float(bitPattern: raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self).littleEndian))
                    }
                }
            }
        }
        return Mesh(corners: corners)
    }

    private func readASCII(_ data: Data) throws(MeshError) -> Mesh {
        var corners: [SIMD3<Float>] = []
        var line = 0
        var inFacet = 0
        for rawLine in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            line += 1
            let words = rawLine.split(whereSeparator: { $0 == 32 || $0 == 9 || $0 == 13 })
            guard let keyword = words.first else { continue }
            if keyword.elementsEqual("vertex".utf8) {
                guard words.count == 4 else { throw .malformedASCII(line: line, reason: "a vertex needs three numbers") }
                var values = SIMD3<Float>()
                for axis in 0..<3 {
                    guard let value = Float(String(decoding: words[axis + 1], as: UTF8.self)) else {
                        throw .malformedASCII(line: line, reason: "'\(String(decoding: words[axis + 1], as: UTF8.self))' is not a number")
                    }
                    values[axis] = value
                }
                corners.append(values)
                inFacet += 1
                if corners.count / 3 > triangleLimit { throw .tooLarge(triangles: corners.count / 3, limit: triangleLimit) }
            } else if keyword.elementsEqual("endfacet".utf8) {
                guard inFacet == 3 else { throw .malformedASCII(line: line, reason: "a facet needs exactly three vertices, got \(inFacet)") }
                inFacet = 0
            }
        }
        guard inFacet == 0 else { throw .malformedASCII(line: line, reason: "the last facet is not closed") }
        guard !corners.isEmpty else { throw .notAMesh("no facets") }
        return Mesh(corners: corners)
    }
}
