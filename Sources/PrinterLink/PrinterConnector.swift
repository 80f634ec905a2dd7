import FarmDomain
import Foundation

/// What the farm asks of a printer, whatever its host runs (Moonraker, OctoPrint): every connector implements it,
/// and the fleet and the reconciler speak only this. Observations come as `MachineReport`s (normalised: host and
/// job as enums), finished jobs as `MachineJob`s. Every failure is a `ConnectorError`.
///
/// A connector owns its link: `run()` connects and keeps reconnecting (with backoff) until its task is cancelled;
/// commands and files go over the host's HTTP API and may be called at any time.
public protocol PrinterConnector: AnyObject, Sendable {
    /// The machine's reports, finished jobs and remarks, until `run()` ends.
    var events: AsyncStream<MachineEvent> { get }

    /// Connects and keeps connecting until the calling task is cancelled.
    func run() async

    /// Uploads a local file into the farm's folder on the machine as `name`; answers the path to start it by.
    func upload(file: String, as name: String) async throws(ConnectorError) -> String
    /// Starts the uploaded file at `path`. The machine's own report, not this answer, says that it began.
    func start(_ path: String) async throws(ConnectorError)
    func pause() async throws(ConnectorError)
    func resume() async throws(ConnectorError)
    func cancel() async throws(ConnectorError)
    func delete(_ path: String) async throws(ConnectorError)

    /// The machine's record of finished and running jobs, newest first: Moonraker's history, OctoPrint's files
    /// with their last print result (it keeps no history).
    func recentJobs(limit: Int) async throws(ConnectorError) -> [MachineJob]

    /// Skips one object of the print from now on; answers the objects the machine skips, which alone confirm it.
    func excludeObject(_ name: String) async throws(ConnectorError) -> [String]

    /// Brings the machine out of the error its report shows.
    func recover(_ recovery: PrinterRecovery) async throws(ConnectorError)

    /// What the machine knows of itself (axes, nozzle, heater limits) applied to the registered capabilities.
    func capabilities(applyingTo registered: PrinterCapabilities) async throws(ConnectorError) -> PrinterCapabilities

    /// The file now printing, so progress can be computed from the bytes that are G-code (where the host needs it).
    func track(file path: String) async

    /// The cameras the host knows of (Moonraker's webcams, OctoPrint's), with absolute addresses.
    func cameras() async throws(ConnectorError) -> [CameraSource]
}

/// What a connector says, in order.
public enum MachineEvent: Sendable, Equatable {
    /// The machine's state changed (or a periodic temperature update).
    case report(MachineReport)
    /// A job began or ended, as the machine records it.
    case job(MachineJob)
    /// The machine complained about a command (a G-code error), in its words.
    case machineError(String)
    /// A remark on the link worth an operator's eye (a reconnect, a refused key).
    case log(String)
}

/// One job in a machine's record, normalised.
public struct MachineJob: Sendable, Equatable {
    public enum Status: String, Sendable, Equatable {
        case inProgress
        case completed
        case cancelled
        /// The machine failed the print (an error, a shutdown, its controller lost).
        case failed
        /// The host lost track of the job (it crashed or restarted during it).
        case interrupted
        /// Ended without success, but the machine does not say how: OctoPrint counts a cancel and a failure alike.
        case unsuccessful
    }

    /// The machine's id for the job, where it has one.
    public var id: String?
    /// The file, relative to the machine's root of printable files.
    public var filename: String
    public var status: Status
    /// The machine's own word for how it ended (Moonraker: completed, klippy_shutdown, …), for evidence.
    public var detail: String
    public var ended: Date?

    public init(id: String? = nil, filename: String, status: Status, detail: String, ended: Date? = nil) {
        self.id = id
        self.filename = filename
        self.status = status
        self.detail = detail
        self.ended = ended
    }
}

/// How a run's file is named on a machine: the run id is in the name, so whatever a machine prints can be traced
/// back to a run of the farm, or known not to be one.
public enum DispatchFile {
    /// The farm's folder on every machine: files it uploads live here, named after their run.
    public static let folder = "printfarm"

    public static func name(of run: RunID) -> String { "run-\(run).gcode" }
    public static func path(of run: RunID) -> String { "\(folder)/\(name(of: run))" }

    /// The run whose file `path` is, when it is one of ours.
    public static func run(printing path: String) -> RunID? {
        let prefix = "\(folder)/run-"
        let suffix = ".gcode"
        guard path.hasPrefix(prefix), path.hasSuffix(suffix) else { return nil }
        return RunID(String(path.dropFirst(prefix.count).dropLast(suffix.count)))
    }
}
