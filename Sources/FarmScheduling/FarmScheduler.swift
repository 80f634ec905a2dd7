/// The farm's scheduler. A constructive start that knows setups and due dates (plates by due date, each where it
/// adds the least to the objective: lateness, then a changeover, then its end), then a local search that moves a
/// plate to the best place in another (or its own) queue, or swaps two, keeping every change that is at least as
/// good. Deterministic for a seed and an iteration count.
public struct FarmScheduler: Scheduler {
    public let name = "farm-lns"

    public init() {}

    public func schedule(_ problem: SchedulingProblem, budget: SchedulingBudget) -> Schedule {
        let deadline = budget.timeLimit.map { budget.clock() + $0 }
        let compatibility = Compatibility(problem)
        let setups = Setups(problem)
        var search = Search(
            problem: problem, compatibility: compatibility, setups: setups, objective: budget.objective,
            queues: construct(problem, compatibility: compatibility, setups: setups, objective: budget.objective))
        search.improve(budget: budget, deadline: deadline)
        var schedule = Schedule(
            queues: search.queues, problem: problem, setups: setups, unschedulable: compatibility.unschedulable)
        schedule.reasons = Explanation.reasons(for: schedule, problem: problem, compatibility: compatibility)
        return schedule
    }

    /// Plates by due date (the heavier first among equals); each appended where it costs least.
    func construct(
        _ problem: SchedulingProblem, compatibility: Compatibility, setups: Setups, objective: ScheduleObjective
    ) -> [[Int]] {
        let order = problem.jobs.indices.filter { compatibility.unschedulable[$0] == nil }.sorted {
            let (a, b) = (problem.jobs[$0], problem.jobs[$1])
            return (a.due, -a.weight, a.release, $0) < (b.due, -b.weight, b.release, $1)
        }
        return Timeline.appendInOrder(order, problem: problem, compatibility: compatibility, setups: setups) {
            job, candidate in
            Key(
                objective: objective, weights: problem.weights, tardiness: job.weight * max(0, candidate.end - job.due),
                changeover: candidate.setup > 0 ? 1 : 0, end: candidate.end)
        }
    }

    /// One placement's cost, ordered as the objective orders schedules.
    struct Key: Comparable {
        var first: Double
        var second: Double
        var third: Double

        init(objective: ScheduleObjective, weights: ObjectiveWeights, tardiness: Int, changeover: Int, end: Int) {
            switch objective {
            case .weighted:
                // why: one plate's end is not the makespan; scaled down it only breaks ties between equal costs.
                first =
                    weights.weightedTardiness * Double(tardiness) + weights.changeovers * Double(changeover)
                    + weights.makespan * Double(end) / 1000
                (second, third) = (0, 0)
            default: (first, second, third) = (Double(tardiness), Double(changeover), Double(end))
            }
        }

        static func < (a: Key, b: Key) -> Bool { (a.first, a.second, a.third) < (b.first, b.second, b.third) }
    }
}

/// The local search's state: the queues, what each costs, and where each job is.
struct Search {
    let problem: SchedulingProblem
    let compatibility: Compatibility
    let objective: ScheduleObjective
    let setups: Setups
    var queues: [[Int]]
    var costs: [QueueCost]
    var metrics: ScheduleMetrics
    var printerOf: [Int]
    /// Jobs that can be moved (placed ones).
    let movable: [Int]

    init(
        problem: SchedulingProblem, compatibility: Compatibility, setups: Setups, objective: ScheduleObjective,
        queues: [[Int]]
    ) {
        self.problem = problem
        self.compatibility = compatibility
        self.objective = objective
        self.queues = queues
        self.setups = setups
        costs = queues.enumerated().map { Timeline.cost($1, on: $0, problem: problem, setups: setups) }
        metrics = ScheduleMetrics(costs, weights: problem.weights)
        var placed = Array(repeating: -1, count: problem.jobs.count)
        for (printer, queue) in queues.enumerated() { for job in queue { placed[job] = printer } }
        printerOf = placed
        movable = problem.jobs.indices.filter { placed[$0] >= 0 }
    }

    func cost(_ queue: [Int], _ printer: Int) -> QueueCost {
        Timeline.cost(queue, on: printer, problem: problem, setups: setups)
    }

    /// The metrics if `changed` printers had these costs: the sums adjusted, the makespan looked for among all
    /// printers only when the longest queue got shorter. (The maximum tardiness is left as it was: no objective uses
    /// it, and the schedule's own metrics are measured afresh.)
    func metrics(replacing changed: [(printer: Int, cost: QueueCost)]) -> ScheduleMetrics {
        var (twt, changeovers, setup, tardy) = (
            metrics.totalWeightedTardiness, metrics.changeovers, metrics.setupMinutes, metrics.tardyJobs
        )
        var makespan = metrics.makespan
        var longestShortened = false
        var newLongest = 0
        for (printer, cost) in changed {
            let old = costs[printer]
            twt += cost.weightedTardiness - old.weightedTardiness
            changeovers += cost.changeovers - old.changeovers
            setup += cost.setupMinutes - old.setupMinutes
            tardy += cost.tardyJobs - old.tardyJobs
            newLongest = max(newLongest, cost.end)
            if old.end == makespan && cost.end < makespan { longestShortened = true }
        }
        if newLongest >= makespan {
            makespan = newLongest
        } else if longestShortened {
            makespan = newLongest
            for (printer, cost) in costs.enumerated() where !changed.contains(where: { $0.printer == printer }) {
                makespan = max(makespan, cost.end)
            }
        }
        return ScheduleMetrics(
            makespan: makespan, totalWeightedTardiness: twt, changeovers: changeovers, setupMinutes: setup,
            tardyJobs: tardy, maxTardiness: metrics.maxTardiness, weights: problem.weights)
    }

    mutating func apply(_ changed: [(printer: Int, queue: [Int], cost: QueueCost)], metrics new: ScheduleMetrics) {
        for (printer, queue, cost) in changed {
            queues[printer] = queue
            costs[printer] = cost
            for job in queue { printerOf[job] = printer }
        }
        metrics = new
    }

    /// Moves and swaps, keeping what is at least as good; after `stall` moves without a new best, the best is
    /// partly ruined (a few plates taken out) and recreated (each put back where it costs least), and the search goes
    /// on from there. The best schedule seen is the answer.
    mutating func improve(budget: SchedulingBudget, deadline: ContinuousClock.Instant?) {
        guard movable.count > 1 else { return }
        var random = SplitMix64(seed: budget.seed)
        var best = (queues: queues, costs: costs, metrics: metrics)
        var stall = 0
        var sinceBest = 0
        let patience = 50 + 5 * movable.count
        for iteration in 0..<budget.iterations {
            if let deadline, iteration % 32 == 0, budget.clock() >= deadline { break }
            if let limit = budget.stopAfterStall, sinceBest >= limit { break }
            if random.next() % 10 < 7 { relocate(&random) } else { swap(&random) }
            if objective.better(metrics, than: best.metrics) {
                best = (queues, costs, metrics)
                stall = 0
                sinceBest = 0
            } else {
                stall += 1
                sinceBest += 1
            }
            if stall > patience {
                restore(best)
                ruinAndRecreate(&random)
                stall = 0
            }
        }
        restore(best)
    }

    mutating func restore(_ state: (queues: [[Int]], costs: [QueueCost], metrics: ScheduleMetrics)) {
        queues = state.queues
        costs = state.costs
        metrics = state.metrics
        for (printer, queue) in queues.enumerated() { for job in queue { printerOf[job] = printer } }
    }

    /// Printers to try a job on: all it fits when they are few, else a sample and its own.
    func targets(for job: Int, _ random: inout SplitMix64) -> [Int] {
        let choices = compatibility.printers[job]
        guard choices.count > 8 else { return choices }
        var sample = Set([printerOf[job]])
        while sample.count < 8 { sample.insert(choices[Int(random.next() % UInt64(choices.count))]) }
        return sample.sorted()
    }

    /// The best place for `job` (not in any queue now) among `printers`, measured against the current queues.
    func bestInsertion(of job: Int, into printers: [Int], base: [(printer: Int, cost: QueueCost)] = []) -> (
        printer: Int, queue: [Int], cost: QueueCost, metrics: ScheduleMetrics
    )? {
        var best: (printer: Int, queue: [Int], cost: QueueCost, metrics: ScheduleMetrics)?
        for to in printers {
            let target = queues[to]
            for position in 0...target.count {
                var candidate = target
                candidate.insert(job, at: position)
                let candidateCost = cost(candidate, to)
                let new = metrics(replacing: base.filter { $0.printer != to } + [(to, candidateCost)])
                if best == nil || objective.better(new, than: best!.metrics) {
                    best = (to, candidate, candidateCost, new)
                }
            }
        }
        return best
    }

    /// Takes a job out of its queue and puts it at the best place among its printers (its own included).
    mutating func relocate(_ random: inout SplitMix64) {
        let job = movable[Int(random.next() % UInt64(movable.count))]
        let from = printerOf[job]
        let before = (queue: queues[from], metrics: metrics)
        var source = queues[from]
        source.removeAll { $0 == job }
        let sourceCost = cost(source, from)
        queues[from] = source
        guard let best = bestInsertion(of: job, into: targets(for: job, &random), base: [(from, sourceCost)]),
            !objective.better(before.metrics, than: best.metrics)
        else {
            queues[from] = before.queue
            return
        }
        if best.printer == from {
            apply([(from, best.queue, best.cost)], metrics: best.metrics)
        } else {
            apply([(from, source, sourceCost), (best.printer, best.queue, best.cost)], metrics: best.metrics)
        }
    }

    /// Takes two to five plates out at random and puts each back, earliest due first, where it costs least.
    mutating func ruinAndRecreate(_ random: inout SplitMix64) {
        let count = min(movable.count, 2 + Int(random.next() % 4))
        var removed: [Int] = []
        while removed.count < count {
            let job = movable[Int(random.next() % UInt64(movable.count))]
            if !removed.contains(job) { removed.append(job) }
        }
        for job in removed {
            let from = printerOf[job]
            queues[from].removeAll { $0 == job }
            costs[from] = cost(queues[from], from)
        }
        metrics = ScheduleMetrics(costs, weights: problem.weights)
        for job in removed.sorted(by: { (problem.jobs[$0].due, $0) < (problem.jobs[$1].due, $1) }) {
            guard let best = bestInsertion(of: job, into: targets(for: job, &random)) else { continue }
            apply([(best.printer, best.queue, best.cost)], metrics: best.metrics)
        }
    }

    /// Exchanges two jobs (in one queue or across two whose printers each can take the other's job).
    mutating func swap(_ random: inout SplitMix64) {
        let a = movable[Int(random.next() % UInt64(movable.count))]
        let b = movable[Int(random.next() % UInt64(movable.count))]
        let (pa, pb) = (printerOf[a], printerOf[b])
        guard a != b, compatibility.printers[a].contains(pb), compatibility.printers[b].contains(pa) else { return }
        var qa = queues[pa]
        var qb = pa == pb ? qa : queues[pb]
        guard let ia = qa.firstIndex(of: a), let ib = qb.firstIndex(of: b) else { return }
        if pa == pb {
            qa.swapAt(ia, ib)
            let c = cost(qa, pa)
            let new = metrics(replacing: [(pa, c)])
            if !objective.better(metrics, than: new) { apply([(pa, qa, c)], metrics: new) }
            return
        }
        qa[ia] = b
        qb[ib] = a
        let (ca, cb) = (cost(qa, pa), cost(qb, pb))
        let new = metrics(replacing: [(pa, ca), (pb, cb)])
        if !objective.better(metrics, than: new) { apply([(pa, qa, ca), (pb, qb, cb)], metrics: new) }
    }
}
