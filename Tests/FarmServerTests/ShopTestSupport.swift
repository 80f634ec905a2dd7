import FarmDomain
import FarmStore
import Foundation
import MeshTestSupport
import Testing

@testable import FarmServer

extension TestFarm {
    /// Connects a shop over the API (`json` is the request body) and returns the connection as stored.
    func connectShop(
        _ platform: String, name: String, api: String? = nil, shop: String? = nil, authorize: String? = nil,
        secrets: [String: String]
    ) async throws -> ShopConnection {
        var endpoints: [String: String] = [:]
        for (key, value) in [("api", api), ("shop", shop), ("authorize", authorize)] { endpoints[key] = value }
        let body: [String: Any] = ["platform": platform, "name": name, "endpoints": endpoints, "secrets": secrets]
        let json = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        let created = try await request(.post, "/api/v1/shops", json: json)
        #expect(created.status == .created, "\(created.text)")
        let id = try #require(created.json["id"] as? String)
        return try #require(try await store.shops.get(id: id)?.model)
    }

    /// Uploads a 20 mm cube and maps each SKU to it in PLA.
    func mapToCube(_ skus: String...) async throws {
        let uploaded = try await upload(MeshFixtures.binarySTL(MeshFixtures.cube(size: 20)), name: "cube.stl")
        let sha = try #require(uploaded.json["sha256"] as? String)
        for sku in skus {
            let set = try await request(
                .put, "/api/v1/catalog/\(sku)", json: #"{"modelArtifact":"\#(sha)","material":"PLA"}"#)
            #expect(set.status == .created || set.status == .ok, "\(set.text)")
        }
    }

    /// Moves a released shop order's intent to ready-to-ship, as production would.
    func readyToShip(_ intent: String) async throws {
        let context = CommandContext(actor: .cli, reason: .operatorRequest, time: Date())
        for command in [IntentCommand.accept, .startProduction, .markReadyToShip] {
            _ = try await store.intents.execute(command, id: intent, context: context)
        }
    }

    func sale(_ id: String) async throws -> Sale? { try await store.sales.get(id: id)?.model }
}
