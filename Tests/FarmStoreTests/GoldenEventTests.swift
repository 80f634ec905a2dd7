import FarmStore
import Foundation
import Testing

@testable import FarmDomain

/// One file per event type under Golden/: the payload as it was first stored. Old events must decode forever,
/// so a change that breaks one of these files breaks stored farms. Add a file for each new type; never edit one.
@Suite("Golden event payloads")
struct GoldenEventTests {
    static let directory = Bundle.module.resourceURL!.appendingPathComponent("Golden")
    static let sourceDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Golden")

    static var allTypes: [(type: String, decode: (Data) throws -> any DomainEvent)] {
        let decoder = StoreCoding.decoder()
        func entries<E: DomainEvent>(_: E.Type) -> [(String, (Data) throws -> any DomainEvent)] {
            E.eventTypes.map { type in (type, { try E.decodeData(type: type, data: $0, decoder: decoder) }) }
        }
        return entries(IntentEvent.self) + entries(PlanEvent.self) + entries(BuildPlateEvent.self)
            + entries(RunEvent.self) + entries(PrinterEvent.self)
            + entries(UserEvent.self) + entries(APIKeyEvent.self) + entries(ArtifactEvent.self)
            + entries(SliceEvent.self) + entries(ProfileBindingEvent.self) + entries(ShopConnectionEvent.self)
            + entries(SaleEvent.self) + entries(CatalogEvent.self) + entries(RecordEvent<VendorSpec>.self)
            + entries(RecordEvent<FilamentSpec>.self) + entries(RecordEvent<LotSpec>.self) + entries(SpoolEvent.self)
            + entries(RecordEvent<SpoolmanLinkSpec>.self) + entries(ConsumableEvent.self)
    }

    @Test("every event type has a golden file, and every golden file decodes and encodes back to the same JSON")
    func goldens() throws {
        if ProcessInfo.processInfo.environment["PRINTFARM_RECORD_GOLDEN"] == "1" { try Self.recordMissing() }
        let encoder = StoreCoding.encoder()
        for (type, decode) in Self.allTypes {
            let url = Self.directory.appendingPathComponent("\(type).json")
            guard let data = try? Data(contentsOf: url) else {
                Issue.record(
                    "no golden file for \(type): run `PRINTFARM_RECORD_GOLDEN=1 swift test --filter GoldenEventTests` and commit it"
                )
                continue
            }
            let event = try decode(data)
            #expect(event.eventType == type)
            let reencoded = try event.encodeData(encoder)
            let canonical = try JSONSerialization.data(
                withJSONObject: JSONSerialization.jsonObject(with: data), options: [.sortedKeys])
            let again = try JSONSerialization.data(
                withJSONObject: JSONSerialization.jsonObject(with: reencoded), options: [.sortedKeys])
            #expect(canonical == again, "\(type) does not round-trip")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path).filter {
            $0.hasSuffix(".json")
        }
        let known = Set(Self.allTypes.map { "\($0.type).json" })
        #expect(files.filter { !known.contains($0) } == [], "golden files for types this build no longer knows")
    }

    /// Writes a golden file, from the sample events, for each type that has none yet.
    static func recordMissing() throws {
        let encoder = StoreCoding.encoder()
        encoder.outputFormatting.insert(.prettyPrinted)
        for event in SampleEvents.all {
            let url = sourceDirectory.appendingPathComponent("\(event.eventType).json")
            if FileManager.default.fileExists(atPath: url.path) { continue }
            try event.encodeData(encoder).write(to: url)
        }
    }

    @Test("the samples cover every event type, so recording can never miss one")
    func samplesCoverTypes() {
        #expect(Set(SampleEvents.all.map(\.eventType)) == Set(Self.allTypes.map(\.type)))
    }
}

enum SampleEvents {
    static let at = Date(timeIntervalSince1970: 1_800_000_000)
    static let intent = IntentID(UUID(uuidString: "01936a4e-0000-7000-8000-000000000001")!)
    static let item = LineItemID(UUID(uuidString: "01936a4e-0000-7000-8000-0000000000a1")!)
    static let plan = PlanID(UUID(uuidString: "01936a4e-0000-7000-8000-000000000002")!)
    static let plate = BuildPlateID(UUID(uuidString: "01936a4e-0000-7000-8000-000000000003")!)
    static let run = RunID(UUID(uuidString: "01936a4e-0000-7000-8000-000000000004")!)
    static let printer = PrinterID(UUID(uuidString: "01936a4e-0000-7000-8000-000000000005")!)

    static var all: [any DomainEvent] {
        let change = IntentStatusChanged(note: "customer asked", at: at)
        let spec = PlanSpec(
            profile: "mk3s-petg@3f2a", orientation: Orientation(x: 90), supports: .buildPlateOnly,
            requirements: PrinterRequirements(
                nozzleDiameter: 0.4, material: "PETG", minimumVolume: BuildVolume(x: 40, y: 40, z: 20)),
            postProcessing: ["remove supports"])
        let revision = PlanRevisionStatusChanged(revision: 1, reasons: ["2 failed runs"], at: at)
        let plateItem = PlateItem(planID: plan, revision: 1, copies: 4)
        let runChange = RunStatusChanged(detail: "thermal runaway", at: at)
        let flag = PrinterFlagChanged(detail: "run printing, machine idle", at: at)
        let caps = PrinterCapabilities(
            buildVolume: BuildVolume(x: 250, y: 210, z: 210), nozzleDiameters: [0.4, 0.6], enclosure: true,
            hardenedNozzle: false, maxHotendTemperature: 300, maxBedTemperature: 120, materials: ["PLA", "PETG"])
        let intents: [IntentEvent] = [
            .received(
                IntentReceived(
                    intentID: intent,
                    draft: IntentDraft(
                        source: .shopify, externalReference: "#1001", customer: "Ada",
                        lineItems: [
                            LineItem(
                                id: item, modelArtifact: "sha256:ab", quantity: 2, material: "PETG", colour: "black",
                                finish: "matte")
                        ],
                        dueDate: at.addingTimeInterval(86_400), paymentStatus: .paid,
                        constraints: ["no supports on face A"]), receivedAt: at)),
            .preflighted(IntentPreflighted(outcome: .warn, findings: ["overhang 18% of surface"])),
            .accepted(change), .reviewRequested(IntentReviewRequested(reasons: ["3 open edges"], at: at)),
            .rejected(change),
            .productionStarted(change), .readyToShip(change),
            .shipped(IntentShipped(note: change.note, at: change.at, shipment: nil)), .closed(change),
            .cancelled(change),
            .amended(IntentAmended(dueDate: at, paymentStatus: .refunded, note: "rush", at: at)),
            .quoted(
                IntentQuoted(
                    lineItemID: item,
                    quote: Quote(
                        kind: .estimate, currency: "EUR",
                        lines: [
                            QuoteLine(
                                item: "material", basis: "3 × 9.92 g PLA at 24.99 EUR/kg",
                                amount: Decimal(string: "0.74")!),
                            QuoteLine(item: "margin", basis: "30 % of 0.74 EUR", amount: Decimal(string: "0.22")!),
                        ],
                        total: Decimal(string: "0.96")!, note: nil), at: at)),
            .gateDecided(
                GateRecord(
                    gate: .acceptIntent, outcome: .block(reason: "the due date cannot be met", ask: .owner),
                    rule: "due date cannot be met",
                    explanation:
                        "acceptIntent: rule “due date cannot be met” because the due date cannot be met → blocked",
                    risk: RiskAssessment(
                        stage: .intent, level: .high, score: 55,
                        factors: [
                            RiskFactor(
                                code: "logistics.late", sentence: "cannot meet the due date: 3.0 h short", weight: 40),
                            RiskFactor(
                                code: "logistics.material", sentence: "PETG is not loaded on any printer", weight: 15),
                        ]), at: at)),
        ]
        let plans: [PlanEvent] = [
            .created(PlanCreated(planID: plan, intentID: intent, lineItemID: item, at: at)),
            .revisionDrafted(PlanRevisionDrafted(revision: 1, spec: spec, at: at)),
            .revisionApproved(revision), .revisionSuperseded(revision), .revisionReviewRequired(revision),
            .gateDecided(
                GateRecord(
                    gate: .approvePlan, outcome: .requireApproval(.operator), rule: "high-risk part",
                    explanation:
                        "approvePlan: rule “high-risk part” because risk HIGH → waits for approval by an operator",
                    risk: RiskAssessment(
                        stage: .plan, level: .high, score: 55,
                        factors: [
                            RiskFactor(
                                code: "history.planFailures", sentence: "this plan failed twice before", weight: 30),
                            RiskFactor(
                                code: "geometry.overhang", sentence: "overhang area 31 % of the surface", weight: 25),
                        ]), revision: 2, overridden: false, at: at)),
            .schedulingSet(
                PlanSchedulingSet(scheduling: PlanScheduling(pinnedGroup: "room B", rush: true), at: at)),
        ]
        let plates: [BuildPlateEvent] = [
            .composed(BuildPlateComposed(plateID: plate, items: [plateItem], at: at)),
            .itemAdded(BuildPlateItemChanged(item: plateItem, at: at)),
            .itemRemoved(BuildPlateItemChanged(item: plateItem, at: at)),
            .frozen(BuildPlateFrozen(gcodeArtifact: "sha256:cd", at: at)),
            .discarded(BuildPlateDiscarded(note: "mixed up", at: at)),
            .outcomeRecorded(PlateItemOutcome(planID: plan, runID: run, succeeded: false, at: at)),
            .lockSet(BuildPlateLockSet(locked: true, at: at)),
            .scheduled(BuildPlateScheduled(runID: run, at: at)),
        ]
        let runs: [RunEvent] = [
            .scheduled(RunScheduled(runID: run, plateID: plate, printerID: printer, items: [plateItem], at: at)),
            .dispatching(RunDispatching(token: "claim-1", at: at)), .dispatchAborted(runChange), .started(runChange),
            .progressed(
                RunProgressed(
                    progress: RunProgress(
                        fraction: 0.42, layer: 12, totalLayers: 80, elapsedSeconds: 600, remainingSeconds: 900), at: at)
            ),
            .paused(runChange), .resumed(runChange), .completed(runChange), .failed(runChange), .cancelled(runChange),
            .interrupted(runChange),
            .itemInspected(ItemInspection(planID: plan, passed: false, reason: "qa.failed.dimensions", at: at)),
            .objectExcluded(
                ObjectExclusion(
                    name: "ITEM1_BOX_STL_ID_1_COPY_0", planID: plan, copy: 0, reason: "spaghetti", at: at)),
            .snapshotTaken(
                RunSnapshot(moment: .end, artifact: String(repeating: "ab", count: 32), camera: "bed", at: at)),
        ]
        let printers: [PrinterEvent] = [
            .registered(
                PrinterRegistered(
                    printerID: printer,
                    registration: PrinterRegistration(
                        name: "mk3s-01", connector: .moonraker, address: "http://192.168.1.20:7125", capabilities: caps),
                    at: at)),
            .capabilitiesUpdated(PrinterCapabilitiesUpdated(capabilities: caps, at: at)),
            .stateObserved(PrinterStateObserved(state: .error, message: "MCU 'mcu' shutdown: Timer too close", at: at)),
            .maintenanceStarted(flag), .maintenanceEnded(flag), .desynced(flag), .resynced(flag), .degraded(flag),
            .degradationCleared(flag), .bedOccupied(flag), .bedCleared(flag),
            .materialLoaded(
                PrinterMaterialLoaded(material: LoadedMaterial(material: "PETG", colour: "orange"), at: at)),
            .calibrated(
                PrinterCalibrated(
                    calibration: Calibration(
                        kind: "pressureAdvance", values: ["pressureAdvance": 0.045, "smoothTime": 0.04],
                        note: "PETG, 0.4 mm", calibratedAt: at), at: at)),
            .recoveryRequested(PrinterRecoveryRequested(recovery: .resetJob, at: at)),
            .maintenanceWindowScheduled(
                MaintenanceWindowScheduled(
                    window: MaintenanceWindow(
                        id: "belts", start: at.addingTimeInterval(3600), end: at.addingTimeInterval(7200),
                        reason: "belt tension check"), at: at)),
            .maintenanceWindowCancelled(MaintenanceWindowCancelled(id: "belts", at: at)),
            .changeoverRequested(
                PrinterChangeoverRequested(
                    task: ChangeoverTask(
                        plan: plan,
                        setup: PrinterSetup(material: "PETG", colour: "black", nozzle: 0.6, surface: "textured PEI"),
                        steps: ["swap to the 0.6 mm nozzle", "load PETG black", "fit the textured PEI sheet"],
                        before: at.addingTimeInterval(3600)), at: at)),
            .changeoverConfirmed(
                PrinterChangeoverConfirmed(
                    setup: PrinterSetup(material: "PETG", colour: "black", nozzle: 0.6, surface: "textured PEI"),
                    plan: plan, at: at)),
            .changeoverWithdrawn(
                PrinterChangeoverWithdrawn(plan: plan, reason: "no plate waits for it any more", at: at)),
            .cameraSet(
                PrinterCameraSet(
                    camera: PrinterCamera(
                        name: "bed", snapshot: "http://192.168.1.30:8080/?action=snapshot",
                        stream: "http://192.168.1.30:8080/?action=stream"), at: at)),
        ]
        let user = UserID(UUID(uuidString: "01936a4e-0000-7000-8000-0000000000d1")!)
        let users: [UserEvent] = [
            .created(UserCreated(userID: user, username: "ada", role: .operator, at: at)),
            .roleChanged(UserRoleChanged(role: .owner, at: at)), .disabled(UserChanged(at: at)),
            .enabled(UserChanged(at: at)),
            .passwordChanged(UserChanged(at: at)), .totpEnabled(UserChanged(at: at)),
            .totpDisabled(UserChanged(at: at)),
            .loginSucceeded(UserChanged(at: at)), .loginFailed(UserLoginFailed(attempt: 3, at: at)),
            .lockedOut(UserLockedOut(until: at.addingTimeInterval(900), at: at)),
        ]
        let keys: [APIKeyEvent] = [
            .created(
                APIKeyCreated(
                    apiKeyID: APIKeyID(UUID(uuidString: "01936a4e-0000-7000-8000-0000000000e1")!), name: "shop sync",
                    scope: .operate, keyID: "abc123def456", createdBy: "user:\(user)", at: at)),
            .revoked(APIKeyRevoked(at: at)),
        ]
        let facts = ModelFacts(
            format: "stl-binary", triangles: 12, vertices: 8, size: BuildVolume(x: 20, y: 20, z: 20), volume: 8000,
            surfaceArea: 2400,
            shells: 1, openEdges: 0, nonManifoldEdges: 0, inconsistentEdges: 0, degenerateTriangles: 0,
            nonFiniteCoordinates: 0,
            overhangArea: 0, overhangAngle: 45, footprint: [[0, 0], [20, 0], [20, 20], [0, 20]],
            wallThickness: WallThicknessFacts(samples: 2048, minimum: 20, percentile1: 20, percentile5: 20, median: 20),
            unitsGuess: "millimetres",
            declaredUnit: nil, objectNames: [],
            readerNotes: [
                PreflightFinding(
                    code: "stl.solidHeader", severity: .info,
                    message: "a binary STL whose header starts with 'solid' (read as binary)")
            ])
        let sha = String(repeating: "ab", count: 32)
        let artifacts: [ArtifactEvent] = [
            .registered(
                ArtifactRegistered(
                    upload: ArtifactUpload(sha256: sha, size: 684, mediaType: "model/stl", name: "cube.stl"),
                    kind: .model, by: "user:\(user)", at: at)),
            .named(ArtifactNamed(name: "cube (1).stl", by: "user:\(user)", at: at)),
            .analysed(ArtifactAnalysed(facts: facts, failure: nil, analyser: 1, at: at)),
        ]
        let gcodeFacts = GCodeFacts(
            generator: "PrusaSlicer 2.5.0", estimatedSeconds: 1345, estimatedSilentSeconds: nil,
            filamentMillimetres: 2604.63,
            filamentCubicCentimetres: 6.26, filamentGrams: 7.76, filamentCost: 0.19, layerCount: 84,
            layerHeights: [0.3, 0.35],
            firstLayerHeight: 0.35, maxZ: 25.05, objects: ["box.stl id:0 copy 0"], thumbnails: [],
            settings: ["perimeter_generator": "classic"])
        let slices: [SliceEvent] = [
            .recorded(
                SliceRecorded(
                    key: String(repeating: "cd", count: 32),
                    inputs: SliceInputs(
                        model: sha, profile: String(repeating: "ef", count: 32), slicer: "PrusaSlicer 2.5.0", copies: 1),
                    gcode: String(repeating: "12", count: 32), gcodeSize: 168_808, facts: gcodeFacts,
                    pinnedToOneCore: false, slicerSeconds: 0.167, at: at))
        ]
        let bindings: [ProfileBindingEvent] = [
            .bound(
                ProfileBound(
                    printerModel: "MK3S", material: "PETG", profile: String(repeating: "ef", count: 32),
                    previous: String(repeating: "ee", count: 32), by: "user:\(user)", at: at))
        ]
        let connection = ShopConnectionID(UUID(uuidString: "01936a4e-0000-7000-8000-0000000000e1")!)
        let shopSpec = ShopConnectionSpec(
            platform: .shopify, name: "Main store", endpoints: ShopEndpoints(api: "https://farm.myshopify.com"))
        let shops: [ShopConnectionEvent] = [
            .connected(ShopConnected(connectionID: connection, spec: shopSpec, by: "user:\(user)", at: at)),
            .updated(
                ShopConnectionUpdated(
                    name: "Etsy shop",
                    endpoints: ShopEndpoints(
                        api: "https://api.etsy.com", authorize: "https://www.etsy.com", shop: "123456"),
                    at: at)),
            .secretsRotated(ShopConnectionChanged(at: at)),
            .removed(ShopConnectionChanged(at: at)),
        ]
        let order = ShopOrder(
            platform: .shopify, orderID: "820982911946154508", name: "#1001", createdAt: at, updatedAt: at,
            payment: .paid, cancelled: false, currency: "EUR", customer: "Ada Lovelace", note: "gift wrap",
            lines: [
                ShopLine(
                    lineID: "487817672276298554", sku: "PF-DRAGON", productID: "7", variantID: "8", title: "Dragon",
                    variant: "Gold", quantity: 2,
                    properties: [ShopProperty(name: "Engraving", value: "ALEX", personalisation: true)], physical: true)
            ])
        let sale = SaleID(UUID(uuidString: "01936a4e-0000-7000-8000-0000000000e2")!)
        let sales: [SaleEvent] = [
            .taken(SaleTaken(saleID: sale, connectionID: connection, order: order, at: at)),
            .updated(SaleUpdated(order: order, at: at)),
            .held(SaleHeld(reasons: ["SKU PF-DRAGON is not in the catalog"], at: at)),
            .released(SaleReleased(intentID: IntentID(sale.uuid), at: at)),
            .cancelled(SaleCancelled(at: at)),
            .fulfilmentRequested(
                SaleFulfilmentRequested(
                    shipment: Shipment(
                        carrier: "UPS", trackingNumber: "1Z001985YW99744790",
                        trackingURL: "https://www.ups.com/track?tracknum=1Z001985YW99744790"), at: at)),
            .fulfilmentFailed(
                SaleFulfilmentFailed(
                    error: "Shopify answered 503", attempt: 1, retryAt: at.addingTimeInterval(60), at: at)),
            .fulfilled(SaleFulfilled(reference: "gid://shopify/Fulfillment/255858046", at: at)),
            .fulfilmentRetried(SaleCancelled(at: at)),
        ]
        let catalog: [CatalogEvent] = [
            .set(
                CatalogEntrySet(
                    spec: CatalogEntrySpec(sku: "PF-DRAGON", modelArtifact: sha, material: "PETG", colour: "Silk gold"),
                    by: "user:\(user)", at: at)),
            .removed(CatalogEntryRemoved(by: "user:\(user)", at: at)),
        ]
        return intents + plans + plates + runs + printers + users + keys + artifacts + slices + bindings + shops
            + sales + catalog + materials(at: at, sha: sha)
    }

    static func materials(at: Date, sha: String) -> [any DomainEvent] {
        let vendor = VendorID(UUID(uuidString: "01936a4e-0000-7000-8000-0000000000e1")!)
        let filament = FilamentID(UUID(uuidString: "01936a4e-0000-7000-8000-0000000000e2")!)
        let lot = LotID(UUID(uuidString: "01936a4e-0000-7000-8000-0000000000e3")!)
        let spool = SpoolID(UUID(uuidString: "01936a4e-0000-7000-8000-0000000000e4")!)
        let printer = PrinterID(UUID(uuidString: "01936a4e-0000-7000-8000-0000000000e5")!)
        let run = RunID(UUID(uuidString: "01936a4e-0000-7000-8000-0000000000e6")!)
        let plan = PlanID(UUID(uuidString: "01936a4e-0000-7000-8000-0000000000e7")!)
        let prusament = VendorSpec(name: "Prusament", emptySpoolWeight: 201, comment: "cardboard spools")
        let vendors: [RecordEvent<VendorSpec>] = [
            .registered(RecordRegistered(id: vendor, spec: prusament, at: at)),
            .updated(RecordUpdated(spec: VendorSpec(name: "Prusament", emptySpoolWeight: 193), at: at)),
            .retired(RecordRetired(at: at)), .restored(RecordRetired(at: at)),
        ]
        let galaxy = FilamentSpec(
            vendor: vendor, name: "PLA Galaxy Black", material: "PLA", colour: "black", colourHex: "1A1A1A",
            diameter: 1.75, density: 1.24, nominalWeight: 1000, spoolWeight: 201, price: 24.99, reorderPoint: 3000)
        let filaments: [RecordEvent<FilamentSpec>] = [
            .registered(RecordRegistered(id: filament, spec: galaxy, at: at)),
            .updated(RecordUpdated(spec: galaxy, at: at)), .retired(RecordRetired(at: at)),
            .restored(RecordRetired(at: at)),
        ]
        let batch = LotSpec(filament: filament, number: "L2026-11-042", receivedAt: at, documents: [sha], note: "CoA")
        let lots: [RecordEvent<LotSpec>] = [
            .registered(RecordRegistered(id: lot, spec: batch, at: at)), .updated(RecordUpdated(spec: batch, at: at)),
            .retired(RecordRetired(at: at)), .restored(RecordRetired(at: at)),
        ]
        let spools: [SpoolEvent] = [
            .registered(
                SpoolRegistered(
                    id: spool,
                    spec: SpoolSpec(
                        filament: filament, lot: lot, initialWeight: 1000, remaining: 940, spoolWeight: 201,
                        location: "shelf A2", openedAt: at, driedAt: at), at: at)),
            .updated(SpoolUpdated(details: SpoolDetails(spoolWeight: 193, location: "dry box 1", driedAt: at), at: at)),
            .loaded(SpoolLoad(printer: printer, tool: 0, at: at)),
            .unloaded(SpoolUnloaded(printer: printer, at: at)),
            .used(
                SpoolUsed(
                    run: run, printer: printer, outcome: "failed", share: 0.42, grams: 12.6,
                    parts: [SpoolUsedPart(plan: plan, copies: 2, grams: 12.6)], at: at)),
            .weighed(SpoolWeighed(gross: 1120, net: 927, estimated: 927.4, at: at)),
            .archived(SpoolChanged(at: at)), .restored(SpoolChanged(at: at)),
        ]
        let link = SpoolmanLinkSpec.id(for: "http://192.168.1.40:7912")
        let spoolman: [RecordEvent<SpoolmanLinkSpec>] = [
            .registered(RecordRegistered(id: link, spec: SpoolmanLinkSpec(url: "http://192.168.1.40:7912"), at: at)),
            .updated(RecordUpdated(spec: SpoolmanLinkSpec(url: "http://192.168.1.40:7912", pollSeconds: 300), at: at)),
            .retired(RecordRetired(at: at)), .restored(RecordRetired(at: at)),
        ]
        let nozzle = ConsumableID(UUID(uuidString: "01936a4e-0000-7000-8000-0000000000e8")!)
        let hardened = ConsumableSpec(
            kind: .nozzle, name: "0.4 hardened steel", diameter: 0.4, hardened: true, wearHours: 2000, wearGrams: 50_000
        )
        let consumables: [ConsumableEvent] = [
            .registered(ConsumableRegistered(id: nozzle, spec: hardened, at: at)),
            .updated(ConsumableUpdated(spec: hardened, at: at)),
            .installed(ConsumableInstall(printer: printer, at: at)),
            .removed(ConsumableRemoved(printer: printer, at: at)),
            .used(ConsumableUsed(run: run, printer: printer, hours: 2.5, grams: 41.2, at: at)),
            .cleaned(ConsumableChanged(at: at)), .retired(ConsumableChanged(at: at)),
            .restored(ConsumableChanged(at: at)),
        ]
        return vendors + filaments + lots + spools + spoolman + consumables
    }
}
