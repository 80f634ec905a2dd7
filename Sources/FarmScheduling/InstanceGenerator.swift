import Foundation

/// Realistic farms from a seed, as `../shared/reference/scheduling/README.md` describes them: printer models mk3s
/// 40 %, mini 25 %, ender3 20 %, voron2 15 %, a third enclosed, some hardened; plates half PLA, a fifth PETG, then
/// ABS, ASA, TPU, PA-CF, mostly black and white, print times lognormal around 2.5 h (20 min to 20 h); a third
/// waiting at t = 0, the rest arriving over the day; weights 1 / 2 / 5 at 70 / 20 / 10 %, due 1.2–6 × the print time
/// after arrival; a quarter of the printers with a maintenance window.
public struct InstanceGenerator {
    var random: SplitMix64

    public init(seed: UInt64) { random = SplitMix64(seed: seed) }

    mutating func unit() -> Double { Double(random.next() >> 11) / Double(1 << 53) }

    mutating func pick<T>(_ weighted: [(T, Double)]) -> T {
        var roll = unit() * weighted.reduce(0) { $0 + $1.1 }
        for (value, weight) in weighted {
            roll -= weight
            if roll < 0 { return value }
        }
        return weighted[weighted.count - 1].0
    }

    static let models: [(name: String, volume: [Int], directDrive: Bool)] = [
        ("mk3s", [250, 210, 210], true), ("mini", [180, 180, 180], false), ("ender3", [220, 220, 250], false),
        ("voron2", [350, 350, 340], true),
    ]

    public mutating func problem(printers: Int, jobs: Int, horizon: Int = 24 * 60) -> SchedulingProblem {
        let colours: [(String, Double)] = [
            ("black", 35), ("white", 25), ("grey", 10), ("red", 10), ("blue", 10), ("orange", 10),
        ]
        let materials: [(String, Double)] = [
            ("PLA", 50), ("PETG", 20), ("ABS", 10), ("ASA", 8), ("TPU", 7), ("PA-CF", 5),
        ]
        var machines: [SchedulingPrinter] = []
        for index in 0..<printers {
            let model = pick(zip(Self.models, [40.0, 25, 20, 15]).map { ($0, $1) })
            let hardened = unit() < 0.2
            let nozzle = unit() < 0.8 ? 400 : 600
            var maintenance: [MinuteWindow] = []
            if unit() < 0.25 {
                let start = Int(unit() * Double(horizon))
                maintenance.append(MinuteWindow(start: start, end: start + 60 + Int(unit() * 120)))
            }
            let material = pick(materials.filter { $0.0 != "PA-CF" || hardened })
            machines.append(
                SchedulingPrinter(
                    id: String(format: "P%02d", index + 1), buildVolume: model.volume, directDrive: model.directDrive,
                    enclosure: model.name == "voron2" || unit() < 0.25, hardenedNozzle: hardened,
                    nozzleKit: unit() < 0.8 ? [400, 600] : [nozzle],
                    loaded: PrinterState(
                        material: material, colour: pick(colours), nozzle: nozzle),
                    availableFrom: unit() < 0.5 ? Int(unit() * 120) : 0, maintenance: maintenance))
        }
        var plates: [SchedulingJob] = []
        // A plate no printer of the farm can take is drawn again (as a farm would not accept it).
        var index = 0
        while plates.count < jobs {
            defer { index += 1 }
            let material = pick(materials)
            // Lognormal around 150 minutes, kept between 20 minutes and 20 hours.
            let normal = sqrt(-2 * log(max(unit(), 1e-12))) * cos(2 * Double.pi * unit())
            let duration = min(1200, max(20, Int((150 * exp(0.8 * normal)).rounded())))
            let large = unit() < 0.05
            let footprint =
                large ? [300, 280, 200] : [40 + Int(unit() * 160), 40 + Int(unit() * 150), 20 + Int(unit() * 150)]
            let release = index < jobs / 3 ? 0 : Int(unit() * Double(horizon) * 0.8)
            let weight = pick([(1, 70.0), (2, 20), (5, 10)])
            let plate = SchedulingJob(
                id: String(format: "J%03d", index + 1), material: material, colour: pick(colours),
                nozzle: unit() < 0.8 ? 400 : 600, needsEnclosure: ["ABS", "ASA"].contains(material),
                needsHardenedNozzle: material == "PA-CF", needsDirectDrive: material == "TPU",
                footprint: footprint, duration: duration, release: release,
                due: release + Int((Double(duration) * (1.2 + unit() * 4.8)).rounded(.up)), weight: weight)
            if machines.contains(where: plate.fits) || index > jobs * 20 { plates.append(plate) }
        }
        // Sorted by release, ids in order of arrival.
        plates.sort { ($0.release, $0.id) < ($1.release, $1.id) }
        for index in plates.indices { plates[index].id = String(format: "J%03d", index + 1) }
        return SchedulingProblem(printers: machines, jobs: plates)
    }
}
