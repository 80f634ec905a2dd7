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

    @Test(
        """
        an owner connects a Spoolman: it is read at once and again each interval by itself, its changes come back; \
        a Spoolman answering garbage puts the link down with the reason (the API and the Materials page say it) and \
        the next good read puts it back in step; disconnected, it is no longer read; bad addresses are refused
        """)
    func linkKeptInStep() async throws {
        let spoolman = SpoolmanStandIn()
        spoolman.seed()
        let (port, server) = try await serveStandIn(spoolman.router())
        defer { server.cancel() }
        try await withFarm { farm in
            let url = "http://127.0.0.1:\(port)"
            let connected = try await farm.request(
                .post, "/api/v1/materials/spoolman/links", json: #"{"url":"\#(url)/","pollSeconds":30}"#)
            #expect(connected.status == .created, "\(connected.text)")
            #expect(connected.json["state"] as? String == "inStep" && connected.json["url"] as? String == url)
            #expect((connected.json["lastChanges"] as? [String: Any])?["registered"] as? Int == 7)
            #expect(try await farm.store.spools.all().count == 3)
            let id = try #require(connected.json["id"] as? String)
            let again = try await farm.request(
                .post, "/api/v1/materials/spoolman/links", json: #"{"url":"\#(url)","pollSeconds":30}"#)
            #expect(again.status == .ok && again.json["id"] as? String == id, "one link per Spoolman")

            // The service reads it when its interval has passed, not before.
            _ = try await spoolmanUse(port: port, spool: 1, grams: 200)
            let clock = TestClock(Date())
            let sync = SpoolmanSync(store: farm.store, now: { clock.now }, logger: Logger(label: "test"))
            await sync.syncDue()
            #expect(try await spool(1, in: farm.store)?.remaining == 1000, "not yet: read less than 30 s ago")
            clock.advance(31)
            await sync.syncDue()
            #expect(try await spool(1, in: farm.store)?.remaining == 800, "Spoolman's use came back by itself")

            // Garbage: the link is down and says why; the farm's spools stay.
            spoolman.state.withLockedValue { $0.garbage = true }
            clock.advance(31)
            await sync.syncDue()
            let down = try await farm.request(.get, "/api/v1/materials/spoolman/links/\(id)")
            #expect(down.json["state"] as? String == "down", "\(down.text)")
            #expect((down.json["lastError"] as? String)?.contains("not what its API promises") == true)
            let owner = try await WebPageTests().cookie(farm, "olga", role: .owner)
            let page = try await farm.request(.get, "/materials", headers: [.cookie: owner])
            #expect(page.text.contains("cannot be read since") && page.text.contains("Disconnect"))
            let now = try await farm.request(.post, "/api/v1/materials/spoolman/links/\(id)/sync")
            #expect(now.problemCode == "spoolman-failed", "\(now.text)")
            #expect(try await farm.store.spools.all().count == 3, "nothing lost")
            spoolman.state.withLockedValue { $0.garbage = false }
            clock.advance(31)
            await sync.syncDue()
            let back = try await farm.request(.get, "/api/v1/materials/spoolman/links")
            let items = try #require(back.json["items"] as? [[String: Any]])
            #expect(items.count == 1 && items.first?["state"] as? String == "inStep", "\(back.text)")

            // Disconnected: no more reads.
            let gone = try await farm.request(.delete, "/api/v1/materials/spoolman/links/\(id)")
            #expect(gone.json["state"] as? String == "disconnected", "\(gone.text)")
            _ = try await spoolmanUse(port: port, spool: 1, grams: 100)
            clock.advance(31)
            await sync.syncDue()
            #expect(try await spool(1, in: farm.store)?.remaining == 800, "a disconnected Spoolman is not read")
            let refused = try await farm.request(.post, "/api/v1/materials/spoolman/links/\(id)/sync")
            #expect(refused.problemCode == "spoolman-disconnected")
            // Nor told of usage here any more.
            let sent = spoolman.state.withLockedValue { $0.uses.count }
            let mine = try #require(try await spool(1, in: farm.store))
            _ = try await farm.store.spools.execute(
                .use(
                    SpoolUsed(
                        run: RunID(UUID()), printer: PrinterID(UUID()), outcome: "completed", share: 1, grams: 12,
                        parts: [], at: Date())), id: mine.id.description,
                context: CommandContext(actor: .cli, reason: .materialUsed, time: Date()))
            #expect(try await SpoolmanUsageReaction(store: farm.store, logger: Logger(label: "test")).pass() == 1)
            #expect(spoolman.state.withLockedValue { $0.uses.count } == sent, "a disconnected Spoolman is told nothing")

            // A closed port: connected, but down from the start, and said so.
            let closed = try await farm.request(
                .post, "/api/v1/materials/spoolman/links",
                json: #"{"url":"http://127.0.0.1:\#(try CommandLineTests.freePort())"}"#)
            #expect(closed.status == .created && closed.json["state"] as? String == "down", "\(closed.text)")
            #expect((closed.json["lastError"] as? String)?.contains("cannot be reached") == true)

            for (body, field) in [
                (#"{"url":"http://user:secret@127.0.0.1:7912"}"#, "url"), (#"{"url":"ftp://spoolman"}"#, "url"),
                (#"{"url":"\#(url)","pollSeconds":1}"#, "pollSeconds"),
            ] {
                let bad = try await farm.request(.post, "/api/v1/materials/spoolman/links", json: body)
                #expect(bad.problemCode == "invalid-field", "\(bad.text)")
                #expect((bad.json["detail"] as? String)?.hasPrefix(field + ":") == true, "\(bad.text)")
                #expect(!bad.text.contains("secret"), "a password is not echoed")
            }
            let unknown = try await farm.request(.get, "/api/v1/materials/spoolman/links/\(UUID())")
            #expect(unknown.status == .notFound)
        }
    }

    func spool(_ spoolmanID: Int, in store: Store) async throws -> Spool? {
        try await store.spools.all().first { $0.spoolman?.id == spoolmanID }
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
        #expect(
            Set(names) == ["usage", "spool-load", "material-trace", "spoolman-usage", "consumables"]
                && names.count == 5)
    }
}
