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

    @Test(
        """
        with material limits no print runs out of filament: the planner holds a plate whose spool is too short, a \
        person swaps the spool, the plate goes on; every order still finishes, and filament is counted
        """)
    func materialLimits() {
        var configuration = small(seed: 3)
        configuration.failureRate = 0.05
        // Small spools (the largest part takes 27 g), so several run short in a short day.
        configuration.spoolGrams = 100
        var day = FarmDay(configuration)
        let report = day.run()
        #expect(report.finished == report.orders, "\(report)")
        #expect(report.printsRanOut == 0, "no print started that its spool could not finish: \(report)")
        #expect(report.spoolSwaps > 0 && report.platesDelayedForMaterial == report.spoolSwaps, "\(report)")
        #expect(report.materialWaitHours > 0 && report.filamentKilograms > 0.2)
        #expect(report.humanActionsByKind["loadMaterial"] == report.spoolSwaps, "each swap a person's action")
        var unlimited = small(seed: 3)
        unlimited.failureRate = 0.05
        var free = FarmDay(unlimited)
        let freeReport = free.run()
        #expect(freeReport.spoolSwaps == 0 && freeReport.filamentKilograms == 0, "filament not counted without limits")
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
            Set(report.humanActionsByKind.keys).isSubset(of: [
                "accept", "approve", "inspect", "confirmChangeover", "clearBed",
            ]), "\(report.humanActionsByKind)")
        #expect(report.bedsCleared == report.humanActionsByKind["clearBed"], "a bed cleared after each print")
        #expect(report.bedsCleared >= report.runs - configuration.printers)
        #expect(report.handsFree > report.orders / 2, "\(report)")
        #expect(report.changeovers == report.humanActionsByKind["confirmChangeover"] ?? 0)
    }

    @Test(
        """
        farm mode batches the same day's parts onto fewer plates than solo mode: more parts per plate and a fuller \
        bed, fewer print hours (one heat-up per plate) and fewer human actions per part; every order still finishes
        """
    )
    func farmModeAgainstSolo() {
        var configuration = small(seed: 11)
        configuration.printers = 6
        configuration.orders = 40
        configuration.failureRate = 0
        var solo = FarmDay(configuration)
        configuration.settings.plates.mode = .farm
        var farm = FarmDay(configuration)
        let (one, batched) = (solo.run(), farm.run())
        #expect(one.finished == one.orders && batched.finished == batched.orders, "\(batched)")
        #expect(one.partsPrinted == one.runs, "solo: one part per plate")
        #expect(batched.runs < one.runs / 2, "\(batched.runs) plates against \(one.runs)")
        #expect(batched.partsPrinted == one.partsPrinted, "the same parts")
        #expect(batched.bedFill / Double(batched.runs) > 2 * one.bedFill / Double(one.runs))
        #expect(batched.printHours < one.printHours)
        #expect(
            Double(batched.humanActions) / Double(batched.partsPrinted) < Double(one.humanActions)
                / Double(one.partsPrinted), "\(batched)\n\(one)")
        #expect(batched.onTime >= one.onTime - 2, "batching costs (almost) no promise")
    }

    @Test(
        """
        with materials and colours loaded, the scheduler changes printers over far less often than the due-date \
        rule, finishes no later and leaves no more orders late; every changeover is a person's confirmed work
        """
    )
    func schedulerAgainstRule() {
        var configuration = small(seed: 11)
        configuration.printers = 6
        configuration.orders = 40
        configuration.failureRate = 0
        var farm = FarmDay(configuration)
        configuration.settings.scheduling.scheduler = "dueDateRule"
        var rule = FarmDay(configuration)
        let (planned, ruled) = (farm.run(), rule.run())
        #expect(planned.finished == planned.orders && ruled.finished == ruled.orders)
        #expect(ruled.changeovers > 0, "the rule changes printers over: \(ruled)")
        #expect(planned.changeovers * 2 <= ruled.changeovers, "at most half the rule's changeovers: \(planned)")
        #expect(planned.lateHours <= ruled.lateHours + 0.01)
        #expect(planned.makespanHours <= ruled.makespanHours + 0.01, "\(planned)\n\(ruled)")
        #expect(planned.humanActionsByKind["confirmChangeover"] == planned.changeovers)
        #expect(planned.utilisationWhileWorkWaits > 0 && planned.utilisationWhileWorkWaits <= 1)
    }

    @Test("staggered starts: with one start per circuit at a time the day still finishes, a little later")
    func staggeredStarts() {
        var configuration = small(seed: 4)
        configuration.failureRate = 0
        configuration.printersPerCircuit = 4
        var free = FarmDay(configuration)
        configuration.settings.scheduling.startsPerCircuit = 1
        var staggered = FarmDay(configuration)
        let (a, b) = (free.run(), staggered.run())
        #expect(b.finished == b.orders, "\(b)")
        #expect(b.makespanHours >= a.makespanHours, "\(a)\n\(b)")
    }
}
