import Foundation
import Testing

@testable import FarmScheduling

@Suite("Scheduling exchange format")
struct ExchangeFormatTests {
    @Test("a generated farm written as printfarm-instance/1 reads back the same; its schedule is valid and complete")
    func roundTrip() throws {
        var generator = InstanceGenerator(seed: 5)
        let problem = generator.problem(printers: 6, jobs: 40)
        let data = try ExchangeFormat.instanceJSON(problem, seed: 5, generator: "test")
        #expect(try ExchangeFormat.problem(from: data) == problem)
        let schedule = FarmScheduler().schedule(problem, budget: SchedulingBudget(iterations: 2_000))
        let written = try ExchangeFormat.scheduleJSON(
            schedule, problem: problem, instance: "farm.json", solver: "farm-lns", objective: .lex, wallSeconds: 0.1)
        let document = try #require(try JSONSerialization.jsonObject(with: written) as? [String: Any])
        #expect(document["format"] as? String == "printfarm-schedule/1")
        let assignments = try #require(document["assignments"] as? [[String: Any]])
        #expect(assignments.count + schedule.unschedulable.count == 40)
        #expect(schedule.unschedulable.isEmpty, "the generator makes only plates some printer can take")
        #expect(document["valid"] as? Bool == true, "\(document["violations"] ?? "")")
        for assignment in assignments {
            let job = try #require(problem.jobs.first { $0.id == assignment["job"] as? String })
            #expect((assignment["end"] as? Int) == (assignment["start"] as? Int).map { $0 + job.duration })
            #expect((assignment["reason"] as? String)?.isEmpty == false)
        }
        let metrics = try #require(document["metrics"] as? [String: Any])
        #expect(metrics["total_weighted_tardiness"] as? Int == schedule.metrics.totalWeightedTardiness)
    }

    @Test(
        """
        a bad instance is refused with where and what: not JSON, a missing field, another format, an unknown \
        material, a twice-used id, a zero duration
        """
    )
    func badFiles() throws {
        var generator = InstanceGenerator(seed: 1)
        let good = try ExchangeFormat.instanceJSON(
            generator.problem(printers: 2, jobs: 3), seed: 1, generator: "test")
        func edited(_ change: (inout [String: Any]) -> Void) throws -> Data {
            var document = try #require(try JSONSerialization.jsonObject(with: good) as? [String: Any])
            change(&document)
            return try JSONSerialization.data(withJSONObject: document)
        }
        func jobs(_ document: inout [String: Any], _ change: (inout [String: Any]) -> Void) {
            var list = document["jobs"] as! [[String: Any]]
            change(&list[1])
            document["jobs"] = list
        }
        let cases: [(Data, String)] = [
            (Data("{\"format\": ".utf8), "not JSON"),
            (try edited { jobs(&$0) { $0["duration"] = nil } }, "jobs[1]: duration is missing"),
            (try edited { $0["format"] = "printfarm-instance/2" }, "this reads printfarm-instance/1"),
            (try edited { jobs(&$0) { $0["material"] = "WOOD" } }, "\"WOOD\" is not one of PLA"),
            (try edited { jobs(&$0) { $0["id"] = "J001" } }, "the id is used twice"),
            (try edited { jobs(&$0) { $0["duration"] = 0 } }, "duration: at least one minute"),
            (try edited { jobs(&$0) { $0["release"] = "soon" } }, "jobs[1].release: expected a whole number"),
        ]
        for (data, expected) in cases {
            #expect(throws: InstanceError.self) { try ExchangeFormat.problem(from: data) }
            do {
                _ = try ExchangeFormat.problem(from: data)
            } catch {
                #expect(error.description.contains(expected), "\(error.description)")
            }
        }
    }
}
