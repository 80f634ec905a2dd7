import Foundation
import MeshKit

/// Any bytes as a 3MF package (ZIP + XML): a clear error or an analysis, never a crash, a hang or a memory blow-up.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz3MF(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    let reader = ThreeMFReader(triangleLimit: 100_000, uncompressedLimit: 16 << 20)
    var mesh = Mesh()
    _ = try? reader.read(.data(data), into: &mesh)
    return 0
}
