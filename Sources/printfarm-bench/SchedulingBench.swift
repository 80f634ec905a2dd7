import ArgumentParser
import FarmScheduling
import Foundation

/// The farm scheduler against the due-date dispatching rule on generated farms (the reference pack's realistic mix):
/// small farms (3–5 printers, 15–30 plates) and a large one, with the time each took.
struct SchedulingBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scheduling", abstract: "The farm scheduler vs the due-date rule: tardiness, changeovers, time.")

    @Option(help: "Small farms to make (seeds 1…n).")
    var small = 20

    @Option(help: "Seconds the scheduler may search on each small farm.")
    var smallTime = 1.0

    @Option(help: "Printers of the large farm.")
    var printers = 1000

    @Option(help: "Plates of the large farm.")
    var jobs = 10_000

    @Option(help: "Seconds the scheduler may search on the large farm (its start included).")
    var largeTime = 1.8

    @Option(help: "Write the large farm's instance here (printfarm-instance/1), for other solvers.")
    var saveInstance: String?

    @Option(help: "Write each small farm and our schedule of it here, for scripts/cpsat_compare.py.")
    var saveSmall: String?

    func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    func run() async throws {
        var rows: [(twt: Double, changeovers: Double, time: Double)] = []
        var better = 0
        for seed in UInt64(1)...UInt64(max(1, small)) {
            var generator = InstanceGenerator(seed: seed)
            let printerCount = 3 + Int(seed % 3)
            let problem = generator.problem(printers: printerCount, jobs: 15 + Int(seed * 7 % 16), horizon: 8 * 60)
            let rule = EarliestDueDateRule().schedule(problem, budget: SchedulingBudget())
            let started = ContinuousClock.now
            let ours = FarmScheduler().schedule(
                problem, budget: SchedulingBudget(seed: seed, iterations: .max, timeLimit: .seconds(smallTime)))
            let time = seconds(ContinuousClock.now - started)
            if let saveSmall {
                let folder = URL(fileURLWithPath: saveSmall)
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                let name = String(format: "small-%02d", seed)
                try ExchangeFormat.instanceJSON(problem, seed: seed, generator: "printfarm-bench").write(
                    to: folder.appendingPathComponent(name + ".json"))
                try ExchangeFormat.scheduleJSON(
                    ours, problem: problem, instance: name + ".json", solver: "farm-lns", objective: .lex,
                    wallSeconds: time
                ).write(to: folder.appendingPathComponent(name + ".schedule.json"))
            }
            func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? (a == 0 ? 1 : .infinity) : Double(a) / Double(b) }
            rows.append(
                (
                    ratio(ours.metrics.totalWeightedTardiness, rule.metrics.totalWeightedTardiness),
                    ratio(ours.metrics.changeovers, rule.metrics.changeovers), time
                ))
            if ours.metrics.totalWeightedTardiness <= rule.metrics.totalWeightedTardiness { better += 1 }
        }
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        print(
            "small farms (\(rows.count), 3–5 printers, 15–30 plates, \(smallTime) s each): weighted tardiness "
                + String(format: "%.2f", median(rows.map(\.twt))) + "× the rule's (median), changeovers "
                + String(format: "%.2f", median(rows.map(\.changeovers))) + "×; at most the rule's tardiness on "
                + "\(better) of \(rows.count); time median " + String(format: "%.2f", median(rows.map(\.time))) + " s")

        // A replan from scratch at 200 printers × 2,000 plates: the start alone, and with a short search.
        var medium = InstanceGenerator(seed: 200)
        let mediumProblem = medium.problem(printers: 200, jobs: 2000)
        var replans: [Double] = []
        var searched: [Double] = []
        for seed in UInt64(1)...5 {
            var started = ContinuousClock.now
            _ = FarmScheduler().schedule(mediumProblem, budget: SchedulingBudget(seed: seed, iterations: 0))
            replans.append(seconds(ContinuousClock.now - started) * 1000)
            started = ContinuousClock.now
            _ = FarmScheduler().schedule(mediumProblem, budget: SchedulingBudget(seed: seed, iterations: 2_000))
            searched.append(seconds(ContinuousClock.now - started) * 1000)
        }
        print(
            "replan 200 × 2000 from scratch: constructive start median "
                + String(format: "%.1f", median(replans)) + " ms; with 2,000 search moves "
                + String(format: "%.1f", median(searched)) + " ms")

        // A replan after one event, as the production loop makes it: the last plan kept, a rush plate arrived and one
        // printer's print runs an hour longer; the replanner keeps what stays, inserts the new plate and searches
        // (1,000 moves, the loop's default).
        let planned = FarmScheduler().schedule(mediumProblem, budget: SchedulingBudget(seed: 1, iterations: 2_000))
        var previous: [String: [String]] = [:]
        for (printer, queue) in planned.queues.enumerated() {
            previous[mediumProblem.printers[printer].id] = queue.map { mediumProblem.jobs[$0].id }
        }
        var afterEvent = mediumProblem
        var rush = afterEvent.jobs[0]
        rush.id = "rush"
        rush.due = rush.duration + 30
        rush.weight = 5
        afterEvent.jobs.append(rush)
        afterEvent.printers[0].availableFrom += 60
        var incremental: [Double] = []
        var moved: [Int] = []
        for seed in UInt64(1)...5 {
            let started = ContinuousClock.now
            let replan = Replanner().replan(
                afterEvent, previous: previous,
                budget: SchedulingBudget(seed: seed, iterations: 1_000, stopAfterStall: 300))
            incremental.append(seconds(ContinuousClock.now - started) * 1000)
            moved.append(replan.moved)
        }
        print(
            "replan 200 × 2000 after one event (a rush plate, a printer delayed an hour), as the loop does: median "
                + String(format: "%.1f", median(incremental)) + " ms, plates moved "
                + "\(moved.sorted()[moved.count / 2]) (median)")

        var generator = InstanceGenerator(seed: 2026)
        let problem = generator.problem(printers: printers, jobs: jobs)
        if let saveInstance {
            try ExchangeFormat.instanceJSON(problem, seed: 2026, generator: "printfarm-bench").write(
                to: URL(fileURLWithPath: saveInstance))
        }
        var started = ContinuousClock.now
        let rule = EarliestDueDateRule().schedule(problem, budget: SchedulingBudget())
        let ruleTime = seconds(ContinuousClock.now - started)
        started = ContinuousClock.now
        let constructed = FarmScheduler().schedule(problem, budget: SchedulingBudget(iterations: 0))
        let constructTime = seconds(ContinuousClock.now - started)
        started = ContinuousClock.now
        let ours = FarmScheduler().schedule(
            problem, budget: SchedulingBudget(iterations: .max, timeLimit: .seconds(largeTime)))
        let ourTime = seconds(ContinuousClock.now - started)
        func describe(_ metrics: ScheduleMetrics) -> String {
            "weighted tardiness \(metrics.totalWeightedTardiness), \(metrics.changeovers) changeovers, "
                + "makespan \(metrics.makespan) min"
        }
        print(
            "large farm \(printers) × \(jobs): rule \(describe(rule.metrics)) in "
                + "\(String(format: "%.2f", ruleTime)) s")
        print("  constructive start \(describe(constructed.metrics)) in \(String(format: "%.2f", constructTime)) s")
        print(
            "  farm scheduler \(describe(ours.metrics)) in \(String(format: "%.2f", ourTime)) s: tardiness "
                + String(
                    format: "%.2f",
                    Double(ours.metrics.totalWeightedTardiness) / Double(max(1, rule.metrics.totalWeightedTardiness)))
                + "× the rule's, changeovers "
                + String(format: "%.2f", Double(ours.metrics.changeovers) / Double(max(1, rule.metrics.changeovers)))
                + "×")
    }
}
