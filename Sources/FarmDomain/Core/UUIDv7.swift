import Foundation

/// RFC 9562 version 7 UUIDs: a 48-bit Unix millisecond timestamp followed by random bits, so IDs sort by creation time.
/// Time and randomness are passed in; the domain never reads the clock itself.
public enum UUIDv7 {
    public static func make(time: Date, random: inout some RandomNumberGenerator) -> UUID {
        let millis = UInt64(max(0, (time.timeIntervalSince1970 * 1000).rounded(.down)))
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 {
            bytes[index] = UInt8(truncatingIfNeeded: millis >> (8 * (5 - index)))
        }
        let high = random.next()
        let low = random.next()
        for index in 6..<16 {
            let source = index < 14 ? high : low
            bytes[index] = UInt8(truncatingIfNeeded: source >> (8 * (index % 8)))
        }
        bytes[6] = (bytes[6] & 0x0F) | 0x70  // version 7
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 4122 variant
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }

    /// The smallest v7 UUID of `time`'s millisecond: every v7 id made at that moment or later sorts after it, so
    /// `id > earliest(at: t)` selects what was created since `t`.
    public static func earliest(at time: Date) -> UUID {
        var zero = ZeroGenerator()
        return make(time: time, random: &zero)
    }

    private struct ZeroGenerator: RandomNumberGenerator {
        mutating func next() -> UInt64 { 0 }
    }

    /// The millisecond timestamp a v7 UUID carries.
    public static func timestamp(of uuid: UUID) -> Date {
        let b = uuid.uuid
        let parts: [UInt8] = [b.0, b.1, b.2, b.3, b.4, b.5]
        let millis = parts.reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
        return Date(timeIntervalSince1970: Double(millis) / 1000)
    }

    public static func version(of uuid: UUID) -> Int { Int(uuid.uuid.6 >> 4) }
}
