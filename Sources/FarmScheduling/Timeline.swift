/// One plate placed on a printer: the print runs [start, end), its setup [start − setup, start) right before it.
public struct Placement: Sendable, Equatable {
    /// Index into the problem's jobs.
    public var job: Int
    public var start: Int
    public var end: Int
    public var setup: Int

    public init(job: Int, start: Int, end: Int, setup: Int) {
        self.job = job
        self.start = start
        self.end = end
        self.setup = setup
    }
}

/// What one printer's queue costs, summed into the schedule's metrics.
struct QueueCost: Sendable, Equatable {
    var weightedTardiness = 0
    var changeovers = 0
    var end = 0
    var setupMinutes = 0
    var tardyJobs = 0
    var maxTardiness = 0
}

/// The problem's printer states (material, colour, nozzle) numbered, with the setup between every two in a table:
/// a search asks for setups millions of times, and comparing strings each time was most of its cost.
struct Setups: Sendable {
    let job: [Int]
    let loaded: [Int]
    private let table: [Int]
    private let count: Int

    init(_ problem: SchedulingProblem) {
        var numbers: [PrinterState: Int] = [:]
        var states: [PrinterState] = []
        func number(_ state: PrinterState) -> Int {
            if let known = numbers[state] { return known }
            numbers[state] = states.count
            states.append(state)
            return states.count - 1
        }
        job = problem.jobs.map { number($0.state) }
        loaded = problem.printers.map { number($0.loaded) }
        count = states.count
        var table = Array(repeating: 0, count: count * count)
        for (a, from) in states.enumerated() {
            for (b, to) in states.enumerated() { table[a * count + b] = problem.setupTimes.between(from, to) }
        }
        self.table = table
    }

    @inline(__always) func between(_ from: Int, _ to: Int) -> Int { table[from * count + to] }
}

/// Places queues in time: each plate as early as its printer, its release and the maintenance windows allow, its
/// setup right before it (a setup may come before the release: the operator prepares the printer ahead).
enum Timeline {
    /// The earliest print start at or after `ready + setup` and `release` at which neither the setup nor the print
    /// overlaps a maintenance window.
    static func earliestStart(ready: Int, setup: Int, duration: Int, release: Int, windows: [MinuteWindow]) -> Int {
        var start = max(ready + setup, release)
        var moved = true
        while moved {
            moved = false
            for window in windows where window.start < start + duration && window.end > start - setup {
                start = max(start, window.end + setup)
                moved = true
            }
        }
        return start
    }

    /// Where a plate would go at the end of one printer's queue.
    struct Candidate {
        let printer: Int
        let setup: Int
        let start: Int
        let end: Int
        /// The material the printer holds before it.
        let material: String
    }

    /// List scheduling: the plates in `order`, each appended to the printer whose candidate `key` is least (the first
    /// such printer on a tie). The due-date rule and the scheduler's constructive start differ only in order and key.
    static func appendInOrder<Key: Comparable>(
        _ order: [Int], problem: SchedulingProblem, compatibility: Compatibility, setups: Setups,
        key: (SchedulingJob, Candidate) -> Key
    ) -> [[Int]] {
        var queues = Array(repeating: [Int](), count: problem.printers.count)
        var ready = problem.printers.map(\.availableFrom)
        var state = setups.loaded
        var material = problem.printers.map(\.loaded.material)
        for index in order {
            let job = problem.jobs[index]
            var best: (key: Key, candidate: Candidate)?
            for printer in compatibility.printers[index] {
                let setup = setups.between(state[printer], setups.job[index])
                let start = earliestStart(
                    ready: ready[printer], setup: setup, duration: job.duration, release: job.release,
                    windows: problem.printers[printer].maintenance)
                let candidate = Candidate(
                    printer: printer, setup: setup, start: start, end: start + job.duration,
                    material: material[printer])
                let value = key(job, candidate)
                if best == nil || value < best!.key { best = (value, candidate) }
            }
            guard let chosen = best?.candidate else { continue }
            queues[chosen.printer].append(index)
            ready[chosen.printer] = chosen.end
            state[chosen.printer] = setups.job[index]
            material[chosen.printer] = job.material
        }
        return queues
    }

    static func place(_ queue: [Int], on index: Int, problem: SchedulingProblem, setups: Setups) -> [Placement] {
        let printer = problem.printers[index]
        var placements: [Placement] = []
        placements.reserveCapacity(queue.count)
        var state = setups.loaded[index]
        var ready = printer.availableFrom
        for index in queue {
            let job = problem.jobs[index]
            let setup = setups.between(state, setups.job[index])
            let start = earliestStart(
                ready: ready, setup: setup, duration: job.duration, release: job.release,
                windows: printer.maintenance)
            placements.append(Placement(job: index, start: start, end: start + job.duration, setup: setup))
            ready = start + job.duration
            state = setups.job[index]
        }
        return placements
    }

    static func cost(_ queue: [Int], on index: Int, problem: SchedulingProblem, setups: Setups) -> QueueCost {
        let printer = problem.printers[index]
        var cost = QueueCost()
        var state = setups.loaded[index]
        var ready = printer.availableFrom
        for index in queue {
            let job = problem.jobs[index]
            let setup = setups.between(state, setups.job[index])
            let start = earliestStart(
                ready: ready, setup: setup, duration: job.duration, release: job.release,
                windows: printer.maintenance)
            ready = start + job.duration
            state = setups.job[index]
            let tardiness = max(0, ready - job.due)
            cost.weightedTardiness += job.weight * tardiness
            if setup > 0 { cost.changeovers += 1 }
            cost.setupMinutes += setup
            if tardiness > 0 { cost.tardyJobs += 1 }
            cost.maxTardiness = max(cost.maxTardiness, tardiness)
        }
        cost.end = queue.isEmpty ? 0 : ready
        return cost
    }
}

/// A schedule's measures, as the exchange format defines them.
public struct ScheduleMetrics: Sendable, Equatable, Codable {
    public var makespan: Int
    public var totalWeightedTardiness: Int
    public var changeovers: Int
    public var setupMinutes: Int
    public var tardyJobs: Int
    public var maxTardiness: Int
    public var weightedSum: Double

    init(
        makespan: Int, totalWeightedTardiness: Int, changeovers: Int, setupMinutes: Int, tardyJobs: Int,
        maxTardiness: Int, weights: ObjectiveWeights
    ) {
        self.makespan = makespan
        self.totalWeightedTardiness = totalWeightedTardiness
        self.changeovers = changeovers
        self.setupMinutes = setupMinutes
        self.tardyJobs = tardyJobs
        self.maxTardiness = maxTardiness
        weightedSum =
            weights.weightedTardiness * Double(totalWeightedTardiness) + weights.changeovers * Double(changeovers)
            + weights.makespan * Double(makespan)
    }

    init(_ costs: [QueueCost], weights: ObjectiveWeights) {
        makespan = costs.map(\.end).max() ?? 0
        totalWeightedTardiness = costs.reduce(0) { $0 + $1.weightedTardiness }
        changeovers = costs.reduce(0) { $0 + $1.changeovers }
        setupMinutes = costs.reduce(0) { $0 + $1.setupMinutes }
        tardyJobs = costs.reduce(0) { $0 + $1.tardyJobs }
        maxTardiness = costs.map(\.maxTardiness).max() ?? 0
        weightedSum =
            weights.weightedTardiness * Double(totalWeightedTardiness) + weights.changeovers * Double(changeovers)
            + weights.makespan * Double(makespan)
    }
}

/// What a scheduler minimises.
public enum ScheduleObjective: String, Sendable, CaseIterable, Codable {
    /// Weighted tardiness (promises), then changeovers (labour), then makespan (throughput).
    case lex
    /// The weighted sum of the three, with the problem's weights.
    case weighted
    case twt, changeovers, makespan

    /// Whether `a` is strictly better than `b`.
    func better(_ a: ScheduleMetrics, than b: ScheduleMetrics) -> Bool {
        switch self {
        case .lex:
            (a.totalWeightedTardiness, a.changeovers, a.makespan)
                < (b.totalWeightedTardiness, b.changeovers, b.makespan)
        case .weighted: a.weightedSum < b.weightedSum - 1e-9
        case .twt: a.totalWeightedTardiness < b.totalWeightedTardiness
        case .changeovers: a.changeovers < b.changeovers
        case .makespan: a.makespan < b.makespan
        }
    }
}
