import Foundation
import Testing

@testable import FarmDomain

@Suite("Printer state")
struct PrinterDeciderTests {
    let id = PrinterID(UUID(uuidString: "01936a4e-0000-7000-8000-000000000005")!)
    let at = Date(timeIntervalSince1970: 1_800_000_000)
    var registration: PrinterRegistration {
        PrinterRegistration(
            name: "mk3s-01", connector: .moonraker, address: "http://127.0.0.1:7125",
            capabilities: PrinterCapabilities(buildVolume: BuildVolume(x: 250, y: 210, z: 210)))
    }
    var registered: PrinterEvent { .registered(PrinterRegistered(printerID: id, registration: registration, at: at)) }
    func observed(_ state: ObservedPrinterState, _ message: String? = nil) -> PrinterEvent {
        .stateObserved(PrinterStateObserved(state: state, message: message, at: at))
    }
    var maintenance: PrinterEvent { .maintenanceStarted(PrinterFlagChanged(detail: nil, at: at)) }

    @Test("maintenance windows: planned ahead, at most 14 days, never overlapping, cancelled by id; past ones drop out")
    func maintenanceWindows() {
        let s = Scenario<PrinterDecider>(given: [registered])
        let window = MaintenanceWindow(
            id: "belts", start: s.time.addingTimeInterval(3600), end: s.time.addingTimeInterval(7200), reason: "belts")
        let scheduled = PrinterEvent.maintenanceWindowScheduled(MaintenanceWindowScheduled(window: window, at: s.time))
        s.then(.scheduleMaintenance(window), [scheduled])
        let with = Scenario<PrinterDecider>(given: [registered, scheduled])
        with.then(.scheduleMaintenance(window), [])
        var overlapping = window
        overlapping.id = "nozzle"
        overlapping.start = s.time.addingTimeInterval(7000)
        overlapping.end = s.time.addingTimeInterval(9000)
        #expect(
            with.thenRefused(.scheduleMaintenance(overlapping))
                == .invalid(field: "start", reason: "it overlaps the window belts (belts); change that one instead"))
        var backwards = window
        backwards.id = "b"
        backwards.end = backwards.start
        #expect(s.thenRefused(.scheduleMaintenance(backwards)) != nil)
        var over = window
        over.start = s.time.addingTimeInterval(-7200)
        over.end = s.time.addingTimeInterval(-3600)
        #expect(s.thenRefused(.scheduleMaintenance(over)) != nil, "over already")
        var long = window
        long.end = long.start.addingTimeInterval(15 * 86_400)
        #expect(s.thenRefused(.scheduleMaintenance(long)) != nil)
        var blank = window
        blank.reason = "  "
        #expect(s.thenRefused(.scheduleMaintenance(blank)) != nil)
        #expect(with.thenRefused(.cancelMaintenanceWindow(id: "nope")) != nil)
        with.then(
            .cancelMaintenanceWindow(id: "belts"),
            [.maintenanceWindowCancelled(MaintenanceWindowCancelled(id: "belts", at: with.time))])
        // A window that is over is dropped when the next one is planned.
        var next = window
        next.id = "next"
        next.start = at.addingTimeInterval(86_400)
        next.end = at.addingTimeInterval(90_000)
        let later = PrinterEvent.maintenanceWindowScheduled(
            MaintenanceWindowScheduled(window: next, at: at.addingTimeInterval(80_000)))
        #expect(PrinterDecider.replay([registered, scheduled, later]).printer?.maintenanceWindows == [next])
    }

    @Test("a registered printer starts offline and follows what the machine reports")
    func observe() {
        #expect(PrinterDecider.replay([registered]).printer?.status == .offline)
        let s = Scenario<PrinterDecider>(given: [registered])
        s.then(
            .observe(.idle, message: nil),
            [.stateObserved(PrinterStateObserved(state: .idle, message: nil, at: s.time))])
        Scenario<PrinterDecider>(given: [registered, observed(.idle)]).then(.observe(.idle, message: nil), [])
        for state in ObservedPrinterState.allCases {
            #expect(PrinterDecider.replay([registered, observed(state)]).printer?.status.rawValue == state.rawValue)
        }
    }

    @Test(
        """
        maintenance is entered from any state but busy or paused, holds against observations, and ends on the \
        observed state
        """
    )
    func maintenanceMode() {
        for state in ObservedPrinterState.allCases {
            let s = Scenario<PrinterDecider>(given: [registered, observed(state)])
            if state == .busy || state == .paused {
                #expect(
                    s.thenRefused(.startMaintenance)
                        == .illegalTransition(
                            aggregate: "printer", command: "start maintenance of", state: state.rawValue))
            } else {
                s.then(.startMaintenance, [.maintenanceStarted(PrinterFlagChanged(detail: nil, at: s.time))])
            }
        }
        Scenario<PrinterDecider>(given: [registered, maintenance]).then(.startMaintenance, [])
        let during = PrinterDecider.replay([registered, maintenance, observed(.idle)]).printer
        #expect(during?.status == .maintenance)
        #expect(during?.observed == .idle)
        let after = PrinterDecider.replay([
            registered, maintenance, observed(.idle), .maintenanceEnded(PrinterFlagChanged(detail: nil, at: at)),
        ]).printer
        #expect(after?.status == .idle)
        Scenario<PrinterDecider>(given: [registered]).then(.endMaintenance, [])
    }

    @Test("desync and degradation are flags beside the status, each set with evidence and cleared explicitly")
    func flags() {
        let s = Scenario<PrinterDecider>(given: [registered, observed(.idle)])
        s.then(
            .markDesynced(evidence: "run r1 printing, machine idle"),
            [.desynced(PrinterFlagChanged(detail: "run r1 printing, machine idle", at: s.time))])
        let desynced = [registered, observed(.idle), PrinterEvent.desynced(PrinterFlagChanged(detail: "e", at: at))]
        Scenario<PrinterDecider>(given: desynced).then(.markDesynced(evidence: "e"), [])
        Scenario<PrinterDecider>(given: desynced).then(
            .resync, [.resynced(PrinterFlagChanged(detail: nil, at: s.time))])
        s.then(.resync, [])
        #expect(PrinterDecider.replay(desynced).printer?.desynced == "e")
        #expect(PrinterDecider.replay(desynced).printer?.status == .idle)
        s.then(
            .markDegraded(reason: "3 of last 10 failed"),
            [.degraded(PrinterFlagChanged(detail: "3 of last 10 failed", at: s.time))])
        let degraded = [registered, PrinterEvent.degraded(PrinterFlagChanged(detail: "x", at: at))]
        Scenario<PrinterDecider>(given: degraded).then(
            .clearDegraded, [.degradationCleared(PrinterFlagChanged(detail: nil, at: s.time))])
        s.then(.clearDegraded, [])
    }

    @Test("a bed is marked occupied once, with what is on it; clearing it is recorded with when")
    func bed() {
        let s = Scenario<PrinterDecider>(given: [registered, observed(.idle)])
        s.then(
            .markBedOccupied(reason: "run abc123 completed on it"),
            [.bedOccupied(PrinterFlagChanged(detail: "run abc123 completed on it", at: s.time))])
        let occupied = [
            registered, observed(.idle),
            PrinterEvent.bedOccupied(PrinterFlagChanged(detail: "run abc123 completed on it", at: at)),
        ]
        Scenario<PrinterDecider>(given: occupied).then(.markBedOccupied(reason: "another"), [])
        #expect(PrinterDecider.replay(occupied).printer?.bedOccupied == "run abc123 completed on it")
        Scenario<PrinterDecider>(given: occupied).then(
            .clearBed, [.bedCleared(PrinterFlagChanged(detail: nil, at: s.time))])
        let cleared = PrinterDecider.replay(
            occupied + [.bedCleared(PrinterFlagChanged(detail: nil, at: at.addingTimeInterval(60)))]
        ).printer
        #expect(cleared?.bedOccupied == nil)
        #expect(cleared?.bedClearedAt == at.addingTimeInterval(60))
    }

    @Test("capabilities and material changes are recorded when they differ; nonsense is refused")
    func capabilitiesAndMaterial() {
        let s = Scenario<PrinterDecider>(given: [registered])
        var caps = registration.capabilities
        s.then(.updateCapabilities(caps), [])
        caps.enclosure = true
        s.then(
            .updateCapabilities(caps),
            [.capabilitiesUpdated(PrinterCapabilitiesUpdated(capabilities: caps, at: s.time))])
        caps.buildVolume.z = -1
        #expect(
            s.thenRefused(.updateCapabilities(caps))
                == .invalid(
                    field: "capabilities.buildVolume.z", reason: "millimetres, greater than 0 and at most 10000"))
        let petg = LoadedMaterial(material: "PETG", colour: "orange")
        s.then(.loadMaterial(petg), [.materialLoaded(PrinterMaterialLoaded(material: petg, at: s.time))])
        Scenario<PrinterDecider>(given: [registered, .materialLoaded(PrinterMaterialLoaded(material: petg, at: at))])
            .then(.loadMaterial(petg), [])
        #expect(s.thenRefused(.loadMaterial(LoadedMaterial(material: " ")))?.invalidField != nil)
    }

    @Test("registering twice is a no-op; registering another machine under the id or with no name is refused")
    func register() {
        Scenario<PrinterDecider>().then(
            .register(id, registration),
            [.registered(PrinterRegistered(printerID: id, registration: registration, at: at))])
        Scenario<PrinterDecider>(given: [registered]).then(.register(id, registration), [])
        var other = registration
        other.address = "http://10.0.0.9:7125"
        #expect(
            Scenario<PrinterDecider>(given: [registered]).thenRefused(.register(id, other))
                == .alreadyExists(aggregate: "printer"))
        var nameless = registration
        nameless.name = ""
        #expect(Scenario<PrinterDecider>().thenRefused(.register(id, nameless))?.invalidField == "name")
        #expect(Scenario<PrinterDecider>().thenRefused(.resync) == .notFound(aggregate: "printer", command: "resync"))
    }
}
