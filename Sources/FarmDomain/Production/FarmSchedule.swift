import Foundation

/// The farm's plan ahead, as the production loop last made it: for every printer the prints it will make, in order,
/// with the changeover before each and why each is there; the plates no printer can take, with the reason. Derived
/// from the state (never stored): every pass makes it afresh from the last one, so plates move only for a clear gain.
public struct FarmSchedule: Sendable, Equatable, Codable {
    public var plannedAt: Date
    public var printers: [PrinterQueue]
    public var unscheduled: [UnscheduledPlate]
    public var metrics: Metrics
    /// Plates the last replan moved to another printer.
    public var moved: Int
    /// Farm mode: every plate not yet printing, as the composer sees it.
    public var plates: [PlateOutlook]?
    /// The problem it answers (in this process): the same problem next pass needs no new search.
    var problemDigest: Int?

    enum CodingKeys: String, CodingKey { case plannedAt, printers, unscheduled, metrics, moved, plates }

    /// A plate not yet printing: how full the composer's estimate says it is, where it puts each part (a frozen
    /// plate has the slicer's places), the printers that can take it, and why it waits, if it does.
    public struct PlateOutlook: Sendable, Equatable, Codable {
        public var plate: BuildPlateID
        public var fill: Double
        public var bedWidth: Double
        public var bedDepth: Double
        public var parts: [PartOutline]
        public var printers: [String]
        /// Why it is not on the schedule yet (gathering parts, a gate waits); nil when it is.
        public var waiting: String?
    }

    public struct PartOutline: Sendable, Equatable, Codable {
        public var plan: PlanID
        public var x: Double
        public var y: Double
        public var width: Double
        public var depth: Double
    }

    public struct PrinterQueue: Sendable, Equatable, Codable {
        public var printer: PrinterID
        /// The printer's name (with the end of its id where two printers share a name).
        public var name: String
        /// Until when the print on it now (or the changeover asked of it) keeps it busy.
        public var busyUntil: Date?
        public var prints: [ScheduledPrint]
        public var maintenance: [MaintenanceWindow]
    }

    public struct ScheduledPrint: Sendable, Equatable, Codable {
        /// The plate's name in the plan: the plan and which of its missing copies ("…/2").
        public var job: String
        public var plan: PlanID
        public var intent: IntentID
        public var material: String
        public var colour: String?
        /// What a person does before it ("load PETG black"); empty when nothing changes.
        public var changeover: [String]
        public var changeoverStart: Date?
        public var start: Date
        public var end: Date
        public var due: Date?
        public var rush: Bool
        /// The changeover was asked of a person, and the print waits for their confirmation.
        public var awaitingChangeover: Bool
        public var reason: String
        /// Farm mode: the plate, every plan on it, and how many parts.
        public var plate: BuildPlateID?
        public var plans: [PlanID]?
        public var parts: Int?
        /// Grams of filament it takes, when the slicer said (a plate not yet sliced has none).
        public var grams: Double?

        public var late: Bool { due.map { end > $0 } ?? false }
    }

    public struct UnscheduledPlate: Sendable, Equatable, Codable {
        public var plan: PlanID
        public var intent: IntentID
        public var reason: String
    }

    public struct Metrics: Sendable, Equatable, Codable {
        /// Minutes late, each plate's times its weight (5 for a rush).
        public var weightedTardiness: Int
        public var changeovers: Int
        public var tardyPlates: Int
        /// When the last planned print ends.
        public var finishes: Date?
    }

    public static func empty(at now: Date) -> FarmSchedule {
        FarmSchedule(
            plannedAt: now, printers: [], unscheduled: [],
            metrics: Metrics(weightedTardiness: 0, changeovers: 0, tardyPlates: 0, finishes: nil), moved: 0)
    }

    /// Each printer's planned plates as the replanner's job ids, for keeping them where they are next time.
    var queues: [String: [String]] {
        var queues: [String: [String]] = [:]
        for queue in printers { queues[queue.name] = queue.prints.map(\.job) }
        return queues
    }

    /// The planned prints of one plan, soonest first.
    public func prints(of plan: PlanID) -> [(printer: String, print: ScheduledPrint)] {
        printers.flatMap { queue in
            queue.prints.filter { $0.plan == plan || $0.plans?.contains(plan) == true }.map { (queue.name, $0) }
        }
        .sorted { $0.print.start < $1.print.start }
    }
}
