import FarmDomain
import Foundation
import Logging
import Testing

@testable import FarmStore

/// The engines every storage contract test runs on.
enum TestEngine: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres
    var testDescription: String { rawValue }
}

struct MissingPostgres: Error, CustomStringConvertible {
    var description: String {
        "PRINTFARM_TEST_POSTGRES_URL is not set: run scripts/test, which starts a throwaway PostgreSQL, or point it at a database you may write to"
    }
}

/// A fresh, empty store on `engine`: its own SQLite file, or its own PostgreSQL schema.
func withStore<T: Sendable>(_ engine: TestEngine, migrate: Bool = true, _ body: (Store) async throws -> T) async throws
    -> T
{
    let location = try testLocation(engine)
    let store = try await Store.open(location, logger: Logger(label: "test"), migrate: migrate)
    do {
        let result = try await body(store)
        await store.shutdown()
        return result
    } catch {
        await store.shutdown()
        throw error
    }
}

func testLocation(_ engine: TestEngine) throws -> StorageLocation {
    switch engine {
    case .sqlite:
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "printfarm-tests-\(UUID().uuidString)")
        return .sqlite(path: directory.appendingPathComponent("farm.sqlite").path)
    case .postgres:
        guard let url = ProcessInfo.processInfo.environment["PRINTFARM_TEST_POSTGRES_URL"] else {
            throw MissingPostgres()
        }
        guard case .postgres(var settings) = try StorageLocation(url: url) else { throw MissingPostgres() }
        settings.schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        return .postgres(settings)
    }
}

let testContext = CommandContext(
    actor: EventActor(.user, "ada"), reason: .operatorRequest, time: Date(timeIntervalSince1970: 1_800_000_000))

func newEvent(_ type: String = "printfarm.test.happened.v1", data: String = "{\"n\":1}") -> NewEvent {
    NewEvent(
        id: SystemIDs.uuidv7(), type: type, time: Date(timeIntervalSince1970: 1_800_000_000), data: Data(data.utf8))
}

let testMetadata = EventMetadata(
    actor: EventActor(.user, "ada"), reason: .operatorRequest, correlationID: "corr-1", causationID: nil)
