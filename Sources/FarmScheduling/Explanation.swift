/// The sentence beside each placement: where, after which changeover, how it stands against its due date, and how
/// many printers could have taken it.
enum Explanation {
    static func reasons(for schedule: Schedule, problem: SchedulingProblem, compatibility: Compatibility) -> [Int:
        String]
    {
        var reasons: [Int: String] = [:]
        for (printer, placements) in schedule.placements.enumerated() {
            var state = problem.printers[printer].loaded
            let id = problem.printers[printer].id
            for placement in placements {
                let job = problem.jobs[placement.job]
                var change: String
                if placement.setup == 0 {
                    let filament = job.colour.isEmpty ? job.material : "\(job.material) \(job.colour)"
                    change =
                        state.material.isEmpty
                        ? "no changeover planned (what it holds is not recorded)"
                        : "no changeover (\(filament) is loaded)"
                } else {
                    let parts = PrinterState.changes(from: state, to: job.state)
                    change = parts.joined(separator: " and ") + " first (\(placement.setup) min)"
                }
                let slack = job.due - placement.end
                let timing =
                    job.due >= SchedulingJob.noDueDate
                    ? "no due date"
                    : slack >= 0
                        ? "on time with \(slack) min to spare" : "late by \(-slack) min (weight \(job.weight))"
                let others = compatibility.printers[placement.job].count - 1
                let choice = others == 0 ? "the only printer it fits" : "\(others) other printer(s) could take it"
                reasons[placement.job] = "\(id): \(change); \(timing); \(choice)"
                state = job.state
            }
        }
        return reasons
    }
}
