import FarmDomain
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import FarmServer

@Suite("Intents over HTTP")
struct IntentAPITests {
    @Test("an intent is created with 201, Location and ETag, then read and listed", arguments: TestEngine.allCases)
    func createReadList(engine: TestEngine) async throws {
        try await withFarm(engine) { farm in
            let created = try await farm.request(.post, "/api/v1/intents", json: intentJSON)
            #expect(created.status == .created)
            #expect(created.headers[.eTag] == "\"1\"")
            let id = try #require(created.json["id"] as? String)
            #expect(created.headers[.location] == "/api/v1/intents/\(id)")
            #expect(created.json["status"] as? String == "received")
            let read = try await farm.request(.get, "/api/v1/intents/\(id)")
            #expect(read.status == .ok)
            #expect(read.headers[.eTag] == "\"1\"")
            #expect(read.text == created.text)
            try await farm.request(.post, "/api/v1/intents", json: intentJSON)
            let list = try await farm.request(.get, "/api/v1/intents?limit=1")
            let items = try #require(list.json["items"] as? [[String: Any]])
            #expect(items.map { $0["id"] as? String } == [id])
            let next = try #require(list.json["next"] as? String)
            let rest = try await farm.request(.get, "/api/v1/intents?after=\(next)")
            #expect((rest.json["items"] as? [Any])?.count == 1)
            #expect(rest.json["next"] is NSNull)
            #expect(
                (try await farm.request(.get, "/api/v1/intents?status=cancelled").json["items"] as? [Any])?.count == 0)
        }
    }

    @Test("a client-chosen id makes creation safe to repeat; the same id with other content is a 409")
    func clientID() async throws {
        try await withFarm { farm in
            let body =
                #"{"id":"01936a4e-0000-7000-8000-0000000000ff","lineItems":[{"id":"01936a4e-0000-7000-8000-0000000000f1","quantity":1,"material":"PLA"}]}"#
            #expect(try await farm.request(.post, "/api/v1/intents", json: body).status == .created)
            let again = try await farm.request(.post, "/api/v1/intents", json: body)
            #expect(again.status == .ok)
            #expect(again.headers[.eTag] == "\"1\"")
            let other = try await farm.request(
                .post, "/api/v1/intents", json: body.replacingOccurrences(of: "PLA", with: "PETG"))
            #expect(other.status == .conflict)
            #expect(other.problemCode == "already-exists")
            #expect(try await farm.eventCount() == 1)
        }
    }

    @Test(
        "transitions honour If-Match: a stale version is a 412, the current one succeeds, an illegal step is a 409",
        arguments: TestEngine.allCases)
    func transitions(engine: TestEngine) async throws {
        try await withFarm(engine) { farm in
            let id = try #require(
                try await farm.request(.post, "/api/v1/intents", json: intentJSON).json["id"] as? String)
            var headers = auth
            headers[.ifMatch] = "\"1\""
            let accepted = try await farm.request(
                .post, "/api/v1/intents/\(id)/transitions",
                json: #"{"action":"accept","reason":"operator.override","note":"known customer"}"#, headers: headers)
            #expect(accepted.status == .ok)
            #expect(accepted.headers[.eTag] == "\"2\"")
            #expect(accepted.json["status"] as? String == "accepted")
            let stale = try await farm.request(
                .post, "/api/v1/intents/\(id)/transitions", json: #"{"action":"cancel"}"#, headers: headers)
            #expect(stale.status == .preconditionFailed)
            #expect(stale.problemCode == "version-mismatch")
            let illegal = try await farm.request(
                .post, "/api/v1/intents/\(id)/transitions", json: #"{"action":"ship"}"#)
            #expect(illegal.status == .conflict)
            #expect(illegal.problemCode == "illegal-transition")
            #expect((illegal.json["detail"] as? String)?.contains("cannot ship an intent that is accepted") == true)
            let events = try await farm.store.events.read(stream: "intent-\(id)")
            #expect(events.map(\.type) == ["printfarm.intent.received.v1", "printfarm.intent.accepted.v1"])
            #expect(events.last?.reason == "operator.override")
            #expect(events.last?.actor == "apikey:\(testKeyID)")
        }
    }

    @Test(
        "an Idempotency-Key replays the first response; reused for another body it is a 422",
        arguments: TestEngine.allCases)
    func idempotency(engine: TestEngine) async throws {
        try await withFarm(engine) { farm in
            var headers = auth
            headers[.init("Idempotency-Key")!] = "order-1-attempt"
            let first = try await farm.request(.post, "/api/v1/intents", json: intentJSON, headers: headers)
            let second = try await farm.request(.post, "/api/v1/intents", json: intentJSON, headers: headers)
            #expect(first.status == .created)
            #expect(second.status == .created)
            #expect(second.text == first.text)
            #expect(second.headers[.eTag] == first.headers[.eTag])
            #expect(second.headers[.init("Idempotent-Replayed")!] == "true")
            #expect(try await farm.eventCount() == 1)
            let other = try await farm.request(
                .post, "/api/v1/intents", json: intentJSON.replacingOccurrences(of: "PETG", with: "PLA"),
                headers: headers)
            #expect(other.status == .unprocessableContent)
            #expect(other.problemCode == "idempotency-key-reused")
            // A refusal is an answer too: replaying it gives the same refusal, not a second attempt.
            headers[.init("Idempotency-Key")!] = "bad-1"
            let refused = try await farm.request(.post, "/api/v1/intents", json: #"{"lineItems":[]}"#, headers: headers)
            let refusedAgain = try await farm.request(
                .post, "/api/v1/intents", json: #"{"lineItems":[]}"#, headers: headers)
            #expect(refused.status == .unprocessableContent)
            #expect(refusedAgain.text == refused.text)
            #expect(try await farm.eventCount() == 1)
        }
    }

    @Test(
        "a command under an Idempotency-Key is answered from what its own transaction stored: the same body, ETag and status, one event"
    )
    func idempotentCommand() async throws {
        try await withFarm { farm in
            var headers = auth
            headers[.init("Idempotency-Key")!] = "register-mk3s"
            let json =
                #"{"name":"mk3s-01","connector":"moonraker","address":"http://127.0.0.1:7125","capabilities":{"buildVolume":{"x":250,"y":210,"z":210},"nozzleDiameters":[0.4],"enclosure":false,"hardenedNozzle":false,"materials":["PLA"]}}"#
            let first = try await farm.request(.post, "/api/v1/printers", json: json, headers: headers)
            #expect(first.status == .created, "\(first.text)")
            #expect(
                first.headers[.init("X-Printfarm-Idempotency-Stored")!] == nil,
                "the internal marker never leaves the server")
            let id = try #require(first.json["id"] as? String)
            headers[.init("Idempotency-Key")!] = "maintenance-1"
            let started = try await farm.request(
                .post, "/api/v1/printers/\(id)/transitions", json: #"{"action":"startMaintenance"}"#, headers: headers)
            let again = try await farm.request(
                .post, "/api/v1/printers/\(id)/transitions", json: #"{"action":"startMaintenance"}"#, headers: headers)
            #expect(started.status == .ok && again.status == .ok)
            #expect(
                again.text == started.text && again.headers[.eTag] == started.headers[.eTag]
                    && again.headers[.location] == started.headers[.location])
            #expect(again.headers[.init("Idempotent-Replayed")!] == "true")
            let events = try await farm.store.events.read(stream: "printer-\(id)").map(\.type)
            #expect(events == ["printfarm.printer.registered.v1", "printfarm.printer.maintenanceStarted.v1"])
        }
    }
}
