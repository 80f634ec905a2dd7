import FarmDomain
import Foundation
import Testing

@testable import FarmStore

@Suite("Idempotency records")
struct IdempotencyStoreTests {
    @Test(
        "a key is claimed once, then replays its response, refuses another request, and can be released after a failure",
        arguments: TestEngine.allCases)
    func lifecycle(engine: TestEngine) async throws {
        try await withStore(engine) { store in
            let now = Date(timeIntervalSince1970: 1_800_000_000)
            let keys = store.idempotency
            #expect(try await keys.claim(scope: "user:ada", key: "k1", requestHash: "h1", now: now) == .claimed)
            #expect(try await keys.claim(scope: "user:ada", key: "k1", requestHash: "h1", now: now) == .inProgress)
            #expect(try await keys.claim(scope: "user:bob", key: "k1", requestHash: "h1", now: now) == .claimed)
            let response = IdempotentResponse(
                status: 201, headers: ["ETag": "\"1\"", "Content-Type": "application/json"],
                body: Data("{\"id\":1}".utf8))
            try await keys.complete(scope: "user:ada", key: "k1", response: response)
            #expect(
                try await keys.claim(scope: "user:ada", key: "k1", requestHash: "h1", now: now) == .replay(response))
            #expect(try await keys.claim(scope: "user:ada", key: "k1", requestHash: "other", now: now) == .mismatch)
            try await keys.release(scope: "user:bob", key: "k1")
            #expect(try await keys.claim(scope: "user:bob", key: "k1", requestHash: "h2", now: now) == .claimed)
            try await keys.release(scope: "user:ada", key: "k1")
            #expect(
                try await keys.claim(scope: "user:ada", key: "k1", requestHash: "h1", now: now) == .replay(response),
                "a completed record is not released")
            #expect(try await keys.purge(before: now.addingTimeInterval(1)) == 2)
            #expect(try await keys.claim(scope: "user:ada", key: "k1", requestHash: "h3", now: now) == .claimed)
        }
    }

    @Test(
        "a claim never answered (the process died mid-request) holds its key only for the lease, then the retry runs",
        arguments: TestEngine.allCases)
    func abandonedClaim(engine: TestEngine) async throws {
        try await withStore(engine) { (store: Store) async throws -> Void in
            let now = Date(timeIntervalSince1970: 1_800_000_000)
            let keys = store.idempotency
            #expect(try await keys.claim(scope: "user:ada", key: "k1", requestHash: "h1", now: now) == .claimed)
            #expect(
                try await keys.claim(
                    scope: "user:ada", key: "k1", requestHash: "h1",
                    now: now.addingTimeInterval(IdempotencyStore.lease - 1)) == .inProgress)
            let later = now.addingTimeInterval(IdempotencyStore.lease)
            #expect(
                try await keys.claim(scope: "user:ada", key: "k1", requestHash: "h1", now: later) == .claimed,
                "taken over")
            #expect(
                try await keys.claim(scope: "user:ada", key: "k1", requestHash: "h1", now: later.addingTimeInterval(1))
                    == .inProgress, "by one retry only")
            #expect(
                try await keys.claim(
                    scope: "user:ada", key: "k1", requestHash: "other",
                    now: later.addingTimeInterval(IdempotencyStore.lease)) == .mismatch)
        }
    }

    @Test("a command's answer commits with its events: both or neither", arguments: TestEngine.allCases)
    func answerWithCommand(engine: TestEngine) async throws {
        try await withStore(engine) { (store: Store) async throws -> Void in
            let now = Date(timeIntervalSince1970: 1_800_000_000)
            let keys = store.idempotency
            let id = IntentID(UUID())
            let answer = IdempotentResponse(status: 201, headers: ["ETag": "\"1\""], body: Data("{}".utf8))
            #expect(try await keys.claim(scope: "user:ada", key: "k1", requestHash: "h1", now: now) == .claimed)
            struct Refused: Error {}
            await #expect(throws: Refused.self) {
                _ = try await store.intents.execute(
                    .receive(id, AggregateRepositoryTests.draft()), id: id.description, context: testContext,
                    answer: { _ in throw Refused() })
            }
            #expect(
                try await store.intents.get(id: id.description) == nil,
                "an answer that cannot be stored takes the change with it")
            #expect(try await keys.claim(scope: "user:ada", key: "k1", requestHash: "h1", now: now) == .inProgress)
            let outcome = try await store.intents.execute(
                .receive(id, AggregateRepositoryTests.draft()), id: id.description, context: testContext,
                answer: { _ in IdempotentAnswer(scope: "user:ada", key: "k1", response: answer) })
            #expect(outcome.version == 1)
            // Nothing else stores it: a process killed right after this commit still answers the retry.
            #expect(try await keys.claim(scope: "user:ada", key: "k1", requestHash: "h1", now: now) == .replay(answer))
        }
    }
}
