import Testing

@testable import FarmScheduling

/// Small farms made from a seed, for comparing schedulers with each other and with the optimum.
struct TinyFarm {
    var random: SplitMix64

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    mutating func pick<T>(_ values: [T]) -> T { values[Int(random.next() % UInt64(values.count))] }

    mutating func problem(printers: Int, jobs: Int) -> SchedulingProblem {
        let colours = ["black", "white", "red"]
        let materials = ["PLA", "PLA", "PETG"]
        let machines = (0..<printers).map { index in
            SchedulingPrinter(
                id: "P\(index + 1)", buildVolume: [250, 210, 210], directDrive: true, enclosure: false,
                hardenedNozzle: false, nozzleKit: [400, 600],
                loaded: PrinterState(material: pick(materials), colour: pick(colours), nozzle: 400),
                availableFrom: pick([0, 0, 30]))
        }
        let plates = (0..<jobs).map { index in
            let duration = pick([30, 60, 90, 120, 240])
            let release = pick([0, 0, 0, 60])
            return SchedulingJob(
                id: "J\(index + 1)", material: pick(materials), colour: pick(colours), nozzle: pick([400, 400, 600]),
                footprint: [100, 100, 50], duration: duration, release: release,
                due: release + duration * pick([1, 2, 3]), weight: pick([1, 1, 2, 5]))
        }
        return SchedulingProblem(printers: machines, jobs: plates)
    }
}

/// The best schedule by the lexicographic objective, by trying every order of the jobs and every printer for each.
func optimum(_ problem: SchedulingProblem) -> ScheduleMetrics {
    let compatibility = Compatibility(problem)
    var best: ScheduleMetrics?
    func permutations(_ items: [Int]) -> [[Int]] {
        guard items.count > 1 else { return [items] }
        return items.indices.flatMap { index in
            var rest = items
            let first = rest.remove(at: index)
            return permutations(rest).map { [first] + $0 }
        }
    }
    let orders = permutations(Array(problem.jobs.indices))
    func assign(_ order: [Int], _ position: Int, _ queues: inout [[Int]]) {
        if position == order.count {
            let metrics = Schedule(queues: queues, problem: problem).metrics
            if best == nil || ScheduleObjective.lex.better(metrics, than: best!) { best = metrics }
            return
        }
        for printer in compatibility.printers[order[position]] {
            queues[printer].append(order[position])
            assign(order, position + 1, &queues)
            queues[printer].removeLast()
        }
    }
    for order in orders {
        var queues = Array(repeating: [Int](), count: problem.printers.count)
        assign(order, 0, &queues)
    }
    return best!
}

@Suite("Farm scheduler")
struct FarmSchedulerTests {
    let printer = SchedulingPrinter(
        id: "P1", buildVolume: [250, 210, 210], directDrive: false, enclosure: false, hardenedNozzle: false,
        nozzleKit: [400], loaded: PrinterState(material: "PLA", colour: "black", nozzle: 400))

    func job(
        _ id: String, _ material: String = "PLA", _ colour: String = "black", nozzle: Int = 400, duration: Int = 60,
        release: Int = 0, due: Int = 10_000, weight: Int = 1, footprint: [Int] = [100, 100, 50]
    ) -> SchedulingJob {
        SchedulingJob(
            id: id, material: material, colour: colour, nozzle: nozzle, footprint: footprint, duration: duration,
            release: release, due: due, weight: weight)
    }

    @Test(
        """
        a plate goes only where it fits (turned about z), with the enclosure, hardened nozzle, drive and nozzle it \
        needs
        """
    )
    func compatibility() {
        #expect(job("a", footprint: [200, 240, 100]).incompatibility(with: printer) == nil, "turned 90° it fits")
        #expect(job("b", footprint: [260, 100, 100]).incompatibility(with: printer)?.contains("does not fit") == true)
        #expect(job("c", footprint: [100, 100, 211]).incompatibility(with: printer) != nil, "too tall")
        var abs = job("d", "ABS")
        abs.needsEnclosure = true
        #expect(abs.incompatibility(with: printer)?.contains("enclosure") == true)
        var carbon = job("e", "PA-CF")
        carbon.needsHardenedNozzle = true
        #expect(carbon.incompatibility(with: printer)?.contains("hardened") == true)
        var tpu = job("f", "TPU")
        tpu.needsDirectDrive = true
        #expect(tpu.incompatibility(with: printer)?.contains("Bowden") == true)
        #expect(job("g", nozzle: 600).incompatibility(with: printer)?.contains("0.6 mm") == true)
        for plate in [
            job("a", footprint: [200, 240, 100]), job("b", footprint: [260, 100, 100]), abs, carbon, tpu,
            job("g", nozzle: 600),
        ] {
            #expect(plate.fits(printer) == (plate.incompatibility(with: printer) == nil), "\(plate.id)")
        }
        let problem = SchedulingProblem(printers: [printer], jobs: [abs, job("ok")])
        let schedule = FarmScheduler().schedule(problem, budget: SchedulingBudget())
        #expect(schedule.unschedulable[0]?.contains("enclosure") == true)
        #expect(schedule.queues == [[1]])
    }

    @Test("setups: 10 min a colour, 20 a material, 30 more for a nozzle; a setup may come before the release")
    func setups() {
        let times = SetupTimes()
        let black = PrinterState(material: "PLA", colour: "black", nozzle: 400)
        #expect(times.between(black, PrinterState(material: "PLA", colour: "white", nozzle: 400)) == 10)
        #expect(times.between(black, PrinterState(material: "PETG", colour: "white", nozzle: 400)) == 20)
        #expect(times.between(black, PrinterState(material: "PETG", colour: "black", nozzle: 600)) == 50)
        #expect(times.between(black, black) == 0)
        var kit = printer
        kit.nozzleKit = [400, 600]
        let problem = SchedulingProblem(
            printers: [kit], jobs: [job("a", "PETG", "white", nozzle: 600, release: 100)])
        let placed = Schedule(queues: [[0]], problem: problem).placements[0][0]
        #expect(placed.setup == 50 && placed.start == 100, "set up ahead, printed at its release")
    }

    @Test("maintenance: neither the setup nor the print overlaps a window")
    func maintenance() {
        var serviced = printer
        serviced.maintenance = [MinuteWindow(start: 50, end: 120)]
        let problem = SchedulingProblem(printers: [serviced], jobs: [job("a", duration: 60), job("b", "PLA", "red")])
        let placements = Schedule(queues: [[0, 1]], problem: problem).placements[0]
        #expect(placements[0].start == 120, "60 minutes do not fit before the window")
        #expect(placements[1].start == 190 && placements[1].setup == 10)
        let scored = ScheduleScorer.score(
            ScheduleScorer.assignments(of: Schedule(queues: [[0, 1]], problem: problem), problem: problem),
            problem: problem)
        #expect(scored.violations.isEmpty, "\(scored.violations)")
        let bad = ScheduleScorer.score(
            [.init(job: "a", printer: "P1", start: 0), .init(job: "b", printer: "P1", start: 200)], problem: problem)
        #expect(bad.violations.contains { $0.contains("maintenance") })
    }

    @Test("a rush order overtakes a 20-hour print; the scheduler explains each placement")
    func rush() {
        let problem = SchedulingProblem(
            printers: [printer],
            jobs: [job("long", duration: 1200, due: 2000), job("rush", duration: 60, release: 10, due: 120, weight: 5)])
        for scheduler in [FarmScheduler() as any Scheduler, EarliestDueDateRule()] {
            let schedule = scheduler.schedule(problem, budget: SchedulingBudget())
            #expect(schedule.queues == [[1, 0]], "\(scheduler.name)")
            #expect(schedule.metrics.totalWeightedTardiness == 0)
        }
        let reasons = FarmScheduler().schedule(problem, budget: SchedulingBudget()).reasons
        #expect(
            reasons[1]
                == "P1: no changeover (PLA black is loaded); on time with 50 min to spare; the only printer it fits")
    }

    @Test("on tiny farms the scheduler finds the optimum that trying every schedule finds")
    func exact() {
        var matched = 0
        var missed: [String] = []
        for seed in UInt64(1)...12 {
            var farm = TinyFarm(seed: seed)
            let problem = farm.problem(printers: 2, jobs: 5)
            let best = optimum(problem)
            let found = FarmScheduler().schedule(problem, budget: SchedulingBudget(seed: seed)).metrics
            #expect(!ScheduleObjective.lex.better(found, than: best), "nothing beats the optimum")
            if found.totalWeightedTardiness == best.totalWeightedTardiness, found.changeovers == best.changeovers,
                found.makespan == best.makespan
            {
                matched += 1
            } else {
                missed.append("seed \(seed): found \(found), best \(best)")
            }
        }
        #expect(matched == 12, "the optimum on \(matched) of 12: \(missed)")
    }

    @Test("schedules keep every rule, repeat for a seed, and beat the due-date rule on a loaded farm")
    func rules() {
        var farm = TinyFarm(seed: 99)
        let problem = farm.problem(printers: 5, jobs: 30)
        let schedule = FarmScheduler().schedule(problem, budget: SchedulingBudget(seed: 7))
        let scored = ScheduleScorer.score(ScheduleScorer.assignments(of: schedule, problem: problem), problem: problem)
        #expect(scored.violations.isEmpty, "\(scored.violations)")
        #expect(scored.metrics == schedule.metrics)
        #expect(FarmScheduler().schedule(problem, budget: SchedulingBudget(seed: 7)) == schedule)
        let rule = EarliestDueDateRule().schedule(problem, budget: SchedulingBudget())
        #expect(
            ScheduleScorer.score(ScheduleScorer.assignments(of: rule, problem: problem), problem: problem).violations
                .isEmpty)
        #expect(
            ScheduleObjective.lex.better(schedule.metrics, than: rule.metrics), "\(schedule.metrics) vs \(rule.metrics)"
        )
        #expect(schedule.reasons.count == 30)
    }
}
