import AsyncHTTPClient
import ChildProcess
import Foundation
import NIOCore
import Testing

/// The `printfarm` executable as an operator runs it: migrate, serve, stop, rebuild.
@Suite("printfarm command line", .serialized)
struct CommandLineTests {
    /// The executable built next to the test bundle by `swift build --build-tests`.
    static var executable: URL {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("printfarm").path),
            directory.path != "/"
        {
            directory = directory.deletingLastPathComponent()
        }
        return directory.appendingPathComponent("printfarm")
    }

    struct Finished {
        var status: Int32
        var output: String
    }

    static func run(_ arguments: [String], environment: [String: String] = [:], input: String? = nil) throws -> Finished
    {
        let process = ChildProcess()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        stdin.fileHandleForWriting.write(Data((input ?? "").utf8))
        try stdin.fileHandleForWriting.close()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Finished(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    static func freePort() throws -> Int { try TestPorts.take() }

    @Test("schedule reads an instance and writes a valid schedule; a bad instance is refused with where and what")
    func schedule() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "printfarm-schedule-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let printer =
            #"""
            {"id":"P01","model":"mk3s","build_volume":[250,210,210],"direct_drive":true,"enclosure":false,\#
            "hardened_nozzle":false,"nozzle_diameter":0.4,"nozzle_kit":[0.4,0.6],"loaded":{"material":"PLA",\#
            "colour":"black"},"available_from":0,"maintenance":[{"start":100,"end":160}]}
            """#
        func job(_ id: String, _ colour: String, due: Int) -> String {
            #"""
            {"id":"\#(id)","material":"PLA","colour":"\#(colour)","nozzle_diameter":0.4,\#
            "needs_enclosure":false,"needs_hardened_nozzle":false,"needs_direct_drive":false,\#
            "footprint":[100,100,40],"duration":60,"release":0,"due":\#(due),"weight":1}
            """#
        }
        let instance = """
            {"format":"printfarm-instance/1","meta":{"seed":1,"printers":1,"jobs":2},\
            "setup_times":{"colour_change":10,"material_change":20,"nozzle_swap":30},\
            "objective_weights":{"total_weighted_tardiness":1,"changeovers":30,"makespan":1},\
            "printers":[\(printer)],"jobs":[\(job("J001", "red", due: 500)),\(job("J002", "black", due: 60))]}
            """
        let file = folder.appendingPathComponent("farm.json")
        try instance.write(to: file, atomically: true, encoding: .utf8)
        let out = folder.appendingPathComponent("schedule.json")
        let run = try Self.run(["schedule", file.path, "--time-limit", "1", "-o", out.path])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("2 of 2 jobs on 1 printers"))
        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as? [String: Any])
        #expect(document["valid"] as? Bool == true, "\(document)")
        let assignments = try #require(document["assignments"] as? [[String: Any]])
        // The black one (loaded, due first) before the red; the red waits out the maintenance window.
        #expect(assignments.map { $0["job"] as? String } == ["J002", "J001"])
        #expect(assignments.last?["start"] as? Int == 170 && assignments.last?["setup_before"] as? Int == 10)
        try #"{"format":"printfarm-instance/1","meta":{"seed":1,"printers":1,"jobs":1}}"#.write(
            to: file, atomically: true, encoding: .utf8)
        let bad = try Self.run(["schedule", file.path])
        #expect(bad.status != 0 && bad.output.contains("setup_times is missing"), "\(bad.output)")
    }

    @Test("shops connect (secrets on standard input, never echoed) and list with health; bad secrets are refused")
    func shops() throws {
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "printfarm-cli-shops-\(UUID().uuidString)"
        ).path
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        let connected = try Self.run(
            [
                "shops", "connect", "--data-dir", dataDirectory, "--platform", "shopify", "--name", "Main store",
                "--api",
                "https://farm.myshopify.com",
            ], input: #"{"webhookSecret":"s3cret-value","accessToken":"shpat_abc"}"# + "\n")
        #expect(connected.status == 0, "\(connected.output)")
        #expect(connected.output.contains("deliver its webhooks to /webhooks/shops/"))
        let listed = try Self.run(["shops", "list", "--data-dir", dataDirectory])
        #expect(listed.status == 0 && listed.output.contains("shopify  Main store"), "\(listed.output)")
        #expect(listed.output.contains("last delivery: never") && listed.output.contains("orders taken: 0"))
        for output in [connected.output, listed.output] {
            #expect(!output.contains("s3cret-value") && !output.contains("shpat_abc"), "secrets never printed")
        }
        let missing = try Self.run(
            [
                "shops", "connect", "--data-dir", dataDirectory, "--platform", "shopify", "--name", "X", "--api",
                "https://x.myshopify.com",
            ], input: "{}\n")
        #expect(missing.status != 0 && missing.output.contains("secrets.webhookSecret"), "\(missing.output)")
        let garbled = try Self.run(
            ["shops", "connect", "--data-dir", dataDirectory, "--platform", "etsy", "--name", "E"], input: "nope\n")
        #expect(garbled.status != 0 && garbled.output.contains("not a JSON object"))
    }

    @Test(
        """
        migrate, create the first owner and a key, serve, answer requests, stop cleanly on SIGTERM, then rebuild \
        the read models
        """
    )
    func lifecycle() async throws {
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "printfarm-cli-\(UUID().uuidString)"
        ).path
        let migrate = try Self.run(["migrate", "--data-dir", dataDirectory])
        #expect(migrate.status == 0, "\(migrate.output)")
        #expect(
            migrate.output.contains("applied migrations 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12; schema is at version 12")
        )
        #expect(
            try Self.run(["migrate", "--data-dir", dataDirectory]).output.contains("schema is up to date at version 12")
        )
        let password = "correct horse battery"
        let owner = try Self.run(
            [
                "users", "create", "--data-dir", dataDirectory, "--username", "ada", "--role", "owner",
                "--password-stdin",
            ], input: password + "\n")
        #expect(owner.status == 0, "\(owner.output)")
        #expect(owner.output.contains("created owner ada"))
        let weak = try Self.run(
            [
                "users", "create", "--data-dir", dataDirectory, "--username", "bob", "--role", "viewer",
                "--password-stdin",
            ], input: "short\n")
        #expect(weak.status != 0)
        #expect(weak.output.contains("password: use at least 12 characters"))
        let keyRun = try Self.run([
            "keys", "create", "--data-dir", dataDirectory, "--name", "cli test", "--scope", "operate",
        ])
        #expect(keyRun.status == 0, "\(keyRun.output)")
        let token = try #require(keyRun.output.split(separator: "\n").map(String.init).first { $0.hasPrefix("pfk_") })

        let port = try Self.freePort()
        let server = ChildProcess()
        server.executableURL = Self.executable
        server.arguments = ["serve", "--data-dir", dataDirectory, "--port", String(port)]
        let log = Pipe()
        server.standardOutput = log
        server.standardError = log
        try server.run()
        defer { if server.isRunning { server.terminate() } }

        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            var healthy = false
            // Until the server answers, with a generous ceiling: a loaded machine starts it slowly.
            let deadline = ContinuousClock.now + .seconds(120)
            while !healthy && ContinuousClock.now < deadline {
                if let response = try? await client.execute(
                    HTTPClientRequest(url: "http://127.0.0.1:\(port)/healthz"), timeout: .seconds(2)),
                    response.status == .ok
                {
                    healthy = true
                } else {
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            #expect(healthy)
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/v1/intents")
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: #"{"lineItems":[{"quantity":1,"material":"PLA"}]}"#))
            let created = try await client.execute(request, timeout: .seconds(5))
            #expect(created.status == .created)
            var anonymous = HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/v1/intents")
            anonymous.method = .GET
            #expect(try await client.execute(anonymous, timeout: .seconds(5)).status == .unauthorized)
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()

        server.interrupt()
        server.waitUntilExit()
        let output = String(decoding: log.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(server.terminationStatus == 0, "\(output)")
        #expect(output.contains("listening on 127.0.0.1:\(port)"))
        #expect(
            output.contains("connecting to the printers") && output.contains("production loop running"), "\(output)")
        #expect(!output.contains(token) && !output.contains(password), "secrets must never reach the log")

        let rebuild = try Self.run(["projections", "rebuild", "--data-dir", dataDirectory])
        #expect(rebuild.status == 0, "\(rebuild.output)")
        #expect(rebuild.output.contains("replayed 3 events into 3 read models"), "the owner, the key and the intent")
    }

    @Test(
        """
        materials: a filament and a spool registered from the shell, weighed in, listed with the stock; nonsense \
        refused
        """
    )
    func materials() throws {
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "printfarm-cli-materials-\(UUID().uuidString)"
        ).path
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        let filament = try Self.run(
            [
                "materials", "add-filament", "--data-dir", dataDirectory, "--material", "PETG", "--colour", "black",
                "--density", "1.27", "--reorder-point", "2000",
            ])
        #expect(filament.status == 0, "\(filament.output)")
        let filamentID = filament.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let spool = try Self.run(
            ["materials", "add-spool", "--data-dir", dataDirectory, "--filament", filamentID, "--location", "shelf A"])
        #expect(spool.status == 0, "\(spool.output)")
        let spoolID = spool.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let weighed = try Self.run(["materials", "weigh", "--data-dir", dataDirectory, spoolID, "--net", "870"])
        #expect(weighed.output.contains("870 g left; the farm had counted 1000 g"), "\(weighed.output)")
        let listed = try Self.run(["materials", "list", "--data-dir", dataDirectory])
        #expect(listed.output.contains("PETG black  870 g on 1 spool(s)  REORDER"), "\(listed.output)")
        #expect(listed.output.contains("spool \(spoolID)  870 g of 1000 g  shelf  shelf A"))
        let negative = try Self.run(["materials", "weigh", "--data-dir", dataDirectory, spoolID, "--net=-5"])
        #expect(negative.status != 0 && negative.output.contains("grams of filament"), "\(negative.output)")
        let thin = try Self.run(
            ["materials", "add-filament", "--data-dir", dataDirectory, "--material", "PLA", "--density", "0.1"])
        #expect(thin.status != 0 && thin.output.contains("density"), "\(thin.output)")
        let unknown = try Self.run(
            ["materials", "add-spool", "--data-dir", dataDirectory, "--filament", UUID().uuidString.lowercased()])
        #expect(unknown.status != 0 && unknown.output.contains("no filament"), "\(unknown.output)")
    }

    @Test("a second serve on a port in use fails before it connects to a printer or runs the loop")
    func portInUse() throws {
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "printfarm-cli-\(UUID().uuidString)"
        ).path
        let held = try ServerSocket()
        defer { held.close() }
        #expect(listen(held.descriptor, 1) == 0)
        let result = try Self.run(["serve", "--data-dir", dataDirectory, "--port", String(held.port)])
        #expect(result.status != 0, "\(result.output)")
        #expect(result.output.contains("\(held.port)"), "the error names the port: \(result.output)")
        #expect(!result.output.contains("connecting to the printers"), "\(result.output)")
        #expect(!result.output.contains("production loop running"), "\(result.output)")
    }

    @Test("bad settings stop the command with a message that names them")
    func badSettings() throws {
        let result = try Self.run(["serve", "--database-url", "mysql://localhost/farm"])
        #expect(result.status != 0)
        #expect(result.output.contains("database URL must start with postgres:// or sqlite://"))
        let port = try Self.run(["migrate"], environment: ["PRINTFARM_PORT": "eighty"])
        #expect(port.status != 0)
        #expect(port.output.contains("PRINTFARM_PORT=eighty is not a whole number"))
    }
}

/// A socket bound to 127.0.0.1 with an OS-chosen port, to find a free one.
/// Ports for servers the tests start as other processes: each block of consecutive ports is free when handed out
/// and never handed out twice in one test run — two demos started at once (the demo and browser suites) must not
/// pick each other's printer ports, which only "hoping the neighbours are free" once let happen.
enum TestPorts {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var given: Set<Int> = []

    static func take(_ count: Int = 1) throws -> Int {
        try lock.withLock {
            for _ in 0..<200 {
                let first = try ServerSocket()
                var held = [first]
                defer { for socket in held { socket.close() } }
                let ports = first.port..<(first.port + count)
                guard ports.upperBound <= 65536, given.isDisjoint(with: ports) else { continue }
                for port in ports.dropFirst() {
                    guard let socket = try? ServerSocket(port: port) else { break }
                    held.append(socket)
                }
                if held.count == count {
                    given.formUnion(ports)
                    return first.port
                }
            }
            throw POSIXError(.EADDRINUSE)
        }
    }
}

struct ServerSocket {
    let descriptor: Int32
    let port: Int

    /// Binds 127.0.0.1:`port`; 0 lets the kernel choose.
    init(port: Int = 0) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0 else {
            _ = Glibc.close(descriptor)
            throw POSIXError(.EADDRINUSE)
        }
        withUnsafeMutablePointer(to: &address) { pointer in
            _ = pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        self.descriptor = descriptor
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { _ = Glibc.close(descriptor) }
}
