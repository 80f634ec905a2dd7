@testable import FarmServer
import FarmDomain
import FarmStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("Plans, printers, runs and events over HTTP")
struct ResourceAPITests {
    static let spec = #"{"profile":"mk3s-petg","orientation":{"x":0,"y":0,"z":0},"supports":"none","requirements":{"enclosure":false,"hardenedNozzle":false},"postProcessing":[]}"#

    @Test("a plan is created for a line item, revised and approved; revisions never change", arguments: TestEngine.allCases)
    func plans(engine: TestEngine) async throws {
        try await withFarm(engine) { farm in
            let intent = try await farm.request(.post, "/api/v1/intents", json: intentJSON).json
            let intentID = try #require(intent["id"] as? String)
            let lineItemID = try #require((intent["lineItems"] as? [[String: Any]])?.first?["id"] as? String)
            let created = try await farm.request(.post, "/api/v1/plans", json: #"{"intentID":"\#(intentID)","lineItemID":"\#(lineItemID)","spec":\#(Self.spec)}"#)
            #expect(created.status == .created)
            let planID = try #require(created.json["id"] as? String)
            let revised = try await farm.request(.post, "/api/v1/plans/\(planID)/revisions", json: #"{"spec":\#(Self.spec.replacingOccurrences(of: "\"x\":0", with: "\"x\":90"))}"#)
            #expect(revised.status == .ok)
            #expect((revised.json["revisions"] as? [Any])?.count == 2)
            let approved = try await farm.request(.post, "/api/v1/plans/\(planID)/revisions/2/approve", json: #"{"reason":"operator.request"}"#)
            #expect(approved.status == .ok)
            let revisions = try await farm.request(.get, "/api/v1/plans/\(planID)/revisions").json["items"] as? [[String: Any]]
            #expect(revisions?.map { $0["status"] as? String } == ["draft", "approved"])
            #expect(try await farm.request(.post, "/api/v1/plans/\(planID)/revisions/9/approve", json: "{}").problemCode == "invalid-field")
            let byIntent = try await farm.request(.get, "/api/v1/plans?intent=\(intentID)").json["items"] as? [[String: Any]]
            #expect(byIntent?.map { $0["id"] as? String } == [planID])
            let wrongItem = try await farm.request(.post, "/api/v1/plans", json: #"{"intentID":"\#(intentID)","lineItemID":"\#(intentID)","spec":\#(Self.spec)}"#)
            #expect(wrongItem.problemCode == "invalid-field")
        }
    }

    @Test("printers are registered and listed; runs are read and filtered by printer", arguments: TestEngine.allCases)
    func printersAndRuns(engine: TestEngine) async throws {
        try await withFarm(engine) { farm in
            let registered = try await farm.request(.post, "/api/v1/printers", json: #"{"name":"mk3s-01","connector":"moonraker","address":"http://127.0.0.1:7125","capabilities":{"buildVolume":{"x":250,"y":210,"z":210},"nozzleDiameters":[0.4],"enclosure":false,"hardenedNozzle":false,"materials":["PLA"]}}"#)
            #expect(registered.status == .created)
            let printerID = try #require(registered.json["id"] as? String)
            #expect(registered.json["status"] as? String == "offline")
            #expect((try await farm.request(.get, "/api/v1/printers").json["items"] as? [Any])?.count == 1)
            let context = CommandContext(actor: .cli, reason: .operatorRequest, time: Date())
            let runID = RunID(SystemIDs.uuidv7())
            _ = try await farm.store.runs.execute(
                .schedule(runID, plateID: BuildPlateID(UUID()), printerID: try #require(PrinterID(printerID)), items: [PlateItem(planID: PlanID(UUID()), revision: 1)]),
                id: runID.description, context: context)
            let run = try await farm.request(.get, "/api/v1/runs/\(runID)")
            #expect(run.status == .ok)
            #expect(run.json["status"] as? String == "scheduled")
            #expect((try await farm.request(.get, "/api/v1/runs?printer=\(printerID)").json["items"] as? [Any])?.count == 1)
            #expect((try await farm.request(.get, "/api/v1/runs?printer=\(UUID().uuidString)").json["items"] as? [Any])?.count == 0)
            #expect((try await farm.request(.get, "/api/v1/runs?status=scheduled").json["items"] as? [Any])?.count == 1)
        }
    }

    @Test("the event feed pages through CloudEvents by sequence", arguments: TestEngine.allCases)
    func eventFeed(engine: TestEngine) async throws {
        try await withFarm(engine) { farm in
            for _ in 0..<3 { try await farm.request(.post, "/api/v1/intents", json: intentJSON) }
            // Event 1 is the seeded admin key's creation.
            let first = try await farm.request(.get, "/api/v1/events?after=1&limit=2")
            let events = try #require(first.json["events"] as? [[String: Any]])
            #expect(events.map { $0["sequence"] as? Int } == [2, 3])
            #expect(events.first?["specversion"] as? String == "1.0")
            #expect(events.first?["type"] as? String == "printfarm.intent.received.v1")
            #expect(first.json["next"] as? Int == 3)
            let rest = try await farm.request(.get, "/api/v1/events?after=3").json
            #expect((rest["events"] as? [[String: Any]])?.map { $0["sequence"] as? Int } == [4])
            #expect((try await farm.request(.get, "/api/v1/events?after=4").json["events"] as? [Any])?.isEmpty == true)
            #expect((try await farm.request(.get, "/api/v1/events").json["events"] as? [Any])?.count == 4)
        }
    }

    @Test("the live stream resumes after Last-Event-ID and delivers events appended while it is open", arguments: TestEngine.allCases)
    func liveStream(engine: TestEngine) async throws {
        try await withFarm(engine) { farm in
            try await farm.request(.post, "/api/v1/intents", json: intentJSON)
            var headers = auth
            headers[.init("Last-Event-ID")!] = "1"
            let streamHeaders = headers
            let text = try await withThrowingTaskGroup(of: String?.self) { group in
                group.addTask {
                    let response = try await farm.request(.get, "/api/v1/events/stream?limit=3", headers: streamHeaders)
                    #expect(response.headers[.contentType] == "text/event-stream")
                    return response.text
                }
                group.addTask {
                    try await Task.sleep(for: .milliseconds(200))
                    try await farm.request(.post, "/api/v1/intents", json: intentJSON)
                    try await farm.request(.post, "/api/v1/intents", json: intentJSON)
                    return nil
                }
                var text = ""
                for try await result in group { if let result { text = result } }
                return text
            }
            let ids = text.split(separator: "\n").filter { $0.hasPrefix("id: ") }.map { $0.dropFirst(4) }
            #expect(ids == ["2", "3", "4"])
            #expect(text.contains("event: printfarm.intent.received.v1\ndata: {\"specversion\":\"1.0\""))
        }
    }
}
