import ArgumentParser
import FarmScheduling
import Foundation

/// `printfarm schedule`: reads a scheduling problem in the exchange format and writes the farm scheduler's plan, so
/// a farm (or anyone) can compare it with another scheduler or an exact solver.
struct ScheduleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Plan a scheduling instance (printfarm-instance/1) and write the schedule (printfarm-schedule/1).",
        discussion: "The format is described in docs/scheduling.md.")

    @Argument(help: "The instance file (JSON).")
    var instance: String

    @Option(name: .customLong("time-limit"), help: "Stop searching after this many seconds.")
    var timeLimit: Double?

    @Option(name: .shortAndLong, help: "Write the schedule here (default: standard output).")
    var output: String?

    @Option(help: "lex (weighted tardiness, then changeovers, then makespan), weighted, twt, changeovers or makespan.")
    var objective: ScheduleObjective = .lex

    @Option(help: "The search's seed: the same seed and iterations give the same schedule.")
    var seed: UInt64 = 1

    @Option(help: "Search moves to try (the time limit may stop it sooner).")
    var iterations: Int = 200_000

    @Option(help: "farm (the farm's scheduler) or edd (earliest due date, preferring the loaded material).")
    var scheduler: String = "farm"

    func validate() throws {
        if let timeLimit, !(timeLimit > 0) {
            throw ValidationError("--time-limit must be a positive number of seconds")
        }
        guard iterations >= 0 else { throw ValidationError("--iterations cannot be negative") }
        guard ["farm", "edd"].contains(scheduler) else { throw ValidationError("--scheduler is farm or edd") }
    }

    func run() async throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: instance))
        } catch {
            throw ValidationError("cannot read \(instance): \(error.localizedDescription)")
        }
        let problem: SchedulingProblem
        do {
            problem = try ExchangeFormat.problem(from: data)
        } catch {
            throw ValidationError("\(instance): \(error.description)")
        }
        let chosen: any Scheduler = scheduler == "edd" ? EarliestDueDateRule() : FarmScheduler()
        let started = ContinuousClock.now
        let schedule = chosen.schedule(
            problem,
            budget: SchedulingBudget(
                objective: objective, seed: seed, iterations: iterations, timeLimit: timeLimit.map { .seconds($0) }))
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let json = try ExchangeFormat.scheduleJSON(
            schedule, problem: problem, instance: URL(fileURLWithPath: instance).lastPathComponent,
            solver: chosen.name, objective: objective, wallSeconds: seconds)
        if let output {
            try json.write(to: URL(fileURLWithPath: output), options: .atomic)
        } else {
            FileHandle.standardOutput.write(json)
            FileHandle.standardOutput.write(Data("\n".utf8))
        }
        let metrics = schedule.metrics
        FileHandle.standardError.write(
            Data(
                ("\(problem.jobs.count - schedule.unschedulable.count) of \(problem.jobs.count) jobs on "
                    + "\(problem.printers.count) printers in \(String(format: "%.2f", seconds)) s: weighted tardiness "
                    + "\(metrics.totalWeightedTardiness), \(metrics.changeovers) changeovers, makespan "
                    + "\(metrics.makespan) min\n").utf8))
    }
}

extension ScheduleObjective: ExpressibleByArgument {}
