import FarmDomain
import Foundation

extension FarmDay {
    /// Grams of one part: the model's printed volume (its `volume` already counts walls and infill) in PLA.
    static func grams(_ model: ModelFacts?) -> Double { (model?.volume ?? 0) * 1.24 / 1000 }

    /// Loads a new spool of `grams` on the printer, of the material and colour it holds.
    mutating func fitSpool(_ id: PrinterID, grams: Double) {
        guard let printer = printers[id], let loaded = printer.loadedMaterial else { return }
        spoolsMade += 1
        let spool = SpoolID(DerivedID.uuid(time: start, key: "spool \(spoolsMade)"))
        spoolLeft[spool] = grams
        let material = LoadedMaterial(material: loaded.material, colour: loaded.colour, spool: spool)
        printers[id] = apply(PrinterDecider.self, .loadMaterial(material), .exists(printer)).printer
    }

    /// A run's filament comes off its spool when it ends: all of it, or what was printed before it failed.
    mutating func takeFilament(of run: RunID) {
        guard let (spool, grams) = runUsage.removeValue(forKey: run), let left = spoolLeft[spool] else { return }
        report.filamentKilograms += grams / 1000
        if grams > left + 0.001 { report.printsRanOut += 1 }
        spoolLeft[spool] = max(0, left - grams)
    }

    /// A person answers each printer the planner holds back because its spool is too short for the next plate.
    mutating func answerShortSpools(_ steps: [ProductionStep]) {
        for case .waiting(let subject, let reason) in steps where reason.hasPrefix("its spool has") {
            guard
                let (id, _) = printers.sorted(by: { $0.key < $1.key }).first(where: {
                    "printer \($0.value.name)" == subject
                }),
                waitingForSpool[id] == nil
            else { continue }
            waitingForSpool[id] = now
            events.append((now.addingTimeInterval(configuration.spoolSwapResponse), .spoolSwapped(id)))
        }
    }

    /// The swap: a full spool on the printer (a person's action), and the plate that waited counted.
    mutating func swapSpool(_ id: PrinterID) {
        guard let since = waitingForSpool.removeValue(forKey: id), let grams = configuration.spoolGrams,
            let printer = printers[id], let loaded = printer.loadedMaterial
        else { return }
        report.spoolSwaps += 1
        report.platesDelayedForMaterial += 1
        report.materialWaitHours += now.timeIntervalSince(since) / 3600
        spoolsMade += 1
        let spool = SpoolID(DerivedID.uuid(time: start, key: "spool \(spoolsMade)"))
        spoolLeft[spool] = grams
        let material = LoadedMaterial(material: loaded.material, colour: loaded.colour, spool: spool)
        printers[id] = act(PrinterDecider.self, .loadMaterial(material), .exists(printer)).printer
    }
}
