import Crypto
import Foundation

/// Why bytes could not be stored or read.
public enum ArtifactStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case tooLarge(limit: Int)
    case io(String)

    public var description: String {
        switch self {
        case .tooLarge(let limit): "the upload is larger than the \(limit) bytes this farm accepts"
        case .io(let reason): "the artifact store failed: \(reason)"
        }
    }
}

/// Content-addressed files under one directory: `objects/ab/cdef…` named by SHA-256, written once through
/// `tmp/` and linked into place, so a broken upload leaves nothing behind and stored bytes are never rewritten.
public struct ArtifactStore: Sendable {
    public let root: URL

    public init(root: URL) throws(ArtifactStoreError) {
        self.root = root
        do {
            try FileManager.default.createDirectory(
                at: root.appendingPathComponent("objects"), withIntermediateDirectories: true)
            try FileManager.default.createDirectory(
                at: root.appendingPathComponent("tmp"), withIntermediateDirectories: true)
        } catch {
            throw .io("cannot create \(root.path): \(error.localizedDescription)")
        }
        removeAbandonedUploads(olderThan: 24 * 3600)
    }

    /// The file of an artifact (which may not exist).
    public func path(of sha256: String) -> String {
        precondition(sha256.count == 64 && sha256.allSatisfy(\.isHexDigit), "a SHA-256 in hex")
        let hash = sha256.lowercased()
        return root.appendingPathComponent("objects").appendingPathComponent(String(hash.prefix(2)))
            .appendingPathComponent(String(hash.dropFirst(2))).path
    }

    /// The size of a stored artifact, or nil when there is none.
    public func size(of sha256: String) -> Int? {
        var info = stat()
        return stat(path(of: sha256), &info) == 0 ? Int(info.st_size) : nil
    }

    /// Starts an upload; write chunks to it, then `finish()` (or let it go: its temporary file is removed).
    public func beginUpload(limit: Int) throws(ArtifactStoreError) -> ArtifactUpload {
        try ArtifactUpload(store: self, limit: limit)
    }

    /// Stores bytes already in memory (profiles, logs).
    public func put(_ data: Data) throws(ArtifactStoreError) -> StoredBytes {
        let upload = try beginUpload(limit: Int.max)
        let written: Result<Void, ArtifactStoreError> = data.withUnsafeBytes { raw in
            Result { () throws(ArtifactStoreError) in try upload.write(raw) }
        }
        try written.get()
        return try upload.finish()
    }

    /// A fresh path in `tmp/` for a file another program writes (the slicer's G-code), to `adopt` afterwards.
    public func temporaryPath(suffix: String) -> String {
        root.appendingPathComponent("tmp").appendingPathComponent("work-\(UUID().uuidString)\(suffix)").path
    }

    /// Takes a finished file into the store: hashed, linked under its hash, the original removed.
    public func adopt(fileAt path: String) throws(ArtifactStoreError) -> StoredBytes {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw .io("cannot read \(path)") }
        let upload = try beginUpload(limit: Int.max)
        defer { try? handle.close() }
        do {
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                let written: Result<Void, ArtifactStoreError> = chunk.withUnsafeBytes { raw in
                    Result { () throws(ArtifactStoreError) in try upload.write(raw) }
                }
                try written.get()
            }
        } catch let error as ArtifactStoreError {
            throw error
        } catch {
            upload.abort()
            throw .io("cannot read \(path): \(error.localizedDescription)")
        }
        let stored = try upload.finish()
        unlink(path)
        return stored
    }

    /// The SHA-256 of a file, read in chunks (for inputs that are not stored, such as a model a command slices).
    public static func sha256(ofFileAt path: String) throws(ArtifactStoreError) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw .io("cannot read \(path)") }
        defer { try? handle.close() }
        var hasher = SHA256()
        do {
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        } catch {
            throw .io("cannot read \(path): \(error.localizedDescription)")
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Temporary files of uploads a crash interrupted.
    private func removeAbandonedUploads(olderThan seconds: TimeInterval) {
        let tmp = root.appendingPathComponent("tmp")
        let cutoff = Date().addingTimeInterval(-seconds)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: tmp.path)) ?? [] {
            let file = tmp.appendingPathComponent(name)
            if let modified = (try? FileManager.default.attributesOfItem(atPath: file.path))?[.modificationDate]
                as? Date, modified < cutoff
            {
                try? FileManager.default.removeItem(at: file)
            }
        }
    }
}

public struct StoredBytes: Sendable, Equatable {
    public var sha256: String
    public var size: Int
    /// False when identical bytes were already stored (nothing was written).
    public var isNew: Bool

    public init(sha256: String, size: Int, isNew: Bool) {
        self.sha256 = sha256
        self.size = size
        self.isNew = isNew
    }
}

/// One upload in progress: bytes are hashed as they are written to a temporary file; nothing is visible until
/// `finish()`. Used by one task at a time.
public final class ArtifactUpload: @unchecked Sendable {
    private let store: ArtifactStore
    private let limit: Int
    private let temporaryPath: String
    private var descriptor: Int32
    private var hasher = SHA256()
    public private(set) var size = 0
    private var done = false

    init(store: ArtifactStore, limit: Int) throws(ArtifactStoreError) {
        self.store = store
        self.limit = limit
        temporaryPath =
            store.root.appendingPathComponent("tmp").appendingPathComponent("upload-\(UUID().uuidString)").path
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .io("cannot create a temporary file: \(String(cString: strerror(errno)))") }
    }

    deinit { abort() }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(ArtifactStoreError) {
        precondition(!done, "write after finish or abort")
        guard size + bytes.count <= limit else {
            abort()
            throw .tooLarge(limit: limit)
        }
        hasher.update(bufferPointer: bytes)
        var written = 0
        while written < bytes.count {
            let count = Foundation.write(descriptor, bytes.baseAddress! + written, bytes.count - written)
            if count < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                abort()
                throw .io("cannot write: \(reason)")
            }
            written += count
        }
        size += bytes.count
    }

    /// Makes the bytes durable and visible under their hash. Identical bytes already stored are kept as they are.
    public func finish() throws(ArtifactStoreError) -> StoredBytes {
        precondition(!done, "finish after finish or abort")
        let sha256 = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        guard fsync(descriptor) == 0 else {
            let reason = String(cString: strerror(errno))
            abort()
            throw .io("cannot sync: \(reason)")
        }
        close(descriptor)
        descriptor = -1
        done = true
        defer { unlink(temporaryPath) }
        let final = store.path(of: sha256)
        let directory = (final as NSString).deletingLastPathComponent
        mkdir(directory, 0o755)
        fchmodAt(temporaryPath)
        // link() never replaces: when another upload of the same bytes won, its file stays and ours is dropped.
        if link(temporaryPath, final) == 0 {
            syncDirectory(directory)
            return StoredBytes(sha256: sha256, size: size, isNew: true)
        }
        if errno == EEXIST { return StoredBytes(sha256: sha256, size: size, isNew: false) }
        throw .io("cannot store \(sha256): \(String(cString: strerror(errno)))")
    }

    /// Drops the upload and its temporary file.
    public func abort() {
        guard !done else { return }
        done = true
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
        unlink(temporaryPath)
    }

    private func fchmodAt(_ path: String) { chmod(path, 0o444) }

    private func syncDirectory(_ path: String) {
        let directory = open(path, O_RDONLY | O_DIRECTORY)
        guard directory >= 0 else { return }
        fsync(directory)
        close(directory)
    }
}
