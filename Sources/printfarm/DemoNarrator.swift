import AsyncHTTPClient
import FarmDomain
import FarmServer
import FarmStore
import Foundation
import Logging
import ServiceLifecycle
import VirtualPrinter

/// Tells the demo's story on the console: orders and runs as they change, one print failed on purpose (a
/// thermal error on the second printer, then the "technician" restarts its firmware), and a summary when every
/// demo order is ready to ship. It reads the store like any other client and acts on the machines like a person.
struct DemoNarrator: Service {
    let location: StorageLocation
    let printers: [VirtualPrinter]
    let ids: [PrinterID]
    let basePort: Int
    let started: Date
    let logger: Logger

    func run() async throws {
        let store = try await Store.open(location, logger: logger)
        await cancelWhenGracefulShutdown {
            var said: [String: String] = [:]
            var failedOnPurpose: RunID?
            var restarted = false
            var summarised = false
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                guard
                    let intents = try? await store.intents.all().filter({
                        $0.externalReference?.hasPrefix(DemoFarm.reference) == true
                    }),
                    let runs = try? await store.runs.all()
                else { continue }
                for intent in intents where said[intent.id.description] != intent.status.rawValue {
                    said[intent.id.description] = intent.status.rawValue
                    let item = intent.lineItems.first
                    say(
                        "order \(intent.externalReference ?? "") (\(item?.quantity ?? 0) × \(item?.material ?? "")): \(intent.status.rawValue)"
                    )
                }
                for run in runs where said[run.id.description] != run.status.rawValue + run.qa.rawValue {
                    said[run.id.description] = run.status.rawValue + run.qa.rawValue
                    let printer = ids.firstIndex(of: run.printerID).map { "virtual-\($0 + 1)" } ?? "printer"
                    let qa = run.status == .completed ? ", QA \(run.qa.rawValue)" : ""
                    say(
                        "run \(run.id.description.suffix(6)) on \(printer): \(run.status.rawValue)\(qa)\(run.failure.map { " — \($0.prefix(60))" } ?? "")"
                    )
                }
                // One failure on purpose: the second printer's first print, a fifth of the way in.
                if failedOnPurpose == nil, ids.count > 1,
                    let run = runs.first(where: {
                        $0.printerID == ids[1] && $0.status == .printing && ($0.progress?.fraction ?? 0) >= 0.2
                    })
                {
                    failedOnPurpose = run.id
                    say(
                        "injecting a thermal error into virtual-2 while it prints run \(run.id.description.suffix(6)): the farm should fail the run and reprint it"
                    )
                    await printers[1].inject(.thermalError)
                }
                if let failed = failedOnPurpose, !restarted,
                    runs.first(where: { $0.id == failed })?.status.isTerminal == true
                {
                    restarted = true
                    say("a technician restarts virtual-2's firmware (FIRMWARE_RESTART)")
                    var request = HTTPClientRequest(url: "http://127.0.0.1:\(basePort + 1)/printer/firmware_restart")
                    request.method = .POST
                    _ = try? await HTTPClient.shared.execute(request, timeout: .seconds(10))
                }
                if !summarised, !intents.isEmpty, intents.allSatisfy({ $0.status == .readyToShip }) {
                    summarised = true
                    await summarise(store: store, intents: intents, runs: runs)
                }
            }
        }
        await store.shutdown()
    }

    private func summarise(store: Store, intents: [Intent], runs: [Run]) async {
        let parts = intents.reduce(0) { $0 + ($1.lineItems.first?.quantity ?? 0) }
        let failed = runs.filter { $0.status == .failed }.count
        var byPeople = 0
        if let events = try? await store.events.read(after: 0, limit: 100_000) {
            // What a person did after the demo set the farm up: approvals, overrides, inspections by hand.
            byPeople = events.filter { $0.actor.hasPrefix("user:") || $0.actor.hasPrefix("apikey:") }.count
        }
        say(
            """
            all \(intents.count) demo orders are ready to ship after \(Int(Date().timeIntervalSince(started))) s: \(parts) parts, \
            \(runs.count) runs (\(runs.filter { $0.status == .completed }.count) completed, \(failed) failed and reprinted), \
            \(byPeople) actions by people. The farm keeps serving until Ctrl-C.
            """)
    }

    private func say(_ text: String) {
        let time = ISO8601DateFormatter.string(
            from: Date(), timeZone: .current, formatOptions: [.withTime, .withColonSeparatorInTime])
        FileHandle.standardOutput.write(Data("[\(time)] \(text)\n".utf8))
    }
}
