/// Anything that takes triangles one at a time: readers push into it, so a 200 MB file is never held whole.
public protocol TriangleSink {
    mutating func add(_ a: SIMD3<Float>, _ b: SIMD3<Float>, _ c: SIMD3<Float>)
    /// `count` binary STL records (50 bytes: normal, three corners, attribute); a sink may take them faster in bulk.
    mutating func addBinaryRecords(_ raw: UnsafeRawBufferPointer, count: Int)
}

extension TriangleSink {
    public mutating func addBinaryRecords(_ raw: UnsafeRawBufferPointer, count: Int) {
        func corner(_ offset: Int) -> SIMD3<Float> {
            SIMD3(
                Float(bitPattern: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian),
                Float(bitPattern: raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self).littleEndian),
                Float(bitPattern: raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self).littleEndian))
        }
        for triangle in 0..<count {
            let base = triangle * 50 + 12
            add(corner(base), corner(base + 12), corner(base + 24))
        }
    }
}

/// A triangle soup as read from a file: three corners per triangle, in file order, in the file's units.
/// Handy for tests and small models; large files stream into a `MeshBuilder` instead.
public struct Mesh: Sendable, Equatable, TriangleSink {
    /// `3 × triangleCount` corners; triangle `t` is corners `3t`, `3t+1`, `3t+2`.
    public var corners: [SIMD3<Float>]

    public init(corners: [SIMD3<Float>] = []) {
        precondition(corners.count % 3 == 0, "corners come in threes")
        self.corners = corners
    }

    public var triangleCount: Int { corners.count / 3 }

    public mutating func add(_ a: SIMD3<Float>, _ b: SIMD3<Float>, _ c: SIMD3<Float>) {
        corners += [a, b, c]
    }
}

/// What a reader noticed that did not stop it.
public enum MeshWarning: Sendable, Equatable, CustomStringConvertible {
    /// A binary STL's header claimed another number of triangles than the file holds; the size was trusted.
    case triangleCountMismatch(header: UInt32, actual: Int)
    /// A binary STL began with `solid`, as some exporters write, and was read as binary.
    case binaryWithSolidHeader
    /// A 3MF build item or component pointed at an object that does not exist; it was left out.
    case missingObject(String)
    /// A 3MF had no build items, so every object was taken once, untransformed.
    case noBuildItems

    public var code: String {
        switch self {
        case .triangleCountMismatch: "stl.countMismatch"
        case .binaryWithSolidHeader: "stl.solidHeader"
        case .missingObject: "3mf.missingObject"
        case .noBuildItems: "3mf.noBuildItems"
        }
    }

    public var description: String {
        switch self {
        case .triangleCountMismatch(let header, let actual):
            "the header says \(header) triangles but the file holds \(actual); read \(actual)"
        case .binaryWithSolidHeader:
            "a binary STL whose header starts with 'solid' (read as binary)"
        case .missingObject(let id):
            "the 3MF refers to object \(id), which it does not contain; that part was left out"
        case .noBuildItems:
            "the 3MF places nothing on its build plate; every object was taken once as it is"
        }
    }
}

/// Why a file could not be read as a mesh, in words a customer can act on.
public enum MeshError: Error, Sendable, Equatable, CustomStringConvertible {
    case empty
    case truncated(expectedBytes: Int, actualBytes: Int)
    case notAMesh(String)
    case malformedASCII(line: Int, reason: String)
    case tooLarge(triangles: Int, limit: Int)
    /// A 3MF package that is broken or unsafe (zip bomb, path traversal, entity declarations, bad XML).
    case invalidPackage(String)
    case unreadable(String)

    /// A stable code for APIs and scripts.
    public var code: String {
        switch self {
        case .empty: "model.empty"
        case .truncated: "model.truncated"
        case .notAMesh: "model.notAMesh"
        case .malformedASCII: "model.malformed"
        case .tooLarge: "model.tooManyTriangles"
        case .invalidPackage: "model.invalidPackage"
        case .unreadable: "model.unreadable"
        }
    }

    public var description: String {
        switch self {
        case .empty: "the file is empty; upload the model again"
        case .truncated(let expected, let actual):
            "the file is cut short: \(actual) bytes where at least \(expected) were expected; upload it again"
        case .notAMesh(let reason): "this is not an STL or 3MF model (\(reason)); export the model as STL or 3MF"
        case .malformedASCII(let line, let reason):
            "the ASCII STL is malformed at line \(line): \(reason); export it again, preferably as binary STL"
        case .tooLarge(let triangles, let limit):
            "the model has \(triangles) triangles, more than the \(limit) this farm accepts; simplify it"
        case .invalidPackage(let reason):
            "the 3MF file cannot be used: \(reason); export it again from your design program"
        case .unreadable(let reason): "the file could not be read: \(reason)"
        }
    }
}
