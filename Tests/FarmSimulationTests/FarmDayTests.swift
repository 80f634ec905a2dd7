import FarmDomain
import FarmSimulation
import Testing

@Suite("Farm day simulation")
struct FarmDayTests {
    func small(seed: UInt64) -> FarmDay.Configuration {
        var configuration = FarmDay.Configuration()
        configuration.seed = seed
        configuration.printers = 4
        configuration.orders = 24
        configuration.hours = 2
        return configuration
    }

    @Test("one seed gives one day: the same figures twice; another seed another day")
    func deterministic() {
        var first = FarmDay(small(seed: 7))
        var second = FarmDay(small(seed: 7))
        var other = FarmDay(small(seed: 8))
        let a = first.run()
        let b = second.run()
        let c = other.run()
        #expect(a.description == b.description)
        #expect(a.description != c.description)
    }

    @Test(
        "every order finishes; failures are reprinted; guardrails and people account for what the loop could not do alone"
    )
    func finishes() {
        var configuration = small(seed: 3)
        configuration.failureRate = 0.2
        var day = FarmDay(configuration)
        let report = day.run()
        #expect(report.finished == report.orders, "\(report)")
        #expect(report.failedRuns > 0)
        #expect(
            report.runs >= report.failedRuns + 24, "at least one passed run per order, plus one per failure: \(report)")
        #expect(report.wastedPrintHours > 0 && report.wastedPrintHours < report.printHours)
        #expect(report.handsFree < report.finished, "at a 20 % failure rate some orders need a person: \(report)")
        #expect(report.humanActions > 0)
        #expect((0...1).contains(report.utilisation))
    }

    @Test(
        "with nothing failing every order finishes with one run per part, no guardrail trips, and people only accept, approve or inspect the risky ones"
    )
    func noFailures() {
        var configuration = small(seed: 5)
        configuration.failureRate = 0
        var day = FarmDay(configuration)
        let report = day.run()
        #expect(report.finished == report.orders)
        #expect(report.runs == report.parts, "\(report)")
        #expect(report.failedRuns == 0)
        #expect(report.guardTrips.isEmpty)
        #expect(
            Set(report.humanActionsByKind.keys).isSubset(of: ["accept", "approve", "inspect"]),
            "\(report.humanActionsByKind)")
        #expect(report.handsFree > report.orders / 2, "\(report)")
    }
}
