import FarmAuth
import FarmDomain
import FarmStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

@testable import FarmServer

enum TestEngine: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres
    var testDescription: String { rawValue }
}

struct MissingPostgres: Error, CustomStringConvertible {
    var description: String {
        "PRINTFARM_TEST_POSTGRES_URL is not set: run scripts/test, which starts a throwaway PostgreSQL"
    }
}

/// The admin API key every test farm is seeded with (its creation is event 1).
let testToken = "pfk_testadmin001_" + String(repeating: "a1", count: 20)
let testKeyID = APIKeyID(UUID(uuidString: "01936a4e-0000-7000-8000-00000000feed")!)
let auth: HTTPFields = [.authorization: "Bearer \(testToken)", .contentType: "application/json"]

/// A running test application on a fresh database, with direct access to its store.
struct TestFarm {
    let client: any TestClientProtocol
    let store: Store
    /// Every route the router serves, as method and path template.
    let routes: [(method: HTTPRequest.Method, path: String)]
    /// Every route as registered, with the permission it needs (nil: public).
    let entries: [SecuredRoutes.Entry]
    let dataDirectory: URL

    @discardableResult
    func request(
        _ method: HTTPRequest.Method, _ uri: String, json: String? = nil, headers: HTTPFields = auth
    ) async throws -> TestResponse {
        try await client.execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }

    /// Events appended since the farm was seeded (the test admin key's creation does not count).
    func eventCount() async throws -> Int64 { try await store.events.headSequence() - 1 }

    /// A new API key with `scope`, as an owner would create it; returns the full key and its aggregate id.
    func makeAPIKey(_ scope: APIKeyScope, name: String = "test key") async throws -> (key: String, id: APIKeyID) {
        var generator = SystemRandomNumberGenerator()
        let (key, parsed) = APIKeyFormat.generate(using: &generator)
        let id = APIKeyID(SystemIDs.uuidv7())
        try await store.credentials.saveAPIKey(
            keyID: parsed.id, apiKeyID: id, digest: APIKeyFormat.digest(of: parsed.secret))
        _ = try await store.apiKeys.execute(
            .create(id, name: name, scope: scope, keyID: parsed.id), id: id.description,
            context: CommandContext(actor: .cli, reason: .operatorRequest, time: Date()))
        return (key, id)
    }
}

func bearer(_ key: String) -> HTTPFields { [.authorization: "Bearer \(key)", .contentType: "application/json"] }

func location(_ engine: TestEngine) throws -> (StorageLocation, URL) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
        "printfarm-server-tests-\(UUID().uuidString)")
    switch engine {
    case .sqlite:
        return (.sqlite(path: directory.appendingPathComponent("farm.sqlite").path), directory)
    case .postgres:
        guard let url = ProcessInfo.processInfo.environment["PRINTFARM_TEST_POSTGRES_URL"],
            case .postgres(var settings) = try StorageLocation(url: url)
        else { throw MissingPostgres() }
        settings.schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        return (.postgres(settings), directory)
    }
}

func withFarm(
    _ engine: TestEngine = .sqlite, configure: (inout ServerConfiguration) -> Void = { _ in },
    now: @escaping @Sendable () -> Date = { Date() },
    pause: @escaping @Sendable (Duration) async -> Void = { _ in },
    _ body: @Sendable (TestFarm) async throws -> Void
) async throws {
    let (storage, directory) = try location(engine)
    var configuration = ServerConfiguration(host: "127.0.0.1", port: 0, dataDirectory: directory)
    configure(&configuration)
    let store = try await Store.open(storage, logger: Logger(label: "test"))
    do {
        let parsed = try #require(APIKeyFormat.parse(testToken))
        try await store.credentials.saveAPIKey(
            keyID: parsed.id, apiKeyID: testKeyID, digest: APIKeyFormat.digest(of: parsed.secret))
        _ = try await store.apiKeys.execute(
            .create(testKeyID, name: "test admin", scope: .admin, keyID: parsed.id), id: testKeyID.description,
            context: CommandContext(actor: .cli, reason: .operatorRequest, time: Date()))
        let (router, entries) = try await buildRoutes(
            configuration: configuration, store: store,
            dependencies: ServerDependencies(
                now: now, streamPollInterval: .milliseconds(50), passwordCost: 4, pause: pause), fleet: nil)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        let routes = router.routes.map { (method: $0.method, path: $0.path.description) }
        try await app.test(.router) { client in
            try await body(
                TestFarm(client: client, store: store, routes: routes, entries: entries, dataDirectory: directory))
        }
    } catch {
        await store.shutdown()
        throw error
    }
    await store.shutdown()
}

extension TestResponse {
    var text: String { String(buffer: body) }
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:] }
    var problemCode: String? { headers[.contentType] == "application/problem+json" ? json["code"] as? String : nil }
}

let intentJSON = #"{"lineItems":[{"quantity":2,"material":"PETG","colour":"black"}],"externalReference":"order-1"}"#
