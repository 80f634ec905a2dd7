import FarmArtifacts
import Foundation
import Slicing

/// Pictures of G-code files (`GCodePreview`), made once per file and kept beside the artifacts (`previews/`,
/// named by the G-code's SHA-256: a G-code never changes, so neither does its picture). Reading a large file takes
/// a moment, so it happens off the request's thread, once.
actor PreviewCache {
    let artifacts: ArtifactStore
    let directory: URL
    private var making: [String: Task<(Data, String), any Error>] = [:]

    init(artifacts: ArtifactStore) {
        self.artifacts = artifacts
        directory = artifacts.root.deletingLastPathComponent().appendingPathComponent("previews")
    }

    static let kinds = [("svg", "image/svg+xml"), ("png", "image/png"), ("jpg", "image/jpeg")]

    /// The picture of G-code `sha` and its media type.
    func preview(of sha: String) async throws -> (Data, String) {
        for (suffix, type) in Self.kinds {
            if let data = FileManager.default.contents(
                atPath: directory.appendingPathComponent("\(sha).\(suffix)").path)
            {
                return (data, type)
            }
        }
        if let pending = making[sha] { return try await pending.value }
        let path = artifacts.path(of: sha)
        let directory = directory
        let task = Task.detached(priority: .utility) { () throws -> (Data, String) in
            let preview = try GCodePreview.read(path: path)
            let suffix = Self.kinds.first { $0.1 == preview.mediaType }?.0 ?? "svg"
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try preview.bytes.write(to: directory.appendingPathComponent("\(sha).\(suffix)"), options: .atomic)
            return (preview.bytes, preview.mediaType)
        }
        making[sha] = task
        defer { making[sha] = nil }
        return try await task.value
    }
}
