import Foundation

/// What OctoPrint last said about its printer, folded from the push socket's `history`/`current` messages and
/// events, or from HTTP polls (`/api/connection`, `/api/job`, `/api/printer`), and the report it makes.
///
/// OctoPrint returns to `Operational` the moment a print ends and keeps the file selected, so how the last job
/// ended is remembered from its events (PrintDone, PrintFailed, PrintCancelled) until the next one starts: the
/// report then says `complete`/`cancelled`/`error` with the file, as Klipper's print_stats does.
public struct OctoPrintStatus: Sendable, Equatable {
    /// OctoPrint's state text: Operational, Printing, Pausing, Paused, Cancelling, Finishing, Error, Offline,
    /// Offline after error, Opening serial connection, Connecting, Detecting serial connection, Closed, …
    public var text: String?
    /// `state.flags` where the source gave them (the push socket and `/api/printer`; not `/api/job`).
    public var flags: [String: Bool] = [:]
    /// `state.error`, or the last Error event's text.
    public var error: String?
    /// The selected file's path in local storage.
    public var file: String?
    /// 0…100 (OctoPrint's completion is a percentage, by file position).
    public var completion: Double?
    public var printTime: Double?
    public var printTimeLeft: Double?
    public var tool: MachineReport.Heater?
    public var bed: MachineReport.Heater?
    /// How the last job of `file` ended, from its event, until another job starts.
    public var outcome: (file: String, job: MachineReport.Job, message: String?)?

    public init() {}

    public static func == (a: OctoPrintStatus, b: OctoPrintStatus) -> Bool {
        a.text == b.text && a.flags == b.flags && a.error == b.error && a.file == b.file
            && a.completion == b.completion && a.printTime == b.printTime && a.printTimeLeft == b.printTimeLeft
            && a.tool == b.tool && a.bed == b.bed && a.outcome?.file == b.outcome?.file
            && a.outcome?.job == b.outcome?.job && a.outcome?.message == b.outcome?.message
    }

    // MARK: folding

    /// A push `current` or `history` payload: state, job, progress, temps.
    public mutating func apply(push payload: JSONValue) {
        if let state = payload["state"] { applyState(state) }
        if let job = payload["job"] { file = job["file"]?["path"]?.string }
        if let progress = payload["progress"] { applyProgress(progress) }
        // temps: a list of {time, tool0: {actual, target}, bed: {...}}, oldest first.
        if let latest = payload["temps"]?.array?.last { applyTemperatures(latest) }
    }

    /// An answer of `GET /api/printer` (nil when it answered 409: the printer is not operational).
    public mutating func apply(printer: JSONValue?) {
        guard let printer else {
            flags = [:]
            tool = nil
            bed = nil
            return
        }
        if let state = printer["state"] { applyState(state) }
        if let temperature = printer["temperature"] { applyTemperatures(temperature) }
    }

    /// An answer of `GET /api/job`: its `state` is the text alone.
    public mutating func apply(job answer: JSONValue) {
        if let text = answer["state"]?.string { self.text = text }
        if let error = answer["error"]?.string, !error.isEmpty { self.error = error }
        file = answer["job"]?["file"]?["path"]?.string
        if let progress = answer["progress"] { applyProgress(progress) }
    }

    /// A push event; answers the job it ended or began, as the machine records it.
    public mutating func apply(event type: String, payload: JSONValue?) -> MachineJob? {
        let path = payload?["path"]?.string
        switch type {
        case "PrintStarted":
            outcome = nil
            error = nil
            if let path { file = path }
            return path.map { MachineJob(filename: $0, status: .inProgress, detail: "started") }
        case "PrintDone":
            guard let path else { return nil }
            outcome = (path, .complete, nil)
            completion = 100
            return MachineJob(filename: path, status: .completed, detail: "done")
        case "PrintFailed":
            guard let path else { return nil }
            // reason: cancelled | error. A cancel also sends PrintCancelled; both say the same.
            let cancelled = payload?["reason"]?.string == "cancelled"
            outcome = (path, cancelled ? .cancelled : .error, cancelled ? nil : error ?? "the print failed")
            return MachineJob(
                filename: path, status: cancelled ? .cancelled : .failed,
                detail: cancelled ? "cancelled" : "failed (\(payload?["reason"]?.string ?? "error"))")
        case "PrintCancelled":
            guard let path else { return nil }
            outcome = (path, .cancelled, nil)
            return MachineJob(filename: path, status: .cancelled, detail: "cancelled")
        case "Error":
            error = payload?["error"]?.string ?? error
            return nil
        case "Disconnected":
            text = "Offline"
            flags = [:]
            return nil
        default:
            return nil
        }
    }

    /// The operator cleared the failed job (the reset recovery): the printer is plainly idle again.
    public mutating func clearOutcome() {
        outcome = nil
        error = nil
    }

    private mutating func applyState(_ state: JSONValue) {
        if let text = state["text"]?.string { self.text = text }
        if case .object(let values) = state["flags"] ?? .null {
            flags = values.compactMapValues { if case .bool(let flag) = $0 { flag } else { nil } }
        }
        if let error = state["error"]?.string { self.error = error.isEmpty ? nil : error }
    }

    private mutating func applyProgress(_ progress: JSONValue) {
        completion = progress["completion"]?.number
        printTime = progress["printTime"]?.number
        printTimeLeft = progress["printTimeLeft"]?.number
    }

    private mutating func applyTemperatures(_ temperatures: JSONValue) {
        func heater(_ name: String) -> MachineReport.Heater? {
            guard let actual = temperatures[name]?["actual"]?.number else { return nil }
            return MachineReport.Heater(temperature: actual, target: temperatures[name]?["target"]?.number ?? 0)
        }
        tool = heater("tool0") ?? tool
        bed = heater("bed") ?? bed
    }

    // MARK: the report

    /// OctoPrint's connection to its printer, as the farm's host state.
    public var host: MachineReport.Host {
        if flags["error"] == true { return .error }
        if flags["operational"] == true { return .ready }
        let words = (text ?? "").lowercased()
        if words.contains("error") { return .error }
        if words.hasPrefix("offline") || words == "closed" || words.isEmpty { return .disconnected }
        if words.hasPrefix("opening") || words.hasPrefix("connecting") || words.hasPrefix("detecting") {
            return .startup
        }
        // Operational, Printing, Paused, … from /api/job (which carries no flags): the printer is connected.
        return .ready
    }

    /// The job, in the farm's words. Pausing is still printing: OctoPrint finishes the moves it has sent, and takes
    /// a resume sent meanwhile with 204 and does nothing with it, so the job is paused only once it says Paused.
    public var job: MachineReport.Job {
        let words = (text ?? "").lowercased()
        let active = ["printing", "pausing", "cancelling", "finishing", "resuming"]
        if flags["paused"] == true || words == "paused" { return .paused }
        if active.contains(where: { flags[$0] == true }) || active.contains(where: { words.hasPrefix($0) }) {
            return .printing
        }
        if let outcome, outcome.file == file || file == nil { return outcome.job }
        return .standby
    }

    /// The report of a live link.
    public func report() -> MachineReport {
        let host = host
        let job = job
        let shown = job == .standby ? nil : (job == outcome?.job ? outcome?.file : file)
        var report = MachineReport(
            link: host == .ready ? .live : .hostNotReady, host: host, job: job, filename: shown,
            progress: job == .printing || job == .paused ? completion.map { min(max($0 / 100, 0), 1) } : nil,
            printSeconds: printTime,
            extruder: tool, bed: bed, message: error ?? (job == outcome?.job ? outcome?.message : nil))
        if host != .ready { report.linkReason = "OctoPrint is not connected to its printer (\(text ?? "unknown"))" }
        if job == .complete { report.progress = 1 }
        return report
    }
}
