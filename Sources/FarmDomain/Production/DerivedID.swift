import Foundation

/// UUIDv7s derived from what they name (a plan for a line item, the n-th attempt of a plan), so a step repeated
/// after a restart names the same aggregate and is refused or ignored instead of done twice. The time part is a
/// moment that does not change on a repeat (the order's arrival, the event that asked for the attempt), so lists
/// in id order stay in creation order.
public enum DerivedID {
    public static func uuid(time: Date, key: String) -> UUID {
        var generator = SeededGenerator(key: key)
        return UUIDv7.make(time: time, random: &generator)
    }
}

/// SplitMix64: small, fast, and the same sequence for the same seed on every machine.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// Seeded with the FNV-1a hash of `key`.
    public init(key: String) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        state = hash
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
