import Foundation

/// What geometry analysis found out about one model file, in millimetres: the input of a preflight verdict and the
/// analysis stored with the artifact. Plain values so the domain stays free of the geometry code.
public struct ModelFacts: Sendable, Equatable, Codable {
    public var format: String
    public var triangles: Int
    public var vertices: Int
    /// Extent along X, Y and Z; nil when no coordinate is finite.
    public var size: BuildVolume?
    /// Signed: negative when the model is inside out.
    public var volume: Double
    public var surfaceArea: Double
    public var shells: Int
    /// Pieces resting neither on the bed nor on another piece; nil in facts measured before it was (judge `shells`).
    public var floatingShells: Int?
    public var openEdges: Int
    public var nonManifoldEdges: Int
    public var inconsistentEdges: Int
    public var degenerateTriangles: Int
    public var nonFiniteCoordinates: Int
    /// Overhang area that needs support.
    public var overhangArea: Double
    /// Overhang area that grows out of the first layer and stays low: not a support need.
    public var selfSupportingOverhangArea: Double?
    public var overhangAngle: Double
    /// Convex hull seen from above, `[x, y]` pairs, counter-clockwise.
    public var footprint: [[Double]]
    public var wallThickness: WallThicknessFacts?
    /// `millimetres`, `probablyMetres`, `perhapsInches` or `declared`.
    public var unitsGuess: String
    public var declaredUnit: String?
    public var objectNames: [String]
    /// What the reader noticed that did not stop it.
    public var readerNotes: [PreflightFinding]

    public init(
        format: String, triangles: Int, vertices: Int, size: BuildVolume?, volume: Double, surfaceArea: Double,
        shells: Int,
        openEdges: Int, nonManifoldEdges: Int, inconsistentEdges: Int, degenerateTriangles: Int,
        nonFiniteCoordinates: Int,
        overhangArea: Double, overhangAngle: Double, footprint: [[Double]], wallThickness: WallThicknessFacts?,
        unitsGuess: String,
        declaredUnit: String?, objectNames: [String], readerNotes: [PreflightFinding], floatingShells: Int? = nil,
        selfSupportingOverhangArea: Double? = nil
    ) {
        self.floatingShells = floatingShells
        self.selfSupportingOverhangArea = selfSupportingOverhangArea
        self.format = format
        self.triangles = triangles
        self.vertices = vertices
        self.size = size
        self.volume = volume
        self.surfaceArea = surfaceArea
        self.shells = shells
        self.openEdges = openEdges
        self.nonManifoldEdges = nonManifoldEdges
        self.inconsistentEdges = inconsistentEdges
        self.degenerateTriangles = degenerateTriangles
        self.nonFiniteCoordinates = nonFiniteCoordinates
        self.overhangArea = overhangArea
        self.overhangAngle = overhangAngle
        self.footprint = footprint
        self.wallThickness = wallThickness
        self.unitsGuess = unitsGuess
        self.declaredUnit = declaredUnit
        self.objectNames = objectNames
        self.readerNotes = readerNotes
    }

    public var isWatertight: Bool { openEdges == 0 && nonManifoldEdges == 0 && inconsistentEdges == 0 && triangles > 0 }
}

public struct WallThicknessFacts: Sendable, Equatable, Codable {
    public var samples: Int
    public var minimum: Double
    public var percentile1: Double
    public var percentile5: Double
    public var median: Double

    public init(samples: Int, minimum: Double, percentile1: Double, percentile5: Double, median: Double) {
        self.samples = samples
        self.minimum = minimum
        self.percentile1 = percentile1
        self.percentile5 = percentile5
        self.median = median
    }
}
