/// The dispatching rule peers use, as a baseline: plates in order of due date, each to the printer that can start it
/// earliest (its setup counted), preferring one with its material loaded when that starts at most a material change
/// later.
public struct EarliestDueDateRule: Scheduler {
    public let name = "edd-loaded-material"

    public init() {}

    public func schedule(_ problem: SchedulingProblem, budget: SchedulingBudget) -> Schedule {
        let compatibility = Compatibility(problem)
        let setups = Setups(problem)
        let order = problem.jobs.indices.filter { compatibility.unschedulable[$0] == nil }.sorted {
            (problem.jobs[$0].due, $0) < (problem.jobs[$1].due, $1)
        }
        let preference = problem.setupTimes.materialChange
        let queues = Timeline.appendInOrder(order, problem: problem, compatibility: compatibility, setups: setups) {
            job, candidate in candidate.start - (candidate.material == job.material ? preference : 0)
        }
        var schedule = Schedule(
            queues: queues, problem: problem, setups: setups, unschedulable: compatibility.unschedulable)
        schedule.reasons = Explanation.reasons(for: schedule, problem: problem, compatibility: compatibility)
        return schedule
    }
}
