import Foundation
import MeshKit
import ZIPFoundation

/// Models the tests build themselves, with known answers.
public enum MeshFixtures {
    /// An axis-aligned cube from `origin` with side `size`, faces pointing outwards (12 triangles).
    public static func cube(size: Float = 10, origin: SIMD3<Float> = .zero) -> Mesh {
        box(SIMD3(repeating: size), origin: origin)
    }

    /// An axis-aligned box from `origin` with sides `size`, faces pointing outwards (12 triangles).
    public static func box(_ size: SIMD3<Float>, origin: SIMD3<Float> = .zero) -> Mesh {
        let p: [SIMD3<Float>] = (0..<8).map { (i: Int) -> SIMD3<Float> in
            let unit = SIMD3<Float>(Float(i & 1), Float((i >> 1) & 1), Float((i >> 2) & 1))
            return origin + unit * size
        }
        // Each face as two counter-clockwise triangles seen from outside.
        let faces: [[Int]] = [
            [0, 2, 3, 1], [4, 5, 7, 6],  // z = 0 (down), z = 1 (up)
            [0, 1, 5, 4], [2, 6, 7, 3],  // y = 0, y = 1
            [0, 4, 6, 2], [1, 3, 7, 5],  // x = 0, x = 1
        ]
        var corners: [SIMD3<Float>] = []
        for f in faces {
            corners += [p[f[0]], p[f[1]], p[f[2]], p[f[0]], p[f[2]], p[f[3]]]
        }
        return Mesh(corners: corners)
    }

    /// A UV sphere of `radius` with `rings` × `segments` quads, closed and outward.
    public static func sphere(radius: Double = 10, rings: Int = 24, segments: Int = 48) -> Mesh {
        func point(_ ring: Int, _ segment: Int) -> SIMD3<Float> {
            let theta = Double.pi * Double(ring) / Double(rings)
            let phi = 2 * Double.pi * Double(segment % segments) / Double(segments)
            if ring == 0 { return SIMD3(0, 0, Float(radius)) }
            if ring == rings { return SIMD3(0, 0, Float(-radius)) }
            return SIMD3(
                Float(radius * sin(theta) * cos(phi)), Float(radius * sin(theta) * sin(phi)), Float(radius * cos(theta))
            )
        }
        var corners: [SIMD3<Float>] = []
        for ring in 0..<rings {
            for segment in 0..<segments {
                let a = point(ring, segment)
                let b = point(ring + 1, segment)
                let c = point(ring + 1, segment + 1)
                let d = point(ring, segment + 1)
                if ring != 0 { corners += [a, b, d] }
                if ring != rings - 1 { corners += [b, c, d] }
            }
        }
        return Mesh(corners: corners)
    }

    public static func binarySTL(_ mesh: Mesh, header: String = "binary STL from the tests", count: UInt32? = nil)
        -> Data
    {
        var data = Data(header.utf8.prefix(80))
        data.append(Data(repeating: 0, count: 80 - data.count))
        withUnsafeBytes(of: (count ?? UInt32(mesh.triangleCount)).littleEndian) { data.append(contentsOf: $0) }
        for triangle in 0..<mesh.triangleCount {
            data.append(Data(repeating: 0, count: 12))
            for corner in 0..<3 {
                let v = mesh.corners[triangle * 3 + corner]
                for value in [v.x, v.y, v.z] {
                    withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) }
                }
            }
            data.append(contentsOf: [0, 0])
        }
        return data
    }

    public static func asciiSTL(_ mesh: Mesh) -> Data {
        var text = "solid test\n"
        for triangle in 0..<mesh.triangleCount {
            text += "  facet normal 0 0 0\n    outer loop\n"
            for corner in 0..<3 {
                let v = mesh.corners[triangle * 3 + corner]
                text += "      vertex \(v.x) \(v.y) \(v.z)\n"
            }
            text += "    endloop\n  endfacet\n"
        }
        return Data((text + "endsolid test\n").utf8)
    }
}

extension MeshFixtures {
    /// A closed frustum standing on `origin`: a circle of `bottom` radius below, `top` above, `height` apart; a cone
    /// when one radius is 0 is not needed, so both stay positive. Faces point outwards.
    public static func frustum(
        bottom: Double, top: Double, height: Double, segments: Int = 64, origin: SIMD3<Float> = .zero
    )
        -> Mesh
    {
        func ring(_ radius: Double, _ z: Double, _ i: Int) -> SIMD3<Float> {
            let phi = 2 * Double.pi * Double(i % segments) / Double(segments)
            return origin + SIMD3(Float(radius * cos(phi)), Float(radius * sin(phi)), Float(z))
        }
        let low = origin
        let high = origin + SIMD3(0, 0, Float(height))
        var corners: [SIMD3<Float>] = []
        for i in 0..<segments {
            let b0 = ring(bottom, 0, i)
            let b1 = ring(bottom, 0, i + 1)
            let t0 = ring(top, height, i)
            let t1 = ring(top, height, i + 1)
            corners += [b0, b1, t1, b0, t1, t0, low, b1, b0, high, t0, t1]
        }
        return Mesh(corners: corners)
    }

    /// A closed box with a closed cavity: outer side `outer`, walls `wall` thick (inner faces point into the cavity).
    public static func hollowBox(outer: Float = 20, wall: Float = 0.3) -> Mesh {
        let inner = cube(size: outer - 2 * wall, origin: SIMD3(repeating: wall))
        var flipped = inner
        for t in 0..<flipped.triangleCount { flipped.corners.swapAt(t * 3, t * 3 + 1) }
        return Mesh(corners: cube(size: outer).corners + flipped.corners)
    }

    /// The XML of a 3MF model part holding `objects` (id → mesh XML) and build items.
    public static func threeMFModel(unit: String? = nil, objects: [String], items: [String]) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <model \(unit.map { "unit=\"\($0)\" " } ?? "")xml:lang="en-US" xmlns="http://schemas.microsoft.com/3dmanufacturing/core/2015/02">
         <metadata name="Title">test</metadata>
         <resources>
        \(objects.joined(separator: "\n"))
         </resources>
         <build>
        \(items.joined(separator: "\n"))
         </build>
        </model>
        """
    }

    /// A cube as a 3MF `<object>` with shared vertices.
    public static func threeMFCube(id: Int, size: Double = 10, name: String = "cube") -> String {
        let vertices = (0..<8).map { i in
            "<vertex x=\"\(Double(i & 1) * size)\" y=\"\(Double((i >> 1) & 1) * size)\" z=\"\(Double((i >> 2) & 1) * size)\"/>"
        }
        let faces: [[Int]] = [[0, 2, 3, 1], [4, 5, 7, 6], [0, 1, 5, 4], [2, 6, 7, 3], [0, 4, 6, 2], [1, 3, 7, 5]]
        let triangles = faces.flatMap { f in
            [
                "<triangle v1=\"\(f[0])\" v2=\"\(f[1])\" v3=\"\(f[2])\"/>",
                "<triangle v1=\"\(f[0])\" v2=\"\(f[2])\" v3=\"\(f[3])\"/>",
            ]
        }
        return
            "<object id=\"\(id)\" name=\"\(name)\" type=\"model\"><mesh><vertices>\(vertices.joined())</vertices><triangles>\(triangles.joined())</triangles></mesh></object>"
    }

    /// A ZIP archive with the given entries (path → bytes), deflated.
    public static func zip(_ entries: [(String, Data)]) throws -> Data {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("pf-\(UUID().uuidString).zip")
        defer { try? FileManager.default.removeItem(at: url) }
        let archive = try Archive(url: url, accessMode: .create)
        for (path, data) in entries {
            try archive.addEntry(
                with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate
            ) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        return try Data(contentsOf: url)
    }

    public static let contentTypes = Data(
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="model" ContentType="application/vnd.ms-package.3dmanufacturing-3dmodel+xml"/></Types>
        """.utf8)

    public static let relationships = Data(
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Target="/3D/3dmodel.model" Id="rel0" Type="http://schemas.microsoft.com/3dmanufacturing/2013/01/3dmodel"/></Relationships>
        """.utf8)

    /// A complete 3MF package around one model part.
    public static func threeMF(_ model: String, extra: [(String, Data)] = []) throws -> Data {
        try zip(
            [
                ("[Content_Types].xml", contentTypes), ("_rels/.rels", relationships),
                ("3D/3dmodel.model", Data(model.utf8)),
            ] + extra)
    }
}
