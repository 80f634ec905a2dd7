import Foundation

/// Filament needed against filament held: for each material and colour, the grams every scheduled print takes
/// (the slicer's figures), the grams on the spools in stock (by the farm's count), what is left after the schedule,
/// whether to reorder, and the first print that would run out — a print due later than that has an order at risk.
///
/// Reservations: the prints of orders that hold stock (`MaterialSettings.hold`) take it first, in start order; the
/// prints of orders that do not (unpaid past their hold) get what is left, so they are the ones that run out. A
/// cancelled or refunded order holds nothing, even before the schedule is redone.
public struct MaterialForecast: Sendable, Equatable, Codable {
    public struct Line: Sendable, Equatable, Codable {
        public var material: String
        /// Absent: prints of the material in any colour.
        public var colour: String?
        public var needed: Double
        public var inStock: Double
        public var spools: Int
        /// Scheduled prints the slicer has not weighed yet (not sliced): not in `needed`.
        public var unweighed: Int
        public var reorderPoint: Double?
        /// Grams the prints of orders holding stock take.
        public var reserved: Double = 0
        /// Stock no held order claims: what a new order can count on.
        public var free: Double = 0
        /// Stock below the reorder point, now or once the schedule is printed.
        public var reorder: Bool
        /// The first scheduled print the stock does not cover.
        public var runsOut: RunOut?

        public var afterSchedule: Double { inStock - needed }

        public init(
            material: String, colour: String?, needed: Double, inStock: Double, spools: Int, unweighed: Int,
            reorderPoint: Double?, reorder: Bool, runsOut: RunOut?
        ) {
            self.material = material
            self.colour = colour
            self.needed = needed
            self.inStock = inStock
            self.spools = spools
            self.unweighed = unweighed
            self.reorderPoint = reorderPoint
            self.reorder = reorder
            self.runsOut = runsOut
        }
    }

    public struct RunOut: Sendable, Equatable, Codable {
        public var job: String
        public var plan: PlanID
        public var intent: IntentID
        public var plate: BuildPlateID?
        public var printer: PrinterID
        public var start: Date
        public var due: Date?
        /// Grams short by the end of this print.
        public var short: Double

        public init(
            job: String, plan: PlanID, intent: IntentID, plate: BuildPlateID?, printer: PrinterID, start: Date,
            due: Date?, short: Double
        ) {
            self.job = job
            self.plan = plan
            self.intent = intent
            self.plate = plate
            self.printer = printer
            self.start = start
            self.due = due
            self.short = short
        }
    }

    public struct Reservation: Sendable, Equatable, Codable {
        public var intent: IntentID
        public var material: String
        public var colour: String?
        public var grams: Double
        /// `held`, `heldUntil` (with `until`), `notHeld`.
        public var hold: String
        public var until: Date?
        /// Whether the stock covers all of it, its claim taken in turn.
        public var covered: Bool

        public init(
            intent: IntentID, material: String, colour: String?, grams: Double, hold: String, until: Date?,
            covered: Bool
        ) {
            self.intent = intent
            self.material = material
            self.colour = colour
            self.grams = grams
            self.hold = hold
            self.until = until
            self.covered = covered
        }
    }

    public var lines: [Line]
    /// Each order's claim per material and colour, in the order served.
    public var reservations: [Reservation] = []

    /// Lines that need a person: stock short of the schedule, or below a reorder point.
    public var attention: [Line] { lines.filter { $0.runsOut != nil || $0.reorder } }

    public static func compute(
        schedule: FarmSchedule, spools: [Spool], filaments: [Filament], holds: [IntentID: MaterialHold] = [:]
    ) -> MaterialForecast {
        struct Key: Hashable {
            var material: String
            var colour: String?
            init(_ material: String, _ colour: String?) {
                self.material = material.lowercased()
                self.colour = colour?.lowercased()
            }
            func covers(_ filament: FilamentSpec) -> Bool {
                filament.material.lowercased() == material && (colour == nil || filament.colour?.lowercased() == colour)
            }
        }
        let byID = Dictionary(filaments.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        func hold(_ intent: IntentID) -> MaterialHold { holds[intent] ?? .held }
        // Held orders' prints first, each group in start order; released orders' prints not at all.
        let prints = schedule.printers.flatMap { queue in queue.prints.map { (queue.printer, $0) } }
            .filter { hold($0.1.intent) != .released }
            .sorted { a, b in
                let (heldA, heldB) = (hold(a.1.intent).reserves, hold(b.1.intent).reserves)
                return heldA != heldB ? heldA : a.1.start < b.1.start
            }
        var reservations: [Reservation] = []
        var claimed: [String: Int] = [:]
        var order: [Key] = []
        var names: [Key: (String, String?)] = [:]
        for (_, print) in prints {
            let key = Key(print.material, print.colour)
            if names[key] == nil {
                order.append(key)
                names[key] = (print.material, print.colour)
            }
        }
        // Filaments with a reorder point are watched even with nothing scheduled.
        for filament in filaments where !filament.retired && filament.spec.reorderPoint != nil {
            let key = Key(filament.spec.material, filament.spec.colour)
            if names[key] == nil {
                order.append(key)
                names[key] = (filament.spec.material, filament.spec.colour)
            }
        }
        let lines = order.map { key -> Line in
            let stocked = spools.filter { spool in
                !spool.archived && spool.remaining > 0 && byID[spool.filament].map { key.covers($0.spec) } == true
            }
            let inStock = stocked.reduce(0) { $0 + $1.remaining }
            let watched = filaments.filter { !$0.retired && key.covers($0.spec) }.compactMap(\.spec.reorderPoint)
            var needed = 0.0
            var reserved = 0.0
            var unweighed = 0
            var runsOut: RunOut?
            for (printer, print) in prints where Key(print.material, print.colour) == key {
                guard let grams = print.grams else {
                    unweighed += 1
                    continue
                }
                needed += grams
                let state = hold(print.intent)
                if state.reserves { reserved += grams }
                let claimKey = "\(print.intent)|\(key.material)|\(key.colour ?? "")"
                if let index = claimed[claimKey] {
                    reservations[index].grams += grams
                    reservations[index].covered = reservations[index].covered && needed <= inStock
                } else {
                    claimed[claimKey] = reservations.count
                    let (name, until): (String, Date?) =
                        switch state {
                        case .held: ("held", nil)
                        case .heldUntil(let date): ("heldUntil", date)
                        case .notHeld, .released: ("notHeld", nil)
                        }
                    reservations.append(
                        Reservation(
                            intent: print.intent, material: print.material, colour: print.colour, grams: grams,
                            hold: name, until: until, covered: needed <= inStock))
                }
                if runsOut == nil, needed > inStock {
                    runsOut = RunOut(
                        job: print.job, plan: print.plan, intent: print.intent, plate: print.plate, printer: printer,
                        start: print.start, due: print.due, short: needed - inStock)
                }
            }
            let point = watched.isEmpty ? nil : watched.reduce(0, +)
            var line = Line(
                material: names[key]!.0, colour: names[key]!.1, needed: needed, inStock: inStock,
                spools: stocked.count, unweighed: unweighed, reorderPoint: point,
                reorder: point.map { inStock - needed < $0 } ?? false, runsOut: runsOut)
            line.reserved = reserved
            line.free = max(0, inStock - reserved)
            return line
        }
        return MaterialForecast(lines: lines, reservations: reservations)
    }
}
