import Dispatch
import Foundation

/// Welds corners into shared vertices as triangles arrive, so a model costs memory for its distinct vertices and
/// three 32-bit indices per triangle rather than for its file.
///
/// Welding is exact: corners with identical coordinates (bit for bit, -0 taken as +0) are one vertex. Vertices are
/// split by hash into one partition per core, so a binary chunk is welded by all cores at once without locks; each
/// partition keeps a small cache of recent vertices because files list neighbouring triangles close together.
public struct MeshBuilder: TriangleSink, @unchecked Sendable {
    private var partitions: [WeldTable]
    private let partitionShift: UInt64
    /// Three entries per triangle: the vertex's index within its partition, shifted, or'ed with the partition.
    /// Sized up front and filled up to `taggedCount`.
    private var tagged: [Int32] = []
    private var taggedCount = 0
    /// Corners in transit between the reading and the welding step of a binary chunk, reused chunk after chunk.
    private var scratch: [Pending] = []
    private var finished: (positions: [SIMD3<Float>], indices: [Int32])?

    public init(expectedTriangles: Int = 1024, parallelism: Int = ProcessInfo.processInfo.activeProcessorCount) {
        let count = Swift.min(8, Swift.max(1, parallelism)).nextPowerOfTwo
        // Closed meshes have a little over half as many vertices as triangles.
        partitions = (0..<count).map { _ in WeldTable(expectedVertices: expectedTriangles * 9 / 16 / count + 16) }
        partitionShift = UInt64(64 - count.trailingZeroBitCount)
        tagged = [Int32](repeating: 0, count: expectedTriangles * 3)
    }

    public var triangleCount: Int { (finished?.indices.count ?? taggedCount) / 3 }

    /// Room for `count` more entries, growing (rarely: the expected size was a guess) by half again.
    private mutating func reserve(_ count: Int) -> Int {
        let base = taggedCount
        if base + count > tagged.count {
            tagged.append(
                contentsOf: repeatElement(0, count: Swift.max(base + count, tagged.count * 3 / 2) - tagged.count))
        }
        taggedCount += count
        return base
    }

    public mutating func add(_ a: SIMD3<Float>, _ b: SIMD3<Float>, _ c: SIMD3<Float>) {
        precondition(finished == nil, "no triangles after finish()")
        for corner in [a, b, c] {
            let (x, y, z) = WeldTable.key(corner)
            let hash = WeldTable.hash(x, y, z)
            let partition = partitions.count == 1 ? 0 : Int(truncatingIfNeeded: hash >> partitionShift)
            let local = partitions[partition].weld(x, y, z, hash: hash)
            tagged[reserve(1)] = Int32(bitPattern: local << 3 | UInt32(partition))
        }
    }

    /// The fast path for binary STL: `count` 50-byte records; every partition scans the chunk and welds its share.
    public mutating func addBinaryRecords(_ raw: UnsafeRawBufferPointer, count: Int) {
        precondition(finished == nil, "no triangles after finish()")
        let base = reserve(count * 3)
        let shift = partitionShift
        let partitionCount = partitions.count
        if partitionCount == 1 || count < 4096 {
            for corner in 0..<count * 3 {
                let (x, y, z) = Self.corner(raw, corner)
                let hash = WeldTable.hash(x, y, z)
                let partition = partitionCount == 1 ? 0 : Int(truncatingIfNeeded: hash >> shift)
                tagged[base + corner] = Int32(
                    bitPattern: partitions[partition].weld(x, y, z, hash: hash) << 3 | UInt32(partition))
            }
            return
        }
        // Two steps, each on every core: each core reads its slice of the chunk and sorts the corners by the partition
        // their hash picks; then each core welds its partition's corners, slice by slice, in file order.
        let corners = count * 3
        let slice = (corners + partitionCount - 1) / partitionCount
        let stride = slice + 1
        let needed = partitionCount * partitionCount * stride
        if scratch.count < needed {
            // Uninitialised on purpose: every slot is written before it is read.
            scratch = [Pending](unsafeUninitializedCapacity: needed) { _, initialized in initialized = needed }
        }
        var filled = [Int](repeating: 0, count: partitionCount * partitionCount)
        let tables = partitions
        tagged.withUnsafeMutableBufferPointer { out in
            scratch.withUnsafeMutableBufferPointer { buckets in
                filled.withUnsafeMutableBufferPointer { filled in
                    // why: each core writes only its own buckets, then only its own table and its own corners' entries.
                    let shared = UncheckedSendable(value: (raw, out, buckets, filled, tables))
                    DispatchQueue.concurrentPerform(iterations: partitionCount) { reader in
                        let (raw, _, buckets, filled, _) = shared.value
                        for corner in (reader * slice)..<Swift.min(corners, (reader + 1) * slice) {
                            let (x, y, z) = Self.corner(raw, corner)
                            let hash = WeldTable.hash(x, y, z)
                            let bucket = reader * partitionCount + Int(truncatingIfNeeded: hash >> shift)
                            buckets[bucket * stride + filled[bucket]] = Pending(
                                x: x, y: y, z: z, corner: UInt32(corner), hash: hash)
                            filled[bucket] += 1
                        }
                    }
                    DispatchQueue.concurrentPerform(iterations: partitionCount) { partition in
                        let (_, out, buckets, filled, tables) = shared.value
                        let table = tables[partition]
                        for reader in 0..<partitionCount {
                            let bucket = reader * partitionCount + partition
                            for i in 0..<filled[bucket] {
                                let p = buckets[bucket * stride + i]
                                out[base + Int(p.corner)] = Int32(
                                    bitPattern: table.weld(p.x, p.y, p.z, hash: p.hash) << 3 | UInt32(partition))
                            }
                        }
                    }
                }
            }
        }
    }

    /// A corner read and hashed, waiting for its partition's core.
    private struct Pending {
        var x: UInt32, y: UInt32, z: UInt32, corner: UInt32
        var hash: UInt64
    }

    @inline(__always)
    private static func corner(_ raw: UnsafeRawBufferPointer, _ corner: Int) -> (UInt32, UInt32, UInt32) {
        let offset = (corner / 3) * 50 + 12 + (corner % 3) * 12
        let x = raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian
        let y = raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self).littleEndian
        let z = raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self).littleEndian
        return WeldTable.key(SIMD3(Float(bitPattern: x), Float(bitPattern: y), Float(bitPattern: z)))
    }

    /// Distinct vertices (partition by partition) and three indices into them per triangle. Frees the welding tables.
    public mutating func finish() -> (positions: [SIMD3<Float>], indices: [Int32]) {
        if let finished { return finished }
        var offsets: [UInt32] = []
        var positions = [SIMD3<Float>](repeating: .zero, count: partitions.reduce(0) { $0 + $1.count })
        var filled = 0
        positions.withUnsafeMutableBufferPointer { positions in
            for table in partitions {
                offsets.append(UInt32(filled))
                _ = UnsafeMutableBufferPointer(rebasing: positions[filled..<filled + table.count]).initialize(
                    from: table.vertices)
                filled += table.count
            }
        }
        partitions = []
        scratch = []
        // In place: the tagged entries become plain indices without a second 4-bytes-per-corner array.
        var indices = tagged
        tagged = []
        indices.removeLast(indices.count - taggedCount)
        let parts = Swift.max(1, ProcessInfo.processInfo.activeProcessorCount)
        indices.withUnsafeMutableBufferPointer { entries in
            let shared = UncheckedSendable(value: (entries, offsets))
            let slice = (entries.count + parts - 1) / parts
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                let (entries, offsets) = shared.value
                for i in (part * slice)..<Swift.min(entries.count, (part + 1) * slice) {
                    let entry = UInt32(bitPattern: entries[i])
                    entries[i] = Int32(bitPattern: (entry >> 3) + offsets[Int(entry & 7)])
                }
            }
        }
        finished = (positions, indices)
        return (positions, indices)
    }
}

/// One partition's open-addressing table of vertex indices, keyed by a hash of the coordinates' bits, with a
/// direct-mapped cache of recently seen vertices in front of it. Raw buffers: this is the innermost loop of intake,
/// and array copy-on-write checks cost more here than the lookups.
final class WeldTable: @unchecked Sendable {
    private(set) var count = 0
    private var positions: UnsafeMutablePointer<SIMD3<Float>>
    private var positionCapacity: Int
    private var slots: UnsafeMutablePointer<UInt32>
    private var mask: Int
    /// x, y, z bits and the vertex index (UInt32.max: empty).
    private let recent: UnsafeMutablePointer<SIMD4<UInt32>>
    private static let recentBits = 13

    init(expectedVertices: Int) {
        let capacity = Swift.max(64, (expectedVertices * 2).nextPowerOfTwo)
        slots = Self.allocateSlots(capacity)
        mask = capacity - 1
        recent = .allocate(capacity: 1 << Self.recentBits)
        recent.initialize(repeating: SIMD4(0, 0, 0, .max), count: 1 << Self.recentBits)
        positionCapacity = Swift.max(16, expectedVertices)
        positions = Self.allocatePositions(positionCapacity)
    }

    private static func allocatePositions(_ capacity: Int) -> UnsafeMutablePointer<SIMD3<Float>> {
        let positions = UnsafeMutablePointer<SIMD3<Float>>.allocate(capacity: capacity)
        adviseHugePages(
            UnsafeMutableRawBufferPointer(start: positions, count: capacity * MemoryLayout<SIMD3<Float>>.stride))
        return positions
    }

    /// Random probes into a table of many megabytes miss the TLB on 4 KiB pages; ask for huge pages.
    private static func allocateSlots(_ capacity: Int) -> UnsafeMutablePointer<UInt32> {
        let bytes = capacity * MemoryLayout<UInt32>.stride
        let huge = 2 << 20
        var raw: UnsafeMutableRawPointer?
        if bytes >= huge, posix_memalign(&raw, huge, bytes) == 0, let raw {
            _ = madvise(raw, bytes, MADV_HUGEPAGE)
        } else {
            raw = malloc(Swift.max(bytes, 16))
        }
        let slots = raw!.bindMemory(to: UInt32.self, capacity: capacity)
        slots.initialize(repeating: .max, count: capacity)
        return slots
    }

    deinit {
        free(slots)
        recent.deallocate()
        positions.deallocate()
    }

    var vertices: UnsafeBufferPointer<SIMD3<Float>> { UnsafeBufferPointer(start: positions, count: count) }

    /// The coordinates' bits, with -0 turned into +0 (adding +0 does that) so the two zeros weld.
    @inline(__always)
    static func key(_ corner: SIMD3<Float>) -> (UInt32, UInt32, UInt32) {
        let p = corner + SIMD3<Float>(repeating: 0)
        return (p.x.bitPattern, p.y.bitPattern, p.z.bitPattern)
    }

    @inline(__always)
    static func hash(_ x: UInt32, _ y: UInt32, _ z: UInt32) -> UInt64 {
        var hash = UInt64(x) &* 0x9E37_79B9_7F4A_7C15
        hash ^= UInt64(y) &* 0xC2B2_AE3D_27D4_EB4F
        hash ^= UInt64(z) &* 0x1656_67B1_9E37_79F9
        // why: round coordinates have long runs of zero low bits; the finaliser (MurmurHash3's) spreads the high ones down.
        hash ^= hash >> 33
        hash &*= 0xFF51_AFD7_ED55_8CCD
        hash ^= hash >> 33
        return hash
    }

    @inline(__always)
    func weld(_ x: UInt32, _ y: UInt32, _ z: UInt32, hash: UInt64) -> UInt32 {
        let cacheSlot = Int(truncatingIfNeeded: hash >> 20) & ((1 << Self.recentBits) - 1)
        let cached = recent[cacheSlot]
        if cached.w != .max && cached.x == x && cached.y == y && cached.z == z { return cached.w }
        var slot = Int(truncatingIfNeeded: hash) & mask
        var found = UInt32.max
        while true {
            let existing = slots[slot]
            if existing == .max { break }
            let q = positions[Int(existing)]
            if q.x.bitPattern == x && q.y.bitPattern == y && q.z.bitPattern == z {
                found = existing
                break
            }
            slot = (slot + 1) & mask
        }
        if found == .max {
            if count == positionCapacity { growPositions() }
            found = UInt32(count)
            positions[count] = SIMD3(Float(bitPattern: x), Float(bitPattern: y), Float(bitPattern: z))
            count += 1
            slots[slot] = found
            if count * 2 > mask + 1 { growSlots() }
        }
        recent[cacheSlot] = SIMD4(x, y, z, found)
        return found
    }

    private func growPositions() {
        let larger = Self.allocatePositions(positionCapacity * 2)
        larger.moveInitialize(from: positions, count: count)
        positions.deallocate()
        positions = larger
        positionCapacity *= 2
    }

    private func growSlots() {
        let capacity = (mask + 1) * 2
        free(slots)
        slots = Self.allocateSlots(capacity)
        mask = capacity - 1
        for index in 0..<count {
            let p = positions[index]
            var slot = Int(truncatingIfNeeded: Self.hash(p.x.bitPattern, p.y.bitPattern, p.z.bitPattern)) & mask
            while slots[slot] != .max { slot = (slot + 1) & mask }
            slots[slot] = UInt32(index)
        }
    }
}

extension Int {
    var nextPowerOfTwo: Int {
        guard self > 1 else { return 1 }
        return 1 << (Int.bitWidth - (self - 1).leadingZeroBitCount)
    }
}

/// Hands non-Sendable values (buffer pointers) to parallel work that is known to touch disjoint parts of them.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
}
