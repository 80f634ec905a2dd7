import FarmDomain
import Foundation
import Testing

@Suite("Preflight verdicts")
struct PreflightInspectorTests {
    /// A closed cube's facts, `side` mm, 20 % of its surface overhanging unless said otherwise.
    func cube(_ side: Double, overhang: Double = 0, walls: Double? = nil) -> ModelFacts {
        ModelFacts(
            format: "stl-binary", triangles: 12, vertices: 8, size: BuildVolume(x: side, y: side, z: side),
            volume: side * side * side,
            surfaceArea: 6 * side * side, shells: 1, openEdges: 0, nonManifoldEdges: 0, inconsistentEdges: 0,
            degenerateTriangles: 0,
            nonFiniteCoordinates: 0, overhangArea: overhang * 6 * side * side, overhangAngle: 45,
            footprint: [[0, 0], [side, 0], [side, side], [0, side]],
            wallThickness: WallThicknessFacts(
                samples: 100, minimum: walls ?? side, percentile1: walls ?? side, percentile5: walls ?? side,
                median: walls ?? side),
            unitsGuess: side < 1 ? "probablyMetres" : side < 5 ? "perhapsInches" : "millimetres", declaredUnit: nil,
            objectNames: [], readerNotes: [])
    }

    let mk3 = PreflightPrinter(
        name: "mk3",
        capabilities: PrinterCapabilities(buildVolume: BuildVolume(x: 250, y: 210, z: 210), maxHotendTemperature: 300))
    let voron = PreflightPrinter(
        name: "voron",
        capabilities: PrinterCapabilities(
            buildVolume: BuildVolume(x: 300, y: 300, z: 280), enclosure: true, hardenedNozzle: true,
            maxHotendTemperature: 300))
    let inspector = PreflightInspector()

    @Test("a clean 20 mm cube passes, weighs volume × density, and names the printers that can make it")
    func pass() {
        let verdict = inspector.inspect(cube(20), material: "pla", printers: [mk3, voron])
        #expect(verdict.outcome == .pass)
        #expect(verdict.findings.isEmpty)
        #expect(verdict.material == "PLA")
        #expect(verdict.massGrams == 9.92)
        #expect(verdict.printers == ["mk3", "voron"])
    }

    @Test("defects fail with their counts in the sentence; open edges read as the issue asks")
    func defects() {
        var facts = cube(20)
        facts.openEdges = 3
        facts.nonManifoldEdges = 1
        facts.nonFiniteCoordinates = 2
        let verdict = inspector.inspect(facts, material: "PLA", printers: [mk3])
        #expect(verdict.outcome == .fail)
        #expect(verdict.findings.map(\.code) == ["geometry.nonFinite", "geometry.openEdges", "geometry.nonManifold"])
        #expect(
            verdict.findings[1].message == "3 open edges: the model is not closed; repair it or allow automatic repair")
        #expect(verdict.findings[2].message.hasPrefix("1 edge is shared"))
    }

    @Test("too big for every printer fails naming the largest; a long part fits turned diagonally")
    func size() throws {
        var long = cube(20)
        long.size = BuildVolume(x: 300, y: 50, z: 20)
        long.footprint = [[0, 0], [300, 0], [300, 50], [0, 50]]
        let verdict = inspector.inspect(long, material: "PLA", printers: [mk3])
        #expect(verdict.outcome == .fail)
        #expect(
            verdict.findings.map(\.message) == [
                "300 × 50 × 20 mm does not fit any printer, even turned; the largest is 250 × 210 × 210 mm (mk3); scale it down or split it"
            ])
        // 300 × 20 fits a 250 × 210 bed on the diagonal (√(250² + 210²) ≈ 326 mm).
        var slim = long
        slim.size = BuildVolume(x: 300, y: 20, z: 20)
        slim.footprint = [[0, 0], [300, 0], [300, 20], [0, 20]]
        #expect(PreflightInspector.fits(footprint: slim.footprint, size: slim.size!, in: mk3.capabilities.buildVolume))
        let turned = inspector.inspect(slim, material: "PLA", printers: [mk3])
        #expect(turned.outcome == .pass)
        #expect(
            turned.findings.map(\.code) == ["size.turned"],
            "preflight says it prints turned, as the plan will: \(turned.findings)")
        let angle = try #require(
            PreflightInspector.fitAngle(footprint: slim.footprint, size: slim.size!, in: mk3.capabilities.buildVolume))
        let size = PreflightInspector.turnedSize(footprint: slim.footprint, size: slim.size!, degrees: angle)
        #expect(size.x <= 250 + 1e-6 && size.y <= 210 + 1e-6, "turned by \(angle)° it measures \(size)")
        var tall = cube(20)
        tall.size = BuildVolume(x: 20, y: 20, z: 211)
        #expect(inspector.inspect(tall, material: "PLA", printers: [mk3]).findings.map(\.code) == ["size.noPrinter"])
        #expect(inspector.inspect(tall, material: "PLA", printers: [mk3, voron]).printers == ["voron"])
    }

    @Test("materials: ABS needs an enclosure, PA-CF a hardened nozzle; an unknown material warns; none fitting fails")
    func materials() {
        #expect(inspector.inspect(cube(20), material: "ABS", printers: [mk3, voron]).printers == ["voron"])
        let refused = inspector.inspect(cube(20), material: "ABS", printers: [mk3])
        #expect(refused.findings.map(\.code) == ["material.noPrinter"])
        #expect(refused.findings[0].message.hasPrefix("ABS needs an enclosure and 255 °C at the nozzle"))
        let hot = PreflightPrinter(
            name: "cold",
            capabilities: PrinterCapabilities(
                buildVolume: BuildVolume(x: 300, y: 300, z: 300), enclosure: true, maxHotendTemperature: 260))
        #expect(inspector.inspect(cube(20), material: "PC", printers: [hot]).outcome == .fail)
        #expect(inspector.inspect(cube(20), material: "nylon-cf", printers: [voron]).outcome == .pass)
        let listed = PreflightPrinter(
            name: "petg-only",
            capabilities: PrinterCapabilities(buildVolume: BuildVolume(x: 300, y: 300, z: 300), materials: ["PETG"]))
        #expect(inspector.inspect(cube(20), material: "PLA", printers: [listed]).outcome == .fail)
        let unknown = inspector.inspect(cube(20), material: "unobtainium", printers: [mk3])
        #expect(unknown.outcome == .warn)
        #expect(unknown.findings.map(\.code) == ["material.unknown"])
        #expect(unknown.massGrams == 9.92)
    }

    @Test("units, thin walls, overhangs, pieces, no printers: warnings; metres fail")
    func warnings() {
        #expect(
            inspector.inspect(cube(0.02), material: "PLA", printers: [mk3]).findings.first?.message
                == "the model is only 0.02 × 0.02 × 0.02 mm: it was probably drawn in metres (it would be 20 × 20 × 20 mm); export it in millimetres"
        )
        let inches = inspector.inspect(cube(2), material: "PLA", printers: [mk3])
        #expect(inches.outcome == .warn && inches.findings.map(\.code) == ["units.inches"])
        #expect(inches.findings[0].message.contains("50.8 × 50.8 × 50.8 mm"))
        let thin = inspector.inspect(cube(20, walls: 0.3), material: "PLA", printers: [mk3])
        #expect(
            thin.findings.map(\.message) == [
                "some walls are about 0.3 mm thick, thinner than the 0.4 mm nozzle; they may not print or may break; thicken them"
            ])
        let fine = PreflightPrinter(
            name: "fine",
            capabilities: PrinterCapabilities(buildVolume: BuildVolume(x: 200, y: 200, z: 200), nozzleDiameters: [0.25])
        )
        #expect(inspector.inspect(cube(20, walls: 0.3), material: "PLA", printers: [fine]).outcome == .pass)
        let overhang = inspector.inspect(cube(20, overhang: 0.2), material: "PLA", printers: [mk3])
        #expect(
            overhang.findings.map(\.message) == [
                "20 % of the surface (480 mm²) overhangs more than 45°; it needs supports or another orientation"
            ])
        var pieces = cube(20)
        pieces.shells = 3
        pieces.floatingShells = 0
        let laidOut = inspector.inspect(pieces, material: "PLA", printers: [mk3])
        #expect(laidOut.outcome == .pass, "pieces laid out on the bed are no defect")
        #expect(laidOut.findings.map(\.severity) == [.info] && laidOut.findings.map(\.code) == ["geometry.pieces"])
        pieces.floatingShells = 1
        #expect(
            inspector.inspect(pieces, material: "PLA", printers: [mk3]).findings.map(\.message) == [
                "1 of the model's 3 pieces floats above the bed with nothing under it: it would print in mid-air; lay it on the bed or join it to the model"
            ])
        pieces.floatingShells = nil
        let measuredBefore = inspector.inspect(pieces, material: "PLA", printers: [mk3])
        #expect(
            measuredBefore.outcome == .warn && measuredBefore.findings.map(\.code) == ["geometry.pieces"],
            "facts stored before floating pieces were measured keep the old, cautious verdict")
        #expect(inspector.inspect(cube(20), material: "PLA", printers: []).findings.map(\.code) == ["printers.none"])
        var inverted = cube(20)
        inverted.volume = -8000
        let flipped = inspector.inspect(inverted, material: "PLA", printers: [mk3])
        #expect(flipped.findings.map(\.code) == ["geometry.inverted"] && flipped.massGrams == 9.92)
    }

    @Test("a model with no triangles, or only zero-area ones, fails: there is nothing to print")
    func empty() {
        var none = cube(20)
        none.triangles = 0
        none.vertices = 0
        none.size = nil
        none.volume = 0
        none.surfaceArea = 0
        none.footprint = []
        let verdict = inspector.inspect(none, material: "PLA", printers: [mk3])
        #expect(verdict.outcome == .fail)
        #expect(verdict.findings.map(\.code).first == "geometry.empty")
        #expect(
            verdict.findings.first?.message
                == "the model has no triangles: there is nothing to print; export the model again")
        var flat = cube(20)
        flat.degenerateTriangles = 12
        flat.volume = 0
        let degenerate = inspector.inspect(flat, material: "PLA", printers: [mk3])
        #expect(degenerate.outcome == .fail)
        #expect(degenerate.findings.map(\.code).contains("geometry.empty"))
        #expect(!degenerate.findings.map(\.code).contains("geometry.degenerate"))
    }
}
