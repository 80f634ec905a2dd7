import FarmDomain
import Foundation
import PrinterLink

extension PrinterFleet {
    /// The recovery the printer's live report calls for, if any (for pages: which button to offer).
    public func recovery(for id: PrinterID) -> PrinterRecovery? { reports[id]?.recovery }

    /// The recovery each printer in error needs, by its live report.
    public func recoveries() -> [PrinterID: PrinterRecovery] { reports.compactMapValues(\.recovery) }

    /// Carries out an operator's recovery: records it (who, why), sends it to the machine, and answers once the
    /// machine reports it is out of the error. Refused, with what would help, when the machine's state calls for
    /// the other recovery or for none.
    public func recover(_ recovery: PrinterRecovery, on id: PrinterID, context: CommandContext, wait: TimeInterval = 30)
        async throws -> Printer
    {
        guard let link = links[id], let report = reports[id], report.link == .live || report.link == .hostNotReady
        else {
            throw FleetError(
                .conflict, code: "printer-unreachable", title: "The printer cannot be reached",
                detail: "printer \(id) is \(reports[id]?.state.rawValue ?? "not connected"); recover it at the machine")
        }
        guard report.recovery == recovery else {
            let fitting =
                report.recovery.map { "\($0.rawValue) (\($0.title.lowercased())) is what it needs" }
                ?? "it needs no recovery"
            throw FleetError(
                .conflict, code: "recovery-not-applicable",
                title: "That recovery does not fit the printer's state",
                detail:
                    "the printer is \(report.state.rawValue) (\(report.message ?? report.linkReason ?? "no message")); \(fitting)"
            )
        }
        let outcome = try await store.printers.execute(.requestRecovery(recovery), id: id.description, context: context)
        remember(outcome.model, version: outcome.version)
        do {
            try await link.connector.recover(recovery)
        } catch {
            throw FleetError(
                .machineRefused, code: "printer-refused", title: "The printer refused the command",
                detail: "\(error)")
        }
        let deadline = now().addingTimeInterval(wait)
        while now() < deadline {
            if reports[id]?.isRecovered == true {
                await reconcile(id)
                if let printer = printers[id], printer.observed != .error { return printer }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw FleetError(
            .machineSilent, code: "printer-did-not-confirm", title: "The printer did not confirm in time",
            detail:
                "the printer accepted the \(recovery.rawValue) but did not report itself ready within \(Int(wait)) s; it follows when it does"
        )
    }
}
