import Foundation

/// Bytes to read a model from: in memory, or a file read in chunks so that its size never becomes memory.
public enum ByteSource: Sendable {
    case data(Data)
    case file(path: String)

    /// Calls `body` with consecutive chunks of about `chunkSize` bytes from `offset` on; the chunk's data is only
    /// valid during the call.
    func forEachChunk(from offset: Int, chunkSize: Int, _ body: (UnsafeRawBufferPointer) throws(MeshError) -> Void)
        throws(MeshError)
    {
        switch self {
        case .data(let data):
            guard offset < data.count else { return }
            try withBytes(of: data) { (raw: UnsafeRawBufferPointer) throws(MeshError) in
                var position = offset
                while position < raw.count {
                    let end = Swift.min(raw.count, position + chunkSize)
                    try body(UnsafeRawBufferPointer(rebasing: raw[position..<end]))
                    position = end
                }
            }
        case .file(let path):
            let descriptor = open(path, O_RDONLY)
            guard descriptor >= 0 else { throw .unreadable(String(cString: strerror(errno))) }
            defer { close(descriptor) }
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
            defer { buffer.deallocate() }
            var position = offset
            while true {
                // Fill the whole buffer unless the file ends, so chunk boundaries fall where the caller expects.
                var filled = 0
                while filled < chunkSize {
                    let count = pread(
                        descriptor, buffer.baseAddress! + filled, chunkSize - filled, off_t(position + filled))
                    if count < 0 {
                        if errno == EINTR { continue }
                        throw .unreadable(String(cString: strerror(errno)))
                    }
                    if count == 0 { break }
                    filled += count
                }
                if filled == 0 { return }
                try body(UnsafeRawBufferPointer(rebasing: buffer[0..<filled]))
                position += filled
                if filled < chunkSize { return }
            }
        }
    }

    /// The total size in bytes.
    func size() throws(MeshError) -> Int {
        switch self {
        case .data(let data): return data.count
        case .file(let path):
            var info = stat()
            guard stat(path, &info) == 0 else { throw .unreadable(String(cString: strerror(errno))) }
            return Int(info.st_size)
        }
    }

    /// Up to `count` bytes from the start.
    func prefix(_ count: Int) throws(MeshError) -> [UInt8] {
        switch self {
        case .data(let data): return Array(data.prefix(count))
        case .file(let path):
            let descriptor = open(path, O_RDONLY)
            guard descriptor >= 0 else { throw .unreadable(String(cString: strerror(errno))) }
            defer { close(descriptor) }
            var bytes = [UInt8](repeating: 0, count: count)
            let read = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress!, count, 0) }
            guard read >= 0 else { throw .unreadable(String(cString: strerror(errno))) }
            return Array(bytes.prefix(read))
        }
    }
}

/// `withUnsafeBytes` that keeps the typed error (the standard one rethrows untyped).
func withBytes<Bytes: ContiguousBytes, Result>(
    of bytes: Bytes, _ body: (UnsafeRawBufferPointer) throws(MeshError) -> Result
) throws(MeshError) -> Result {
    let outcome: Swift.Result<Result, MeshError> = bytes.withUnsafeBytes { raw in
        Swift.Result { () throws(MeshError) in try body(raw) }
    }
    return try outcome.get()
}
