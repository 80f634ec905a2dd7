import Foundation
import MeshKit
import MeshTestSupport
import Testing

/// `printfarm preflight` as a shop owner runs it on a folder of customer files.
@Suite("printfarm preflight")
struct PreflightCommandTests {
    func folder(_ files: [String: Data]) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pf-preflight-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, data) in files { try data.write(to: directory.appendingPathComponent(name)) }
        return directory
    }

    @Test("a folder: good files pass, a broken one fails with its reason, exit status 1; JSON carries facts and codes")
    func folderOfFiles() throws {
        var open = MeshFixtures.cube(size: 20, origin: [5, 5, 0])
        open.corners.removeLast(6)
        let threeMF = try MeshFixtures.threeMF(
            MeshFixtures.threeMFModel(
                objects: [MeshFixtures.threeMFCube(id: 1, size: 15)],
                items: ["<item objectid=\"1\"/>", "<item objectid=\"1\" transform=\"1 0 0 0 1 0 0 0 1 30 0 0\"/>"]))
        let directory = try folder([
            "good.stl": MeshFixtures.binarySTL(MeshFixtures.cube(size: 20)),
            "open.stl": MeshFixtures.binarySTL(open),
            "plate.3mf": threeMF,
            "notes.txt": Data("not a model".utf8),
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        let text = try CommandLineTests.run(["preflight", directory.path, "--printer-volume", "250,210,210"])
        #expect(text.status == 1, "\(text.output)")
        #expect(
            text.output.contains(
                "PASS  \(directory.path)/good.stl — 20 × 20 × 20 mm, 8 cm³, 9.92 g of PLA, 12 triangles (stl-binary)"),
            "\(text.output)")
        #expect(text.output.contains("FAIL  \(directory.path)/open.stl"))
        #expect(
            text.output.contains(
                "fail geometry.openEdges: 4 open edges: the model is not closed; repair it or allow automatic repair"))
        #expect(
            text.output.contains("3 files: 2 pass, 0 warn, 1 fail"),
            "the 3MF's two cubes side by side on the bed are no defect: \(text.output)")
        #expect(
            text.output.contains(
                "info geometry.pieces: the model has 2 separate pieces, each standing on the bed or on another; they print together as one item"
            ), "\(text.output)")
        #expect(!text.output.contains("notes.txt"))

        let json = try CommandLineTests.run([
            "preflight", directory.appendingPathComponent("plate.3mf").path, "--json", "--material", "ABS",
            "--printer-volume", "250,210,210", "--enclosure",
        ])
        #expect(json.status == 0, "\(json.output)")
        let decoded = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
        let file = try #require((decoded?["files"] as? [[String: Any]])?.first)
        let facts = try #require(file["facts"] as? [String: Any])
        #expect(facts["format"] as? String == "3mf")
        #expect(facts["triangles"] as? Int == 24)
        #expect(facts["volume"] as? Double == 6750)
        let verdict = try #require(file["verdict"] as? [String: Any])
        #expect(verdict["material"] as? String == "ABS")
        #expect((verdict["findings"] as? [[String: Any]])?.map { $0["code"] as? String } == ["geometry.pieces"])
    }

    /// The answer key: PrusaSlicer's sample shapes print without a person looking, except where PrusaSlicer itself adds
    /// supports (`--support-material --support-material-auto` puts them under the bunny's chin and the screw's head;
    /// under the sphere's first few millimetres too, which grow out of the bed); real defects still warn.
    @Test("PrusaSlicer's 13 sample shapes: 11 pass, the bunny and the screw need supports; real defects still warn")
    func answerKey() throws {
        func verdicts(_ path: String) throws -> [String: [String]] {
            let result = try CommandLineTests.run(["preflight", path, "--json"])
            let decoded = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
            var verdicts: [String: [String]] = [:]
            for file in decoded?["files"] as? [[String: Any]] ?? [] {
                let verdict = file["verdict"] as? [String: Any]
                let warnings = (verdict?["findings"] as? [[String: Any]] ?? []).filter {
                    $0["severity"] as? String != "info"
                }
                let name = URL(fileURLWithPath: file["file"] as? String ?? "").lastPathComponent
                verdicts[name] = warnings.compactMap { $0["code"] as? String }.filter { $0 != "printers.none" }
            }
            return verdicts
        }
        let shapes = try verdicts("/usr/share/PrusaSlicer/shapes")
        #expect(shapes.count == 13)
        #expect(
            shapes.filter { !$0.value.isEmpty } == [
                "bunny.stl": ["geometry.overhangs"], "M3x10_screw.stl": ["geometry.overhangs"],
            ])

        func stl(_ meshes: [Mesh]) -> Data { MeshFixtures.binarySTL(Mesh(corners: meshes.flatMap(\.corners))) }
        let legs = [SIMD3<Float>(0, 0, 0), SIMD3(37, 0, 0), SIMD3(0, 37, 0), SIMD3(37, 37, 0)]
        let directory = try folder([
            "floating.stl": stl([MeshFixtures.cube(size: 20), MeshFixtures.cube(origin: SIMD3(30, 0, 8))]),
            "upside-down-cone.stl": stl([MeshFixtures.frustum(bottom: 1, top: 15, height: 10)]),
            "table.stl": stl(
                [MeshFixtures.box(SIMD3(40, 40, 3), origin: SIMD3(0, 0, 10))]
                    + legs.map { MeshFixtures.box(SIMD3(3, 3, 11), origin: $0) }),
            "fin.stl": stl([MeshFixtures.box(SIMD3(20, 0.3, 10))]),
            "thin-walled-box.stl": stl([MeshFixtures.hollowBox(outer: 20, wall: 0.3)]),
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(
            try verdicts(directory.path) == [
                "floating.stl": ["geometry.floatingPieces"], "upside-down-cone.stl": ["geometry.overhangs"],
                "table.stl": ["geometry.overhangs"], "fin.stl": ["geometry.thinWalls"],
                "thin-walled-box.stl": ["geometry.thinWalls"],
            ])
    }

    @Test(
        "too big, wrong units and unreadable files each fail with a sentence; bad options are refused before any work")
    func failures() throws {
        let directory = try folder([
            "huge.stl": MeshFixtures.binarySTL(MeshFixtures.cube(size: 300)),
            "metres.stl": MeshFixtures.binarySTL(MeshFixtures.cube(size: 0.02)),
            "cut.stl": MeshFixtures.binarySTL(MeshFixtures.cube(size: 20)).prefix(300),
            "empty.stl": Data(),
            // An 80-byte header and a count of 0: a valid binary STL with nothing in it.
            "nothing.stl": Data(count: 84),
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try CommandLineTests.run([
            "preflight", directory.path, "--printer-volume", "250,210,210", "--printer-volume", "180,180,180",
        ])
        #expect(run.status == 1)
        #expect(
            run.output.contains(
                "fail size.noPrinter: 300 × 300 × 300 mm does not fit any printer, even turned; the largest is 250 × 210 × 210 mm (printer 1 (250,210,210))"
            ), "\(run.output)")
        #expect(run.output.contains("fail units.metres: the model is only 0.02 × 0.02 × 0.02 mm"))
        #expect(run.output.contains("fail model.truncated: the file is cut short"))
        #expect(run.output.contains("fail model.empty: the file is empty"))
        #expect(
            run.output.contains("fail geometry.empty: the model has no triangles: there is nothing to print"),
            "\(run.output)")
        #expect(run.output.contains("5 files: 0 pass, 0 warn, 5 fail"), "\(run.output)")
        let badVolume = try CommandLineTests.run(["preflight", directory.path, "--printer-volume", "250x210"])
        #expect(badVolume.status != 0 && badVolume.output.contains("--printer-volume wants X,Y,Z in millimetres"))
        let missing = try CommandLineTests.run(["preflight", "/nonexistent/model.stl"])
        #expect(missing.status != 0 && missing.output.contains("no such file or folder"))
    }
}

/// `printfarm slice` with the real PrusaSlicer.
@Suite("printfarm slice")
struct SliceCommandTests {
    @Test(
        "a model slices to G-code and its facts, then comes from the cache; a foreign profile and a model too big are refused with the reason"
    )
    func slice() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pf-slice-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let cache = directory.appendingPathComponent("cache")
        func run(_ arguments: [String]) throws -> CommandLineTests.Finished {
            try CommandLineTests.run(arguments, environment: ["PRINTFARM_SLICE_CACHE": cache.path])
        }
        func entries() -> Int {
            (try? FileManager.default.contentsOfDirectory(atPath: cache.appendingPathComponent("slices").path).count)
                ?? 0
        }
        let output = directory.appendingPathComponent("box.gcode").path
        let first = try run(["slice", "/usr/share/PrusaSlicer/shapes/box.stl", "-o", output, "--json"])
        #expect(first.status == 0, "\(first.output)")
        let json = try JSONSerialization.jsonObject(with: Data(first.output.utf8)) as? [String: Any]
        #expect(json?["slicer"] as? String == "PrusaSlicer 2.5.0")
        #expect(json?["cache"] as? String == "miss")
        let facts = try #require(json?["facts"] as? [String: Any])
        #expect((facts["layerCount"] as? Int ?? 0) > 50)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: output))
        try FileManager.default.removeItem(atPath: output)

        let again = try run(["slice", "/usr/share/PrusaSlicer/shapes/box.stl", "-o", output, "--json"])
        let second = try JSONSerialization.jsonObject(with: Data(again.output.utf8)) as? [String: Any]
        #expect(second?["cache"] as? String == "hit", "\(again.output)")
        #expect(second?["key"] as? String == json?["key"] as? String)
        #expect(try Data(contentsOf: URL(fileURLWithPath: output)) == bytes, "the cached G-code is the same bytes")
        let text = try run([
            "slice", "/usr/share/PrusaSlicer/shapes/box.stl", "/usr/share/PrusaSlicer/shapes/pyramid.stl", "--merge",
            "-o", output,
        ])
        #expect(text.output.contains("sliced 2 models") && text.output.contains("box.stl copy 0: X "), "\(text.output)")
        #expect(entries() == 2)

        let cura = directory.appendingPathComponent("cura.ini")
        try "layer_height = 0.2\nmachine_nozzle_size = 0.4\n".write(to: cura, atomically: true, encoding: .utf8)
        let foreign = try run(["slice", "/usr/share/PrusaSlicer/shapes/box.stl", "--profile", cura.path, "-o", output])
        #expect(foreign.status != 0)
        #expect(foreign.output.contains("not known to PrusaSlicer 2.5.0 (machine_nozzle_size)"), "\(foreign.output)")
        #expect(foreign.output.contains("[profile.unknownKeys]"))

        let big = directory.appendingPathComponent("big.stl")
        try MeshFixtures.binarySTL(MeshFixtures.cube(size: 300, origin: [1, 1, 1])).write(to: big)
        let tooBig = try run(["slice", big.path, "-o", output])
        #expect(tooBig.status != 0)
        #expect(
            tooBig.output.contains("slice.doesNotFit: the part does not fit on this printer's bed"), "\(tooBig.output)")
        let missing = try run([
            "slice", "/usr/share/PrusaSlicer/shapes/box.stl", "-o", output, "--slicer", "/nonexistent/prusa-slicer",
        ])
        #expect(missing.output.contains("slice.slicerMissing"))
        #expect(entries() == 2, "failed slices are not cached")

        let profile = directory.appendingPathComponent("mk3s-petg.ini").path
        let imported = try CommandLineTests.run([
            "profiles", "import", "--printer", "Original Prusa i3 MK3S & MK3S+", "--print", "0.15mm QUALITY @MK3",
            "--filament", "Generic PETG", "-o", profile,
        ])
        #expect(imported.status == 0, "\(imported.output)")
        #expect(imported.output.contains("wrote \(profile)"))
        let sliced = try run(["slice", "/usr/share/PrusaSlicer/shapes/box.stl", "--profile", profile, "-o", output])
        #expect(sliced.status == 0, "\(sliced.output)")
        let typo = try CommandLineTests.run([
            "profiles", "import", "--printer", "Original Prusa i3 MK9", "--print", "0.15mm QUALITY @MK3", "--filament",
            "Generic PETG", "-o", profile,
        ])
        #expect(typo.status != 0)
        #expect(
            typo.output.contains("the bundle has no printer preset 'Original Prusa i3 MK9'; similar: "),
            "\(typo.output)")
    }
}
