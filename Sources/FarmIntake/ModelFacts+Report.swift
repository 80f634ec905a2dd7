import FarmDomain
import MeshKit

extension ModelFacts {
    /// The domain's view of what MeshKit found, rounded to what matters (a micrometre, a cubic micrometre).
    public init(_ report: ModelReport) {
        let a = report.analysis
        let size = a.boundingBox.map { BuildVolume(x: round6($0.size.x), y: round6($0.size.y), z: round6($0.size.z)) }
        self.init(
            format: report.format.rawValue, triangles: a.triangleCount, vertices: a.vertexCount, size: size,
            volume: round6(a.volume), surfaceArea: round6(a.surfaceArea), shells: a.shells, openEdges: a.openEdges,
            nonManifoldEdges: a.nonManifoldEdges, inconsistentEdges: a.inconsistentEdges,
            degenerateTriangles: a.degenerateTriangles,
            nonFiniteCoordinates: a.nonFiniteCoordinates, overhangArea: round6(a.overhangArea),
            overhangAngle: a.overhangAngle,
            footprint: a.footprint.map { [round6($0.x), round6($0.y)] },
            wallThickness: a.wallThickness.map {
                WallThicknessFacts(
                    samples: $0.samples, minimum: round6($0.minimum), percentile1: round6($0.percentile1),
                    percentile5: round6($0.percentile5), median: round6($0.median))
            },
            unitsGuess: a.unitsGuess.rawValue, declaredUnit: report.declaredUnit, objectNames: report.objectNames,
            readerNotes: report.warnings.map {
                PreflightFinding(
                    code: $0.code, severity: $0 == .binaryWithSolidHeader ? .info : .warn, message: $0.description)
            },
            floatingShells: a.floatingShells, selfSupportingOverhangArea: round6(a.selfSupportingOverhangArea))
    }
}

/// A micrometre is plenty; adding 0 turns -0 into 0 so JSON shows no "-0".
private func round6(_ value: Double) -> Double { value.isFinite ? (value * 1e6).rounded() / 1e6 + 0 : 0 }
