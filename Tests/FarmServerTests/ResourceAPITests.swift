import FarmDomain
import FarmStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import FarmServer

@Suite("Plans, printers, runs and events over HTTP")
struct ResourceAPITests {
    static let spec =
        #"{"profile":"mk3s-petg","orientation":{"x":0,"y":0,"z":0},"supports":"none","requirements":{"enclosure":false,"hardenedNozzle":false},"postProcessing":[]}"#

    @Test(
        "a plan is created for a line item, revised and approved; revisions never change",
        arguments: TestEngine.allCases)
    func plans(engine: TestEngine) async throws {
        try await withFarm(engine) { farm in
            let intent = try await farm.request(.post, "/api/v1/intents", json: intentJSON).json
            let intentID = try #require(intent["id"] as? String)
            let lineItemID = try #require((intent["lineItems"] as? [[String: Any]])?.first?["id"] as? String)
            let created = try await farm.request(
                .post, "/api/v1/plans",
                json: #"{"intentID":"\#(intentID)","lineItemID":"\#(lineItemID)","spec":\#(Self.spec)}"#)
            #expect(created.status == .created)
            let planID = try #require(created.json["id"] as? String)
            let revised = try await farm.request(
                .post, "/api/v1/plans/\(planID)/revisions",
                json: #"{"spec":\#(Self.spec.replacingOccurrences(of: "\"x\":0", with: "\"x\":90"))}"#)
            #expect(revised.status == .ok)
            #expect((revised.json["revisions"] as? [Any])?.count == 2)
            let approved = try await farm.request(
                .post, "/api/v1/plans/\(planID)/revisions/2/approve", json: #"{"reason":"operator.request"}"#)
            #expect(approved.status == .ok)
            let revisions =
                try await farm.request(.get, "/api/v1/plans/\(planID)/revisions").json["items"] as? [[String: Any]]
            #expect(revisions?.map { $0["status"] as? String } == ["draft", "approved"])
            #expect(
                try await farm.request(.post, "/api/v1/plans/\(planID)/revisions/9/approve", json: "{}").problemCode
                    == "invalid-field")
            let byIntent =
                try await farm.request(.get, "/api/v1/plans?intent=\(intentID)").json["items"] as? [[String: Any]]
            #expect(byIntent?.map { $0["id"] as? String } == [planID])
            let wrongItem = try await farm.request(
                .post, "/api/v1/plans",
                json: #"{"intentID":"\#(intentID)","lineItemID":"\#(intentID)","spec":\#(Self.spec)}"#)
            #expect(wrongItem.problemCode == "invalid-field")
        }
    }

    @Test(
        """
        printers are registered; a plate is frozen with its G-code, scheduled as a run, listed by printer, and \
        cancelled before dispatch
        """,
        arguments: TestEngine.allCases)
    func printersPlatesAndRuns(engine: TestEngine) async throws {
        try await withFarm(engine) { farm in
            let registered = try await farm.request(
                .post, "/api/v1/printers",
                json:
                    #"{"name":"mk3s-01","connector":"moonraker","address":"http://127.0.0.1:7125","capabilities":{"buildVolume":{"x":250,"y":210,"z":210},"nozzleDiameters":[0.4],"enclosure":false,"hardenedNozzle":false,"materials":["PLA"]}}"#
            )
            #expect(registered.status == .created)
            let printerID = try #require(registered.json["id"] as? String)
            #expect(registered.json["status"] as? String == "offline")
            #expect((try await farm.request(.get, "/api/v1/printers").json["items"] as? [Any])?.count == 1)

            let intent = try await farm.request(.post, "/api/v1/intents", json: intentJSON).json
            let intentID = try #require(intent["id"] as? String)
            let lineItemID = try #require((intent["lineItems"] as? [[String: Any]])?.first?["id"] as? String)
            let planID = try #require(
                try await farm.request(
                    .post, "/api/v1/plans",
                    json: #"{"intentID":"\#(intentID)","lineItemID":"\#(lineItemID)","spec":\#(Self.spec)}"#
                ).json["id"] as? String)
            let gcode = try #require(
                try await farm.upload(Data("G28\nG1 X10 Y10 E1\n".utf8), name: "plate.gcode").json["sha256"] as? String)
            let model = try #require(
                try await farm.upload(Data("solid x\nendsolid x\n".utf8), name: "part.stl").json["sha256"] as? String)
            let items = #"[{"planID":"\#(planID)","revision":1,"copies":2}]"#

            let unknownPlan = try await farm.request(
                .post, "/api/v1/plates",
                json: #"{"items":[{"planID":"01936a4e-0000-7000-8000-00000000ffff","revision":1,"copies":1}]}"#)
            #expect(
                unknownPlan.problemCode == "invalid-field" && unknownPlan.text.contains("items[0].planID"),
                "\(unknownPlan.text)")
            #expect(
                try await farm.request(
                    .post, "/api/v1/plates", json: #"{"items":[{"planID":"\#(planID)","revision":7,"copies":1}]}"#
                ).text.contains("no revision 7"))
            #expect(
                try await farm.request(.post, "/api/v1/plates", json: #"{"items":\#(items),"gcode":"\#(model)"}"#).text
                    .contains("not G-code"))
            #expect(
                try await farm.request(.post, "/api/v1/plates", json: #"{"items":[],"gcode":"\#(gcode)"}"#).problemCode
                    == "invalid-field")
            // Another order's PLA part cannot be forced onto a plate with this PETG one.
            let pla = try await farm.request(
                .post, "/api/v1/intents",
                json: #"{"lineItems":[{"quantity":1,"material":"PLA","colour":"black"}],"externalReference":"o-2"}"#
            ).json
            let plaIntent = pla["id"] as? String ?? ""
            let plaLine = (pla["lineItems"] as? [[String: Any]])?.first?["id"] as? String ?? ""
            let plaPlan = try #require(
                try await farm.request(
                    .post, "/api/v1/plans",
                    json: #"{"intentID":"\#(plaIntent)","lineItemID":"\#(plaLine)","spec":\#(Self.spec)}"#
                ).json["id"] as? String)
            let petgItem = #"{"planID":"\#(planID)","revision":1,"copies":1}"#
            let plaItem = #"{"planID":"\#(plaPlan)","revision":1,"copies":1}"#
            let mixed = try await farm.request(
                .post, "/api/v1/plates", json: #"{"items":[\#(petgItem),\#(plaItem)]}"#)
            #expect(
                mixed.status == .unprocessableContent && mixed.problemCode == "plates-incompatible"
                    && mixed.text.contains("material PETG ≠ PLA"), "\(mixed.text)")
            let composing = try await farm.request(.post, "/api/v1/plates", json: #"{"items":\#(items)}"#)
            #expect(composing.status == .created && composing.json["status"] as? String == "composing")
            let plate = try await farm.request(
                .post, "/api/v1/plates", json: #"{"items":\#(items),"gcode":"\#(gcode)"}"#)
            #expect(
                plate.status == .created && plate.json["status"] as? String == "frozen"
                    && plate.json["gcodeArtifact"] as? String == gcode, "\(plate.text)")
            let plateID = try #require(plate.json["id"] as? String)

            let notFrozen = try await farm.request(
                .post, "/api/v1/runs",
                json: #"{"plateID":"\#(try #require(composing.json["id"] as? String))","printerID":"\#(printerID)"}"#)
            #expect(
                notFrozen.problemCode == "invalid-field" && notFrozen.text.contains("freeze it"), "\(notFrozen.text)")
            #expect(
                try await farm.request(
                    .post, "/api/v1/runs",
                    json: #"{"plateID":"\#(plateID)","printerID":"01936a4e-0000-7000-8000-00000000ffff"}"#
                ).text.contains("no printer"))
            let scheduled = try await farm.request(
                .post, "/api/v1/runs", json: #"{"plateID":"\#(plateID)","printerID":"\#(printerID)"}"#)
            #expect(
                scheduled.status == .created && scheduled.json["status"] as? String == "scheduled", "\(scheduled.text)")
            let runID = try #require(scheduled.json["id"] as? String)
            #expect(((scheduled.json["items"] as? [[String: Any]])?.first?["copies"] as? Int) == 2)
            #expect(
                (try await farm.request(.get, "/api/v1/runs?printer=\(printerID)").json["items"] as? [Any])?.count == 1)
            #expect(
                (try await farm.request(.get, "/api/v1/runs?printer=\(UUID().uuidString)").json["items"] as? [Any])?
                    .count == 0)
            #expect((try await farm.request(.get, "/api/v1/runs?status=scheduled").json["items"] as? [Any])?.count == 1)

            // Not on a printer yet: pause makes no sense, cancel needs no machine.
            #expect(try await farm.request(.post, "/api/v1/runs/\(runID)/pause").problemCode == "illegal-transition")
            let cancelled = try await farm.request(
                .post, "/api/v1/runs/\(runID)/cancel",
                json: #"{"reason":"operator.request","note":"customer withdrew"}"#)
            #expect(cancelled.status == .ok && cancelled.json["status"] as? String == "cancelled", "\(cancelled.text)")
            #expect(try await farm.request(.post, "/api/v1/runs/\(runID)/resume").problemCode == "illegal-transition")
        }
    }

    @Test(
        """
        an operator overrides a revision's gate with a note; the override is the gate's decision, marked so; \
        nonsense is refused
        """,
        arguments: TestEngine.allCases)
    func gateOverride(engine: TestEngine) async throws {
        try await withFarm(engine) { farm in
            let intent = try await farm.request(.post, "/api/v1/intents", json: intentJSON).json
            let intentID = try #require(intent["id"] as? String)
            let lineItemID = try #require((intent["lineItems"] as? [[String: Any]])?.first?["id"] as? String)
            let planID = try #require(
                try await farm.request(
                    .post, "/api/v1/plans",
                    json: #"{"intentID":"\#(intentID)","lineItemID":"\#(lineItemID)","spec":\#(Self.spec)}"#
                ).json["id"] as? String)
            let path = "/api/v1/plans/\(planID)/revisions/1/decisions"
            #expect(
                try await farm.request(.post, path, json: #"{"gate":"reprint","decide":"autoAdvance"}"#).text.contains(
                    "say why you override"))
            #expect(
                try await farm.request(.post, path, json: #"{"gate":"approvePlan","decide":"autoAdvance","note":"x"}"#)
                    .problemCode == "invalid-field")
            #expect(
                try await farm.request(.post, path, json: #"{"gate":"reprint","decide":"perhaps","note":"x"}"#)
                    .problemCode == "invalid-field")
            #expect(
                try await farm.request(.post, path, json: #"{"gate":"dispatch","decide":"block","note":"x"}"#).text
                    .contains("because"))
            #expect(
                try await farm.request(
                    .post, "/api/v1/plans/\(planID)/revisions/9/decisions",
                    json: #"{"gate":"reprint","decide":"autoAdvance","note":"x"}"#
                ).status == .unprocessableContent)

            let overridden = try await farm.request(
                .post, path,
                json: #"{"gate":"reprint","decide":"autoAdvance","note":"the warping was the bed, now cleaned"}"#)
            #expect(overridden.status == .ok, "\(overridden.text)")
            let decision = try #require((overridden.json["decisions"] as? [[String: Any]])?.first)
            #expect(decision["gate"] as? String == "reprint")
            #expect(decision["overridden"] as? Bool == true)
            #expect(decision["revision"] as? Int == 1)
            #expect((decision["explanation"] as? String)?.hasSuffix("the warping was the bed, now cleaned") == true)
            let event = try await farm.store.events.read(stream: PlanDecider.stream(planID)).last
            #expect(event?.type == "printfarm.plan.gateDecided.v1")
            #expect(event?.reason == "operator.override")
        }
    }

    @Test("the production rules the server runs with can be read by anyone signed in", arguments: TestEngine.allCases)
    func productionSettings(engine: TestEngine) async throws {
        try await withFarm(engine) { farm in
            let settings = try await farm.request(.get, "/api/v1/settings/production")
            #expect(settings.status == .ok, "\(settings.text)")
            #expect((settings.json["guardrails"] as? [String: Any])?["loopBreakerFailures"] as? Int == 2)
            let accept = (settings.json["policy"] as? [String: Any])?["acceptIntent"] as? [[String: Any]]
            #expect(accept?.count == 4)
            #expect(accept?.first?["name"] as? String == "shop order not paid")
            #expect((settings.json["qa"] as? [String: Any])?["autoPassLowRisk"] as? Bool == false)
            #expect((settings.json["risk"] as? [String: Any])?["high"] as? Int == 50)
        }
    }

    @Test(
        """
        QA over HTTP: a completed run's items pass, or fail with a reason code, a note and photo evidence; bad \
        verdicts are refused
        """,
        arguments: TestEngine.allCases)
    func inspections(engine: TestEngine) async throws {
        try await withFarm(engine) { farm in
            let context = CommandContext(actor: .cli, reason: .operatorRequest, time: Date())
            let planA = PlanID(UUID())
            let planB = PlanID(UUID())
            let runID = RunID(UUID())
            let items = [PlateItem(planID: planA, revision: 1), PlateItem(planID: planB, revision: 1)]
            _ = try await farm.store.runs.execute(
                .schedule(runID, plateID: BuildPlateID(UUID()), printerID: PrinterID(UUID()), items: items),
                id: runID.description, context: context)
            let early = try await farm.request(
                .post, "/api/v1/runs/\(runID)/inspections", json: #"{"items":[{"planID":"\#(planA)","passed":true}]}"#)
            #expect(early.problemCode == "illegal-transition", "only a completed run is inspected: \(early.text)")
            for command in [RunCommand.beginDispatch(token: "t"), .confirmStarted(token: "t"), .complete] {
                _ = try await farm.store.runs.execute(command, id: runID.description, context: context)
            }
            let photo = try #require(
                try await farm.upload(Data("jpeg bytes".utf8), name: "corner.jpg").json["sha256"] as? String)

            let noReason = try await farm.request(
                .post, "/api/v1/runs/\(runID)/inspections", json: #"{"items":[{"planID":"\#(planA)","passed":false}]}"#)
            #expect(
                noReason.status == .unprocessableContent && noReason.text.contains("say why it failed"),
                "\(noReason.text)")
            let unknownReason = try await farm.request(
                .post, "/api/v1/runs/\(runID)/inspections",
                json: #"{"items":[{"planID":"\#(planA)","passed":false,"failure":"ugly"}]}"#)
            #expect(
                unknownReason.status == .badRequest || unknownReason.status == .unprocessableContent,
                "\(unknownReason.text)")
            let missingPhoto = try await farm.request(
                .post, "/api/v1/runs/\(runID)/inspections",
                json:
                    #"{"items":[{"planID":"\#(planA)","passed":false,"failure":"warping","evidence":["\#(String(repeating: "0", count: 64))"]}]}"#
            )
            #expect(
                missingPhoto.problemCode == "invalid-field" && missingPhoto.text.contains("items[0].evidence[0]"),
                "\(missingPhoto.text)")
            #expect(
                try await farm.request(.post, "/api/v1/runs/\(runID)/inspections", json: #"{"items":[]}"#).problemCode
                    == "invalid-field")
            let mixed = try await farm.request(
                .post, "/api/v1/runs/\(runID)/inspections",
                json: #"{"items":[{"planID":"\#(planA)","passed":true},{"planID":"\#(planB)","passed":false}]}"#)
            #expect(mixed.status == .unprocessableContent, "one bad verdict refuses the request: \(mixed.text)")
            #expect(
                try await farm.store.runs.get(id: runID.description)?.model.inspections.isEmpty == true,
                "nothing was recorded by the refused verdicts")

            let verdicts = try await farm.request(
                .post, "/api/v1/runs/\(runID)/inspections",
                json: #"""
                    {"items":[{"planID":"\#(planA)","passed":true},
                              {"planID":"\#(planB)","passed":false,"failure":"warping","note":"corner lifted 2 mm","evidence":["\#(photo)"]}]}
                    """#)
            #expect(verdicts.status == .ok, "\(verdicts.text)")
            let inspections = try #require(verdicts.json["inspections"] as? [[String: Any]])
            #expect(inspections.count == 2)
            #expect(inspections.last?["code"] as? String == "warping")
            #expect(inspections.last?["reason"] as? String == "corner lifted 2 mm")
            #expect(inspections.last?["evidence"] as? [String] == [photo])
            let events = try await farm.store.events.read(stream: RunDecider.stream(runID.description)).filter {
                $0.type == "printfarm.run.itemInspected.v1"
            }
            #expect(events.map(\.reason) == ["qa.passed", "qa.failed.warping"])
            #expect(try await farm.store.runs.get(id: runID.description)?.model.qa == .failed)
            let etag = try #require(verdicts.headers[.eTag])
            func ifMatch(_ tag: String) -> HTTPFields {
                var headers = auth
                headers[.ifMatch] = tag
                return headers
            }
            let stale = try await farm.request(
                .post, "/api/v1/runs/\(runID)/inspections", json: #"{"items":[{"planID":"\#(planB)","passed":true}]}"#,
                headers: ifMatch("\"1\""))
            #expect(
                stale.problemCode == "version-mismatch",
                "a verdict on a run that changed since it was read is refused: \(stale.text)")
            let current = try await farm.request(
                .post, "/api/v1/runs/\(runID)/inspections", json: #"{"items":[{"planID":"\#(planB)","passed":true}]}"#,
                headers: ifMatch(etag))
            #expect(current.status == .ok, "\(current.text)")
            #expect(try await farm.store.runs.get(id: runID.description)?.model.qa == .passed)
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

    @Test(
        "the live stream resumes after Last-Event-ID and delivers events appended while it is open",
        arguments: TestEngine.allCases)
    func liveStream(engine: TestEngine) async throws {
        try await withFarm(engine) { farm in
            try await farm.request(.post, "/api/v1/intents", json: intentJSON)
            var headers = auth
            headers[.init("Last-Event-ID")!] = "1"
            let streamHeaders = headers
            let wrongAfter = try await farm.request(.get, "/api/v1/events/stream?after=-1", headers: streamHeaders)
            #expect(wrongAfter.problemCode == "invalid-parameter", "a wrong after is refused beside the header")
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
