import Foundation

/// Why an instance file cannot be read, with where in the file and what to do.
public struct InstanceError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String

    init(_ description: String) { self.description = description }
}

/// The exchange format of `../shared/reference/scheduling/`: `printfarm-instance/1` in, `printfarm-schedule/1` out.
/// Times are integer minutes from t = 0, lengths mm, nozzle diameters mm (kept here in µm).
public enum ExchangeFormat {
    public static let materials = ["PLA", "PETG", "ABS", "ASA", "TPU", "PA-CF"]
    public static let models = ["mk3s", "mini", "voron2", "ender3"]

    struct Instance: Decodable {
        struct Meta: Decodable {
            let seed: Int
            let printers: Int
            let jobs: Int
        }
        struct Setup: Decodable {
            let colourChange: Int
            let materialChange: Int
            let nozzleSwap: Int
        }
        struct Weights: Decodable {
            let totalWeightedTardiness: Double
            let changeovers: Double
            let makespan: Double
        }
        struct Loaded: Decodable {
            let material: String
            let colour: String
        }
        struct Window: Decodable {
            let start: Int
            let end: Int
        }
        struct Printer: Decodable {
            let id: String
            let model: String
            let buildVolume: [Int]
            let directDrive: Bool
            let enclosure: Bool
            let hardenedNozzle: Bool
            let nozzleDiameter: Double
            let nozzleKit: [Double]
            let loaded: Loaded
            let availableFrom: Int
            let maintenance: [Window]
        }
        struct Job: Decodable {
            let id: String
            let material: String
            let colour: String
            let nozzleDiameter: Double
            let needsEnclosure: Bool
            let needsHardenedNozzle: Bool
            let needsDirectDrive: Bool
            let footprint: [Int]
            let duration: Int
            let release: Int
            let due: Int
            let weight: Int
        }
        let format: String
        let meta: Meta
        let setupTimes: Setup
        let objectiveWeights: Weights
        let printers: [Printer]
        let jobs: [Job]
    }

    static func micrometres(_ millimetres: Double) -> Int { Int((millimetres * 1000).rounded()) }

    /// Reads and checks an instance: the schema's types and ranges, unique ids, known materials.
    public static func problem(from data: Data) throws(InstanceError) -> SchedulingProblem {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let instance: Instance
        do {
            instance = try decoder.decode(Instance.self, from: data)
        } catch let error as DecodingError {
            throw InstanceError(describe(error))
        } catch {
            throw InstanceError("the file is not JSON: \(error)")
        }
        guard instance.format == "printfarm-instance/1" else {
            throw InstanceError("format is \"\(instance.format)\"; this reads printfarm-instance/1")
        }
        let setup = instance.setupTimes
        guard setup.colourChange >= 0, setup.materialChange >= 0, setup.nozzleSwap >= 0 else {
            throw InstanceError("setup_times: minutes cannot be negative")
        }
        let weights = instance.objectiveWeights
        guard weights.totalWeightedTardiness >= 0, weights.changeovers >= 0, weights.makespan >= 0 else {
            throw InstanceError("objective_weights: weights cannot be negative")
        }
        guard !instance.printers.isEmpty, !instance.jobs.isEmpty else {
            throw InstanceError("an instance needs at least one printer and one job")
        }
        var printerIDs = Set<String>()
        let printers = try instance.printers.enumerated().map { (index, printer) throws(InstanceError) in
            let at = "printers[\(index)] (\(printer.id))"
            guard printerIDs.insert(printer.id).inserted else { throw InstanceError("\(at): the id is used twice") }
            guard models.contains(printer.model) else {
                throw InstanceError("\(at).model: \"\(printer.model)\" is not one of \(models.joined(separator: ", "))")
            }
            guard printer.buildVolume.count == 3, printer.buildVolume.allSatisfy({ $0 >= 1 }) else {
                throw InstanceError("\(at).build_volume: three whole millimetres above zero, x, y, z")
            }
            guard !printer.nozzleKit.isEmpty, printer.nozzleDiameter > 0 else {
                throw InstanceError("\(at): give the nozzle fitted and the kit it can be swapped to")
            }
            guard printer.availableFrom >= 0 else { throw InstanceError("\(at).available_from: cannot be negative") }
            for window in printer.maintenance where window.start < 0 || window.end <= window.start {
                throw InstanceError(
                    "\(at).maintenance: a window [\(window.start), \(window.end)) must end after it starts")
            }
            return SchedulingPrinter(
                id: printer.id, buildVolume: printer.buildVolume, directDrive: printer.directDrive,
                enclosure: printer.enclosure, hardenedNozzle: printer.hardenedNozzle,
                nozzleKit: printer.nozzleKit.map(micrometres),
                loaded: PrinterState(
                    material: printer.loaded.material, colour: printer.loaded.colour,
                    nozzle: micrometres(printer.nozzleDiameter)),
                availableFrom: printer.availableFrom,
                maintenance: printer.maintenance.map { MinuteWindow(start: $0.start, end: $0.end) })
        }
        var jobIDs = Set<String>()
        let jobs = try instance.jobs.enumerated().map { (index, job) throws(InstanceError) in
            let at = "jobs[\(index)] (\(job.id))"
            guard jobIDs.insert(job.id).inserted else { throw InstanceError("\(at): the id is used twice") }
            guard materials.contains(job.material) else {
                throw InstanceError(
                    "\(at).material: \"\(job.material)\" is not one of \(materials.joined(separator: ", "))")
            }
            guard job.footprint.count == 3, job.footprint.allSatisfy({ $0 >= 1 }) else {
                throw InstanceError("\(at).footprint: three whole millimetres above zero, x, y, z")
            }
            guard job.duration >= 1 else { throw InstanceError("\(at).duration: at least one minute") }
            guard job.release >= 0, job.due >= 0 else {
                throw InstanceError("\(at): release and due cannot be negative")
            }
            guard job.weight >= 1 else { throw InstanceError("\(at).weight: at least 1") }
            return SchedulingJob(
                id: job.id, material: job.material, colour: job.colour, nozzle: micrometres(job.nozzleDiameter),
                needsEnclosure: job.needsEnclosure, needsHardenedNozzle: job.needsHardenedNozzle,
                needsDirectDrive: job.needsDirectDrive, footprint: job.footprint, duration: job.duration,
                release: job.release, due: job.due, weight: job.weight)
        }
        return SchedulingProblem(
            printers: printers, jobs: jobs,
            setupTimes: SetupTimes(
                colourChange: setup.colourChange, materialChange: setup.materialChange, nozzleSwap: setup.nozzleSwap),
            weights: ObjectiveWeights(
                weightedTardiness: weights.totalWeightedTardiness, changeovers: weights.changeovers,
                makespan: weights.makespan))
    }

    /// "jobs[3].duration is missing", in the file's own names.
    static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { key in
                key.intValue.map { "[\($0)]" } ?? "." + snake(key.stringValue)
            }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case .keyNotFound(let key, let context):
            let at = path(context.codingPath)
            return "\(at.isEmpty ? "" : at + ": ")\(snake(key.stringValue)) is missing"
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): expected \(type == Int.self ? "a whole number" : "\(type)")"
        case .valueNotFound(_, let context):
            return "\(path(context.codingPath)): a value is needed, not null"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty
                ? "the file is not JSON" : "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    static func snake(_ key: String) -> String {
        key.reduce(into: "") { text, character in
            if character.isUppercase { text += "_" + character.lowercased() } else { text.append(character) }
        }
    }

    /// A problem as `printfarm-instance/1` (what the generator makes, for other solvers to read).
    public static func instanceJSON(_ problem: SchedulingProblem, seed: UInt64, generator: String) throws -> Data {
        func millimetres(_ micrometres: Int) -> Double { Double(micrometres) / 1000 }
        let document: [String: Any] = [
            "format": "printfarm-instance/1",
            "meta": [
                "generator": generator, "generator_version": 1, "seed": seed, "printers": problem.printers.count,
                "jobs": problem.jobs.count, "time_unit": "minute", "length_unit": "mm",
            ],
            "setup_times": [
                "colour_change": problem.setupTimes.colourChange, "material_change": problem.setupTimes.materialChange,
                "nozzle_swap": problem.setupTimes.nozzleSwap,
            ],
            "objective_weights": [
                "total_weighted_tardiness": problem.weights.weightedTardiness,
                "changeovers": problem.weights.changeovers, "makespan": problem.weights.makespan,
            ],
            "printers": problem.printers.map { printer -> [String: Any] in
                [
                    "id": printer.id,
                    "model": InstanceGenerator.models.first { $0.volume == printer.buildVolume }?.name ?? "mk3s",
                    "build_volume": printer.buildVolume, "direct_drive": printer.directDrive,
                    "enclosure": printer.enclosure, "hardened_nozzle": printer.hardenedNozzle,
                    "nozzle_diameter": millimetres(printer.loaded.nozzle),
                    "nozzle_kit": printer.nozzleKit.map(millimetres),
                    "loaded": ["material": printer.loaded.material, "colour": printer.loaded.colour],
                    "available_from": printer.availableFrom,
                    "maintenance": printer.maintenance.map { ["start": $0.start, "end": $0.end] },
                ]
            },
            "jobs": problem.jobs.map { job -> [String: Any] in
                [
                    "id": job.id, "material": job.material, "colour": job.colour,
                    "nozzle_diameter": millimetres(job.nozzle), "needs_enclosure": job.needsEnclosure,
                    "needs_hardened_nozzle": job.needsHardenedNozzle, "needs_direct_drive": job.needsDirectDrive,
                    "footprint": job.footprint, "duration": job.duration, "release": job.release, "due": job.due,
                    "weight": job.weight,
                ]
            },
        ]
        return try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
    }

    /// A schedule as `printfarm-schedule/1`, with the solver, the metrics and the scorer's verdict.
    public static func scheduleJSON(
        _ schedule: Schedule, problem: SchedulingProblem, instance: String?, solver: String,
        objective: ScheduleObjective, wallSeconds: Double
    ) throws -> Data {
        let assignments = ScheduleScorer.assignments(of: schedule, problem: problem)
        let scored = ScheduleScorer.score(assignments, problem: problem)
        let placements = Dictionary(
            schedule.placements.flatMap { $0 }.map { (problem.jobs[$0.job].id, $0) }, uniquingKeysWith: { a, _ in a })
        let metrics = schedule.metrics
        let objectiveValue: Any =
            switch objective {
            case .lex: [metrics.totalWeightedTardiness, metrics.changeovers, metrics.makespan]
            case .weighted: metrics.weightedSum
            case .twt: metrics.totalWeightedTardiness
            case .changeovers: metrics.changeovers
            case .makespan: metrics.makespan
            }
        let violations = scored.violations
        // The scorer says a plate is missing; why it is missing goes beside it.
        let unscheduled = schedule.unschedulable.sorted { $0.key < $1.key }.map {
            ["job": problem.jobs[$0.key].id, "reason": $0.value]
        }
        let document: [String: Any] = [
            "format": "printfarm-schedule/1", "instance": instance ?? NSNull(),
            "solver": [
                "name": solver, "status": "HEURISTIC", "objective": objective.rawValue,
                "objective_value": objectiveValue, "wall_time_s": (wallSeconds * 1000).rounded() / 1000,
            ],
            "objective_weights": [
                "total_weighted_tardiness": problem.weights.weightedTardiness,
                "changeovers": problem.weights.changeovers, "makespan": problem.weights.makespan,
            ],
            "metrics": [
                "makespan": metrics.makespan, "total_weighted_tardiness": metrics.totalWeightedTardiness,
                "changeovers": metrics.changeovers, "setup_minutes": metrics.setupMinutes,
                "tardy_jobs": metrics.tardyJobs, "max_tardiness": metrics.maxTardiness,
                "weighted_sum": metrics.weightedSum,
            ],
            "valid": violations.isEmpty, "violations": violations, "unscheduled": unscheduled,
            "assignments": assignments.map { assignment -> [String: Any] in
                let placement = placements[assignment.job]
                return [
                    "job": assignment.job, "printer": assignment.printer, "start": assignment.start,
                    "end": placement?.end ?? assignment.start, "setup_before": placement?.setup ?? 0,
                    "reason": placement.flatMap { schedule.reasons[$0.job] } ?? NSNull(),
                ]
            },
        ]
        return try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
    }
}
