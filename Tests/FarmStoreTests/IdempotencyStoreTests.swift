@testable import FarmStore
import Foundation
import Testing

@Suite("Idempotency records")
struct IdempotencyStoreTests {
    @Test("a key is claimed once, then replays its response, refuses another request, and can be released after a failure", arguments: TestEngine.allCases)
    func lifecycle(engine: TestEngine) async throws {
        try await withStore(engine) { store in
            let now = Date(timeIntervalSince1970: 1_800_000_000)
            let keys = store.idempotency
            #expect(try await keys.claim(scope: "user:ada", key: "k1", requestHash: "h1", now: now) == .claimed)
            #expect(try await keys.claim(scope: "user:ada", key: "k1", requestHash: "h1", now: now) == .inProgress)
            #expect(try await keys.claim(scope: "user:bob", key: "k1", requestHash: "h1", now: now) == .claimed)
            let response = IdempotentResponse(status: 201, headers: ["ETag": "\"1\"", "Content-Type": "application/json"], body: Data("{\"id\":1}".utf8))
            try await keys.complete(scope: "user:ada", key: "k1", response: response)
            #expect(try await keys.claim(scope: "user:ada", key: "k1", requestHash: "h1", now: now) == .replay(response))
            #expect(try await keys.claim(scope: "user:ada", key: "k1", requestHash: "other", now: now) == .mismatch)
            try await keys.release(scope: "user:bob", key: "k1")
            #expect(try await keys.claim(scope: "user:bob", key: "k1", requestHash: "h2", now: now) == .claimed)
            try await keys.release(scope: "user:ada", key: "k1")
            #expect(try await keys.claim(scope: "user:ada", key: "k1", requestHash: "h1", now: now) == .replay(response), "a completed record is not released")
            #expect(try await keys.purge(before: now.addingTimeInterval(1)) == 2)
            #expect(try await keys.claim(scope: "user:ada", key: "k1", requestHash: "h3", now: now) == .claimed)
        }
    }
}
