/// The dispatching rule peers use, as a baseline: plates in order of due date, each to the printer that can start it
/// earliest (its setup counted), preferring one with its material loaded when that starts at most a material change
/// later.
public struct EarliestDueDateRule: Scheduler {
    public let name = "edd-loaded-material"

    public init() {}

    public func schedule(_ problem: SchedulingProblem, budget: SchedulingBudget) -> Schedule {
        let compatibility = Compatibility(problem)
        var queues = Array(repeating: [Int](), count: problem.printers.count)
        var ready = problem.printers.map(\.availableFrom)
        let setups = Setups(problem)
        var state = setups.loaded
        var material = problem.printers.map(\.loaded.material)
        let order = problem.jobs.indices.filter { compatibility.unschedulable[$0] == nil }.sorted {
            (problem.jobs[$0].due, $0) < (problem.jobs[$1].due, $1)
        }
        for index in order {
            let job = problem.jobs[index]
            var best: (key: Int, start: Int, printer: Int)?
            for printer in compatibility.printers[index] {
                let setup = setups.between(state[printer], setups.job[index])
                let start = Timeline.earliestStart(
                    ready: ready[printer], setup: setup, duration: job.duration, release: job.release,
                    windows: problem.printers[printer].maintenance)
                let preference = material[printer] == job.material ? problem.setupTimes.materialChange : 0
                if best == nil || start - preference < best!.key { best = (start - preference, start, printer) }
            }
            guard let chosen = best else { continue }
            queues[chosen.printer].append(index)
            ready[chosen.printer] = chosen.start + job.duration
            state[chosen.printer] = setups.job[index]
            material[chosen.printer] = job.material
        }
        return Schedule(queues: queues, problem: problem, unschedulable: compatibility.unschedulable)
    }
}
