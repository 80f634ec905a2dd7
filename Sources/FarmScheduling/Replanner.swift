/// Replans a farm that already follows a plan, without thrashing. What the last plan put on a printer stays there
/// (in its order) while the printer can still take it; new plates go where they cost least; then the search looks
/// for better. The searched plan replaces the kept one only when it wins clearly, so operators do not see plates
/// hop between printers for a minute saved.
public struct Replanner: Sendable {
    /// How much better a new plan must be to move plates that already had a printer.
    public struct Gain: Sendable, Equatable {
        /// Weighted minutes of lateness saved.
        public var weightedTardiness: Int
        /// Changeovers saved, lateness not worse.
        public var changeovers: Int
        /// Minutes of makespan saved, lateness and changeovers not worse.
        public var makespan: Int
        /// And at least this share of the lateness there is: on a farm already far behind, a few minutes more are
        /// no reason to move plates people have seen planned.
        public var tardinessShare: Double

        public init(
            weightedTardiness: Int = 30, changeovers: Int = 1, makespan: Int = 60, tardinessShare: Double = 0.01
        ) {
            self.tardinessShare = tardinessShare
            self.weightedTardiness = weightedTardiness
            self.changeovers = changeovers
            self.makespan = makespan
        }
    }

    public var scheduler: FarmScheduler
    public var gain: Gain

    public init(scheduler: FarmScheduler = FarmScheduler(), gain: Gain = Gain()) {
        self.scheduler = scheduler
        self.gain = gain
    }

    /// The new plan and how many plates it moved to another printer.
    public struct Replan: Sendable {
        public var schedule: Schedule
        /// Plates the last plan had on one printer and this one has on another.
        public var moved: Int
        /// Whether the searched plan won clearly (else the kept one, with new plates added, stands).
        public var searched: Bool

        public init(schedule: Schedule, moved: Int, searched: Bool) {
            self.schedule = schedule
            self.moved = moved
            self.searched = searched
        }
    }

    /// - Parameter previous: the last plan's queues, job ids by printer id.
    public func replan(_ problem: SchedulingProblem, previous: [String: [String]], budget: SchedulingBudget) -> Replan {
        let deadline = budget.timeLimit.map { budget.clock() + $0 }
        let compatibility = Compatibility(problem)
        let setups = Setups(problem)
        var jobIndex: [String: Int] = [:]
        for (index, job) in problem.jobs.enumerated() where compatibility.unschedulable[index] == nil {
            jobIndex[job.id] = index
        }
        var placed = Set<Int>()
        var queues: [[Int]] = problem.printers.enumerated().map { printer, machine in
            (previous[machine.id] ?? []).compactMap { id in
                guard let job = jobIndex[id], compatibility.printers[job].contains(printer), !placed.contains(job)
                else { return nil }
                placed.insert(job)
                return job
            }
        }
        let carried = placed.count
        let waiting = jobIndex.values.filter { !placed.contains($0) }.sorted {
            let (a, b) = (problem.jobs[$0], problem.jobs[$1])
            return (a.due, -a.weight, a.release, $0) < (b.due, -b.weight, b.release, $1)
        }
        if carried == 0 {
            queues = scheduler.construct(
                problem, compatibility: compatibility, setups: setups, objective: budget.objective)
        }
        var search = Search(
            problem: problem, compatibility: compatibility, setups: setups, objective: budget.objective,
            queues: queues)
        if carried > 0 {
            for job in waiting {
                guard let best = search.bestInsertion(of: job, into: compatibility.printers[job]) else { continue }
                search.apply([(best.printer, best.queue, best.cost)], metrics: best.metrics)
            }
        }
        let kept = (queues: search.queues, metrics: search.metrics)
        search = Search(
            problem: problem, compatibility: compatibility, setups: setups, objective: budget.objective,
            queues: kept.queues)
        search.improve(budget: budget, deadline: deadline)
        let searched = carried == 0 || winsClearly(search.metrics, over: kept.metrics, objective: budget.objective)
        var schedule = Schedule(
            queues: searched ? search.queues : kept.queues, problem: problem, setups: setups,
            unschedulable: compatibility.unschedulable)
        schedule.reasons = Explanation.reasons(for: schedule, problem: problem, compatibility: compatibility)
        var before: [String: String] = [:]
        for (printer, jobs) in previous { for job in jobs { before[job] = printer } }
        var moved = 0
        for (printer, queue) in schedule.queues.enumerated() {
            let id = problem.printers[printer].id
            moved += queue.filter { before[problem.jobs[$0].id].map { $0 != id } ?? false }.count
        }
        return Replan(schedule: schedule, moved: moved, searched: searched)
    }

    func winsClearly(_ new: ScheduleMetrics, over old: ScheduleMetrics, objective: ScheduleObjective) -> Bool {
        let needed = max(
            gain.weightedTardiness, Int((Double(old.totalWeightedTardiness) * gain.tardinessShare).rounded(.up)))
        if objective == .weighted { return new.weightedSum <= old.weightedSum - Double(needed) }
        if new.totalWeightedTardiness <= old.totalWeightedTardiness - needed { return true }
        guard new.totalWeightedTardiness <= old.totalWeightedTardiness else { return false }
        if new.changeovers <= old.changeovers - gain.changeovers { return true }
        return new.changeovers <= old.changeovers && new.makespan <= old.makespan - gain.makespan
    }
}
