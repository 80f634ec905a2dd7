import Foundation

/// Reads a 3MF package: the model part (and parts it references), its objects, components and build items with
/// their transforms, converted to millimetres. Guards: entry names may not escape the package, uncompressed sizes
/// are capped (declared and actual), XML may not declare entities, component nesting is bounded.
public struct ThreeMFReader: Sendable {
    public var triangleLimit: Int
    /// The most uncompressed bytes read from the package, in all.
    public var uncompressedLimit: Int

    public init(triangleLimit: Int = 50_000_000, uncompressedLimit: Int = 1 << 30) {
        self.triangleLimit = triangleLimit
        self.uncompressedLimit = uncompressedLimit
    }

    public struct Summary: Sendable, Equatable {
        /// The unit the file declared (`millimeter` when it declared none).
        public var unit: String
        public var objectNames: [String]
        public var buildItems: Int
    }

    public func read<Sink: TriangleSink>(_ source: ByteSource, into sink: inout Sink) throws(MeshError) -> (
        Summary, [MeshWarning]
    ) {
        let archive = try ZipArchive(source)
        var declaredTotal: UInt64 = 0
        for entry in archive.entries {
            let path = entry.path
            let parts = path.split(whereSeparator: { $0 == "/" || $0 == "\\" })
            guard !path.hasPrefix("/"), !path.hasPrefix("\\"), !parts.contains(".."), !path.contains(":") else {
                throw .invalidPackage("the entry '\(path.prefix(80))' points outside the package")
            }
            declaredTotal &+= entry.uncompressedSize
        }
        guard declaredTotal <= UInt64(uncompressedLimit) else {
            throw .invalidPackage("it unpacks to \(declaredTotal) bytes, more than the \(uncompressedLimit) allowed")
        }
        var package = Package(archive: archive, limit: uncompressedLimit, triangleLimit: triangleLimit)
        let root = try package.rootModelPath()
        let document = try package.document(at: root)
        var warnings: [MeshWarning] = []
        var emitter = Emitter(package: package, triangleLimit: triangleLimit)
        var items = document.items
        if items.isEmpty {
            warnings.append(.noBuildItems)
            items = document.objectOrder.map { BuildItem(objectID: $0, path: nil, transform: .identity) }
        }
        let scale = document.scale
        let unitTransform = Transform(scale: scale)
        for item in items {
            try emitter.emit(
                object: item.objectID, path: item.path ?? root, transform: item.transform.then(unitTransform),
                into: &sink, depth: 0)
        }
        warnings += emitter.warnings
        guard emitter.triangles > 0 else { throw .notAMesh("the 3MF holds no triangles") }
        return (
            Summary(
                unit: document.unit, objectNames: document.objectOrder.compactMap { document.objects[$0]?.name },
                buildItems: items.count), warnings
        )
    }
}

/// A 3MF affine transform: `p' = p · M` with M's last row the translation (the 3MF matrix layout).
struct Transform: Equatable {
    var m: [Double]  // m00 m01 m02 m10 m11 m12 m20 m21 m22 m30 m31 m32

    static let identity = Transform(m: [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0])

    init(m: [Double]) { self.m = m }
    init(scale s: Double) { m = [s, 0, 0, 0, s, 0, 0, 0, s, 0, 0, 0] }

    init?(_ text: String?) {
        guard let text else { return nil }
        let values = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).compactMap {
            Double($0)
        }
        guard values.count == 12, values.allSatisfy(\.isFinite) else { return nil }
        m = values
    }

    func apply(_ p: SIMD3<Double>) -> SIMD3<Double> {
        SIMD3(
            p.x * m[0] + p.y * m[3] + p.z * m[6] + m[9],
            p.x * m[1] + p.y * m[4] + p.z * m[7] + m[10],
            p.x * m[2] + p.y * m[5] + p.z * m[8] + m[11])
    }

    /// This transform, then `next`.
    func then(_ next: Transform) -> Transform {
        var r = [Double](repeating: 0, count: 12)
        for row in 0..<4 {
            for column in 0..<3 {
                var value = row == 3 ? next.m[9 + column] : 0
                for k in 0..<3 { value += m[row * 3 + k] * next.m[k * 3 + column] }
                r[row * 3 + column] = value
            }
        }
        return Transform(m: r)
    }
}

struct BuildItem {
    var objectID: Int
    var path: String?
    var transform: Transform
}

struct ModelObject {
    var name: String?
    var vertices: [SIMD3<Double>] = []
    var triangles: [Int32] = []
    var components: [BuildItem] = []
}

struct ModelDocument {
    var unit = "millimeter"
    var objects: [Int: ModelObject] = [:]
    var objectOrder: [Int] = []
    var items: [BuildItem] = []

    var scale: Double {
        switch unit {
        case "micron": 0.001
        case "centimeter": 10
        case "inch": 25.4
        case "foot": 304.8
        case "meter": 1000
        default: 1
        }
    }
}

/// The package's parts, parsed on demand and kept.
private struct Package {
    let archive: ZipArchive
    let limit: Int
    let triangleLimit: Int
    var unpacked = 0
    var documents: [String: ModelDocument] = [:]

    init(archive: ZipArchive, limit: Int, triangleLimit: Int) {
        self.archive = archive
        self.limit = limit
        self.triangleLimit = triangleLimit
    }

    mutating func bytes(at path: String) throws(MeshError) -> Data? {
        let name = path.hasPrefix("/") ? String(path.dropFirst()) : path
        guard let entry = archive.entry(named: name) else { return nil }
        // why: declared sizes can lie; the extraction itself stops at what is left of the budget.
        let data = try archive.extract(entry, budget: limit - unpacked)
        unpacked += data.count
        return data
    }

    mutating func rootModelPath() throws(MeshError) -> String {
        if let relations = try bytes(at: "_rels/.rels") {
            let target: String? = try withBytes(of: relations) { (raw: UnsafeRawBufferPointer) throws(MeshError) in
                var scanner = XMLScanner(raw)
                while let tag = try scanner.next() {
                    if tag.named("Relationship"), let type = tag.string("Type"), type.hasSuffix("/3dmodel"),
                        let target = tag.string("Target")
                    {
                        return target
                    }
                }
                return nil
            }
            if let target { return target.hasPrefix("/") ? target : "/" + target }
        }
        return "/3D/3dmodel.model"
    }

    mutating func document(at path: String) throws(MeshError) -> ModelDocument {
        if let known = documents[path] { return known }
        guard let data = try bytes(at: path) else {
            throw path == "/3D/3dmodel.model"
                ? .notAMesh("a ZIP archive without a 3D model part")
                : .invalidPackage("the part '\(path.prefix(80))' is missing")
        }
        let limit = triangleLimit
        let document = try withBytes(of: data) { (raw: UnsafeRawBufferPointer) throws(MeshError) in
            try Self.parse(raw, triangleLimit: limit)
        }
        documents[path] = document
        return document
    }

    static func parse(_ raw: UnsafeRawBufferPointer, triangleLimit: Int) throws(MeshError) -> ModelDocument {
        var scanner = XMLScanner(raw)
        var document = ModelDocument()
        var current: (id: Int, object: ModelObject)?
        var triangles = 0
        var sawModel = false
        while let tag = try scanner.next() {
            guard !tag.prefixed else { continue }
            if tag.isEnd {
                if tag.named("object"), let done = current {
                    document.objects[done.id] = done.object
                    document.objectOrder.append(done.id)
                    current = nil
                }
                continue
            }
            switch String(Substring(tag.name)) {
            case "model":
                sawModel = true
                document.unit = tag.string("unit") ?? "millimeter"
                guard ["micron", "millimeter", "centimeter", "inch", "foot", "meter"].contains(document.unit) else {
                    throw .invalidPackage("the unit '\(document.unit.prefix(20))' is not a 3MF unit")
                }
            case "object":
                guard let id = tag.integer("id") else { throw .invalidPackage("an object without a numeric id") }
                guard document.objects[id] == nil else { throw .invalidPackage("object id \(id) is used twice") }
                current = (id, ModelObject(name: tag.string("name")))
                if tag.selfClosing {
                    document.objects[id] = current!.object
                    document.objectOrder.append(id)
                    current = nil
                }
            case "vertex":
                guard current != nil, let x = tag.double("x"), let y = tag.double("y"), let z = tag.double("z") else {
                    throw .invalidPackage("a vertex outside an object or without x, y and z")
                }
                current!.object.vertices.append(SIMD3(x, y, z))
            case "triangle":
                guard current != nil, let v1 = tag.integer("v1"), let v2 = tag.integer("v2"), let v3 = tag.integer("v3")
                else {
                    throw .invalidPackage("a triangle outside an object or without v1, v2 and v3")
                }
                let count = current!.object.vertices.count
                guard v1 < count, v2 < count, v3 < count else {
                    throw .invalidPackage("a triangle refers to vertex \(max(v1, v2, v3)) of an object with \(count)")
                }
                triangles += 1
                guard triangles <= triangleLimit else { throw .tooLarge(triangles: triangles, limit: triangleLimit) }
                current!.object.triangles += [Int32(v1), Int32(v2), Int32(v3)]
            case "component":
                guard current != nil, let objectID = tag.integer("objectid") else {
                    throw .invalidPackage("a component without an objectid")
                }
                current!.object.components.append(
                    BuildItem(
                        objectID: objectID, path: pathAttribute(tag),
                        transform: Transform(tag.string("transform")) ?? .identity))
            case "item":
                guard let objectID = tag.integer("objectid") else {
                    throw .invalidPackage("a build item without an objectid")
                }
                if tag.string("printable") == "0" { continue }
                document.items.append(
                    BuildItem(
                        objectID: objectID, path: pathAttribute(tag),
                        transform: Transform(tag.string("transform")) ?? .identity))
            default: break
            }
        }
        guard sawModel else { throw .invalidPackage("the model part has no <model> element") }
        return document
    }

    /// The production extension's `p:path`, which names another model part.
    private static func pathAttribute(_ tag: XMLScanner.Tag) -> String? {
        tag.string("p:path")
    }
}

/// Walks build items and components, transforming triangles into the sink.
private struct Emitter {
    var package: Package
    let triangleLimit: Int
    var triangles = 0
    var warnings: [MeshWarning] = []

    init(package: Package, triangleLimit: Int) {
        self.package = package
        self.triangleLimit = triangleLimit
    }

    mutating func emit<Sink: TriangleSink>(
        object id: Int, path: String, transform: Transform, into sink: inout Sink, depth: Int
    ) throws(MeshError) {
        guard depth < 16 else { throw .invalidPackage("components nest more than 16 deep (or refer to themselves)") }
        let document = try package.document(at: path)
        guard let object = document.objects[id] else {
            warnings.append(.missingObject("\(id)"))
            return
        }
        // Parts referenced by path carry their own unit only through the root; 3MF requires one unit per package.
        for component in object.components {
            try emit(
                object: component.objectID, path: component.path ?? path,
                transform: component.transform.then(transform), into: &sink, depth: depth + 1)
        }
        guard !object.triangles.isEmpty else { return }
        triangles += object.triangles.count / 3
        guard triangles <= triangleLimit else { throw .tooLarge(triangles: triangles, limit: triangleLimit) }
        let placed = object.vertices.map { SIMD3<Float>(transform.apply($0)) }
        for t in stride(from: 0, to: object.triangles.count, by: 3) {
            sink.add(
                placed[Int(object.triangles[t])], placed[Int(object.triangles[t + 1])],
                placed[Int(object.triangles[t + 2])])
        }
    }
}
