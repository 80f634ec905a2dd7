/// A triangle soup as read from a file: three corners per triangle, in file order, in the file's units.
public struct Mesh: Sendable, Equatable {
    /// `3 × triangleCount` corners; triangle `t` is corners `3t`, `3t+1`, `3t+2`.
    public var corners: [SIMD3<Float>]

    public init(corners: [SIMD3<Float>]) {
        precondition(corners.count % 3 == 0, "corners come in threes")
        self.corners = corners
    }

    public var triangleCount: Int { corners.count / 3 }
}

/// What a reader noticed that did not stop it.
public enum MeshWarning: Sendable, Equatable, CustomStringConvertible {
    /// A binary STL's header claimed another number of triangles than the file holds; the size was trusted.
    case triangleCountMismatch(header: UInt32, actual: Int)
    /// A binary STL began with `solid`, as some exporters write, and was read as binary.
    case binaryWithSolidHeader

    public var description: String {
        switch self {
        case .triangleCountMismatch(let header, let actual):
            "the header says \(header) triangles but the file holds \(actual); read \(actual)"
        case .binaryWithSolidHeader:
            "a binary STL whose header starts with 'solid' (read as binary)"
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

    public var description: String {
        switch self {
        case .empty: "the file is empty"
        case .truncated(let expected, let actual): "the file is cut short: \(actual) bytes where at least \(expected) were expected; upload it again"
        case .notAMesh(let reason): "this is not an STL or 3MF model (\(reason)); export the model as STL or 3MF"
        case .malformedASCII(let line, let reason): "the ASCII STL is malformed at line \(line): \(reason)"
        case .tooLarge(let triangles, let limit): "the model has \(triangles) triangles, more than the \(limit) this farm accepts; simplify it"
        }
    }
}
