import AsyncHTTPClient
import FarmDomain
import Foundation
import Logging
import Testing

@testable import PrinterLink
@testable import VirtualPrinter

/// The virtual printer through the same connector and client that drive real Moonrakers.
@Suite("Virtual printer through the Moonraker connector", .serialized)
struct VirtualPrinterTests {
    /// How long a test waits for what must happen: a ceiling for a loaded machine, not an expected time (a 5 s
    /// ceiling failed on a busy CI machine, issue 17).
    let patience: Double = 60
    static let gcode = Bundle.module.resourceURL!.appendingPathComponent("Recordings/gcode/cube_10x10x2.gcode").path

    /// A virtual printer on a free port with a client and a watched connector on it.
    struct Rig {
        let printer: VirtualPrinter
        let client: MoonrakerClient
        let watch: ConnectorWatch
        let farm: Task<Void, any Error>

        init(speed: Double = 60, configuration: MoonrakerSession.Configuration = .init()) async throws {
            let (printer, base, farm) = try await VirtualPrinterTests.start(speed: speed)
            self.printer = printer
            self.farm = farm
            client = MoonrakerClient(base: base, apiKey: nil, http: HTTPClient.shared)
            watch = ConnectorWatch(
                MoonrakerConnector(client: client, configuration: configuration, seed: 1))
        }

        func stop() {
            watch.stop()
            farm.cancel()
        }
    }

    /// One virtual printer on a free port; cancel the task to stop it.
    static func start(speed: Double = 60, apiKey: String? = nil) async throws -> (
        printer: VirtualPrinter, base: URL, farm: Task<Void, any Error>
    ) {
        let printer = VirtualPrinter(name: "virtual-1", speed: speed, apiKey: apiKey)
        let (ready, readySink) = AsyncStream<Int>.makeStream()
        let farm = Task {
            try await VirtualFarm.run(printers: [printer], basePort: 0, logger: Logger(label: "virtual")) { ports in
                readySink.yield(ports[0])
                readySink.finish()
            }
        }
        var iterator = ready.makeAsyncIterator()
        guard let port = await iterator.next() else {
            farm.cancel()
            throw TestSetupError("the virtual printer did not start")
        }
        return (printer, URL(string: "http://127.0.0.1:\(port)")!, farm)
    }

    @Test(
        """
        upload, start and follow a print to complete: metadata like Moonraker's, true progress, layers, the \
        history says completed
        """
    )
    func printToCompletion() async throws {
        // 10×: the 83 s print takes about 8 s, some 32 ticks, so layers are seen climbing even on a busy machine
        // (at 20× a full parallel test run once left only 5 reports: layers [1, 1, 3, 3, 3]).
        let rig = try await Rig(speed: 10)
        defer { rig.stop() }
        let (client, watch) = (rig.client, rig.watch)
        do {
            #expect(
                await watch.first(within: patience) { $0.link == .live && $0.job == .standby } != nil,
                "\(watch.reports)")

            let path = try await client.upload(file: Self.gcode, as: "run-1.gcode")
            #expect(path == "printfarm/run-1.gcode")
            let metadata = try await client.metadata(path)
            #expect(
                metadata["gcode_start_byte"]?.int == 391 && metadata["gcode_end_byte"]?.int == 27573,
                "the same byte range Moonraker found: \(metadata)")
            #expect(metadata["estimated_time"]?.number == 83)
            try await client.start(path)
            await rig.watch.connector.track(file: path)
            let busy = await watch.first(within: patience) { $0.state == .busy }
            #expect(busy?.filename == path)
            let done = await watch.first(within: patience) { $0.job == .complete }
            #expect(done?.progress == 1 && done?.state == .idle, "\(watch.reports)")
            let printing = watch.reports.filter { $0.job == .printing }
            // A report per tick at most: under load ticks are late and layers are skipped, never reversed (a full
            // suite beside this test once left two reports while printing: layers [1, 8]).
            let layers = printing.compactMap(\.currentLayer)
            #expect(
                layers == layers.sorted() && Set(layers).count >= 2 && (layers.max() ?? 0) >= 5
                    && (layers.max() ?? 0) <= 10, "\(layers)")
            let progress = printing.compactMap(\.progress)
            #expect(progress == progress.sorted())
            #expect(
                await watch.event(within: patience) {
                    $0 == .job(MachineJob(id: "000001", filename: path, status: .completed, detail: "completed"))
                } != nil, "\(watch.events)")
            let history = try await client.history()
            #expect(history.first?.status == "completed" && history.first?.filename == path)
        }
    }

    @Test("pause, resume, cancel; a second start while printing is 'SD busy'; deleting the printing file is forbidden")
    func controls() async throws {
        let rig = try await Rig(speed: 2)
        defer { rig.stop() }
        let (client, watch) = (rig.client, rig.watch)
        do {
            let path = try await client.upload(file: Self.gcode, as: "run-2.gcode")
            try await client.start(path)
            #expect(await watch.first(within: patience) { $0.job == .printing } != nil)
            let busy = await refusal { try await client.start(path) }
            #expect(busy?.kind == .rejected && busy?.message == "SD busy", "\(String(describing: busy))")
            let inUse = await refusal { try await client.delete(path) }
            #expect(
                inUse?.kind == .forbidden && inUse?.message.contains("File currently in use") == true,
                "\(String(describing: inUse))")
            try await client.pause()
            #expect(await watch.first(within: patience) { $0.state == .paused } != nil)
            try await client.resume()
            let resumed = watch.reports.count
            #expect(
                await watch.first(within: patience) { _ in
                    watch.reports.dropFirst(resumed).contains { $0.job == .printing }
                } != nil)
            try await client.cancel()
            #expect(await watch.first(within: patience) { $0.job == .cancelled } != nil)
            #expect(try await client.history().first?.status == "cancelled")
        }
    }

    @Test(
        """
        faults: an emergency stop shows Klipper's shutdown reason; a dropped socket reconnects; a silent one is \
        polled, then reconnected
        """
    )
    func faults() async throws {
        // Polled after 4 s of silence, closed after 12 s: an 8 s silence leaves 4 s either way, so a loaded machine
        // (the suite runs a browser and demo farms alongside) sees the poll and the socket's return in time (with
        // 2 s either way, a run beside two CPU-bound processes missed the poll).
        var configuration = MoonrakerSession.Configuration()
        configuration.silenceLimit = 4
        let rig = try await Rig(speed: 1, configuration: configuration)
        defer { rig.stop() }
        let (printer, client, watch) = (rig.printer, rig.client, rig.watch)
        do {
            #expect(await watch.first(within: patience) { $0.link == .live } != nil)

            await printer.inject(.disconnect)
            #expect(await watch.first(within: patience) { $0.link == .down } != nil, "\(watch.reports)")
            let afterDrop = watch.reports.count
            #expect(
                await watch.first(within: patience) { _ in
                    watch.reports.dropFirst(afterDrop).contains { $0.link == .live }
                } != nil, "reconnected: \(watch.reports)")

            await printer.inject(.silence, seconds: 8)
            #expect(
                await watch.first(within: patience) { $0.linkReason?.contains("silent") == true } != nil,
                "polled while silent: \(watch.reports)")
            let silent = try #require(watch.reports.lastIndex { $0.linkReason?.contains("silent") == true })
            #expect(
                await watch.first(within: patience) { _ in
                    watch.reports.dropFirst(silent + 1).contains { $0.link == .live && $0.linkReason == nil }
                } != nil, "live again: \(watch.reports)")
            // The socket is back for good before the next fault: the newest report is live.
            #expect(
                await watch.first(within: patience) { _ in
                    watch.reports.last.map { $0.link == .live && $0.linkReason == nil } == true
                } != nil, "\(watch.reports.suffix(3))")

            let path = try await client.upload(file: Self.gcode, as: "run-3.gcode")
            try await client.start(path)
            let beforeFault = watch.reports.count
            await printer.inject(.thermalError)
            let shutdown = await watch.first(within: patience) { $0.host == .shutdown }
            #expect(
                shutdown?.state == .error && shutdown?.message?.contains("Heater extruder not heating") == true,
                "\(watch.reports)")
            // The history says how the job ended: that is what the farm settles runs from. The notification of it
            // comes only on a socket that was up at that moment (Moonraker does not replay it after a reconnect,
            // which a loaded machine can cause right then), so it is checked only when the link never dropped.
            let job = try #require(try await client.history().first { $0.filename == path })
            #expect(job.status == "klippy_shutdown", "\(job)")
            if !watch.reports.dropFirst(beforeFault).contains(where: { $0.link != .live }) {
                #expect(
                    await watch.event(within: patience) {
                        if case .job(let job) = $0, job.detail == "klippy_shutdown" { true } else { false }
                    } != nil, "\(watch.events)")
            }
            let refused = await refusal { try await client.start(path) }
            #expect(
                refused?.kind == .rejected && refused?.message == "Unknown",
                "as Moonraker 0.11 says it: \(String(describing: refused))")
        }
    }

    @Test(
        """
        a first-layer failure and spaghetti are reported as anomalies through the anomaly macro, and a new print \
        starts clean
        """
    )
    func anomalies() async throws {
        let rig = try await Rig(speed: 2)
        defer { rig.stop() }
        let (printer, client, watch) = (rig.printer, rig.client, rig.watch)
        do {
            let path = try await client.upload(file: Self.gcode, as: "run-4.gcode")
            try await client.start(path)
            #expect(await watch.first(within: patience) { $0.job == .printing } != nil)
            #expect(watch.reports.last?.anomaly == nil)
            await printer.inject(.firstLayerFailure)
            let first = await watch.first(within: patience) { $0.anomaly != nil }
            #expect(
                first?.anomaly == MachineReport.Anomaly(kind: "firstLayer", confidence: 0.88),
                "\(watch.reports.suffix(3))")
            #expect(first?.job == .printing, "Klipper itself notices nothing")
            await printer.inject(.spaghetti)
            #expect(
                await watch.first(within: patience) { $0.anomaly?.kind == "spaghetti" }?.anomaly?.confidence == 0.93)
            try await client.cancel()
            #expect(await watch.first(within: patience) { $0.job == .cancelled } != nil)
            try await client.start(path)
            let clean = await watch.first(within: patience) { $0.job == .printing && $0.anomaly == nil }
            #expect(clean != nil, "\(watch.reports.suffix(3))")
        }
    }

    @Test("random faults strike at seeded moments: the same seed gives the same faults, another seed others")
    func randomFaults() async throws {
        // About ten a second: the first eight are waited for (up to a ceiling a loaded machine will not reach), not a
        // fixed time, in which a busy machine ticks too few times.
        func strikes(seed: UInt64) async throws -> [VirtualMachine.Fault] {
            let faults = RandomFaults(
                perHour: 36_000, seed: seed, kinds: [.silence, .filamentRunout, .firstLayerFailure, .spaghetti])
            let printer = VirtualPrinter(name: "virtual-7", speed: 1, faults: faults)
            let end = ContinuousClock.now + .seconds(60)
            while await printer.injected.count < 8, ContinuousClock.now < end {
                await printer.tick()
                try await Task.sleep(for: .milliseconds(10))
            }
            return await printer.injected.prefix(8).map(\.fault)
        }
        let (a, b, other) = (try await strikes(seed: 42), try await strikes(seed: 42), try await strikes(seed: 43))
        #expect(a.count == 8 && b.count == 8 && other.count == 8, "faults strike at about ten a second")
        #expect(a == b)
        #expect(other != a)
    }

    @Test("a print with the bed heater off (no bed temperature) heats the hot end only, then prints to the end")
    func unheatedBed() throws {
        let cube = try String(contentsOfFile: Self.gcode, encoding: .utf8)
            .replacingOccurrences(of: "M190 S55", with: "M190 S0").replacingOccurrences(
                of: "first_layer_bed_temperature = 55", with: "first_layer_bed_temperature = 0")
        var machine = VirtualMachine(wallClockStart: 0)
        _ = machine.upload(path: "printfarm/cold-bed.gcode", data: Data(cube.utf8))
        _ = try machine.start("printfarm/cold-bed.gcode")
        var time = 0.0
        while time < 600, machine.status()["print_stats"]?["state"]?.string == "printing" {
            time += 1
            _ = machine.advance(to: time)
        }
        #expect(
            machine.status()["print_stats"]?["state"]?.string == "complete",
            "\(machine.status()["print_stats"] ?? .null)")
        #expect(machine.status()["heater_bed"]?["target"]?.number == 0)
    }
}
