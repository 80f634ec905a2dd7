import Testing

@testable import FarmScheduling

@Suite("Replanning without thrashing")
struct ReplannerTests {
    func printer(_ id: String, _ material: String = "PLA", _ colour: String = "black", surface: String = "")
        -> SchedulingPrinter
    {
        SchedulingPrinter(
            id: id, buildVolume: [250, 210, 210], directDrive: true, enclosure: false, hardenedNozzle: false,
            nozzleKit: [400], loaded: PrinterState(material: material, colour: colour, nozzle: 400, surface: surface))
    }

    func job(
        _ id: String, _ material: String = "PLA", _ colour: String = "black", duration: Int = 60, due: Int = 10_000,
        weight: Int = 1, surface: String = "", onlyOn: Set<String>? = nil
    ) -> SchedulingJob {
        SchedulingJob(
            id: id, material: material, colour: colour, nozzle: 400, footprint: [100, 100, 50], duration: duration,
            due: due, weight: weight, surface: surface, onlyOn: onlyOn, onlyOnReason: onlyOn.map { "pinned to \($0)" })
    }

    let budget = SchedulingBudget(seed: 7, iterations: 2_000)

    @Test("a plate stays on its printer when moving it saves only a little")
    func staysPut() {
        // Two equal printers; the last plan put both plates on P1. Moving one to P2 ends the farm 60 min sooner but
        // costs nothing else: less than the makespan gain asked for (90), so nothing moves.
        let problem = SchedulingProblem(
            printers: [printer("P1"), printer("P2")], jobs: [job("a"), job("b")])
        let replanner = Replanner(gain: .init(makespan: 90))
        let replan = replanner.replan(problem, previous: ["P1": ["a", "b"]], budget: budget)
        #expect(replan.moved == 0)
        #expect(replan.schedule.queues[0].count == 2)
        #expect(!replan.searched)
        // Asked for less, the search's plan wins and one plate moves.
        let eager = Replanner(gain: .init(makespan: 30)).replan(problem, previous: ["P1": ["a", "b"]], budget: budget)
        #expect(eager.moved == 1)
        #expect(eager.searched)
        #expect(eager.schedule.metrics.makespan == 60)
    }

    @Test("a plate moves when staying would make a promise late")
    func movesForLateness() {
        let problem = SchedulingProblem(
            printers: [printer("P1"), printer("P2")],
            jobs: [job("long", duration: 600), job("rush", due: 90, weight: 5)])
        let replan = Replanner().replan(problem, previous: ["P1": ["long", "rush"]], budget: budget)
        #expect(replan.searched)
        #expect(replan.moved == 1)
        #expect(replan.schedule.metrics.totalWeightedTardiness == 0)
    }

    @Test("new plates join the kept plan where they cost least; vanished plates drop out")
    func newPlates() {
        let problem = SchedulingProblem(
            printers: [printer("P1"), printer("P2", "PETG", "white")],
            jobs: [job("a"), job("petg", "PETG", "white")])
        let replan = Replanner().replan(problem, previous: ["P1": ["gone", "a"]], budget: budget)
        #expect(replan.schedule.queues == [[0], [1]])
        #expect(replan.schedule.metrics.changeovers == 0)
        #expect(replan.moved == 0)
    }

    @Test("a pinned plate goes only to the printers it is kept to, and says so when none can take it")
    func pins() {
        let problem = SchedulingProblem(
            printers: [printer("P1"), printer("P2")],
            jobs: [job("a", onlyOn: ["P2"]), job("b", onlyOn: ["P9"])])
        let schedule = FarmScheduler().schedule(problem, budget: budget)
        #expect(schedule.queues == [[], [0]])
        #expect(schedule.unschedulable[1]?.contains("pinned to") == true)
    }

    @Test("a sheet swap is a changeover; a printer whose sheet is not recorded needs none")
    func surfaces() {
        let times = SetupTimes(surfaceSwap: 5)
        let smooth = PrinterState(material: "PLA", colour: "black", nozzle: 400, surface: "smooth PEI")
        let textured = PrinterState(material: "PETG", colour: "black", nozzle: 400, surface: "textured PEI")
        #expect(times.between(smooth, textured) == 25)
        #expect(PrinterState.changes(from: smooth, to: textured) == ["load PETG black", "fit the textured PEI sheet"])
        let unknown = PrinterState(material: "", colour: "", nozzle: 400)
        #expect(times.between(unknown, textured) == 0)
        #expect(PrinterState.changes(from: unknown, to: textured).isEmpty)
        let anyColour = PrinterState(material: "PETG", colour: "", nozzle: 400, surface: "textured PEI")
        #expect(times.between(textured, anyColour) == 0, "a plate naming no colour takes the one loaded")
        #expect(PrinterState.changes(from: textured, to: anyColour).isEmpty)
        let problem = SchedulingProblem(
            printers: [printer("P1", surface: "smooth PEI"), printer("P2", surface: "textured PEI")],
            jobs: [job("petg", surface: "textured PEI")])
        #expect(FarmScheduler().schedule(problem, budget: budget).queues == [[], [0]])
    }
}
