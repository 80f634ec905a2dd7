import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import VirtualPrinter

/// `printfarm virtual-printers`: simulated Klipper + Moonraker machines on loopback ports, for the demo, trials and
/// benchmarks. The farm connects to them exactly as to real Moonrakers.
struct VirtualPrinters: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "virtual-printers",
        abstract: "Serve simulated Moonraker printers on 127.0.0.1 (one port each) until stopped.",
        discussion: """
            Each printer speaks Moonraker's HTTP and WebSocket API, prints uploaded G-code in simulated time (--speed), \
            keeps a history, and takes faults on request: POST /virtual/faults?kind=disconnect|silence|klippyShutdown|\
            thermalError|filamentRunout[&seconds=20]. Example: printfarm virtual-printers --count 3 --speed 60 \
            (ports 7200, 7201, 7202).
            """)

    @Option(help: "How many printers.") var count = 3
    @Option(help: "The first port; printer N listens on base-port + N.") var basePort = 7200
    @Option(help: "The address to listen on.") var host = "127.0.0.1"
    @Option(help: "Simulated seconds per real second.") var speed = 60.0
    @Option(help: "Require this API key (X-Api-Key / identify api_key) instead of trusting every client.") var apiKey:
        String?
    @Option(help: "Random faults per printer per real hour (0: only on request, POST /virtual/faults?kind=…).")
    var faultsPerHour = 0.0
    @Option(help: "Seed of the random faults: the same seed strikes the same faults at the same moments.")
    var faultSeed: UInt64 = 1
    @Option(
        help:
            "Which faults strike at random, comma-separated (default: all of \(VirtualMachine.Fault.allCases.map(\.rawValue).joined(separator: ", ")))."
    )
    var faultKinds: String?

    func kinds() throws -> [VirtualMachine.Fault] {
        guard let faultKinds else { return VirtualMachine.Fault.allCases }
        return try faultKinds.split(separator: ",").map { name in
            guard let fault = VirtualMachine.Fault(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError(
                    "--fault-kinds: '\(name)' is not one of \(VirtualMachine.Fault.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            return fault
        }
    }

    func validate() throws {
        guard (1...5000).contains(count) else { throw ValidationError("--count is between 1 and 5000") }
        guard (0...65535).contains(basePort), basePort + count - 1 <= 65535 else {
            throw ValidationError("--base-port leaves no room for \(count) ports")
        }
        guard speed > 0, speed <= 10_000 else { throw ValidationError("--speed is above 0 and at most 10000") }
        guard faultsPerHour >= 0, faultsPerHour.isFinite else {
            throw ValidationError("--faults-per-hour is a rate, 0 or more")
        }
        _ = try kinds()
    }

    func run() async throws {
        let logger = Logger(label: "printfarm.virtual")
        let faults = faultsPerHour > 0 ? RandomFaults(perHour: faultsPerHour, seed: faultSeed, kinds: try kinds()) : nil
        let printers = (0..<count).map {
            VirtualPrinter(name: "virtual-\($0 + 1)", speed: speed, apiKey: apiKey, faults: faults)
        }
        let services = VirtualFarm.services(printers: printers, host: host, basePort: basePort, logger: logger) {
            [host, speed] ports in
            let first = ports.first ?? 0
            let last = ports.last ?? 0
            let line =
                "\(ports.count) virtual printer\(ports.count == 1 ? "" : "s") on http://\(host):\(first)\(ports.count > 1 ? " … :\(last)" : ""), \(speed)× simulated time; Ctrl-C stops\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        }
        try await ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger).run()
    }
}
