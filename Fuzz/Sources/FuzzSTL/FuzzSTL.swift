import Foundation
import MeshKit

/// Any bytes, read as a model file and analysed: a clear error or an analysis, never a crash or a hang.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSTL(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    // A small triangle limit keeps each input fast; the limit check itself is part of what is fuzzed.
    let reader = ModelReader(triangleLimit: 100_000, options: AnalysisOptions(wallThicknessSamples: 64))
    _ = try? STLReader(triangleLimit: 100_000).read(data)
    _ = try? reader.analyse(.data(data))
    return 0
}
