import ArgumentParser
import FarmDomain
import FarmIntake
import Foundation
import MeshKit

/// `printfarm preflight`: the server's analysis and verdict for files on disk, with no server and no database.
struct Preflight: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check STL and 3MF files as intake would: geometry, size, material; exits 1 when any file fails.",
        discussion: """
            Give files or folders (their .stl and .3mf files are checked). Without --printer-volume the size is not \
            checked against a printer. Example: printfarm preflight orders/ --printer-volume 250,210,210 --material PETG
            """)

    @Argument(help: "STL or 3MF files, or folders of them.")
    var paths: [String]

    @Option(
        name: .customLong("printer-volume"),
        help: "A printer's build volume in mm as X,Y,Z; repeat for several printers.")
    var printerVolumes: [String] = []

    @Option(help: "The material, for example PLA, PETG, ABS, PA-CF.")
    var material = "PLA"

    @Option(help: "The nozzle diameter in mm (thin walls are judged against it).")
    var nozzle = 0.4

    @Flag(help: "The printers have an enclosure.")
    var enclosure = false

    @Flag(name: .customLong("hardened-nozzle"), help: "The printers have a hardened nozzle.")
    var hardenedNozzle = false

    @Option(
        name: .customLong("overhang-angle"), help: "Degrees from vertical beyond which a downward face is an overhang.")
    var overhangAngle = 45.0

    @Flag(help: "Print JSON (facts and verdict per file) instead of text.")
    var json = false

    func validate() throws {
        guard (0.05...5).contains(nozzle) else {
            throw ValidationError("--nozzle is in millimetres, between 0.05 and 5")
        }
        guard (1...89).contains(overhangAngle) else {
            throw ValidationError("--overhang-angle is in degrees, between 1 and 89")
        }
        _ = try printers()
    }

    func printers() throws -> [PreflightPrinter] {
        try printerVolumes.enumerated().map { index, text in
            let values = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard values.count == 3, let x = values[0], let y = values[1], let z = values[2],
                [x, y, z].allSatisfy({ $0 > 0 && $0.isFinite })
            else {
                throw ValidationError(
                    "--printer-volume wants X,Y,Z in millimetres, for example 250,210,210; got '\(text)'")
            }
            let capabilities = PrinterCapabilities(
                buildVolume: BuildVolume(x: x, y: y, z: z), nozzleDiameters: [nozzle], enclosure: enclosure,
                hardenedNozzle: hardenedNozzle)
            return PreflightPrinter(name: "printer \(index + 1) (\(text))", capabilities: capabilities)
        }
    }

    func files() throws -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw ValidationError("\(path): no such file or folder")
            }
            if isDirectory.boolValue {
                let names = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
                files += names.filter { ["stl", "3mf"].contains(($0 as NSString).pathExtension.lowercased()) }.map {
                    (path as NSString).appendingPathComponent($0)
                }
            } else {
                files.append(path)
            }
        }
        guard !files.isEmpty else { throw ValidationError("no .stl or .3mf files in \(paths.joined(separator: ", "))") }
        return files
    }

    struct Checked: Encodable {
        var file: String
        var facts: ModelFacts?
        var verdict: PreflightVerdict
    }

    func run() throws {
        let printers = try printers()
        let intake = Intake(reader: ModelReader(options: AnalysisOptions(overhangAngle: overhangAngle)))
        var results: [Checked] = []
        for file in try files() {
            let facts = intake.analyse(.file(path: file))
            var verdict = intake.verdict(for: facts, material: material, printers: printers)
            if printers.isEmpty {
                // why: without --printer-volume the user chose not to check sizes; "no printers registered" is server talk.
                verdict.findings.removeAll { $0.code == "printers.none" }
                if verdict.outcome == .warn && !verdict.findings.contains(where: { $0.severity != .info }) {
                    verdict.outcome = .pass
                }
            }
            let checked = Checked(file: file, facts: try? facts.get(), verdict: verdict)
            results.append(checked)
            if !json { print(Self.describe(checked)) }
        }
        let counts = Dictionary(grouping: results, by: \.verdict.outcome).mapValues(\.count)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            struct Output: Encodable {
                var files: [Checked]
                var pass: Int
                var warn: Int
                var fail: Int
            }
            let output = Output(
                files: results, pass: counts[.pass] ?? 0, warn: counts[.warn] ?? 0, fail: counts[.fail] ?? 0)
            print(String(decoding: try encoder.encode(output), as: UTF8.self))
        } else if results.count > 1 {
            print(
                "\(results.count) files: \(counts[.pass] ?? 0) pass, \(counts[.warn] ?? 0) warn, \(counts[.fail] ?? 0) fail"
            )
        }
        if counts[.fail] != nil { throw ExitCode(1) }
    }

    static func describe(_ checked: Checked) -> String {
        var line = "\(checked.verdict.outcome.rawValue.uppercased())  \(checked.file)"
        if let facts = checked.facts {
            var parts: [String] = []
            if let size = facts.size { parts.append("\(number(size.x)) × \(number(size.y)) × \(number(size.z)) mm") }
            parts.append("\(number(abs(facts.volume) / 1000)) cm³")
            if let mass = checked.verdict.massGrams { parts.append("\(number(mass)) g of \(checked.verdict.material)") }
            parts.append("\(facts.triangles) triangles (\(facts.format))")
            line += " — " + parts.joined(separator: ", ")
        }
        for finding in checked.verdict.findings {
            line += "\n      \(finding.severity.rawValue) \(finding.code): \(finding.message)"
        }
        return line
    }
}
