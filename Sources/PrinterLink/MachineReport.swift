import FarmDomain
import Foundation

/// What a machine says about itself, as one value: the connector's typed observation. Derived from the last full
/// snapshot plus every delta since, so it is never half of an old state and half of a new one.
public struct MachineReport: Sendable, Equatable, Codable {
    public enum Link: String, Sendable, Codable {
        /// Socket up and subscribed (or answering polls): the report is live.
        case live
        /// Socket up, but the host behind it (Klippy) is not ready; nothing may be dispatched.
        case hostNotReady
        /// The machine refused our credentials.
        case unauthorized
        /// No connection.
        case down
    }

    public struct Heater: Sendable, Equatable, Codable {
        public var temperature: Double
        public var target: Double
        public init(temperature: Double, target: Double) {
            self.temperature = temperature
            self.target = target
        }
    }

    /// What an anomaly detector (a camera AI, a filament-flow sensor) says about the print in progress. Detectors
    /// publish it through Klipper as the variables `kind` and `confidence` of `[gcode_macro printfarm_anomaly]`
    /// (set with SET_GCODE_VARIABLE), which Moonraker serves like any printer object.
    public struct Anomaly: Sendable, Equatable, Codable {
        public static let object = "gcode_macro printfarm_anomaly"
        /// For example firstLayer, spaghetti.
        public var kind: String
        /// 0…1.
        public var confidence: Double
        public init(kind: String, confidence: Double) {
            self.kind = kind
            self.confidence = confidence
        }
    }

    /// The machine's controlling host (Klippy behind Moonraker; the serial link to the firmware behind OctoPrint).
    public enum Host: String, Sendable, Codable {
        /// Ready to take jobs.
        case ready
        /// Starting or connecting; not yet ready.
        case startup
        /// Stopped itself for safety (Klipper's shutdown, Marlin's kill): needs a firmware restart.
        case shutdown
        /// Failed (a configuration error, a lost serial line after an error).
        case error
        /// Not connected to the machine at all.
        case disconnected
    }

    /// The job the machine holds, in Klipper's `print_stats` words, which every connector maps its states onto.
    public enum Job: String, Sendable, Codable {
        /// No job, or a finished one cleared.
        case standby
        case printing
        case paused
        /// The last job ended; `filename` names it until the next one begins.
        case complete, cancelled, error
    }

    public var link: Link
    /// Why the link is not live, in the machine's words where it gave any.
    public var linkReason: String?
    public var host: Host?
    public var job: Job?
    /// The file being (or last) printed, relative to the gcodes root.
    public var filename: String?
    /// 0…1 by file position; see `MoonrakerStatus.progress` for how it is computed.
    public var progress: Double?
    public var printSeconds: Double?
    public var totalSeconds: Double?
    public var currentLayer: Int?
    public var totalLayers: Int?
    public var extruder: Heater?
    public var bed: Heater?
    /// The machine's own words: print_stats.message, Klippy's state message when it is not ready, OctoPrint's error.
    public var message: String?
    public var anomaly: Anomaly?

    public init(
        link: Link, linkReason: String? = nil, host: Host? = nil, job: Job? = nil, filename: String? = nil,
        progress: Double? = nil,
        printSeconds: Double? = nil, totalSeconds: Double? = nil, currentLayer: Int? = nil, totalLayers: Int? = nil,
        extruder: Heater? = nil,
        bed: Heater? = nil, message: String? = nil, anomaly: Anomaly? = nil
    ) {
        self.link = link
        self.linkReason = linkReason
        self.host = host
        self.job = job
        self.filename = filename
        self.progress = progress
        self.printSeconds = printSeconds
        self.totalSeconds = totalSeconds
        self.currentLayer = currentLayer
        self.totalLayers = totalLayers
        self.extruder = extruder
        self.bed = bed
        self.message = message
        self.anomaly = anomaly
    }

    public static func down(_ reason: String) -> MachineReport { MachineReport(link: .down, linkReason: reason) }

    /// The host takes jobs (a connector that knows no host state says nil).
    public var hostReady: Bool { host == nil || host == .ready }
    /// The host stopped or failed: the machine is in error, whatever its job says.
    public var hostFailed: Bool { host == .shutdown || host == .error }
    /// The machine holds a job it prints or has paused (never while its host is not ready: Klipper keeps a stale
    /// `paused` job through a shutdown).
    public var busy: Bool { hostReady && (job == .printing || job == .paused) }

    /// The farm's view of the machine: offline unless the link is live and Klippy ready; then what the job says.
    public var state: ObservedPrinterState {
        switch link {
        case .down, .unauthorized: return .offline
        case .hostNotReady: return hostFailed ? .error : .offline
        case .live:
            guard hostReady else { return hostFailed ? .error : .offline }
            switch job {
            case .printing: return .busy
            case .paused: return .paused
            case .error: return .error
            default: return .idle
            }
        }
    }

    public enum Change: Sendable, Equatable {
        case none
        /// Only heater temperatures moved (2 °C or more): worth saying now and then, not every frame.
        case temperatures
        /// A state, file, layer, message or link change, a progress step of a whole percent, or a new heater target.
        case state
    }

    /// What `self` says that `previous` did not.
    public func change(from previous: MachineReport?) -> Change {
        guard let previous else { return .state }
        if link != previous.link || linkReason != previous.linkReason || host != previous.host || job != previous.job
            || filename != previous.filename
            || currentLayer != previous.currentLayer || totalLayers != previous.totalLayers
            || message != previous.message || anomaly != previous.anomaly
            || Self.percent(progress) != Self.percent(previous.progress)
        {
            return .state
        }
        var moved = false
        for (now, then) in [(extruder, previous.extruder), (bed, previous.bed)] {
            switch (now, then) {
            case (nil, nil): continue
            case (let now?, let then?):
                if now.target != then.target { return .state }
                if abs(now.temperature - then.temperature) >= 2 { moved = true }
            default: return .state
            }
        }
        return moved ? .temperatures : .none
    }

    private static func percent(_ value: Double?) -> Int? { value.map { Int(($0 * 100).rounded(.down)) } }
}

extension MachineReport {
    /// The recovery that brings the machine out of the error it reports, if any: a shut-down (or errored) Klippy
    /// needs a firmware restart; a ready Klippy whose last print ended in a G-code error needs the job cleared.
    public var recovery: PrinterRecovery? {
        guard link == .live || link == .hostNotReady else { return nil }
        if hostFailed { return .firmwareRestart }
        if link == .live, hostReady, job == .error { return .resetJob }
        return nil
    }

    /// The host is ready and the last job did not end in an error: nothing is left to recover from.
    public var isRecovered: Bool { link == .live && hostReady && job != .error }
}
