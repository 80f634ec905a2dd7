import Foundation
import MeshKit
import MeshTestSupport
import Testing

@Suite("3MF reading")
struct ThreeMFTests {
    func analyse(_ data: Data, limit: Int = 1 << 30) throws -> ModelReport {
        try ModelReader(uncompressedLimit: limit).analyse(.data(data))
    }

    @Test("several objects and build items with transforms are placed as the file says")
    func itemsAndTransforms() throws {
        let model = MeshFixtures.threeMFModel(
            objects: [
                MeshFixtures.threeMFCube(id: 1, name: "left"),
                MeshFixtures.threeMFCube(id: 2, size: 5, name: "right &amp; small"),
            ],
            items: [
                "<item objectid=\"1\"/>",
                "<item objectid=\"1\" transform=\"1 0 0 0 1 0 0 0 1 20 0 0\"/>",
                "<item objectid=\"2\" transform=\"2 0 0 0 2 0 0 0 2 0 40 0\"/>",
                "<item objectid=\"2\" printable=\"0\"/>",
            ])
        let report = try analyse(MeshFixtures.threeMF(model))
        #expect(report.format == .threeMF)
        #expect(report.objectNames == ["left", "right & small"])
        #expect(report.declaredUnit == "millimeter")
        #expect(report.analysis.triangleCount == 36)
        #expect(report.analysis.shells == 3)
        #expect(close(report.analysis.volume, 3000))
        #expect(report.analysis.boundingBox == BoundingBox(min: [0, 0, 0], max: [30, 50, 10]))
        #expect(report.analysis.isWatertight)
        #expect(report.analysis.unitsGuess == .declared)
    }

    @Test("units are converted to millimetres; components nest and compose their transforms")
    func unitsAndComponents() throws {
        let inches = try analyse(
            MeshFixtures.threeMF(
                MeshFixtures.threeMFModel(
                    unit: "inch", objects: [MeshFixtures.threeMFCube(id: 1, size: 1)], items: ["<item objectid=\"1\"/>"]
                )))
        #expect(abs(inches.analysis.volume - 25.4 * 25.4 * 25.4) < 1e-3)
        #expect(inches.declaredUnit == "inch")
        let assembly = """
            <object id="5" type="model"><components>
              <component objectid="1"/>
              <component objectid="1" transform="1 0 0 0 1 0 0 0 1 0 0 10"/>
            </components></object>
            """
        let nested = try analyse(
            MeshFixtures.threeMF(
                MeshFixtures.threeMFModel(
                    unit: "centimeter", objects: [MeshFixtures.threeMFCube(id: 1, size: 1), assembly],
                    items: ["<item objectid=\"5\" transform=\"1 0 0 0 1 0 0 0 1 5 0 0\"/>"])))
        #expect(abs(nested.analysis.volume - 2000) < 1e-6)
        #expect(nested.analysis.boundingBox == BoundingBox(min: [50, 0, 0], max: [60, 10, 110]))
    }

    @Test("a build item naming a missing object is left out with a warning; no items takes every object once")
    func warnings() throws {
        let missing = try analyse(
            MeshFixtures.threeMF(
                MeshFixtures.threeMFModel(
                    objects: [MeshFixtures.threeMFCube(id: 1)],
                    items: ["<item objectid=\"1\"/>", "<item objectid=\"9\"/>"])))
        #expect(missing.warnings == [.missingObject("9")])
        #expect(missing.analysis.triangleCount == 12)
        let none = try analyse(
            MeshFixtures.threeMF(MeshFixtures.threeMFModel(objects: [MeshFixtures.threeMFCube(id: 1)], items: [])))
        #expect(none.warnings == [.noBuildItems])
        #expect(none.analysis.triangleCount == 12)
    }

    @Test(
        "unsafe or broken packages are refused with a reason: traversal, bombs, entities, bad indices, no model, truncation"
    )
    func hostile() throws {
        func code(_ body: () throws -> ModelReport) -> String? {
            do {
                _ = try body()
                return nil
            } catch let error as MeshError {
                return error.code
            } catch {
                return "unexpected \(error)"
            }
        }
        let cube = MeshFixtures.threeMFModel(
            objects: [MeshFixtures.threeMFCube(id: 1)], items: ["<item objectid=\"1\"/>"])
        let traversal = try MeshFixtures.threeMF(cube, extra: [("../../etc/cron.d/evil", Data("x".utf8))])
        #expect(code { try analyse(traversal) } == "model.invalidPackage")

        let zeros = Data(repeating: 0x20, count: 4 << 20)
        let bomb = try MeshFixtures.threeMF(cube, extra: [("Metadata/padding.xml", zeros)])
        #expect(bomb.count < 200_000, "deflated spaces are small")
        #expect(code { try analyse(bomb, limit: 1 << 20) } == "model.invalidPackage")

        // A bomb that lies about its size in both headers is stopped by counting what comes out.
        var liar = try MeshFixtures.zip([
            ("_rels/.rels", MeshFixtures.relationships), ("3D/3dmodel.model", Data(cube.utf8) + zeros),
        ])
        for signature in [[0x50, 0x4B, 0x03, 0x04] as [UInt8], [0x50, 0x4B, 0x01, 0x02]] {
            var search = liar.startIndex
            while let range = liar[search...].firstRange(of: Data(signature)) {
                let sizeOffset = range.lowerBound + (signature[2] == 0x03 ? 22 : 24)
                let name = signature[2] == 0x03 ? range.lowerBound + 30 : range.lowerBound + 46
                if liar[name...].starts(with: Data("3D/".utf8)) {
                    liar.replaceSubrange(sizeOffset..<sizeOffset + 4, with: [0x00, 0x10, 0x00, 0x00])
                }
                search = range.upperBound
            }
        }
        #expect(code { try analyse(liar, limit: 1 << 20) } == "model.invalidPackage")

        let entities = """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
            <model unit="millimeter"><resources/><build/></model>
            """
        #expect(code { try analyse(MeshFixtures.threeMF(entities)) } == "model.invalidPackage")

        let badIndex = MeshFixtures.threeMFModel(
            objects: [
                "<object id=\"1\"><mesh><vertices><vertex x=\"0\" y=\"0\" z=\"0\"/></vertices><triangles><triangle v1=\"0\" v2=\"1\" v3=\"2\"/></triangles></mesh></object>"
            ],
            items: ["<item objectid=\"1\"/>"])
        #expect(code { try analyse(MeshFixtures.threeMF(badIndex)) } == "model.invalidPackage")

        let cycle = MeshFixtures.threeMFModel(
            objects: ["<object id=\"1\"><components><component objectid=\"1\"/></components></object>"],
            items: ["<item objectid=\"1\"/>"])
        #expect(code { try analyse(MeshFixtures.threeMF(cycle)) } == "model.invalidPackage")

        let noModel = try MeshFixtures.zip([("readme.txt", Data("hello".utf8))])
        #expect(code { try analyse(noModel) } == "model.notAMesh")

        let whole = try MeshFixtures.threeMF(cube)
        #expect(code { try analyse(whole.prefix(whole.count / 2)) } == "model.invalidPackage")
        #expect(code { try analyse(MeshFixtures.threeMF("<model unit=\"parsec\"></model>")) } == "model.invalidPackage")
        #expect(
            code {
                try analyse(
                    MeshFixtures.threeMF("<model><resources><object id=\"1\"><mesh><vertices><vertex x=\"nan-ish\""))
            } == "model.invalidPackage")
    }
}

/// Inputs the fuzzers keep (Fuzz/Corpus) and those that once crashed a reader (Fuzz/Regressions): each must give an
/// analysis or a MeshError, in every build, not only under the fuzzer.
@Suite("Fuzz corpus and regressions")
struct FuzzRegressionTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    @Test("every kept input reads to an analysis or a clear error")
    func corpus() throws {
        var files: [URL] = []
        for folder in ["Corpus/stl", "Corpus/3mf", "Regressions"] {
            let directory = Self.root.appendingPathComponent(folder)
            files += try FileManager.default.contentsOfDirectory(atPath: directory.path).map {
                directory.appendingPathComponent($0)
            }
        }
        #expect(files.count >= 10)
        var errors = 0
        for file in files {
            do {
                _ = try ModelReader(options: AnalysisOptions(wallThicknessSamples: 256)).analyse(.file(path: file.path))
            } catch {
                errors += 1
            }
        }
        #expect(errors < files.count, "the seeds include valid models")
    }
}
