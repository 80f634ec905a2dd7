import Crypto
import FarmPlates
import Foundation

/// A complete, flattened slicer configuration (every key, as `--save` writes it). Its version is the SHA-256 of
/// its canonical text (keys sorted, one `key = value` per line), so the same settings always have the same version.
public struct SlicerProfile: Sendable, Equatable {
    public var settings: [String: String]
    /// Which presets the profile was exported from (`print_settings_id`, `filament_vendor`, …): PrusaSlicer writes
    /// them with every exported config, its command line knows none of them, and they change nothing printed. Kept
    /// apart from `settings`: not hashed into the version, not handed to the slicer.
    public var presets: [String: String] = [:]

    public init(settings: [String: String]) { self.settings = settings }

    /// Keys that name presets rather than set anything (issue 17: an exported config was refused for them).
    public static func isPresetName(_ key: String) -> Bool {
        key.hasSuffix("_settings_id")
            || [
                "default_print_profile", "default_filament_profile", "default_sla_print_profile",
                "default_sla_material_profile", "filament_vendor",
                "print_vendor", "printer_vendor", "inherits", "renamed_from", "alias",
            ].contains(key)
    }

    /// Parses an `.ini` as PrusaSlicer writes it (File → Export Config), or the config block PrusaSlicer appends to
    /// its G-code (`; prusaslicer_config = begin` … `end`); comments and blank lines are ignored, a line without
    /// ` = ` is an error.
    public init(ini text: String) throws(ProfileError) {
        var settings: [String: String] = [:]
        var presets: [String: String] = [:]
        // why: `\r\n` is one Character in Swift, so lines are split on any newline, not on "\n".
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        var offset = 0
        let fromGCode = lines.contains("; prusaslicer_config = begin")
        if let begin = lines.firstIndex(of: "; prusaslicer_config = begin") {
            let end = lines[begin...].firstIndex(of: "; prusaslicer_config = end") ?? lines.endIndex
            offset = begin + 1
            lines = lines[(begin + 1)..<end].map { $0.hasPrefix("; ") ? String($0.dropFirst(2)) : $0 }
        }
        for (index, line) in lines.enumerated() {
            let number = index + offset
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") { throw .notFlat(line: number + 1, section: String(line.prefix(60))) }
            guard let equals = line.firstIndex(of: "=") else {
                throw .malformed(line: number + 1, text: String(line.prefix(60)))
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty else { throw .malformed(line: number + 1, text: String(line.prefix(60))) }
            if Self.isPresetName(key) { presets[key] = value } else { settings[key] = value }
        }
        guard !settings.isEmpty else { throw .empty }
        // why: a G-code's block leaves out the plate's colour-change heights (PrusaSlicer 2.5 keeps them with the
        // plate, not the config); none is what a plain print has.
        if fromGCode, settings["colorprint_heights"] == nil { settings["colorprint_heights"] = "" }
        self.settings = settings
        self.presets = presets
    }

    /// Keys sorted, `key = value` per line: what is hashed and what is handed to the slicer.
    public var canonicalText: String { settings.keys.sorted().map { "\($0) = \(settings[$0]!)\n" }.joined() }

    public var version: String {
        SHA256.hash(data: Data(canonicalText.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Arachne perimeters come out differently from run to run when the slicer uses several threads (measured on
    /// PrusaSlicer 2.5: bunny.stl, three different hashes); classic ones never do.
    public var reproducibleInParallel: Bool { settings["perimeter_generator"] != "arachne" }

    /// Checks the profile against the keys the slicer knows: none unknown, none missing.
    public func validate(knownKeys: Set<String>, slicer: String) throws(ProfileError) {
        let unknown = Set(settings.keys).subtracting(knownKeys).sorted()
        if !unknown.isEmpty { throw .unknownKeys(unknown, slicer: slicer) }
        let missing = knownKeys.subtracting(settings.keys).sorted()
        if !missing.isEmpty { throw .missingKeys(missing, slicer: slicer) }
    }
}

public enum ProfileError: Error, Sendable, Equatable, CustomStringConvertible {
    case empty
    case malformed(line: Int, text: String)
    case notFlat(line: Int, section: String)
    case unknownKeys([String], slicer: String)
    case missingKeys([String], slicer: String)

    public var code: String {
        switch self {
        case .empty: "profile.empty"
        case .malformed: "profile.malformed"
        case .notFlat: "profile.notFlat"
        case .unknownKeys: "profile.unknownKeys"
        case .missingKeys: "profile.missingKeys"
        }
    }

    public var description: String {
        switch self {
        case .empty: "the profile has no settings; export one with the slicer's File → Export Config"
        case .malformed(let line, let text): "line \(line) ('\(text)') is not 'key = value'"
        case .notFlat(let line, let section):
            "line \(line) starts a section (\(section)): this is a bundle of presets, not one flat profile; import it as a vendor bundle or export a single config"
        case .unknownKeys(let keys, let slicer):
            "\(keys.count) setting\(keys.count == 1 ? " is" : "s are") not known to \(slicer) (\(keys.prefix(5).joined(separator: ", "))\(keys.count > 5 ? ", …" : "")); is this a profile for another slicer or version?"
        case .missingKeys(let keys, let slicer):
            "\(keys.count) setting\(keys.count == 1 ? " is" : "s are") missing (\(keys.prefix(5).joined(separator: ", "))\(keys.count > 5 ? ", …" : "")); a profile must be complete, as \(slicer)'s --save writes it"
        }
    }
}

extension SlicerProfile {
    /// The bed as the composer sees it: the box around `bed_shape` ("0x0,250x0,250x210,0x210"), with the slicer's
    /// `duplicate_distance` between arranged parts; nil without a readable shape.
    public var bed: Bed? {
        let points = (settings["bed_shape"] ?? "").split(separator: ",").compactMap { point -> (Double, Double)? in
            let parts = point.split(separator: "x")
            guard parts.count == 2, let x = Double(parts[0]), let y = Double(parts[1]) else { return nil }
            return (x, y)
        }
        guard points.count >= 3, let minX = points.map(\.0).min(), let maxX = points.map(\.0).max(),
            let minY = points.map(\.1).min(), let maxY = points.map(\.1).max(), maxX > minX, maxY > minY
        else { return nil }
        let spacing = settings["duplicate_distance"].flatMap(Double.init) ?? 6
        return Bed(width: maxX - minX, depth: maxY - minY, spacing: max(0, spacing))
    }
}
