import FarmArtifacts
import FarmDomain
import FarmInventory
import FarmStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import Testing

@testable import FarmServer

@Suite("Spoolman: taking a farm's spools in")
struct SpoolmanImportTests {
    @Test(
        """
        an owner takes a Spoolman's vendors, filaments, lots and spools in; again, nothing changes; Spoolman's \\
        changes (a spool used there, one archived) come back as a weigh-in and an archive; a Spoolman that answers \\
        HTML or is down is a 502 that says so, and nothing is lost
        """)
    func importAndResync() async throws {
        let spoolman = SpoolmanStandIn()
        spoolman.seed()
        let (port, server) = try await serveStandIn(spoolman.router())
        defer { server.cancel() }
        try await withFarm { farm in
            let body = #"{"url":"http://127.0.0.1:\#(port)"}"#
            let first = try await farm.request(.post, "/api/v1/materials/spoolman/import", json: body)
            #expect(first.status == .ok, "\(first.text)")
            #expect(first.json["registered"] as? Int == 7, "1 vendor, 2 filaments, 1 lot, 3 spools: \(first.text)")
            #expect(first.json["archived"] as? Int == 1)
            let filaments = try await farm.store.filaments.all()
            let pla = try #require(filaments.first { $0.spec.material == "PLA" })
            #expect(pla.spec.name == "PolyTerra Charcoal Black" && pla.spec.colourHex == "1A1A1A")
            #expect(pla.spec.vendor != nil && filaments.first { $0.spec.material == "PETG" }?.spec.vendor == nil)
            let spools = try await farm.store.spools.all()
            #expect(spools.count == 3)
            let started = try #require(spools.first { $0.spoolman?.id == 2 })
            #expect(started.remaining == 749.5 && started.initialWeight == 1000 && started.lot != nil)
            #expect(spools.first { $0.spoolman?.id == 1 }?.lot == started.lot, "one lot for one number")
            #expect(spools.first { $0.spoolman?.id == 3 }?.archived == true)

            let again = try await farm.request(.post, "/api/v1/materials/spoolman/import", json: body)
            #expect(again.json["registered"] as? Int == 0 && again.json["unchanged"] as? Int == 7, "\(again.text)")

            // Used in Spoolman (a printer Moonraker reports for), archived there.
            _ = try await spoolmanUse(port: port, spool: 1, grams: 120)
            spoolman.state.withLockedValue { state in
                if let index = state.spools.firstIndex(where: { $0["id"] as? Int == 2 }) {
                    state.spools[index]["archived"] = true
                }
            }
            let changes = try await farm.request(.post, "/api/v1/materials/spoolman/import", json: body)
            #expect(changes.json["weighed"] as? Int == 1 && changes.json["archived"] as? Int == 1, "\(changes.text)")
            let weighed = try #require(try await farm.store.spools.all().first { $0.spoolman?.id == 1 })
            #expect(weighed.remaining == 880 && weighed.lastWeighIn?.estimated == 1000)

            // Usage recorded here is told to Spoolman; a Spoolman that cannot take it holds the telling back.
            let push = SpoolmanUsageReaction(store: farm.store, logger: Logger(label: "test"))
            let fresh = try #require(try await farm.store.spools.all().first { $0.spoolman?.id == 1 })
            let used = SpoolUsed(
                run: RunID(UUID()), printer: PrinterID(UUID()), outcome: "completed", share: 1, grams: 31.5, parts: [],
                at: Date())
            _ = try await farm.store.spools.execute(
                .use(used), id: fresh.id.description,
                context: CommandContext(actor: .cli, reason: .materialUsed, time: Date()))
            spoolman.state.withLockedValue { $0.garbage = true }
            await #expect(throws: SpoolmanError.self) { try await push.pass() }
            spoolman.state.withLockedValue { $0.garbage = false }
            #expect(try await push.pass() == 1)
            #expect(spoolman.state.withLockedValue { $0.uses.last?.spool == 1 && $0.uses.last?.grams == 31.5 })
            #expect(try await push.pass() == 0, "told once")
            spoolman.state.withLockedValue { $0.garbage = true }
            let garbage = try await farm.request(.post, "/api/v1/materials/spoolman/import", json: body)
            #expect(garbage.problemCode == "spoolman-failed" && garbage.text.contains("not what its API promises"))
            let down = try await farm.request(
                .post, "/api/v1/materials/spoolman/import",
                json: #"{"url":"http://127.0.0.1:\#(try CommandLineTests.freePort())"}"#)
            #expect(down.status == .badGateway && down.text.contains("cannot be reached"), "\(down.text)")
            let bad = try await farm.request(.post, "/api/v1/materials/spoolman/import", json: #"{"url":"spoolman"}"#)
            #expect(bad.problemCode == "invalid-field")
            #expect(try await farm.store.spools.all().count == 3, "nothing lost")
        }
    }

    /// A print's usage as Moonraker sends it to Spoolman.
    func spoolmanUse(port: Int, spool: Int, grams: Double) async throws -> SpoolmanWire.Spool {
        try await SpoolmanClient(base: URL(string: "http://127.0.0.1:\(port)")!).use(spool: spool, grams: grams)
    }
}

@Suite("Materials' services")
struct InventoryServicesTests {
    @Test("the server's list of materials reactions holds each of them, each following its own log position")
    func everyReaction() async throws {
        let (storage, directory) = try location(.sqlite)
        let store = try await Store.open(storage, logger: Logger(label: "test"))
        defer { try? FileManager.default.removeItem(at: directory) }
        let names = InventoryServices.all(
            store: store, artifacts: try ArtifactStore(root: directory.appendingPathComponent("artifacts")),
            now: { Date() }, logger: Logger(label: "test")
        ).map(\.follower.name)
        await store.shutdown()
        #expect(Set(names) == ["usage", "spool-load", "material-trace", "spoolman-usage"] && names.count == 4)
    }
}
