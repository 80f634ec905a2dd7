import ArgumentParser
import AsyncHTTPClient
import ChildProcess
import FarmArtifacts
import FarmAuth
import FarmDomain
import FarmServer
import FarmStore
import Foundation
import Logging
import PrinterLink
import VirtualPrinter

/// What cameras cost the farm: one picture (read, stored as an artifact), and the server's CPU with many live views
/// open. Virtual printers (each with its stand-in camera at 5 frames a second) and the farm's server run in this
/// process; the viewers are `curl` processes. The relay's own cost is the CPU with every view through the farm less
/// the CPU with the same views taken from the cameras directly.
struct CameraBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cameras", abstract: "Snapshot cost per picture and server CPU with live camera views.")

    @Option(help: "Printers (one camera each) and live views.") var views = 20
    @Option(help: "Seconds each CPU measurement lasts.") var seconds = 20
    @Option(help: "Pictures to time.") var pictures = 200

    func run() async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let machines = (0..<views).map { VirtualPrinter(name: "cam-\($0)", speed: 1) }
        let (ready, readySink) = AsyncStream<[Int]>.makeStream()
        let farm = Task {
            try await VirtualFarm.run(printers: machines, basePort: 0, logger: logger) { readySink.yield($0) }
        }
        defer { farm.cancel() }
        var iterator = ready.makeAsyncIterator()
        guard let ports = await iterator.next() else { throw ValidationError("the virtual printers did not start") }

        // One picture: read from the camera, stored as an artifact (what the fleet does at each moment of a run).
        let camera = CameraSource(
            name: "bed", snapshot: URL(string: "http://127.0.0.1:\(ports[0])\(VirtualCamera.snapshotPath)"),
            stream: nil)
        let artifacts = try ArtifactStore(
            root: FileManager.default.temporaryDirectory.appendingPathComponent("pf-bench-cam-\(UUID())"))
        let reader = CameraReader()
        var times: [Double] = []
        var size = 0
        for _ in 0..<pictures {
            let started = ContinuousClock.now
            let jpeg = try await reader.snapshot(camera)
            _ = try artifacts.put(Data(jpeg))
            times.append(secondsOf(started.duration(to: .now)) * 1000)
            size = jpeg.count
        }
        let summary = Summary(times)
        say(
            "one picture (\(size / 1024) KB JPEG, read and stored): median \(format(summary.median, 2)) ms, "
                + "p99 \(format(summary.percentile(99), 2)) ms; a run takes 2 (start, end) plus one per pause")

        // The farm's server with the printers registered, and a key for the viewers.
        let location = StorageLocation.sqlite(
            path: FileManager.default.temporaryDirectory.appendingPathComponent("pf-bench-cam-\(UUID()).sqlite").path)
        let store = try await Store.open(location, logger: logger)
        let context = CommandContext(actor: EventActor(.system, "bench"), reason: "bench.seed", time: Date())
        var ids: [PrinterID] = []
        for port in ports {
            let id = PrinterID(UUID())
            let registration = PrinterRegistration(
                name: "cam-\(port)", connector: .virtual, address: "http://127.0.0.1:\(port)",
                capabilities: PrinterCapabilities(buildVolume: BuildVolume(x: 250, y: 210, z: 210)))
            _ = try await store.printers.execute(.register(id, registration), id: id.description, context: context)
            ids.append(id)
        }
        let (token, _) = try await Accounts.issueAPIKey(
            store: store, name: "bench", scope: .read, id: APIKeyID(SystemIDs.uuidv7()), context: context)
        await store.shutdown()
        say("starting the farm's server")
        let server = try await BenchServer.start(location, storage: BenchStorage(), logger: logger)
        say("the farm's server listens on \(server.port)")
        let relayed = ids.map { "http://127.0.0.1:\(server.port)/api/v1/printers/\($0)/camera/stream" }
        let direct = ports.map { "http://127.0.0.1:\($0)\(VirtualCamera.streamPath)" }
        // The fleet finds each printer's camera once it has connected.
        let deadline = ContinuousClock.now + .seconds(120)
        for url in ids.map({ "http://127.0.0.1:\(server.port)/api/v1/printers/\($0)/camera/snapshot" }) {
            var status = 0
            while status != 200, ContinuousClock.now < deadline {
                status = (try? await Self.status(url, token: token)) ?? 0
                if status != 200 { try await Task.sleep(for: .milliseconds(200)) }
            }
            guard status == 200 else {
                throw ValidationError("the farm never found the camera behind \(url) (last answer \(status))")
            }
        }

        let idle = try await cpu(seconds: seconds, viewing: [], token: token)
        let straight = try await cpu(seconds: seconds, viewing: direct, token: token)
        let through = try await cpu(seconds: seconds, viewing: relayed, token: token)
        say(
            "server CPU (% of one core): idle \(format(idle, 1)); \(views) views of the cameras directly "
                + "\(format(straight, 1)); the same \(views) views through the farm \(format(through, 1)) — "
                + "the relay's own cost \(format(through - straight, 1)) "
                + "(\(format((through - straight) / Double(views), 2)) a view)"
        )
        try await server.stop()
    }

    /// This process's CPU over `seconds` while `curl`s read `viewing`, in % of one core.
    func cpu(seconds: Int, viewing urls: [String], token: String) async throws -> Double {
        let viewers = try urls.map { url in
            let curl = ChildProcess()
            curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            curl.arguments = ["-s", "-N", "-o", "/dev/null", "-H", "Authorization: Bearer \(token)", url]
            try curl.run()
            return curl
        }
        defer { for viewer in viewers { viewer.terminate() } }
        try await Task.sleep(for: .seconds(2))
        let before = Self.cpuSeconds()
        let started = ContinuousClock.now
        try await Task.sleep(for: .seconds(seconds))
        let used = Self.cpuSeconds() - before
        let stillViewing = viewers.filter(\.isRunning).count
        guard stillViewing == viewers.count else {
            throw ValidationError("\(viewers.count - stillViewing) views ended early")
        }
        return used / secondsOf(started.duration(to: .now)) * 100
    }

    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    static func status(_ url: String, token: String) async throws -> Int {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        _ = try await response.body.collect(upTo: 16 << 20)
        return Int(response.status.code)
    }
}
