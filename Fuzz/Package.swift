// swift-tools-version:6.1
// Fuzz targets for the model readers, built with libFuzzer: run `scripts/fuzz` (not part of `swift test`).
import PackageDescription

let package = Package(
    name: "printfarm-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "printfarm", path: "..")],
    targets: [
        .executableTarget(name: "FuzzSTL", dependencies: [.product(name: "MeshKit", package: "printfarm")]),
        .executableTarget(name: "Fuzz3MF", dependencies: [.product(name: "MeshKit", package: "printfarm")]),
    ]
)
