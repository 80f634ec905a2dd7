import Foundation

public enum FindingSeverity: String, Sendable, Codable, CaseIterable {
    case info, warn, fail
}

/// One reason in a verdict: a stable code for scripts and a sentence a customer or operator can act on.
public struct PreflightFinding: Sendable, Equatable, Codable {
    public var code: String
    public var severity: FindingSeverity
    public var message: String

    public init(code: String, severity: FindingSeverity, message: String) {
        self.code = code
        self.severity = severity
        self.message = message
    }
}

/// A printer as preflight sees it: what it can hold and do.
public struct PreflightPrinter: Sendable, Equatable {
    public var name: String
    public var capabilities: PrinterCapabilities

    public init(name: String, capabilities: PrinterCapabilities) {
        self.name = name
        self.capabilities = capabilities
    }
}

public struct PreflightVerdict: Sendable, Equatable, Codable {
    public var outcome: PreflightOutcome
    public var findings: [PreflightFinding]
    public var material: String
    /// From the (absolute) volume and the material's density; nil when the volume is unknown.
    public var massGrams: Double?
    /// The printers that can make it (size and material), by name.
    public var printers: [String]

    public init(
        outcome: PreflightOutcome, findings: [PreflightFinding], material: String, massGrams: Double?,
        printers: [String]
    ) {
        self.outcome = outcome
        self.findings = findings
        self.material = material
        self.massGrams = massGrams
        self.printers = printers
    }

    /// A verdict for a file that could not be read at all.
    public static func unreadable(code: String, message: String, material: String) -> PreflightVerdict {
        PreflightVerdict(
            outcome: .fail, findings: [PreflightFinding(code: code, severity: .fail, message: message)],
            material: material, massGrams: nil, printers: [])
    }
}

/// The verdict for one line item on one model, from its geometry facts, its material and the registered printers.
/// Pure: the same facts, material and printers always give the same verdict.
public struct PreflightInspector: Sendable {
    public var catalog: MaterialCatalog
    /// Overhangs above this share of the surface earn a warning.
    public var overhangShareWarning: Double
    /// Assumed when no printer says what nozzle it has.
    public var defaultNozzle: Double

    public init(catalog: MaterialCatalog = .standard, overhangShareWarning: Double = 0.10, defaultNozzle: Double = 0.4)
    {
        self.catalog = catalog
        self.overhangShareWarning = overhangShareWarning
        self.defaultNozzle = defaultNozzle
    }

    public func inspect(_ facts: ModelFacts, material: String, printers: [PreflightPrinter]) -> PreflightVerdict {
        var findings: [PreflightFinding] = []
        func fail(_ code: String, _ message: String) {
            findings.append(PreflightFinding(code: code, severity: .fail, message: message))
        }
        func warn(_ code: String, _ message: String) {
            findings.append(PreflightFinding(code: code, severity: .warn, message: message))
        }

        // why: an empty file (or one of only zero-area triangles) has nothing to print; its volume is 0 and every
        // edge check passes vacuously, so without this it read as "PASS — 0 cm³".
        if facts.triangles == 0 || facts.degenerateTriangles >= facts.triangles {
            let what = facts.triangles == 0 ? "no triangles" : "only triangles with no area"
            fail("geometry.empty", "the model has \(what): there is nothing to print; export the model again")
        }
        if facts.nonFiniteCoordinates > 0 {
            fail(
                "geometry.nonFinite",
                "\(count(facts.nonFiniteCoordinates, "coordinate")) \(facts.nonFiniteCoordinates == 1 ? "is" : "are") not a number (NaN or infinite): the export is damaged; export the model again"
            )
        }
        if facts.openEdges > 0 {
            fail(
                "geometry.openEdges",
                "\(count(facts.openEdges, "open edge")): the model is not closed; repair it or allow automatic repair")
        }
        if facts.nonManifoldEdges > 0 {
            fail(
                "geometry.nonManifold",
                "\(count(facts.nonManifoldEdges, "edge")) \(facts.nonManifoldEdges == 1 ? "is" : "are") shared by more than two faces: the surface touches itself; repair it or allow automatic repair"
            )
        }
        if facts.inconsistentEdges > 0 {
            fail(
                "geometry.inconsistentNormals",
                "\(count(facts.inconsistentEdges, "edge")) \(facts.inconsistentEdges == 1 ? "joins" : "join") faces that point opposite ways; repair the normals or allow automatic repair"
            )
        }
        if facts.isWatertight && facts.volume < 0 {
            warn(
                "geometry.inverted",
                "the model is inside out (every face points inwards); the slicer will flip it, but check the export")
        }
        if facts.degenerateTriangles > 0 && facts.degenerateTriangles < facts.triangles {
            warn(
                "geometry.degenerate",
                "\(count(facts.degenerateTriangles, "triangle")) \(facts.degenerateTriangles == 1 ? "has" : "have") no area; they are ignored, but the export may be damaged"
            )
        }
        // why: pieces laid out on purpose (a 3MF of three objects, the letters of a sign) each stand on the bed and
        // print fine; only a piece with nothing under it is a defect.
        if let floating = facts.floatingShells, floating > 0 {
            let them = floating == 1 ? "it" : "them"
            warn(
                "geometry.floatingPieces",
                "\(floating) of the model's \(facts.shells) pieces \(floating == 1 ? "floats" : "float") above the bed with nothing under \(them): \(floating == 1 ? "it" : "they") would print in mid-air; lay \(them) on the bed or join \(them) to the model"
            )
        } else if facts.shells > 1 && facts.floatingShells != nil {
            findings.append(
                PreflightFinding(
                    code: "geometry.pieces", severity: .info,
                    message:
                        "the model has \(facts.shells) separate pieces, each standing on the bed or on another; they print together as one item"
                ))
        } else if facts.shells > 1 {
            warn(
                "geometry.pieces",
                "the model has \(facts.shells) separate pieces; they print together as one item, check that is intended"
            )
        }
        if let size = facts.size {
            switch facts.unitsGuess {
            case "probablyMetres":
                fail(
                    "units.metres",
                    "the model is only \(dimensions(size)) mm: it was probably drawn in metres (it would be \(dimensions(size, times: 1000)) mm); export it in millimetres"
                )
            case "perhapsInches":
                warn(
                    "units.inches",
                    "the model is only \(dimensions(size)) mm: if it was drawn in inches it should be \(dimensions(size, times: 25.4)) mm; check the size"
                )
            default: break
            }
        }

        let spec = catalog.spec(named: material)
        var fitting: [PreflightPrinter] = []
        var capable: [PreflightPrinter] = []
        if printers.isEmpty {
            warn(
                "printers.none",
                "no printers are registered, so the size and material could not be checked; register a printer")
        } else if let size = facts.size {
            fitting = printers.filter {
                Self.fits(footprint: facts.footprint, size: size, in: $0.capabilities.buildVolume)
            }
            let straight = printers.filter {
                Self.fitAngle(footprint: facts.footprint, size: size, in: $0.capabilities.buildVolume) == 0
            }
            if straight.isEmpty,
                let angle = fitting.compactMap({
                    Self.fitAngle(footprint: facts.footprint, size: size, in: $0.capabilities.buildVolume)
                }).min()
            {
                findings.append(
                    PreflightFinding(
                        code: "size.turned", severity: .info,
                        message:
                            "\(dimensions(size)) mm fits only turned \(number(angle))° on the bed; the plan prints it turned so"
                    ))
            }
            if fitting.isEmpty {
                let largest = printers.max {
                    volume($0.capabilities.buildVolume) < volume($1.capabilities.buildVolume)
                }!
                fail(
                    "size.noPrinter",
                    "\(dimensions(size)) mm does not fit any printer, even turned; the largest is \(dimensions(largest.capabilities.buildVolume)) mm (\(largest.name)); scale it down or split it"
                )
            }
        }
        if let spec {
            capable = fitting.filter { Self.canPrint(spec, on: $0.capabilities) }
            if !fitting.isEmpty && capable.isEmpty {
                fail(
                    "material.noPrinter",
                    "\(spec.name) needs \(needs(spec)); no printer the model fits on offers that (or lists \(spec.name) among its materials); choose another material or add such a printer"
                )
            }
        } else {
            capable = fitting
            warn(
                "material.unknown",
                "the material '\(material)' is not in the catalog, so its needs were not checked and PLA's density was assumed for the weight"
            )
        }

        let nozzle =
            (capable.isEmpty ? printers : capable).flatMap(\.capabilities.nozzleDiameters).min() ?? defaultNozzle
        // why: the 5th percentile, not the minimum: every acute edge or tip is thin right at its edge, which prints fine;
        // a wall thinner than the nozzle over 5 % of the surface does not.
        if let walls = facts.wallThickness, walls.percentile5 < nozzle {
            warn(
                "geometry.thinWalls",
                "some walls are about \(number(walls.percentile5)) mm thick, thinner than the \(number(nozzle)) mm nozzle; they may not print or may break; thicken them"
            )
        }
        if facts.surfaceArea > 0, facts.overhangArea / facts.surfaceArea > overhangShareWarning {
            let share = Int((facts.overhangArea / facts.surfaceArea * 100).rounded())
            warn(
                "geometry.overhangs",
                "\(share) % of the surface (\(number(facts.overhangArea)) mm²) overhangs more than \(number(facts.overhangAngle))°; it needs supports or another orientation"
            )
        }
        findings += facts.readerNotes

        let density = spec?.density ?? catalog.spec(named: "PLA")?.density ?? 1.24
        let mass = facts.triangles > 0 ? abs(facts.volume) / 1000 * density : nil
        let outcome: PreflightOutcome =
            findings.contains { $0.severity == .fail }
            ? .fail : findings.contains { $0.severity == .warn } ? .warn : .pass
        return PreflightVerdict(
            outcome: outcome, findings: findings, material: spec?.name ?? material,
            massGrams: mass.map { ($0 * 100).rounded() / 100 }, printers: capable.map(\.name))
    }

    /// Whether the model fits the volume, turned about Z as needed: the footprint is tried at every hull edge's angle
    /// and every whole degree.
    public static func fits(footprint: [[Double]], size: BuildVolume, in volume: BuildVolume) -> Bool {
        fitAngle(footprint: footprint, size: size, in: volume) != nil
    }

    /// The turn about Z (degrees) the model needs to fit the volume: 0 when it fits as it lies or a quarter turn
    /// (the slicer's arrangement tries that itself), the smallest whole-degree or hull-edge angle otherwise, nil when
    /// it fits no way. PrusaSlicer never turns a part itself, so a plan prints it turned by this angle.
    public static func fitAngle(footprint: [[Double]], size: BuildVolume, in volume: BuildVolume) -> Double? {
        let tolerance = 1e-6
        guard size.z <= volume.z + tolerance else { return nil }
        if (size.x <= volume.x + tolerance && size.y <= volume.y + tolerance)
            || (size.y <= volume.x + tolerance && size.x <= volume.y + tolerance)
        {
            return 0
        }
        let points = footprint.filter { $0.count == 2 }
        guard points.count >= 3 else { return nil }
        var angles = (1..<180).map { Double($0) * .pi / 180 }
        for i in points.indices {
            let a = points[i]
            let b = points[(i + 1) % points.count]
            var angle = atan2(b[1] - a[1], b[0] - a[0])
            while angle < 0 { angle += .pi }
            angles.append(angle)
        }
        for angle in angles.sorted() {
            let turned = turnedExtent(points, radians: angle)
            let w = turned.x
            let d = turned.y
            if (w <= volume.x + tolerance && d <= volume.y + tolerance)
                || (d <= volume.x + tolerance && w <= volume.y + tolerance)
            {
                return (angle * 180 / .pi * 100).rounded() / 100
            }
        }
        return nil
    }

    /// The model's size once turned `degrees` about Z (its footprint's extent; the height is unchanged).
    public static func turnedSize(footprint: [[Double]], size: BuildVolume, degrees: Double) -> BuildVolume {
        let points = footprint.filter { $0.count == 2 }
        guard degrees != 0, points.count >= 3 else { return size }
        let extent = turnedExtent(points, radians: degrees * .pi / 180)
        return BuildVolume(x: extent.x, y: extent.y, z: size.z)
    }

    private static func turnedExtent(_ points: [[Double]], radians angle: Double) -> SIMD2<Double> {
        let c = cos(angle)
        let s = sin(angle)
        var low = SIMD2<Double>(repeating: .infinity)
        var high = SIMD2<Double>(repeating: -.infinity)
        for p in points {
            let turned = SIMD2(p[0] * c - p[1] * s, p[0] * s + p[1] * c)
            low = pointwiseMin(low, turned)
            high = pointwiseMax(high, turned)
        }
        return high - low
    }

    static func canPrint(_ spec: MaterialSpec, on capabilities: PrinterCapabilities) -> Bool {
        if spec.needsEnclosure && !capabilities.enclosure { return false }
        if spec.needsHardenedNozzle && !capabilities.hardenedNozzle { return false }
        if let maximum = capabilities.maxHotendTemperature, maximum < spec.nozzleTemperature { return false }
        if !capabilities.materials.isEmpty
            && !capabilities.materials.contains(where: { $0.uppercased() == spec.name.uppercased() })
        {
            return false
        }
        return true
    }

    private func needs(_ spec: MaterialSpec) -> String {
        var parts: [String] = []
        if spec.needsEnclosure { parts.append("an enclosure") }
        if spec.needsHardenedNozzle { parts.append("a hardened nozzle") }
        parts.append("\(number(spec.nozzleTemperature)) °C at the nozzle")
        return parts.count == 1 ? parts[0] : parts.dropLast().joined(separator: ", ") + " and " + parts.last!
    }

    private func volume(_ v: BuildVolume) -> Double { v.x * v.y * v.z }
    private func dimensions(_ v: BuildVolume, times factor: Double = 1) -> String {
        "\(number(v.x * factor)) × \(number(v.y * factor)) × \(number(v.z * factor))"
    }
    private func count(_ n: Int, _ noun: String) -> String { n == 1 ? "1 \(noun)" : "\(n) \(noun)s" }
}

/// A measurement for people: at most two decimals, no trailing zeros.
public func number(_ value: Double) -> String {
    var text = String(format: "%.2f", value)
    while text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text == "-0" ? "0" : text
}

/// Preflight of one line item, as stored on the Intent.
public struct LineItemPreflight: Sendable, Equatable, Codable {
    public var lineItemID: LineItemID
    /// The model's SHA-256; nil when the line item has no model yet.
    public var artifact: String?
    public var verdict: PreflightVerdict

    public init(lineItemID: LineItemID, artifact: String?, verdict: PreflightVerdict) {
        self.lineItemID = lineItemID
        self.artifact = artifact
        self.verdict = verdict
    }
}
