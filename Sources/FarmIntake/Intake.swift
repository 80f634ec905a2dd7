import FarmDomain
import MeshKit

/// Reads, analyses and judges model files: the one path the API and the command line share.
public struct Intake: Sendable {
    /// Stored with every analysis; raise it when the analysis changes, and stored models are analysed again on use.
    // 2: floating pieces, self-supporting overhangs, walls measured across (issue 17, item 13).
    public static let analyserVersion = 2

    public var reader: ModelReader
    public var inspector: PreflightInspector

    public init(reader: ModelReader = ModelReader(), inspector: PreflightInspector = PreflightInspector()) {
        self.reader = reader
        self.inspector = inspector
    }

    /// The facts of a model, or why it could not be read.
    public func analyse(_ source: ByteSource) -> Result<ModelFacts, MeshError> {
        do throws(MeshError) {
            return .success(ModelFacts(try reader.analyse(source)))
        } catch {
            return .failure(error)
        }
    }

    /// A verdict from facts (or from the reading failure).
    public func verdict(for facts: Result<ModelFacts, MeshError>, material: String, printers: [PreflightPrinter])
        -> PreflightVerdict
    {
        switch facts {
        case .success(let facts): inspector.inspect(facts, material: material, printers: printers)
        case .failure(let error): .unreadable(code: error.code, message: error.description, material: material)
        }
    }
}
