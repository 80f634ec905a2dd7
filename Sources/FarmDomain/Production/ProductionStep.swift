import Foundation

/// One thing the production loop does next. Each is a command whose result is an event; repeating one after a
/// restart is refused or changes nothing, because the ids it names are derived from what it is about.
public enum ProductionStep: Sendable, Equatable {
    /// Record a gate's decision on an intent, or on a plan revision.
    case decideIntent(IntentID, GateRecord)
    case decidePlan(PlanID, GateRecord)
    case accept(IntentID)
    /// The accept gate did not let the intent through by itself: someone must look.
    case requestReview(IntentID, reasons: [String])
    case startProduction(IntentID)
    case createPlan(PlanID, intent: IntentID, lineItem: LineItemID, spec: PlanSpec)
    case approve(PlanID, revision: Int)
    /// A guardrail stopped the revision: no more automatic work on it.
    case requireReview(PlanID, revision: Int, GuardTrip)
    /// Slice the model with the revision's profile; the result is recorded as a slice the next pass finds.
    case slice(PlanID, revision: Int, model: String, profile: String, recipe: SliceRecipe)
    /// Compose and freeze a plate with the G-code and schedule it on the printer.
    case schedule(Attempt)
    /// QA passed without a person: the run's risk was LOW and the farm allows it.
    case autoPass(RunID, PlanID, risk: RiskAssessment)
    case degrade(PrinterID, GuardTrip)
    /// A print ended on the printer since its bed was last cleared, and the farm requires cleared beds.
    case occupyBed(PrinterID, reason: String)
    case readyToShip(IntentID)
    /// The printer's next print needs another material, colour, nozzle or sheet: a task for a person.
    case requestChangeover(PrinterID, ChangeoverTask)
    /// The plate that needed the asked-for changeover no longer does.
    case withdrawChangeover(PrinterID, reason: String)
    /// Farm mode: a new plate of waiting parts, or more parts on an open one.
    case composePlate(BuildPlateID, items: [PlateItem], maxFill: Double?)
    case addToPlate(BuildPlateID, PlateItem)
    /// A part leaves an open plate: its plan moved to another revision, or its order closed.
    case removeFromPlate(BuildPlateID, PlanID, reason: String)
    /// A plate that can no longer print as it is (frozen with a part no longer wanted).
    case discardPlate(BuildPlateID, reason: String)
    /// Slice an open plate; its G-code freezes it.
    case freezePlate(PlateFreeze)
    /// A run prints the plate already (a crash came between the two records): the plate says so too.
    case markPlateScheduled(BuildPlateID, RunID)
    /// Nothing can be done for `subject` until someone acts; `reason` says what (logged, shown to operators).
    case waiting(String, reason: String)
}

/// What slicing a plate takes: its models in the plate's item order (objects are labelled `item<N>-…` by that
/// order), the profile and recipe its items share.
public struct PlateFreeze: Sendable, Equatable {
    public var plate: BuildPlateID
    public var entries: [PlateEntry]
    /// The plan of each entry.
    public var plans: [PlanID]
    public var profile: String
    public var recipe: SliceRecipe
    /// The composer's estimate of the bed it fills: a plate the slicer refuses is split, its halves limited below it.
    public var fill: Double

    public init(
        plate: BuildPlateID, entries: [PlateEntry], plans: [PlanID], profile: String, recipe: SliceRecipe,
        fill: Double
    ) {
        self.plate = plate
        self.entries = entries
        self.plans = plans
        self.profile = profile
        self.recipe = recipe
        self.fill = fill
    }
}

/// One print attempt the loop decided on.
public struct Attempt: Sendable, Equatable {
    public var run: RunID
    public var plate: BuildPlateID
    /// The plate's first item (its only one in solo mode).
    public var plan: PlanID
    public var revision: Int
    public var copies: Int
    /// Every item on the plate.
    public var items: [PlateItem]
    /// On a plate of several plans, each plan's own risk.
    public var itemRisks: [ItemRisk]? = nil
    /// The plate is composed and frozen already (farm mode); otherwise the loop composes and freezes it.
    public var plateFrozen: Bool
    public var printer: PrinterID
    /// The G-code artifact (SHA-256).
    public var gcode: String
    public var risk: RiskAssessment
    /// Reprints after a failure rather than the first attempt.
    public var reprint: Bool
}
