import Foundation
import SystemZlib

/// A read-only ZIP reader for 3MF packages, written for hostile input: the central directory is bounded, every
/// offset is checked against the file, only stored and deflated entries are read, inflation stops at a byte budget,
/// every loop must make progress, and the CRC is verified. (ZIPFoundation 0.9.20, used before, looped forever on a
/// 790-byte file with a damaged deflate stream and trapped on another; both were found by the fuzzer.)
struct ZipArchive {
    struct Entry {
        var path: String
        var method: UInt16
        var crc32: UInt32
        var compressedSize: UInt64
        var uncompressedSize: UInt64
        var localHeaderOffset: UInt64
    }

    let source: RandomAccess
    private(set) var entries: [Entry] = []

    static let maximumEntries = 10_000

    init(_ byteSource: ByteSource) throws(MeshError) {
        source = try RandomAccess(byteSource)
        entries = try readCentralDirectory()
    }

    func entry(named name: String) -> Entry? {
        entries.first { $0.path == name } ?? entries.first { $0.path.lowercased() == name.lowercased() }
    }

    /// The entry's bytes, refusing more than `budget` (whatever its headers claim).
    func extract(_ entry: Entry, budget: Int) throws(MeshError) -> Data {
        let local = try source.read(at: entry.localHeaderOffset, count: 30)
        guard local.uint32(0) == 0x0403_4B50 else {
            throw .invalidPackage("the entry '\(entry.path.prefix(80))' is damaged")
        }
        let dataOffset = entry.localHeaderOffset + 30 + UInt64(local.uint16(26)) + UInt64(local.uint16(28))
        guard dataOffset.addingReportingOverflow(entry.compressedSize).partialValue <= UInt64(source.size) else {
            throw .invalidPackage("the entry '\(entry.path.prefix(80))' runs past the end of the file")
        }
        guard entry.uncompressedSize <= UInt64(budget) else {
            throw .invalidPackage("it unpacks to more than the \(budget) bytes allowed")
        }
        let data: Data
        switch entry.method {
        case 0:
            guard entry.compressedSize == entry.uncompressedSize else {
                throw .invalidPackage("the entry '\(entry.path.prefix(80))' is damaged")
            }
            data = try source.read(at: dataOffset, count: Int(entry.compressedSize))
        case 8:
            data = try inflate(from: dataOffset, count: entry.compressedSize, budget: budget, name: entry.path)
        default:
            throw .invalidPackage(
                "the entry '\(entry.path.prefix(80))' uses compression method \(entry.method); 3MF uses deflate")
        }
        let crc = data.withUnsafeBytes { raw in
            UInt32(SystemZlib.crc32(0, raw.bindMemory(to: UInt8.self).baseAddress, uInt(raw.count)))
        }
        guard crc == entry.crc32, data.count == entry.uncompressedSize else {
            throw .invalidPackage(
                "the entry '\(entry.path.prefix(80))' is damaged (its checksum or size does not match)")
        }
        return data
    }

    private func inflate(from offset: UInt64, count: UInt64, budget: Int, name: String) throws(MeshError) -> Data {
        var stream = z_stream()
        guard inflateInit2_(&stream, -MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .unreadable("zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var output = Data()
        var consumed: UInt64 = 0
        var input = Data()
        var inputPosition = 0
        let chunk = 1 << 16
        var buffer = [UInt8](repeating: 0, count: chunk)
        while true {
            if inputPosition == input.count, consumed < count {
                let take = Int(min(UInt64(chunk), count - consumed))
                input = try source.read(at: offset + consumed, count: take)
                consumed += UInt64(take)
                inputPosition = 0
            }
            let available = input.count - inputPosition
            let result: Int32 = input.withUnsafeBytes { raw in
                buffer.withUnsafeMutableBufferPointer { out in
                    stream.next_in = UnsafeMutablePointer(
                        mutating: raw.bindMemory(to: Bytef.self).baseAddress.map { $0 + inputPosition })
                    stream.avail_in = uInt(available)
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(chunk)
                    return SystemZlib.inflate(&stream, Z_NO_FLUSH)
                }
            }
            let used = available - Int(stream.avail_in)
            let produced = chunk - Int(stream.avail_out)
            inputPosition += used
            guard output.count + produced <= budget else {
                throw .invalidPackage("it unpacks to more than the \(budget) bytes allowed")
            }
            output.append(contentsOf: buffer[0..<produced])
            switch result {
            case Z_STREAM_END:
                return output
            case Z_OK, Z_BUF_ERROR:
                // why: a damaged stream can stall; a call that neither reads nor writes will never end it.
                if used == 0 && produced == 0 {
                    throw .invalidPackage("the entry '\(name.prefix(80))' is damaged (its compressed data ends early)")
                }
            default:
                throw .invalidPackage(
                    "the entry '\(name.prefix(80))' is damaged (its compressed data is not valid deflate)")
            }
        }
    }

    private func readCentralDirectory() throws(MeshError) -> [Entry] {
        let size = UInt64(source.size)
        guard size >= 22 else { throw .invalidPackage("it is not a readable ZIP archive") }
        // The end record sits in the last 22 bytes plus a comment of up to 65535.
        let tailLength = Int(min(size, 22 + 65_535))
        let tail = try source.read(at: size - UInt64(tailLength), count: tailLength)
        var end = -1
        var i = tail.count - 22
        while i >= 0 {
            if tail.uint32(i) == 0x0605_4B50 {
                end = i
                break
            }
            i -= 1
        }
        guard end >= 0 else { throw .invalidPackage("it is not a readable ZIP archive (no central directory)") }
        var count = UInt64(tail.uint16(end + 10))
        var directorySize = UInt64(tail.uint32(end + 12))
        var directoryOffset = UInt64(tail.uint32(end + 16))
        if count == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF {
            // ZIP64: the locator just before the end record points at the 64-bit end record.
            guard end >= 20, tail.uint32(end - 20) == 0x0706_4B50 else {
                throw .invalidPackage("its ZIP64 directory is missing")
            }
            let recordOffset = tail.uint64(end - 12)
            guard recordOffset < size else { throw .invalidPackage("its ZIP64 directory is damaged") }
            let record = try source.read(at: recordOffset, count: 56)
            guard record.uint32(0) == 0x0606_4B50 else { throw .invalidPackage("its ZIP64 directory is damaged") }
            count = record.uint64(32)
            directorySize = record.uint64(40)
            directoryOffset = record.uint64(48)
        }
        guard count <= UInt64(Self.maximumEntries) else {
            throw .invalidPackage("it has \(count) entries; a 3MF has a handful")
        }
        guard directorySize <= 16 << 20, directoryOffset.addingReportingOverflow(directorySize).partialValue <= size
        else {
            throw .invalidPackage("its central directory is damaged")
        }
        let directory = try source.read(at: directoryOffset, count: Int(directorySize))
        var entries: [Entry] = []
        var position = 0
        for _ in 0..<count {
            guard position + 46 <= directory.count, directory.uint32(position) == 0x0201_4B50 else {
                throw .invalidPackage("its central directory is damaged")
            }
            let flags = directory.uint16(position + 8)
            let nameLength = Int(directory.uint16(position + 28))
            let extraLength = Int(directory.uint16(position + 30))
            let commentLength = Int(directory.uint16(position + 32))
            guard position + 46 + nameLength + extraLength + commentLength <= directory.count else {
                throw .invalidPackage("its central directory is damaged")
            }
            guard flags & 1 == 0 else { throw .invalidPackage("it is encrypted") }
            let nameBytes = directory.subdata(in: position + 46..<position + 46 + nameLength)
            var entry = Entry(
                path: String(decoding: nameBytes, as: UTF8.self), method: directory.uint16(position + 10),
                crc32: directory.uint32(position + 16),
                compressedSize: UInt64(directory.uint32(position + 20)),
                uncompressedSize: UInt64(directory.uint32(position + 24)),
                localHeaderOffset: UInt64(directory.uint32(position + 42)))
            // ZIP64 sizes and offset live in extra field 0x0001, in this order, for the fields marked 0xFFFFFFFF.
            var extra = position + 46 + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd {
                let id = directory.uint16(extra)
                let length = Int(directory.uint16(extra + 2))
                guard extra + 4 + length <= extraEnd else { break }
                if id == 0x0001 {
                    var field = extra + 4
                    for keyPath in [\Entry.uncompressedSize, \Entry.compressedSize, \Entry.localHeaderOffset]
                    where entry[keyPath: keyPath] == 0xFFFF_FFFF {
                        guard field + 8 <= extra + 4 + length else { break }
                        entry[keyPath: keyPath] = directory.uint64(field)
                        field += 8
                    }
                }
                extra += 4 + length
            }
            guard !nameBytes.contains(0) else { throw .invalidPackage("an entry name contains a NUL byte") }
            entries.append(entry)
            position += 46 + nameLength + extraLength + commentLength
        }
        return entries
    }
}

/// Reads byte ranges from memory or a file, refusing ranges outside it.
struct RandomAccess {
    let size: Int
    private let data: Data?
    private let path: String?

    init(_ source: ByteSource) throws(MeshError) {
        size = try source.size()
        switch source {
        case .data(let bytes):
            data = bytes
            path = nil
        case .file(let file):
            data = nil
            path = file
        }
    }

    func read(at offset: UInt64, count: Int) throws(MeshError) -> Data {
        guard count >= 0, offset <= UInt64(size), UInt64(count) <= UInt64(size) - offset else {
            throw .invalidPackage("it points past the end of the file")
        }
        if let data {
            let start = data.startIndex + Int(offset)
            return data.subdata(in: start..<start + count)
        }
        let descriptor = open(path!, O_RDONLY)
        guard descriptor >= 0 else { throw .unreadable(String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var result = Data(count: count)
        var filled = 0
        while filled < count {
            let read = result.withUnsafeMutableBytes {
                pread(descriptor, $0.baseAddress! + filled, count - filled, off_t(Int(offset) + filled))
            }
            if read < 0 && errno == EINTR { continue }
            guard read > 0 else { throw .unreadable("the file ended early") }
            filled += read
        }
        return result
    }
}

extension Data {
    fileprivate func uint16(_ at: Int) -> UInt16 {
        UInt16(self[startIndex + at]) | UInt16(self[startIndex + at + 1]) << 8
    }
    fileprivate func uint32(_ at: Int) -> UInt32 { UInt32(uint16(at)) | UInt32(uint16(at + 2)) << 16 }
    fileprivate func uint64(_ at: Int) -> UInt64 { UInt64(uint32(at)) | UInt64(uint32(at + 4)) << 32 }
}
