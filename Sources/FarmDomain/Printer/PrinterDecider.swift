import Foundation

public enum PrinterCommand: Sendable, Equatable {
    case register(PrinterID, PrinterRegistration)
    case updateCapabilities(PrinterCapabilities)
    /// What the machine reports: its state, its message, and the job it is printing.
    case observe(ObservedPrinterState, message: String?, job: PrinterJob? = nil)
    case startMaintenance
    case endMaintenance
    case markDesynced(evidence: String)
    case resync
    case markDegraded(reason: String)
    case clearDegraded
    case loadMaterial(LoadedMaterial?)
    case recordCalibration(Calibration)
    /// A finished print's parts are on the bed (the production loop says so when the farm requires cleared beds).
    case markBedOccupied(reason: String)
    /// An operator took the parts off: the printer may print again.
    case clearBed
    /// An operator asks the machine to leave an error (the connector carries it out).
    case requestRecovery(PrinterRecovery)
    case scheduleMaintenance(MaintenanceWindow)
    case cancelMaintenanceWindow(id: String)
    /// The schedule needs a person to change the printer's setup before its next print.
    case requestChangeover(ChangeoverTask)
    /// A person says the printer now holds this setup (nil: the one the open changeover asked for).
    case confirmChangeover(PrinterSetup?)
    /// The plan that needed the changeover no longer does (done elsewhere, cancelled, moved by a clear win).
    case withdrawChangeover(reason: String)
    /// An operator gives the printer a camera (beside its host's), or removes the one given (nil).
    case setCamera(PrinterCamera?)

    public var name: String {
        switch self {
        case .register: "register"
        case .updateCapabilities: "update the capabilities of"
        case .observe: "record an observation of"
        case .startMaintenance: "start maintenance of"
        case .endMaintenance: "end maintenance of"
        case .markDesynced: "mark desynced"
        case .resync: "resync"
        case .markDegraded: "mark degraded"
        case .clearDegraded: "clear degradation of"
        case .loadMaterial: "load material into"
        case .recordCalibration: "record a calibration of"
        case .markBedOccupied: "mark the bed occupied on"
        case .clearBed: "mark the bed cleared on"
        case .scheduleMaintenance: "schedule maintenance of"
        case .cancelMaintenanceWindow: "cancel a maintenance window of"
        case .requestChangeover: "ask for a changeover of"
        case .confirmChangeover: "confirm a changeover of"
        case .withdrawChangeover: "withdraw the changeover of"
        case .setCamera: "set the camera of"
        case .requestRecovery(let recovery):
            recovery == .resetJob ? "clear the failed job of" : "restart the firmware of"
        }
    }
}

public enum PrinterState: Sendable, Equatable {
    case none
    case exists(Printer)

    public var printer: Printer? {
        if case .exists(let printer) = self { printer } else { nil }
    }
}

/// Printers: status follows what the machine reports (offline, idle, busy, paused, error) except in maintenance,
/// which only an operator enters and leaves. Flags `desynced` and `degraded` stand beside the status.
public enum PrinterDecider: Decider {
    public static let initialState = PrinterState.none

    public static func decide(_ command: PrinterCommand, state: PrinterState, context: CommandContext)
        throws(DomainError) -> [PrinterEvent]
    {
        guard case .exists(let printer) = state else {
            guard case .register(let id, let registration) = command else {
                throw .notFound(aggregate: "printer", command: command.name)
            }
            try registration.validate()
            return [.registered(PrinterRegistered(printerID: id, registration: registration, at: context.time))]
        }
        let flag = PrinterFlagChanged(detail: context.note, at: context.time)
        switch command {
        case .register(let id, let registration):
            guard id == printer.id, registration.name == printer.name, registration.address == printer.address,
                registration.connector == printer.connector
            else { throw .alreadyExists(aggregate: "printer") }
            return []
        case .updateCapabilities(let capabilities):
            try capabilities.validate()
            if capabilities == printer.capabilities { return [] }
            return [.capabilitiesUpdated(PrinterCapabilitiesUpdated(capabilities: capabilities, at: context.time))]
        case .observe(let observed, let message, let job):
            if observed == printer.observed, message == printer.lastMessage, job == printer.job { return [] }
            return [.stateObserved(PrinterStateObserved(state: observed, message: message, job: job, at: context.time))]
        case .startMaintenance:
            if printer.status == .maintenance { return [] }
            guard ![.busy, .paused].contains(printer.status) else {
                throw .illegalTransition(aggregate: "printer", command: command.name, state: printer.status.rawValue)
            }
            return [.maintenanceStarted(flag)]
        case .endMaintenance:
            guard printer.status == .maintenance else { return [] }
            return [.maintenanceEnded(flag)]
        case .markDesynced(let evidence):
            if printer.desynced == evidence { return [] }
            return [.desynced(PrinterFlagChanged(detail: evidence, at: context.time))]
        case .resync:
            guard printer.desynced != nil else { return [] }
            return [.resynced(flag)]
        case .markDegraded(let reason):
            if printer.degraded == reason { return [] }
            return [.degraded(PrinterFlagChanged(detail: reason, at: context.time))]
        case .clearDegraded:
            guard printer.degraded != nil else { return [] }
            return [.degradationCleared(flag)]
        case .loadMaterial(let material):
            if material == printer.loadedMaterial { return [] }
            if let material, material.material.isBlank {
                throw .invalid(field: "material", reason: "name the material, for example PLA")
            }
            return [.materialLoaded(PrinterMaterialLoaded(material: material, at: context.time))]
        case .setCamera(let camera):
            try camera?.validate()
            if camera == printer.camera { return [] }
            return [.cameraSet(PrinterCameraSet(camera: camera, at: context.time))]
        case .recordCalibration(let calibration):
            try calibration.validate(now: context.time)
            if printer.calibrations?.contains(calibration) == true { return [] }
            return [.calibrated(PrinterCalibrated(calibration: calibration, at: context.time))]
        case .markBedOccupied(let reason):
            if printer.bedOccupied != nil { return [] }
            return [.bedOccupied(PrinterFlagChanged(detail: reason, at: context.time))]
        case .clearBed:
            // Also when no print was recorded on it: an operator's word that the bed is clear starts the count afresh.
            return [.bedCleared(flag)]
        case .scheduleMaintenance:
            return try scheduleMaintenance(command, printer, context)
        case .cancelMaintenanceWindow(let id):
            guard printer.maintenanceWindows?.contains(where: { $0.id == id }) == true else {
                throw .invalid(field: "window", reason: "\(printer.name) has no maintenance window \(id.prefix(64))")
            }
            return [.maintenanceWindowCancelled(MaintenanceWindowCancelled(id: id, at: context.time))]
        case .requestChangeover(let task):
            if printer.changeover == task { return [] }
            try task.setup.validate(printer.capabilities)
            return [.changeoverRequested(PrinterChangeoverRequested(task: task, at: context.time))]
        case .confirmChangeover(let setup):
            guard let setup = setup ?? printer.changeover?.setup else {
                throw .invalid(
                    field: "material",
                    reason:
                        "no changeover is asked of \(printer.name); "
                        + "say what it holds now (material, colour, nozzle, surface)"
                )
            }
            try setup.validate(printer.capabilities)
            return [
                .changeoverConfirmed(
                    PrinterChangeoverConfirmed(setup: setup, plan: printer.changeover?.plan, at: context.time))
            ]
        case .withdrawChangeover(let reason):
            guard let task = printer.changeover else { return [] }
            return [.changeoverWithdrawn(PrinterChangeoverWithdrawn(plan: task.plan, reason: reason, at: context.time))]
        case .requestRecovery(let recovery):
            // Only a machine in error needs one; which one fits is the connector's to say (it sees Klipper's state).
            guard printer.observed == .error else {
                throw .illegalTransition(aggregate: "printer", command: command.name, state: printer.observed.rawValue)
            }
            return [.recoveryRequested(PrinterRecoveryRequested(recovery: recovery, at: context.time))]
        }
    }

    private static func scheduleMaintenance(
        _ command: PrinterCommand, _ printer: Printer, _ context: CommandContext
    ) throws(DomainError) -> [PrinterEvent] {
        guard case .scheduleMaintenance(let window) = command else { return [] }
        if printer.maintenanceWindows?.contains(window) == true { return [] }
        try window.validate(now: context.time)
        let upcoming = printer.maintenanceWindows(after: context.time)
        if upcoming.contains(where: { $0.id == window.id }) {
            throw .alreadyExists(aggregate: "maintenance window")
        }
        if let clash = upcoming.first(where: { $0.overlaps(window.start, window.end) }) {
            throw .invalid(
                field: "start", reason: "it overlaps the window \(clash.id) (\(clash.reason)); change that one instead")
        }
        guard upcoming.count < 100 else {
            throw .invalid(field: "start", reason: "\(printer.name) has 100 windows ahead already")
        }
        return [.maintenanceWindowScheduled(MaintenanceWindowScheduled(window: window, at: context.time))]
    }

    public static func evolve(_ state: PrinterState, _ event: PrinterEvent) -> PrinterState {
        if case .registered(let e) = event {
            let r = e.registration
            return .exists(
                Printer(
                    id: e.printerID, name: r.name, connector: r.connector, address: r.address,
                    capabilities: r.capabilities,
                    status: .offline, observed: .offline, lastMessage: nil, job: nil, loadedMaterial: nil,
                    calibrations: nil, desynced: nil, degraded: nil, camera: r.camera,
                    registeredAt: e.at, updatedAt: e.at))
        }
        guard case .exists(var printer) = state else { return state }
        switch event {
        case .registered: break
        case .capabilitiesUpdated(let e):
            printer.capabilities = e.capabilities
            printer.updatedAt = e.at
        case .stateObserved(let e):
            printer.observed = e.state
            printer.lastMessage = e.message
            printer.job = e.job
            if printer.status != .maintenance { printer.status = e.state.status }
            printer.updatedAt = e.at
        case .maintenanceStarted(let e):
            printer.status = .maintenance
            printer.updatedAt = e.at
        case .maintenanceEnded(let e):
            printer.status = printer.observed.status
            printer.attendedAt = e.at
            printer.updatedAt = e.at
        case .desynced(let e):
            printer.desynced = e.detail ?? "desynced"
            printer.updatedAt = e.at
        case .resynced(let e):
            printer.desynced = nil
            printer.updatedAt = e.at
        case .degraded(let e):
            printer.degraded = e.detail ?? "degraded"
            printer.updatedAt = e.at
        case .degradationCleared(let e):
            printer.degraded = nil
            printer.healthySince = e.at
            printer.updatedAt = e.at
        case .materialLoaded(let e):
            printer.loadedMaterial = e.material
            printer.attendedAt = e.at
            printer.updatedAt = e.at
        case .bedOccupied(let e):
            printer.bedOccupied = e.detail ?? "parts on the bed"
            printer.updatedAt = e.at
        case .recoveryRequested(let e):
            printer.attendedAt = e.at
            printer.updatedAt = e.at
        case .bedCleared(let e):
            printer.bedOccupied = nil
            printer.bedClearedAt = e.at
            printer.attendedAt = e.at
            printer.updatedAt = e.at
        case .maintenanceWindowScheduled(let e):
            // Windows that are over are dropped as new ones come: the log keeps them.
            var windows = printer.maintenanceWindows(after: e.at)
            windows.append(e.window)
            printer.maintenanceWindows = windows.sorted { $0.start < $1.start }
            printer.updatedAt = e.at
        case .maintenanceWindowCancelled(let e):
            printer.maintenanceWindows?.removeAll { $0.id == e.id }
            printer.updatedAt = e.at
        case .changeoverRequested(let e):
            printer.changeover = e.task
            printer.updatedAt = e.at
        case .changeoverConfirmed(let e):
            printer.loadedMaterial = LoadedMaterial(material: e.setup.material, colour: e.setup.colour)
            if let nozzle = e.setup.nozzle { printer.fittedNozzle = nozzle }
            if let surface = e.setup.surface { printer.fittedSurface = surface }
            printer.changeover = nil
            printer.attendedAt = e.at
            printer.updatedAt = e.at
        case .changeoverWithdrawn(let e):
            printer.changeover = nil
            printer.updatedAt = e.at
        case .cameraSet(let e):
            printer.camera = e.camera
            printer.updatedAt = e.at
        case .calibrated(let e):
            var latest = (printer.calibrations ?? []).filter { $0.kind != e.calibration.kind }
            latest.append(e.calibration)
            printer.calibrations = latest.sorted { $0.kind < $1.kind }
            printer.updatedAt = e.at
        }
        return .exists(printer)
    }
}
