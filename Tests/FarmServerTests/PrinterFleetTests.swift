import AsyncHTTPClient
import FarmArtifacts
import FarmDomain
import FarmStore
import Foundation
import Logging
import PrinterLink
import Testing
import VirtualPrinter

@testable import FarmFleet
@testable import FarmServer

/// The farm's connections to its printers: a registered virtual printer (the real Moonraker protocol over loopback)
/// is connected without a restart, and what it does becomes printer events.
@Suite("Printer fleet", .serialized)
struct PrinterFleetTests {
    static let gcode = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("PrinterLinkTests/Recordings/gcode/cube_10x10x2.gcode").path

    func register(_ store: Store, name: String, address: String, kind: ConnectorKind = .moonraker) async throws
        -> PrinterID
    {
        let id = PrinterID(UUID())
        let registration = PrinterRegistration(
            name: name, connector: kind, address: address,
            capabilities: PrinterCapabilities(buildVolume: BuildVolume(x: 300, y: 300, z: 250)))
        _ = try await store.printers.execute(
            .register(id, registration), id: id.description,
            context: CommandContext(actor: .cli, reason: .operatorRequest, time: Date()))
        return id
    }

    func waitFor(_ store: Store, _ id: PrinterID, within seconds: Double, _ matches: (Printer) -> Bool) async throws
        -> Printer?
    {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if let printer = try await store.printers.get(id: id.description)?.model, matches(printer) {
                return printer
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    @Test(
        "a registered virtual printer is connected and followed: idle, busy while printing, idle after; an unreachable one is offline with the reason"
    )
    func followsPrinters() async throws {
        let rig = try await FleetRig(VirtualPrinter(name: "virtual-1", speed: 60))
        let (store, port) = (rig.store, rig.port)
        do {
            let id = try await register(store, name: "virtual-1", address: "http://127.0.0.1:\(port)")
            let idle = try await waitFor(store, id, within: 30) { $0.status == .idle }
            #expect(idle != nil, "connected without a restart")
            let configured = try await waitFor(store, id, within: 5) { $0.capabilities.maxHotendTemperature != nil }
            #expect(
                configured?.capabilities
                    == PrinterCapabilities(
                        buildVolume: BuildVolume(x: 250, y: 214, z: 210), nozzleDiameters: [0.4],
                        maxHotendTemperature: 300, maxBedTemperature: 120),
                "capabilities filled in from Klipper's configuration: \(String(describing: configured?.capabilities))")

            let client = MoonrakerClient(
                base: URL(string: "http://127.0.0.1:\(port)")!, apiKey: nil, http: HTTPClient.shared)
            let path = try await client.upload(file: Self.gcode, as: "run-1.gcode")
            try await client.start(path)
            #expect(try await waitFor(store, id, within: 10) { $0.status == .busy } != nil)
            #expect(
                try await waitFor(store, id, within: 15) { $0.status == .idle } != nil,
                "back to idle when the print completes")
            let events = try await store.events.read(stream: PrinterDecider.stream(id)).map(\.type)
            #expect(events.filter { $0 == "printfarm.printer.stateObserved.v1" }.count >= 3, "\(events)")

            let gone = try await register(
                store, name: "nowhere", address: "http://127.0.0.1:\(try CommandLineTests.freePort())")
            let offline = try await waitFor(store, gone, within: 10) { $0.lastMessage != nil }
            #expect(
                offline?.status == .offline && offline?.lastMessage?.contains("connection") == true,
                "\(String(describing: offline))")
            let bad = try await register(store, name: "typo", address: "192.168.1.20:7125")
            let refused = try await waitFor(store, bad, within: 5) { $0.lastMessage != nil }
            #expect(refused?.lastMessage?.contains("not an http:// URL") == true)
            // Registered behind the API's back (an older farm's store): said on the printer, never ignored.
            let bambu = try await register(store, name: "x1c", address: "http://127.0.0.1:8883", kind: .bambu)
            let unserved = try await waitFor(store, bambu, within: 5) { $0.lastMessage != nil }
            #expect(
                unserved?.status == .offline && unserved?.lastMessage?.contains("cannot drive bambu printers") == true,
                "\(String(describing: unserved))")
        } catch {
            await rig.stop()
            throw error
        }
        await rig.stop()
    }
}

extension PrinterFleetTests {
    @Test(
        "a printer's API key is stored as a secret: never in the answer or an event; replaced or removed with PUT; bad keys refused"
    )
    func apiKeySecret() async throws {
        try await withFarm { farm in
            let key = "b7f1d2c3a4e5f60718293a4b5c6d7e8f"
            let registered = try await farm.request(
                .post, "/api/v1/printers",
                json:
                    #"{"name":"mk3s-07","connector":"moonraker","address":"http://127.0.0.1:7125","apiKey":"\#(key)","capabilities":{"buildVolume":{"x":250,"y":210,"z":210},"nozzleDiameters":[0.4],"enclosure":false,"hardenedNozzle":false,"materials":["PLA"]}}"#
            )
            #expect(registered.status == .created, "\(registered.text)")
            #expect(!registered.text.contains(key))
            let id = try #require(registered.json["id"] as? String)
            let printerID = try #require(PrinterID(id))
            #expect(try await farm.store.credentials.printerAPIKeys()[printerID] == key)
            let events = try await farm.store.events.read(stream: PrinterDecider.stream(printerID))
            #expect(
                !events.contains { String(decoding: $0.data, as: UTF8.self).contains(key) }, "the key is in no event")
            #expect(!(try await farm.request(.get, "/api/v1/printers/\(id)").text.contains(key)))

            #expect(
                try await farm.request(.put, "/api/v1/printers/\(id)/api-key", json: #"{"apiKey":"new-key-123"}"#)
                    .status == .noContent)
            #expect(try await farm.store.credentials.printerAPIKeys()[printerID] == "new-key-123")
            #expect(
                try await farm.request(.put, "/api/v1/printers/\(id)/api-key", json: #"{"apiKey":null}"#).status
                    == .noContent)
            #expect(try await farm.store.credentials.printerAPIKeys()[printerID] == nil)
            let spaced = try await farm.request(
                .put, "/api/v1/printers/\(id)/api-key", json: #"{"apiKey":"has spaces in it"}"#)
            #expect(spaced.problemCode == "invalid-field")
            let unknown = try await farm.request(
                .put, "/api/v1/printers/01936a4e-0000-7000-8000-00000000ffff/api-key", json: #"{"apiKey":"x"}"#)
            #expect(unknown.status == .notFound)
        }
    }

    @Test("a printer that wants an API key is offline with the reason until the farm has it, then connected")
    func connectsWithKey() async throws {
        let rig = try await FleetRig(VirtualPrinter(name: "locked", speed: 60, apiKey: "secret-key-1"))
        let (store, port) = (rig.store, rig.port)
        do {
            let id = try await register(store, name: "locked", address: "http://127.0.0.1:\(port)")
            let refused = try await waitFor(store, id, within: 10) {
                $0.lastMessage?.contains("Invalid API Key") == true
            }
            #expect(refused?.status == .offline, "\(String(describing: refused))")
            try await store.credentials.savePrinterAPIKey("secret-key-1", of: id, at: Date())
            #expect(try await waitFor(store, id, within: 10) { $0.status == .idle } != nil, "reconnected with the key")
        } catch {
            await rig.stop()
            throw error
        }
        await rig.stop()
    }
}

/// A store, virtual printers on free ports, and a fleet connecting the store's printers, with short timings.
final class FleetRig {
    /// No full read after the first: printers and runs registered during a test reach the fleet through the
    /// event log catch-up alone.
    static let timing = PrinterFleet.Timing(
        sync: .milliseconds(200), fullRead: 3600, startTimeout: 10, retryAfter: 1, grace: 3)
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
        "printfarm-fleet-\(UUID().uuidString)")
    let store: Store
    let artifacts: ArtifactStore
    let ports: [Int]
    var port: Int { ports[0] }
    let farm: Task<Void, any Error>
    private(set) var fleet: PrinterFleet
    private var running: Task<Void, any Error>

    convenience init(_ virtual: VirtualPrinter..., startFleet: Bool = true) async throws {
        try await self.init(virtual, startFleet: startFleet)
    }

    init(_ virtual: [VirtualPrinter], startFleet: Bool = true) async throws {
        store = try await Store.open(
            .sqlite(path: directory.appendingPathComponent("farm.sqlite").path), logger: Logger(label: "test"))
        artifacts = try ArtifactStore(root: directory.appendingPathComponent("artifacts"))
        let (ready, readySink) = AsyncStream<[Int]>.makeStream()
        farm = Task {
            try await VirtualFarm.run(printers: virtual, basePort: 0, logger: Logger(label: "virtual")) { ports in
                readySink.yield(ports)
                readySink.finish()
            }
        }
        var iterator = ready.makeAsyncIterator()
        guard let ports = await iterator.next() else { throw CancellationError() }
        self.ports = ports
        fleet = PrinterFleet(
            store: store, artifacts: artifacts, now: { Date() }, newID: SystemIDs.uuidv7,
            logger: Logger(label: "fleet"), timing: Self.timing)
        let fleet = fleet
        running = startFleet ? Task { try await fleet.run() } : Task {}
    }

    /// What a crash and a restart leave: the old fleet gone mid-work, a new one with nothing in memory.
    func restartFleet() async {
        running.cancel()
        _ = await running.result
        let fleet = PrinterFleet(
            store: store, artifacts: artifacts, now: { Date() }, newID: SystemIDs.uuidv7,
            logger: Logger(label: "fleet"), timing: Self.timing)
        self.fleet = fleet
        running = Task { try await fleet.run() }
    }

    func client(_ index: Int = 0) -> MoonrakerClient {
        MoonrakerClient(base: URL(string: "http://127.0.0.1:\(ports[index])")!, apiKey: nil, http: HTTPClient.shared)
    }

    func stop() async {
        running.cancel()
        farm.cancel()
        _ = await running.result
        await store.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }
}

extension PrinterFleetTests {
    @Test(
        "operators record the loaded material, calibrations (latest per kind) and maintenance; owners change capabilities; nonsense is refused",
        arguments: TestEngine.allCases)
    func printerUpkeep(engine: TestEngine) async throws {
        try await withFarm(engine) { farm in
            let registered = try await farm.request(
                .post, "/api/v1/printers",
                json:
                    #"{"name":"mk4-02","connector":"moonraker","address":"http://127.0.0.1:7125","capabilities":{"buildVolume":{"x":250,"y":210,"z":220},"nozzleDiameters":[0.4],"enclosure":false,"hardenedNozzle":false,"materials":["PLA","PETG"]}}"#
            )
            let id = try #require(registered.json["id"] as? String)
            let loaded = try await farm.request(
                .put, "/api/v1/printers/\(id)/material", json: #"{"material":"PETG","colour":"orange"}"#)
            #expect(
                (loaded.json["loadedMaterial"] as? [String: Any])?["colour"] as? String == "orange", "\(loaded.text)")
            #expect(
                try await farm.request(.put, "/api/v1/printers/\(id)/material", json: #"{"material":"  "}"#).problemCode
                    == "invalid-field")
            #expect(
                try await farm.request(.put, "/api/v1/printers/\(id)/material", json: #"{"material":null}"#).json[
                    "loadedMaterial"] == nil)

            #expect(
                try await farm.request(
                    .post, "/api/v1/printers/\(id)/calibrations",
                    json: #"{"kind":"zOffset","values":{"zOffset":-0.85},"calibratedAt":"2026-11-01T10:00:00Z"}"#
                ).status == .ok)
            _ = try await farm.request(
                .post, "/api/v1/printers/\(id)/calibrations",
                json: #"{"kind":"pressureAdvance","values":{"pressureAdvance":0.045},"note":"PETG"}"#)
            let again = try await farm.request(
                .post, "/api/v1/printers/\(id)/calibrations",
                json: #"{"kind":"zOffset","values":{"zOffset":-0.9},"calibratedAt":"2026-11-20T10:00:00Z"}"#)
            let calibrations = try #require(again.json["calibrations"] as? [[String: Any]])
            #expect(calibrations.map { $0["kind"] as? String } == ["pressureAdvance", "zOffset"])
            #expect(
                (calibrations.last?["values"] as? [String: Any])?["zOffset"] as? Double == -0.9,
                "the latest of each kind")
            let future = try await farm.request(
                .post, "/api/v1/printers/\(id)/calibrations",
                json: #"{"kind":"zOffset","values":{"zOffset":-0.9},"calibratedAt":"2099-01-01T00:00:00Z"}"#)
            #expect(future.problemCode == "invalid-field" && future.text.contains("future"))
            #expect(
                try await farm.request(
                    .post, "/api/v1/printers/\(id)/calibrations", json: #"{"kind":"z offset!","values":{}}"#
                ).text.contains("kind"))

            let maintenance = try await farm.request(
                .post, "/api/v1/printers/\(id)/transitions",
                json: #"{"action":"startMaintenance","note":"new hot end"}"#)
            #expect(maintenance.json["status"] as? String == "maintenance")
            let unknown = try await farm.request(
                .post, "/api/v1/printers/\(id)/transitions", json: #"{"action":"explode"}"#)
            #expect(unknown.problemCode == "invalid-field" && unknown.text.contains("startMaintenance"))
            #expect(
                try await farm.request(
                    .post, "/api/v1/printers/\(id)/transitions", json: #"{"action":"endMaintenance"}"#
                ).json["status"] as? String == "offline")
            let bigger = try await farm.request(
                .put, "/api/v1/printers/\(id)/capabilities",
                json:
                    #"{"capabilities":{"buildVolume":{"x":360,"y":360,"z":360},"nozzleDiameters":[0.4,0.6],"enclosure":true,"hardenedNozzle":true,"materials":[]}}"#
            )
            #expect(
                ((bigger.json["capabilities"] as? [String: Any])?["buildVolume"] as? [String: Any])?["x"] as? Double
                    == 360)
            #expect(
                try await farm.request(
                    .put, "/api/v1/printers/\(id)/capabilities",
                    json:
                        #"{"capabilities":{"buildVolume":{"x":-1,"y":360,"z":360},"nozzleDiameters":[0.4],"enclosure":true,"hardenedNozzle":true,"materials":[]}}"#
                ).problemCode == "invalid-field")
        }
    }
}
