import FarmDomain
import Foundation
import Logging
import SQLKit
import Testing

@testable import FarmStore

/// The same contract on every engine: what one engine guarantees, the other must too.
@Suite("Event store contract")
struct EventStoreContractTests {
    @Test(
        "appended events read back in order with versions from 1 and a rising global sequence",
        arguments: TestEngine.allCases)
    func appendAndRead(engine: TestEngine) async throws {
        try await withStore(engine) { store in
            let first = try await store.events.append(
                to: "run-a", expectedVersion: 0, events: [newEvent(), newEvent(data: "{\"n\":2}")],
                metadata: testMetadata)
            let second = try await store.events.append(
                to: "run-b", expectedVersion: 0, events: [newEvent()], metadata: testMetadata)
            let third = try await store.events.append(
                to: "run-a", expectedVersion: 2, events: [newEvent(data: "{\"n\":3}")], metadata: testMetadata)
            #expect(first.map(\.version) == [1, 2])
            #expect(third.map(\.version) == [3])
            let sequences = (first + second + third).map(\.sequence)
            #expect(sequences == sequences.sorted() && Set(sequences).count == 4 && sequences[0] > 0)
            let stream = try await store.events.read(stream: "run-a")
            #expect(stream.map(\.version) == [1, 2, 3])
            #expect(stream.map { String(decoding: $0.data, as: UTF8.self) } == ["{\"n\":1}", "{\"n\":2}", "{\"n\":3}"])
            #expect(stream[0] == first[0])
            #expect(
                try await store.events.read(stream: "run-a", last: 2).map(\.version) == [2, 3],
                "the newest events, oldest first")
            let all = try await store.events.read(after: 0, limit: 10)
            #expect(all.map(\.sequence) == sequences)
            let page = try await store.events.read(after: sequences[1], limit: 1)
            #expect(page.map(\.sequence) == [sequences[2]])
            #expect(try await store.events.headSequence() == sequences.last)
        }
    }

    @Test("a stale expected version is refused and nothing is written", arguments: TestEngine.allCases)
    func staleAppend(engine: TestEngine) async throws {
        try await withStore(engine) { store in
            _ = try await store.events.append(
                to: "run-a", expectedVersion: 0, events: [newEvent()], metadata: testMetadata)
            for expected in [0, 2, 7] {
                await #expect(throws: StoreError.concurrencyConflict(stream: "run-a", expected: expected, actual: 1)) {
                    try await store.events.append(
                        to: "run-a", expectedVersion: expected, events: [newEvent()], metadata: testMetadata)
                }
            }
            #expect(try await store.events.read(stream: "run-a").count == 1)
        }
    }

    @Test(
        "the database itself refuses a duplicate (stream, version) and any update or delete of an event",
        arguments: TestEngine.allCases)
    func databaseGuards(engine: TestEngine) async throws {
        try await withStore(engine) { store in
            _ = try await store.events.append(
                to: "run-a", expectedVersion: 0, events: [newEvent()], metadata: testMetadata)
            // Bypass the code's version check: only the schema stands in the way.
            await #expect(throws: (any Error).self) {
                try await store.engine.transaction { db in
                    try await db.raw(
                        "INSERT INTO events (id, stream, version, type, time, actor, reason, data) VALUES ('x', 'run-a', 1, 't', '2026-01-01T00:00:00Z', 'user:a', 'a.b', '{}')"
                    ).run()
                }
            }
            await #expect(throws: (any Error).self) {
                try await store.engine.transaction { db in try await db.raw("UPDATE events SET data = '{}'").run() }
            }
            await #expect(throws: (any Error).self) {
                try await store.engine.transaction { db in try await db.raw("DELETE FROM events").run() }
            }
            #expect(try await store.events.read(stream: "run-a").count == 1)
        }
    }

    @Test("of eight concurrent appends at the same version exactly one wins", arguments: TestEngine.allCases)
    func concurrentAppends(engine: TestEngine) async throws {
        try await withStore(engine) { store in
            let results = await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        do {
                            _ = try await store.events.append(
                                to: "printer-p", expectedVersion: 0, events: [newEvent()], metadata: testMetadata)
                            return true
                        } catch { return false }
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            let stored = try await store.events.read(stream: "printer-p")
            #expect(results.filter { $0 }.count == 1)
            #expect(stored.count == 1)
        }
    }

    @Test("an append of several events is all or nothing", arguments: TestEngine.allCases)
    func atomicAppend(engine: TestEngine) async throws {
        try await withStore(engine) { store in
            let existing = newEvent()
            _ = try await store.events.append(
                to: "run-a", expectedVersion: 0, events: [existing], metadata: testMetadata)
            // The second event reuses an id, which the schema forbids: the first must not survive either.
            await #expect(throws: (any Error).self) {
                try await store.events.append(
                    to: "run-b", expectedVersion: 0, events: [newEvent(), existing], metadata: testMetadata)
            }
            #expect(try await store.events.read(stream: "run-b").isEmpty)
            #expect(try await store.events.headSequence() == 1)
        }
    }

    @Test("events render as CloudEvents 1.0 with the farm's extensions", arguments: TestEngine.allCases)
    func cloudEvents(engine: TestEngine) async throws {
        try await withStore(engine) { store in
            let stored = try await store.events.append(
                to: "run-a", expectedVersion: 0, events: [newEvent(data: "{\"quote\":\"a \\\"b\\\"\"}")],
                metadata: testMetadata)
            let json = try #require(
                try JSONSerialization.jsonObject(with: stored[0].cloudEventJSON(source: "urn:printfarm:test"))
                    as? [String: Any])
            #expect(json["specversion"] as? String == "1.0")
            #expect(json["id"] as? String == stored[0].id)
            #expect(json["type"] as? String == "printfarm.test.happened.v1")
            #expect(json["subject"] as? String == "run-a")
            #expect(json["source"] as? String == "urn:printfarm:test")
            #expect(json["time"] as? String == "2027-01-15T08:00:00.000Z")
            #expect(json["sequence"] as? Int == Int(stored[0].sequence))
            #expect(json["streamversion"] as? Int == 1)
            #expect(json["actor"] as? String == "user:ada")
            #expect(json["reason"] as? String == "operator.request")
            #expect(json["correlationid"] as? String == "corr-1")
            #expect(json["causationid"] == nil)
            #expect((json["data"] as? [String: Any])?["quote"] as? String == "a \"b\"")
            #expect(UUID(uuidString: stored[0].id).map(UUIDv7.version) == 7)
        }
    }

    @Test(
        "migrations are recorded once; running them again, even concurrently, changes nothing",
        arguments: TestEngine.allCases)
    func migrations(engine: TestEngine) async throws {
        try await withStore(engine) { store in
            #expect(try await store.schemaVersion() == (Migrations.latest, Migrations.latest))
            let again = try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<4 { group.addTask { try await store.migrate() } }
                return try await group.reduce(into: [Int]()) { $0 += $1 }
            }
            #expect(again.isEmpty)
        }
    }

    @Test("upgrading a database from schema 1 keeps its events and read models", arguments: TestEngine.allCases)
    func upgrade(engine: TestEngine) async throws {
        let location = try testLocation(engine)
        let logger = Logger(label: "test")
        let sqlEngine = try await SQLEngines.open(location, logger: logger)
        #expect(try await Migrations.run(on: sqlEngine, upTo: 1) == [1])
        await sqlEngine.shutdown()
        // A build that knows schema 2 refuses the old database until it is migrated…
        await #expect(throws: StoreError.self) { try await Store.open(location, logger: logger, migrate: false) }
        let store = try await Store.open(location, logger: logger, migrate: false, allowOutdated: true)
        do {
            // A run completed under schema 1, its events appended as that build did.
            let run = RunID(SystemIDs.uuidv7())
            var state = RunDecider.initialState
            var events: [NewEvent] = []
            for command: RunCommand in [
                .schedule(
                    run, plateID: BuildPlateID(UUID()), printerID: PrinterID(UUID()),
                    items: [PlateItem(planID: PlanID(UUID()), revision: 1)]),
                .beginDispatch(token: "t"), .confirmStarted(token: "t"), .complete,
            ] {
                for event in try RunDecider.decide(command, state: state, context: testContext) {
                    state = RunDecider.evolve(state, event)
                    events.append(
                        NewEvent(
                            id: SystemIDs.uuidv7(), type: event.eventType, time: testContext.time,
                            data: try event.encodeData(StoreCoding.encoder())))
                }
            }
            _ = try await store.events.append(
                to: RunDecider.stream(run), expectedVersion: 0, events: events, metadata: testMetadata)
            #expect(try await store.migrate() == Array(2...Migrations.latest))
            #expect(try await store.events.read(stream: RunDecider.stream(run)).count == 4)
            #expect(try await store.schemaVersion() == (Migrations.latest, Migrations.latest))
            // Schema 7 added the work queues and rebuilt the read models: the run waits for QA.
            #expect(try await store.runs.list(queue: ReadQueue.qa, limit: 10).map(\.id) == [run.description])
        } catch {
            await store.shutdown()
            throw error
        }
        await store.shutdown()
    }

    @Test(
        "opening without migrating refuses an empty database and says to run printfarm migrate",
        arguments: TestEngine.allCases)
    func unmigrated(engine: TestEngine) async throws {
        let location = try testLocation(engine)
        do {
            let store = try await Store.open(location, logger: .init(label: "test"), migrate: false)
            await store.shutdown()
            Issue.record("an empty database was accepted")
        } catch let error as StoreError {
            #expect(error.description.contains("printfarm migrate"))
        }
    }
}
