import Foundation
import Testing

@testable import FarmDomain

@Suite("UUIDv7")
struct UUIDv7Tests {
    struct Fixed: RandomNumberGenerator {
        var value: UInt64
        mutating func next() -> UInt64 { value }
    }

    @Test("carries version 7, the RFC variant and the millisecond time it was made at")
    func layout() {
        var random = Fixed(value: .max)
        let time = Date(timeIntervalSince1970: 1_800_000_000.123)
        let uuid = UUIDv7.make(time: time, random: &random)
        #expect(UUIDv7.version(of: uuid) == 7)
        #expect(uuid.uuid.8 & 0xC0 == 0x80)
        #expect(abs(UUIDv7.timestamp(of: uuid).timeIntervalSince(time)) < 0.001)
        #expect(uuid.uuidString.lowercased().hasPrefix("01a3185c"))
    }

    @Test("sorts by creation time as text")
    func ordering() {
        var random = SystemRandomNumberGenerator()
        let ids = (0..<50).map { i in
            UUIDv7.make(time: Date(timeIntervalSince1970: 1_700_000_000 + Double(i)), random: &random)
        }
        let texts = ids.map { $0.uuidString.lowercased() }
        #expect(texts == texts.sorted())
    }

    @Test("the earliest id of a moment sorts after every id made before it and before every id made at it or later")
    func earliest() {
        var random = SystemRandomNumberGenerator()
        let moment = Date(timeIntervalSince1970: 1_800_000_000.5)
        let bound = UUIDv7.earliest(at: moment).uuidString.lowercased()
        for _ in 0..<200 {
            #expect(
                UUIDv7.make(time: moment.addingTimeInterval(-0.001), random: &random).uuidString.lowercased() < bound)
            #expect(UUIDv7.make(time: moment, random: &random).uuidString.lowercased() > bound)
        }
        #expect(UUIDv7.version(of: UUIDv7.earliest(at: moment)) == 7)
    }
}

@Suite("Typed ids")
struct TypedIDTests {
    @Test("an id prints as the lowercase UUID and sorts as that text does, for random and edge values")
    func textAndOrder() {
        var ids = (0..<500).map { _ in RunID(UUID()) }
        ids += [
            "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff",
            "0A000000-0000-7000-8000-00000000000F",
        ].compactMap(RunID.init)
        for id in ids {
            #expect(id.description == id.uuid.uuidString.lowercased())
            #expect(RunID(id.description) == id)
        }
        #expect(ids.sorted().map(\.description) == ids.map(\.description).sorted())
    }
}

@Suite("Actors and reason codes")
struct ValueTypeTests {
    @Test("actors parse as kind:id and refuse unknown kinds or empty ids")
    func actors() {
        #expect(EventActor(string: "user:ada") == EventActor(.user, "ada"))
        #expect(EventActor(string: "apikey:shop:sync")?.id == "shop:sync")
        #expect(EventActor(string: "robot:x") == nil)
        #expect(EventActor(string: "user:") == nil)
        #expect(EventActor(string: "user") == nil)
    }

    @Test("reason codes are dotted lowercase segments")
    func reasons() {
        #expect(ReasonCode(rawValue: "operator.override") != nil)
        #expect(ReasonCode(rawValue: "qa.failed.dimensions") != nil)
        #expect(ReasonCode(rawValue: "policy.autoAdvance") != nil)
        for bad in ["override", "Operator.override", "a..b", "a.b-c", "", "a.", ".a", "a.b c"] {
            #expect(ReasonCode(rawValue: bad) == nil, "\(bad) should be refused")
        }
    }
}
