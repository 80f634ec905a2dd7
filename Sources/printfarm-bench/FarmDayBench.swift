import ArgumentParser
import FarmDomain
import FarmSimulation
import Foundation

/// `printfarm-bench farm-day`: the seeded farm-day simulation and its figures.
struct FarmDayBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "farm-day",
        abstract:
            "Simulate a farm day (20 printers, 200 orders over 8 h by default) with the real planner; report hands-free and on-time shares, utilisation, waste and guardrail trips."
    )

    @Option(help: "The seed: one seed, one day.") var seed: UInt64 = 1
    @Option(help: "Printers in the farm.") var printers = 20
    @Option(help: "Orders arriving over the day.") var orders = 200
    @Option(help: "Hours over which the orders arrive.") var hours = 8.0
    @Option(help: "Share of runs that fail on the printer.") var failureRate = 0.08
    @Option(help: "farm (the scheduler) or dueDateRule (earliest due date, loaded material preferred).")
    var scheduler = "farm"
    @Option(help: "At most this many prints heat up at once on one power circuit of five printers (0: no limit).")
    var startsPerCircuit = 0
    @Flag(help: "Printers hold no recorded material and orders name no colour (nothing is ever changed over).")
    var noLoadedMaterials = false
    @Option(help: "solo (one part per plate) or farm (parts of many orders batched on one bed).")
    var plates = "solo"
    @Option(help: "Minutes after a print ends that a person clears its bed (0: parts come off by themselves).")
    var bedClearing = 10.0
    @Option(help: "Material limits: grams on a full spool (each printer starts part used; 0: filament not counted).")
    var spoolGrams = 0.0
    @Option(help: "Minutes before a person swaps a spool too short for the printer's next plate.")
    var spoolSwapMinutes = 10.0

    func run() throws {
        var configuration = FarmDay.Configuration()
        configuration.seed = seed
        configuration.printers = printers
        configuration.orders = orders
        configuration.hours = hours
        configuration.failureRate = failureRate
        configuration.loadedMaterials = !noLoadedMaterials
        configuration.settings.scheduling.scheduler = scheduler
        configuration.settings.scheduling.startsPerCircuit = startsPerCircuit > 0 ? startsPerCircuit : nil
        guard let mode = PlateSettings.Mode(rawValue: plates) else {
            throw ValidationError("--plates is solo or farm, not \(plates)")
        }
        configuration.settings.plates.mode = mode
        configuration.bedClearing = bedClearing > 0 ? bedClearing * 60 : nil
        configuration.spoolGrams = spoolGrams > 0 ? spoolGrams : nil
        configuration.spoolSwapResponse = spoolSwapMinutes * 60
        let clock = ContinuousClock()
        var day = FarmDay(configuration)
        var report = FarmDay.Report()
        let elapsed = clock.measure { report = day.run() }
        print(
            "farm day, seed \(seed): \(printers) printers, \(orders) orders over \(hours) h, failure rate "
                + "\(failureRate), scheduler \(scheduler), starts per circuit \(startsPerCircuit), loaded materials "
                + "\(!noLoadedMaterials), plates \(plates), bed cleared \(bedClearing) min after a print, spools "
                + (spoolGrams > 0 ? "of \(spoolGrams) g swapped \(spoolSwapMinutes) min after asked" : "not counted")
        )
        print(report)
        print("simulated in \(elapsed)")
    }
}
