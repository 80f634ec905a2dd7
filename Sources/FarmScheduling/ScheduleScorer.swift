/// Scores a schedule given as (job, printer, start) triples by the exchange format's rules, independently of how it
/// was made: every rule broken, in words, and the metrics recomputed. Our own schedules are checked by it in tests,
/// and anyone's can be.
public enum ScheduleScorer {
    public struct Assignment: Sendable, Equatable {
        public var job: String
        public var printer: String
        public var start: Int

        public init(job: String, printer: String, start: Int) {
            self.job = job
            self.printer = printer
            self.start = start
        }
    }

    public static func score(_ assignments: [Assignment], problem: SchedulingProblem) -> (
        violations: [String], metrics: ScheduleMetrics?
    ) {
        var violations: [String] = []
        let jobs = Dictionary(problem.jobs.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        let printers = Dictionary(problem.printers.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        var seen: [String: Int] = [:]
        var byPrinter = Array(repeating: [(job: Int, start: Int)](), count: problem.printers.count)
        for assignment in assignments {
            seen[assignment.job, default: 0] += 1
            guard let job = jobs[assignment.job] else {
                violations.append("\(assignment.job) is not a job of the instance")
                continue
            }
            guard let printer = printers[assignment.printer] else {
                violations.append("\(assignment.job): \(assignment.printer) is not a printer of the instance")
                continue
            }
            if let why = problem.jobs[job].incompatibility(with: problem.printers[printer]) {
                violations.append("\(assignment.job) on \(assignment.printer): \(why)")
            }
            if assignment.start < problem.jobs[job].release {
                violations.append(
                    "\(assignment.job) starts at \(assignment.start), before its release \(problem.jobs[job].release)")
            }
            byPrinter[printer].append((job, assignment.start))
        }
        for job in problem.jobs where seen[job.id, default: 0] != 1 {
            violations.append("\(job.id) is scheduled \(seen[job.id, default: 0]) times, not once")
        }
        var costs: [QueueCost] = []
        for (index, entries) in byPrinter.enumerated() {
            let printer = problem.printers[index]
            var cost = QueueCost()
            var state = printer.loaded
            var ready = printer.availableFrom
            for (job, start) in entries.sorted(by: { $0.start < $1.start }) {
                let plate = problem.jobs[job]
                let setup = problem.setupTimes.between(state, plate.state)
                if start - setup < ready {
                    violations.append(
                        "\(plate.id) on \(printer.id): its setup (\(setup) min) would begin at \(start - setup), "
                            + "before the printer is free at \(ready)")
                }
                let end = start + plate.duration
                for window in printer.maintenance where window.start < end && window.end > start - setup {
                    violations.append(
                        "\(plate.id) on \(printer.id) overlaps maintenance [\(window.start), \(window.end))")
                }
                ready = end
                state = plate.state
                let tardiness = max(0, end - plate.due)
                cost.weightedTardiness += plate.weight * tardiness
                if setup > 0 { cost.changeovers += 1 }
                cost.setupMinutes += setup
                if tardiness > 0 { cost.tardyJobs += 1 }
                cost.maxTardiness = max(cost.maxTardiness, tardiness)
                cost.end = max(cost.end, end)
            }
            costs.append(cost)
        }
        return (violations, ScheduleMetrics(costs, weights: problem.weights))
    }

    /// A schedule's placements as assignments.
    public static func assignments(of schedule: Schedule, problem: SchedulingProblem) -> [Assignment] {
        zip(schedule.placements, problem.printers).flatMap { placements, printer in
            placements.map { Assignment(job: problem.jobs[$0.job].id, printer: printer.id, start: $0.start) }
        }
    }
}
