import FarmStore
import Foundation
import Testing

@Suite("Timestamps")
struct TimestampsTests {
    @Test("format writes RFC 3339 UTC with milliseconds, rounding to the nearest one")
    func format() {
        #expect(Timestamps.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamps.format(Date(timeIntervalSince1970: 1_800_000_000.1236)) == "2027-01-15T08:00:00.124Z")
        #expect(Timestamps.format(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00.000Z")
        #expect(Timestamps.format(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59.000Z")
    }

    @Test("parsing what format wrote gives back the same text, for many times")
    func roundTrip() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let date = Date(timeIntervalSince1970: Double.random(in: -2_000_000_000...4_000_000_000, using: &generator))
            let text = Timestamps.format(date)
            let parsed = try #require(Timestamps.parse(text))
            #expect(Timestamps.format(parsed) == text)
            #expect(abs(parsed.timeIntervalSince(date)) <= 0.0005 + 1e-6)
        }
    }

    @Test("other RFC 3339 forms parse; nonsense does not")
    func otherForms() {
        #expect(Timestamps.parse("2026-11-25T14:00:00Z") == Date(timeIntervalSince1970: 1_795_615_200))
        #expect(Timestamps.parse("2026-11-25T15:00:00.000+01:00") == Date(timeIntervalSince1970: 1_795_615_200))
        #expect(Timestamps.parse("2026-13-25T14:00:00.000Z") == nil)
        #expect(Timestamps.parse("yesterday") == nil)
    }
}
