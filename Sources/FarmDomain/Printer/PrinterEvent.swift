import Foundation

public struct PrinterRegistered: Codable, Sendable, Equatable {
    public var printerID: PrinterID
    public var registration: PrinterRegistration
    public var at: Date
}

public struct PrinterCapabilitiesUpdated: Codable, Sendable, Equatable {
    public var capabilities: PrinterCapabilities
    public var at: Date
}

public struct PrinterStateObserved: Codable, Sendable, Equatable {
    public var state: ObservedPrinterState
    public var message: String?
    /// Absent in events written before jobs were observed (they read back as no job).
    public var job: PrinterJob?
    public var at: Date

    public init(state: ObservedPrinterState, message: String?, job: PrinterJob? = nil, at: Date) {
        self.state = state
        self.message = message
        self.job = job
        self.at = at
    }
}

/// A flag or mode changed (maintenance, desync, degradation), with the evidence or note behind it.
public struct PrinterFlagChanged: Codable, Sendable, Equatable {
    public var detail: String?
    public var at: Date
}

public struct PrinterMaterialLoaded: Codable, Sendable, Equatable {
    public var material: LoadedMaterial?
    public var at: Date
}

public struct PrinterCalibrated: Codable, Sendable, Equatable {
    public var calibration: Calibration
    public var at: Date
}

public enum PrinterEvent: DomainEvent {
    case registered(PrinterRegistered)
    case capabilitiesUpdated(PrinterCapabilitiesUpdated)
    case stateObserved(PrinterStateObserved)
    case maintenanceStarted(PrinterFlagChanged)
    case maintenanceEnded(PrinterFlagChanged)
    case desynced(PrinterFlagChanged)
    case resynced(PrinterFlagChanged)
    case degraded(PrinterFlagChanged)
    case degradationCleared(PrinterFlagChanged)
    case materialLoaded(PrinterMaterialLoaded)
    case calibrated(PrinterCalibrated)
    case bedOccupied(PrinterFlagChanged)
    case bedCleared(PrinterFlagChanged)
    case recoveryRequested(PrinterRecoveryRequested)
    case maintenanceWindowScheduled(MaintenanceWindowScheduled)
    case maintenanceWindowCancelled(MaintenanceWindowCancelled)
    case changeoverRequested(PrinterChangeoverRequested)
    case changeoverConfirmed(PrinterChangeoverConfirmed)
    case changeoverWithdrawn(PrinterChangeoverWithdrawn)
    case cameraSet(PrinterCameraSet)

    public static let aggregate = "printer"

    public static let codec = EventCodec<PrinterEvent>(
        aggregate: aggregate,
        [
            .payload("registered", PrinterRegistered.self, PrinterEvent.registered),
            .payload("capabilitiesUpdated", PrinterCapabilitiesUpdated.self, PrinterEvent.capabilitiesUpdated),
            .payload("stateObserved", PrinterStateObserved.self, PrinterEvent.stateObserved),
            .payload("maintenanceStarted", PrinterFlagChanged.self, PrinterEvent.maintenanceStarted),
            .payload("maintenanceEnded", PrinterFlagChanged.self, PrinterEvent.maintenanceEnded),
            .payload("desynced", PrinterFlagChanged.self, PrinterEvent.desynced),
            .payload("resynced", PrinterFlagChanged.self, PrinterEvent.resynced),
            .payload("degraded", PrinterFlagChanged.self, PrinterEvent.degraded),
            .payload("degradationCleared", PrinterFlagChanged.self, PrinterEvent.degradationCleared),
            .payload("materialLoaded", PrinterMaterialLoaded.self, PrinterEvent.materialLoaded),
            .payload("calibrated", PrinterCalibrated.self, PrinterEvent.calibrated),
            .payload("bedOccupied", PrinterFlagChanged.self, PrinterEvent.bedOccupied),
            .payload("bedCleared", PrinterFlagChanged.self, PrinterEvent.bedCleared),
            .payload("recoveryRequested", PrinterRecoveryRequested.self, PrinterEvent.recoveryRequested),
            .payload(
                "maintenanceWindowScheduled", MaintenanceWindowScheduled.self, PrinterEvent.maintenanceWindowScheduled),
            .payload(
                "maintenanceWindowCancelled", MaintenanceWindowCancelled.self, PrinterEvent.maintenanceWindowCancelled),
            .payload("changeoverRequested", PrinterChangeoverRequested.self, PrinterEvent.changeoverRequested),
            .payload("changeoverConfirmed", PrinterChangeoverConfirmed.self, PrinterEvent.changeoverConfirmed),
            .payload("changeoverWithdrawn", PrinterChangeoverWithdrawn.self, PrinterEvent.changeoverWithdrawn),
            .payload("cameraSet", PrinterCameraSet.self, PrinterEvent.cameraSet),
        ])

    public var parts: (name: String, payload: any Encodable) {
        switch self {
        case .registered(let p): ("registered", p)
        case .capabilitiesUpdated(let p): ("capabilitiesUpdated", p)
        case .stateObserved(let p): ("stateObserved", p)
        case .maintenanceStarted(let p): ("maintenanceStarted", p)
        case .maintenanceEnded(let p): ("maintenanceEnded", p)
        case .desynced(let p): ("desynced", p)
        case .resynced(let p): ("resynced", p)
        case .degraded(let p): ("degraded", p)
        case .degradationCleared(let p): ("degradationCleared", p)
        case .materialLoaded(let p): ("materialLoaded", p)
        case .calibrated(let p): ("calibrated", p)
        case .bedOccupied(let p): ("bedOccupied", p)
        case .bedCleared(let p): ("bedCleared", p)
        case .recoveryRequested(let p): ("recoveryRequested", p)
        case .maintenanceWindowScheduled(let p): ("maintenanceWindowScheduled", p)
        case .maintenanceWindowCancelled(let p): ("maintenanceWindowCancelled", p)
        case .changeoverRequested(let p): ("changeoverRequested", p)
        case .changeoverConfirmed(let p): ("changeoverConfirmed", p)
        case .changeoverWithdrawn(let p): ("changeoverWithdrawn", p)
        case .cameraSet(let p): ("cameraSet", p)
        }
    }
}
