import Foundation

/// A vendor bundle as PrusaSlicer ships them (`/usr/share/PrusaSlicer/profiles/*.ini`): presets in sections
/// (`[printer:…]`, `[print:…]`, `[filament:…]`) that build on one another through `inherits` chains. PrusaSlicer
/// 2.5's command line cannot select such a preset by name, so the farm resolves the chains itself into one flat
/// profile.
public struct VendorBundle: Sendable {
    /// Section kind ("printer", "print", "filament") → preset name → its own settings.
    public private(set) var presets: [String: [String: [String: String]]] = [:]

    public init(ini text: String) throws(ProfileError) {
        var kind: String?
        var name = ""
        for (number, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else { throw .malformed(line: number + 1, text: String(line.prefix(60))) }
                let header = line.dropFirst().dropLast()
                if let colon = header.firstIndex(of: ":") {
                    kind = String(header[..<colon])
                    name = String(header[header.index(after: colon)...])
                    presets[kind!, default: [:]][name] = [:]
                } else {
                    kind = nil
                }
                continue
            }
            guard let kind else { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw .malformed(line: number + 1, text: String(line.prefix(60)))
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            presets[kind]![name]![key] = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        }
        guard !presets.isEmpty else { throw .empty }
    }

    /// Names of the presets of a kind that a person can pick (abstract ones, `*like this*`, are building blocks).
    public func names(of kind: String) -> [String] {
        (presets[kind] ?? [:]).keys.filter { !$0.hasPrefix("*") }.sorted()
    }

    /// One flat profile: the slicer's defaults, then the printer, print and filament presets with everything they
    /// inherit, keeping only keys the slicer knows.
    public func flatten(printer: String, print: String, filament: String, over defaults: SlicerProfile)
        throws(BundleError) -> SlicerProfile
    {
        var settings = defaults.settings
        for (kind, name) in [("printer", printer), ("print", print), ("filament", filament)] {
            for (key, value) in try resolve(kind: kind, name: name, seen: []) where defaults.settings[key] != nil {
                settings[key] = value
            }
            // The GUI names the chosen presets here and start/end G-code may test them; 2.5's CLI does not know the keys.
            if defaults.settings["\(kind)_settings_id"] != nil { settings["\(kind)_settings_id"] = name }
        }
        return SlicerProfile(settings: settings)
    }

    private func resolve(kind: String, name: String, seen: [String]) throws(BundleError) -> [String: String] {
        guard let own = presets[kind]?[name] else {
            let similar = names(of: kind).filter {
                $0.localizedCaseInsensitiveContains(name.split(separator: " ").first.map(String.init) ?? name)
            }.prefix(5)
            throw .unknownPreset(kind: kind, name: name, suggestions: Array(similar))
        }
        guard !seen.contains(name), seen.count < 32 else { throw .inheritanceCycle(kind: kind, chain: seen + [name]) }
        var settings: [String: String] = [:]
        // `inherits = a; b`: parents apply in order, the preset's own keys last.
        for parent in (own["inherits"] ?? "").split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) })
        where !parent.isEmpty {
            settings.merge(try resolve(kind: kind, name: parent, seen: seen + [name])) { $1 }
        }
        settings.merge(own.filter { $0.key != "inherits" }) { $1 }
        return settings
    }
}

public enum BundleError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownPreset(kind: String, name: String, suggestions: [String])
    case inheritanceCycle(kind: String, chain: [String])

    public var description: String {
        switch self {
        case .unknownPreset(let kind, let name, let suggestions):
            "the bundle has no \(kind) preset '\(name)'"
                + (suggestions.isEmpty ? "" : "; similar: \(suggestions.joined(separator: ", "))")
        case .inheritanceCycle(let kind, let chain):
            "the \(kind) presets inherit in a circle: \(chain.joined(separator: " → "))"
        }
    }
}
