import Foundation

public enum ModelFormat: String, Sendable, Codable {
    case binarySTL = "stl-binary"
    case asciiSTL = "stl-ascii"
    case threeMF = "3mf"
}

/// Everything intake learns from one model file.
public struct ModelReport: Sendable, Equatable {
    public var format: ModelFormat
    public var analysis: MeshAnalysis
    public var warnings: [MeshWarning]
    /// Object names from a 3MF; empty for STL.
    public var objectNames: [String]
    /// The unit a 3MF declared; nil for STL, which has none.
    public var declaredUnit: String?
}

/// Recognises the format by content (never by file name), reads the model as a stream and analyses it.
public struct ModelReader: Sendable {
    public var triangleLimit: Int
    public var uncompressedLimit: Int
    public var options: AnalysisOptions

    public init(
        triangleLimit: Int = 50_000_000, uncompressedLimit: Int = 1 << 30, options: AnalysisOptions = AnalysisOptions()
    ) {
        self.triangleLimit = triangleLimit
        self.uncompressedLimit = uncompressedLimit
        self.options = options
    }

    public func analyse(_ source: ByteSource) throws(MeshError) -> ModelReport {
        let size = try source.size()
        guard size > 0 else { throw .empty }
        let head = try source.prefix(4)
        if head == [0x50, 0x4B, 0x03, 0x04] {
            var builder = MeshBuilder()
            let reader = ThreeMFReader(triangleLimit: triangleLimit, uncompressedLimit: uncompressedLimit)
            let (summary, warnings) = try reader.read(source, into: &builder)
            return ModelReport(
                format: .threeMF, analysis: MeshAnalysis(builder, options: options, declaredUnits: true),
                warnings: warnings,
                objectNames: summary.objectNames, declaredUnit: summary.unit)
        }
        var builder = MeshBuilder(expectedTriangles: min(size / 50, triangleLimit))
        let (format, warnings) = try STLReader(triangleLimit: triangleLimit).read(source, into: &builder)
        return ModelReport(
            format: format == .binary ? .binarySTL : .asciiSTL, analysis: MeshAnalysis(builder, options: options),
            warnings: warnings,
            objectNames: [], declaredUnit: nil)
    }
}
