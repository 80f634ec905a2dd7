import Crypto
import Foundation

/// A complete, flattened slicer configuration (every key, as `--save` writes it). Its version is the SHA-256 of
/// its canonical text (keys sorted, one `key = value` per line), so the same settings always have the same version.
public struct SlicerProfile: Sendable, Equatable {
    public var settings: [String: String]

    public init(settings: [String: String]) { self.settings = settings }

    /// Parses an `.ini` as PrusaSlicer writes it; comments and blank lines are ignored, a line without ` = ` is an error.
    public init(ini text: String) throws(ProfileError) {
        var settings: [String: String] = [:]
        // why: `\r\n` is one Character in Swift, so lines are split on any newline, not on "\n".
        for (number, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") { throw .notFlat(line: number + 1, section: String(line.prefix(60))) }
            guard let equals = line.firstIndex(of: "=") else { throw .malformed(line: number + 1, text: String(line.prefix(60))) }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty else { throw .malformed(line: number + 1, text: String(line.prefix(60))) }
            settings[key] = value
        }
        guard !settings.isEmpty else { throw .empty }
        self.settings = settings
    }

    /// Keys sorted, `key = value` per line: what is hashed and what is handed to the slicer.
    public var canonicalText: String { settings.keys.sorted().map { "\($0) = \(settings[$0]!)\n" }.joined() }

    public var version: String { SHA256.hash(data: Data(canonicalText.utf8)).map { String(format: "%02x", $0) }.joined() }

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
