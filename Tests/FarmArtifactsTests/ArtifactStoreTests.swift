import Crypto
import FarmArtifacts
import Foundation
import Testing

@Suite("Artifact store")
struct ArtifactStoreTests {
    func store() throws -> ArtifactStore {
        try ArtifactStore(
            root: FileManager.default.temporaryDirectory.appendingPathComponent("pf-artifacts-\(UUID().uuidString)"))
    }

    func sha256(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }

    func tmpFiles(_ store: ArtifactStore) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: store.root.appendingPathComponent("tmp").path)
    }

    @Test("bytes written in chunks are stored under their SHA-256, read-only; the same bytes again are not rewritten")
    func storeOnce() throws {
        let store = try store()
        defer { try? FileManager.default.removeItem(at: store.root) }
        let data = Data((0..<300_000).map { UInt8($0 % 251) })
        let upload = try store.beginUpload(limit: 1 << 20)
        for start in stride(from: 0, to: data.count, by: 65_536) {
            try data[start..<min(data.count, start + 65_536)].withUnsafeBytes { try upload.write($0) }
        }
        let stored = try upload.finish()
        #expect(stored == StoredBytes(sha256: sha256(data), size: data.count, isNew: true))
        let path = store.path(of: stored.sha256)
        #expect(FileManager.default.contents(atPath: path) == data)
        #expect(path.hasSuffix("/objects/\(stored.sha256.prefix(2))/\(stored.sha256.dropFirst(2))"))
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        #expect(mode == 0o444)
        let inode = try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int
        let again = try store.put(data)
        #expect(again == StoredBytes(sha256: stored.sha256, size: data.count, isNew: false))
        #expect(
            try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int == inode,
            "the first file stays")
        #expect(store.size(of: stored.sha256) == data.count)
        #expect(try tmpFiles(store).isEmpty)
    }

    @Test("an upload over the limit, an aborted one and an abandoned one leave nothing behind")
    func nothingHalfway() throws {
        let store = try store()
        defer { try? FileManager.default.removeItem(at: store.root) }
        let upload = try store.beginUpload(limit: 100)
        try Data(count: 60).withUnsafeBytes { try upload.write($0) }
        #expect(throws: ArtifactStoreError.tooLarge(limit: 100)) {
            try Data(count: 60).withUnsafeBytes { try upload.write($0) }
        }
        #expect(try tmpFiles(store).isEmpty)
        let aborted = try store.beginUpload(limit: 100)
        try Data(count: 10).withUnsafeBytes { try aborted.write($0) }
        aborted.abort()
        do {
            let dropped = try store.beginUpload(limit: 100)
            try Data(count: 10).withUnsafeBytes { try dropped.write($0) }
        }
        #expect(try tmpFiles(store).isEmpty)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: store.root.appendingPathComponent("objects").path)
                .isEmpty)
        #expect(store.size(of: String(repeating: "0", count: 64)) == nil)
    }

    @Test("two uploads of the same bytes at once: both succeed, one file")
    func concurrentSameBytes() async throws {
        let store = try store()
        defer { try? FileManager.default.removeItem(at: store.root) }
        let data = Data(repeating: 7, count: 1 << 20)
        let results = try await withThrowingTaskGroup(of: StoredBytes.self) { group in
            for _ in 0..<4 { group.addTask { try store.put(data) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(results.map(\.sha256)).count == 1)
        #expect(results.filter(\.isNew).count == 1)
        #expect(try tmpFiles(store).isEmpty)
    }
}
