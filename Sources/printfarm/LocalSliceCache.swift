import Crypto
import FarmArtifacts
import FarmDomain
import Foundation
import Slicing

/// The slice cache of `printfarm slice`: a folder holding G-code by content (an artifact store) and, per key, the
/// slice that made it. The key hashes what the farm's cache key hashes (model bytes, profile version, slicer
/// version, copies or plate) plus the file names, because the slicer labels objects with them.
struct LocalSliceCache {
    struct Entry: Codable {
        var gcode: String
        var slicer: String
        var profileVersion: String
        var pinnedToOneCore: Bool
        var seconds: Double
        var facts: GCodeFacts
    }

    let store: ArtifactStore

    init(root: URL) throws {
        store = try ArtifactStore(root: root)
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("slices"), withIntermediateDirectories: true)
    }

    /// `$PRINTFARM_SLICE_CACHE`, else `$XDG_CACHE_HOME/printfarm/slices`, else `~/.cache/printfarm/slices`.
    static func defaultRoot(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let explicit = environment["PRINTFARM_SLICE_CACHE"], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit)
        }
        let base =
            environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
        return base.appendingPathComponent("printfarm").appendingPathComponent("slices")
    }

    static func key(models: [String], profile: String, slicer: String, merge: Bool, copies: Int) throws -> String {
        let hashes = try models.map { path throws(ArtifactStoreError) in try ArtifactStore.sha256(ofFileAt: path) }
        let inputs = SliceInputs(
            model: hashes[0], profile: profile, slicer: slicer, copies: merge ? 1 : copies,
            plate: merge ? hashes.map { PlateEntry(model: $0, copies: 1) } : nil)
        let names = models.map { ($0 as NSString).lastPathComponent }.joined(separator: "/")
        return SHA256.hash(data: Data("\(inputs.keyText)merge=\(merge)\nnames=\(names)\n".utf8)).map {
            String(format: "%02x", $0)
        }.joined()
    }

    private func entryPath(_ key: String) -> String {
        store.root.appendingPathComponent("slices").appendingPathComponent("\(key).json").path
    }

    /// The cached slice of `key` copied to `output`, or nil (also when its G-code went missing).
    func lookup(_ key: String, copyTo output: String) -> Entry? {
        guard let data = FileManager.default.contents(atPath: entryPath(key)),
            let entry = try? JSONDecoder().decode(Entry.self, from: data),
            FileManager.default.fileExists(atPath: store.path(of: entry.gcode))
        else { return nil }
        try? FileManager.default.removeItem(atPath: output)
        do {
            try FileManager.default.copyItem(atPath: store.path(of: entry.gcode), toPath: output)
            chmod(output, 0o644)
        } catch {
            return nil
        }
        return entry
    }

    /// Keeps a successful slice: the G-code by content, then the entry naming it (written whole, then renamed).
    func save(_ key: String, output: String, result: SliceResult) throws {
        let copy = store.temporaryPath(suffix: ".gcode")
        try FileManager.default.copyItem(atPath: output, toPath: copy)
        let stored = try store.adopt(fileAt: copy)
        let entry = Entry(
            gcode: stored.sha256, slicer: result.slicer, profileVersion: result.profileVersion,
            pinnedToOneCore: result.pinnedToOneCore,
            seconds: result.seconds, facts: result.facts)
        let temporary = store.temporaryPath(suffix: ".json")
        try JSONEncoder().encode(entry).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, entryPath(key)) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }
}
