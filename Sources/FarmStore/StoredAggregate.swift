import FarmDomain
import Foundation

/// How an aggregate's state is kept as a read model: which table, and how its model maps to and from the state.
/// The read-model row doubles as the snapshot commands start from, so a command never replays its stream.
public protocol StoredAggregate: Decider, SendableMetatype {
    associatedtype Model: Codable & Sendable & Equatable
    static var table: ReadModelTable { get }
    static func model(of state: State) -> Model?
    static func state(of model: Model) -> State
    static func status(of model: Model) -> String
    /// The parent the list endpoints filter by (a run's printer, a plan's intent), if any.
    static func ref(of model: Model) -> String?
    /// The work queue the model waits in for a person, if any (a run waiting for QA): an indexed key so a board
    /// finds the few waiting among many finished without reading them all.
    static func queue(of model: Model) -> String?
    /// The other aggregates a model names and is found by, when a column cannot hold them (a run's plans: a plate
    /// holds several). Recorded when the model is created and never changed, in the indexed `read_links` table.
    static func links(of model: Model) -> [String]
    /// Event types that report what a machine does (a printer's observed state, a run's progress). A person's
    /// `If-Match` guards what they decided on, so these passing in between never make it stale.
    static var telemetry: Set<String> { get }
}

extension StoredAggregate {
    public static func stream(_ id: some CustomStringConvertible) -> String { "\(Event.aggregate)-\(id)" }
    public static func ref(of model: Model) -> String? { nil }
    public static func queue(of model: Model) -> String? { nil }
    public static func links(of model: Model) -> [String] { [] }
    public static var telemetry: Set<String> { [] }
}

extension IntentDecider: StoredAggregate {
    public static let table = ReadModelTable.intents
    public static func model(of state: IntentState) -> Intent? { state.intent }
    public static func state(of model: Intent) -> IntentState { .exists(model) }
    public static func status(of model: Intent) -> String { model.status.rawValue }
}

extension PlanDecider: StoredAggregate {
    public static let table = ReadModelTable.plans
    public static func model(of state: PlanState) -> Plan? { state.plan }
    public static func state(of model: Plan) -> PlanState { .exists(model) }
    public static func status(of model: Plan) -> String { model.status.rawValue }
    public static func ref(of model: Plan) -> String? { model.intentID.description }
    public static func queue(of model: Plan) -> String? { model.awaitedApproval == nil ? nil : ReadQueue.approval }
}

extension BuildPlateDecider: StoredAggregate {
    public static let table = ReadModelTable.plates
    public static func model(of state: BuildPlateState) -> BuildPlate? { state.plate }
    public static func state(of model: BuildPlate) -> BuildPlateState { .exists(model) }
    public static func status(of model: BuildPlate) -> String { model.status.rawValue }
}

extension RunDecider: StoredAggregate {
    public static let table = ReadModelTable.runs
    public static func model(of state: RunState) -> Run? { state.run }
    public static func state(of model: Run) -> RunState { .exists(model) }
    public static func status(of model: Run) -> String { model.status.rawValue }
    public static func ref(of model: Run) -> String? { model.printerID.description }
    public static func queue(of model: Run) -> String? {
        model.status == .completed && model.qa == .pending ? ReadQueue.qa : nil
    }
    public static func links(of model: Run) -> [String] { Set(model.items.map(\.planID.description)).sorted() }
    public static let telemetry: Set<String> = [EventTypeName.make(aggregate: RunEvent.aggregate, name: "progressed")]
}

extension PrinterDecider: StoredAggregate {
    public static let table = ReadModelTable.printers
    public static func model(of state: PrinterState) -> Printer? { state.printer }
    public static func state(of model: Printer) -> PrinterState { .exists(model) }
    public static func status(of model: Printer) -> String { model.status.rawValue }
    public static let telemetry: Set<String> = [
        EventTypeName.make(aggregate: PrinterEvent.aggregate, name: "stateObserved")
    ]
}

extension UserDecider: StoredAggregate {
    public static let table = ReadModelTable.users
    public static func model(of state: UserState) -> User? { state.user }
    public static func state(of model: User) -> UserState { .exists(model) }
    public static func status(of model: User) -> String { model.status }
    public static func ref(of model: User) -> String? { model.username }
}

extension APIKeyDecider: StoredAggregate {
    public static let table = ReadModelTable.apiKeys
    public static func model(of state: APIKeyState) -> APIKey? { state.apiKey }
    public static func state(of model: APIKey) -> APIKeyState { .exists(model) }
    public static func status(of model: APIKey) -> String { model.status }
    public static func ref(of model: APIKey) -> String? { model.keyID }
}

extension ArtifactDecider: StoredAggregate {
    public static let table = ReadModelTable.artifacts
    public static func model(of state: ArtifactState) -> Artifact? { state.artifact }
    public static func state(of model: Artifact) -> ArtifactState { .exists(model) }
    public static func status(of model: Artifact) -> String { model.kind.rawValue }
}

extension SliceDecider: StoredAggregate {
    public static let table = ReadModelTable.slices
    public static func model(of state: SliceState) -> Slice? { state.slice }
    public static func state(of model: Slice) -> SliceState { .exists(model) }
    public static func status(of model: Slice) -> String { "sliced" }
    public static func ref(of model: Slice) -> String? { model.inputs.model }
}

extension ProfileBindingDecider: StoredAggregate {
    public static let table = ReadModelTable.profileBindings
    public static func model(of state: ProfileBindingState) -> ProfileBinding? { state.binding }
    public static func state(of model: ProfileBinding) -> ProfileBindingState { .exists(model) }
    public static func status(of model: ProfileBinding) -> String { "bound" }
    public static func ref(of model: ProfileBinding) -> String? { model.profile }
}

extension ShopConnectionDecider: StoredAggregate {
    public static let table = ReadModelTable.shopConnections
    public static func model(of state: ShopConnection?) -> ShopConnection? { state }
    public static func state(of model: ShopConnection) -> ShopConnection? { model }
    public static func status(of model: ShopConnection) -> String { model.status.rawValue }
    public static func ref(of model: ShopConnection) -> String? { model.platform.rawValue }
}

extension SaleDecider: StoredAggregate {
    public static let table = ReadModelTable.sales
    public static func model(of state: Sale?) -> Sale? { state }
    public static func state(of model: Sale) -> Sale? { model }
    public static func status(of model: Sale) -> String { model.status.rawValue }
    /// Sales are listed per connection.
    public static func ref(of model: Sale) -> String? { model.connectionID.description }
    /// Held sales wait for a person to map their lines; a fulfilment is to be tried, or waits for a person.
    public static func queue(of model: Sale) -> String? {
        if model.status == .held { return ReadQueue.saleHeld }
        switch model.fulfilment?.status {
        case .pending: return ReadQueue.fulfilmentDue
        case .failed: return ReadQueue.fulfilmentFailed
        case .fulfilled, nil: return nil
        }
    }
}

extension CatalogDecider: StoredAggregate {
    public static let table = ReadModelTable.catalog
    public static func model(of state: CatalogEntry?) -> CatalogEntry? { state }
    public static func state(of model: CatalogEntry) -> CatalogEntry? { model }
    public static func status(of model: CatalogEntry) -> String { model.removed ? "removed" : "active" }
}

/// Vendors, filaments and lots: each kept in its own table.
public protocol StoredRecordSpec: RecordSpec {
    static var table: ReadModelTable { get }
}

extension VendorSpec: StoredRecordSpec { public static var table: ReadModelTable { .vendors } }
extension FilamentSpec: StoredRecordSpec { public static var table: ReadModelTable { .filaments } }
extension LotSpec: StoredRecordSpec { public static var table: ReadModelTable { .lots } }
extension SpoolmanLinkSpec: StoredRecordSpec { public static var table: ReadModelTable { .spoolmanLinks } }

extension RecordDecider: StoredAggregate where Spec: StoredRecordSpec {
    public static var table: ReadModelTable { Spec.table }
    public static func model(of state: InventoryRecord<Spec>?) -> InventoryRecord<Spec>? { state }
    public static func state(of model: InventoryRecord<Spec>) -> InventoryRecord<Spec>? { model }
    public static func status(of model: InventoryRecord<Spec>) -> String { model.retired ? "retired" : "active" }
    /// A lot is listed by its filament, a filament by its vendor.
    public static func ref(of model: InventoryRecord<Spec>) -> String? { model.spec.parent }
}

extension SpoolDecider: StoredAggregate {
    public static let table = ReadModelTable.spools
    public static func model(of state: Spool?) -> Spool? { state }
    public static func state(of model: Spool) -> Spool? { model }
    /// On a printer, on the shelf, empty (by the farm's count) or archived.
    public static func status(of model: Spool) -> String { model.status.rawValue }
    /// Spools are listed by filament, and found by their lot (a recall).
    public static func ref(of model: Spool) -> String? { model.filament.description }
    public static func links(of model: Spool) -> [String] { model.lot.map { [$0.description] } ?? [] }
}

extension ConsumableDecider: StoredAggregate {
    public static let table = ReadModelTable.consumables
    public static func model(of state: Consumable?) -> Consumable? { state }
    public static func state(of model: Consumable) -> Consumable? { model }
    /// Fitted, on the shelf, or retired.
    public static func status(of model: Consumable) -> String {
        model.retired ? "retired" : model.installed == nil ? "shelf" : "installed"
    }
    /// Listed by the printer it is fitted to.
    public static func ref(of model: Consumable) -> String? { model.installed?.printer.description }
}

/// The work queues read models can wait in (`StoredAggregate.queue(of:)`).
public enum ReadQueue {
    /// A completed run whose items are not all inspected.
    public static let qa = "qa"
    /// A plan whose current revision waits at a gate for a person's approval.
    public static let approval = "approval"
    /// A shop's order waiting for a catalog mapping or a person's look.
    public static let saleHeld = "saleHeld"
    /// A shipped order the shop is yet to be told of.
    public static let fulfilmentDue = "fulfilmentDue"
    /// A shipped order the shop could not be told of: a person looks, then retries.
    public static let fulfilmentFailed = "fulfilmentFailed"
}
