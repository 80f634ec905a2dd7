/// A plan for the whole farm: for every printer an ordered queue with planned start and end, the changeover before
/// each print, and in a sentence why each plate is where it is; plates no printer can take, with the reason.
public struct Schedule: Sendable, Equatable {
    /// Job indexes per printer (the problem's order), in print order.
    public var queues: [[Int]]
    /// The queues placed in time.
    public var placements: [[Placement]]
    public var metrics: ScheduleMetrics
    /// Why each placed job (by index) is where it is.
    public var reasons: [Int: String]
    /// Jobs no printer can take, with the reason.
    public var unschedulable: [Int: String]

    /// Places `queues` in time and measures them.
    public init(
        queues: [[Int]], problem: SchedulingProblem, unschedulable: [Int: String] = [:], reasons: [Int: String] = [:]
    ) {
        self.init(queues: queues, problem: problem, setups: Setups(problem), unschedulable: unschedulable)
        self.reasons = reasons
    }

    init(queues: [[Int]], problem: SchedulingProblem, setups: Setups, unschedulable: [Int: String] = [:]) {
        self.queues = queues
        reasons = [:]
        placements = queues.enumerated().map { Timeline.place($1, on: $0, problem: problem, setups: setups) }
        metrics = ScheduleMetrics(
            queues.enumerated().map { Timeline.cost($1, on: $0, problem: problem, setups: setups) },
            weights: problem.weights)
        self.unschedulable = unschedulable
    }
}

/// A way of planning the farm. Pure: the problem and the budget in, a schedule out.
public protocol Scheduler: Sendable {
    var name: String { get }
    func schedule(_ problem: SchedulingProblem, budget: SchedulingBudget) -> Schedule
}

/// How long a scheduler may search, and with which seed. The search is the same for a seed and an iteration count;
/// a time limit stops it where the time runs out (for a command a person waits on).
public struct SchedulingBudget: Sendable {
    public var objective: ScheduleObjective
    public var seed: UInt64
    public var iterations: Int
    public var timeLimit: Duration?
    /// Stop once this many moves in a row found nothing better than the best so far (a replan of a quiet farm
    /// rarely needs its whole budget); nil: use every iteration.
    public var stopAfterStall: Int?
    public var clock: @Sendable () -> ContinuousClock.Instant

    public init(
        objective: ScheduleObjective = .lex, seed: UInt64 = 1, iterations: Int = 20_000, timeLimit: Duration? = nil,
        stopAfterStall: Int? = nil, clock: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        self.stopAfterStall = stopAfterStall
        self.objective = objective
        self.seed = seed
        self.iterations = iterations
        self.timeLimit = timeLimit
        self.clock = clock
    }
}

/// Which printers each job may go on, and why not where it cannot.
struct Compatibility {
    var printers: [[Int]]
    var unschedulable: [Int: String]

    init(_ problem: SchedulingProblem) {
        printers = []
        unschedulable = [:]
        printers.reserveCapacity(problem.jobs.count)
        for (index, job) in problem.jobs.enumerated() {
            let fitting = problem.printers.indices.filter { job.fits(problem.printers[$0]) }
            if fitting.isEmpty {
                unschedulable[index] =
                    problem.printers.first.flatMap { job.incompatibility(with: $0) }.map {
                        "no printer can take it (\($0))"
                    } ?? "the farm has no printer"
            }
            printers.append(fitting)
        }
    }
}
