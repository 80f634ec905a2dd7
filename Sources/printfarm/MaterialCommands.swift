import ArgumentParser
import FarmDomain
import FarmStore
import Foundation

/// `printfarm materials`: filaments and spools from the shell (a farm's first stock-take, a script at the scale).
struct Materials: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Filaments and spools: list the stock, register, weigh in, load on a printer.",
        discussion: "See docs/materials.md.",
        subcommands: [List.self, AddFilament.self, AddSpool.self, Weigh.self, Load.self])

    static var context: CommandContext { CommandContext(actor: .cli, reason: .operatorRequest, time: Date()) }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Each filament with its stock, and every spool not archived.")

        @OptionGroup var storage: StorageOptions

        func run() async throws {
            try await withStore(storage) { store in
                let filaments = try await store.filaments.all().filter { !$0.retired }
                let spools = try await store.spools.all().filter { !$0.archived }
                if filaments.isEmpty { print("no filament is registered") }
                for filament in filaments {
                    let mine = spools.filter { $0.filament == filament.id }
                    let held = mine.reduce(0) { $0 + $1.remaining }
                    let low = filament.spec.reorderPoint.map { held < $0 } == true ? "  REORDER" : ""
                    print(
                        "filament \(filament.id)  \(name(filament))  \(grams(held)) on \(mine.count) spool(s)\(low)")
                    for spool in mine {
                        let place =
                            spool.loaded.map { "on printer \($0.printer) tool \($0.tool)" } ?? spool.location ?? ""
                        print(
                            "  spool \(spool.id)  \(grams(spool.remaining)) of \(grams(spool.initialWeight))  "
                                + "\(spool.status.rawValue)  \(place)")
                    }
                }
            }
        }
    }

    struct AddFilament: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-filament", abstract: "Register a filament; prints its id.")

        @OptionGroup var storage: StorageOptions
        @Option(help: "As plans and printers name it: PLA, PETG …") var material: String
        @Option(help: "As orders name it: black, orange …") var colour: String?
        @Option(help: "g/cm³ (PLA 1.24, PETG 1.27).") var density: Double
        @Option(help: "Millimetres.") var diameter = 1.75
        @Option(help: "Grams of filament on a full spool.") var nominalWeight = 1000.0
        @Option(help: "Grams of the empty spool.") var spoolWeight: Double?
        @Option(help: "Grams of stock under which to reorder.") var reorderPoint: Double?

        func run() async throws {
            let spec = FilamentSpec(
                material: material, colour: colour, diameter: diameter, density: density, nominalWeight: nominalWeight,
                spoolWeight: spoolWeight, reorderPoint: reorderPoint)
            let id = FilamentID(SystemIDs.uuidv7())
            try await withStore(storage) { store in
                do {
                    _ = try await store.filaments.execute(
                        .register(id, spec), id: id.description, context: Materials.context)
                } catch { throw explain(error) }
                print(id)
            }
        }
    }

    struct AddSpool: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-spool", abstract: "Register a spool of a filament; prints its id.")

        @OptionGroup var storage: StorageOptions
        @Option(help: "The filament's id.") var filament: String
        @Option(help: "Grams of filament when new (default: the filament's full spool).") var grams: Double?
        @Option(help: "Grams left now, for a started spool.") var remaining: Double?
        @Option(help: "Where it is kept.") var location: String?

        func run() async throws {
            guard let filamentID = FilamentID(filament) else { throw ValidationError("--filament: not an id") }
            let id = SpoolID(SystemIDs.uuidv7())
            try await withStore(storage) { store in
                guard let registered = try await store.filaments.get(id: filamentID.description)?.model else {
                    throw ValidationError("--filament: no filament \(filament) is registered")
                }
                let spec = SpoolSpec(
                    filament: filamentID, initialWeight: grams ?? registered.spec.nominalWeight, remaining: remaining,
                    location: location)
                do {
                    _ = try await store.spools.execute(
                        .register(id, spec), id: id.description, context: Materials.context)
                } catch { throw explain(error) }
                print(id)
            }
        }
    }

    struct Weigh: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a weigh-in: the filament's grams (net), which become what is left.")

        @OptionGroup var storage: StorageOptions
        @Argument(help: "The spool's id.") var spool: String
        @Option(help: "Grams of filament on the spool (without the spool).") var net: Double

        func run() async throws {
            guard let spoolID = SpoolID(spool) else { throw ValidationError("not a spool id: \(spool)") }
            try await withStore(storage) { store in
                do {
                    let outcome = try await store.spools.execute(
                        .weigh(gross: nil, net: net), id: spoolID.description, context: Materials.context)
                    let counted = outcome.model.lastWeighIn?.estimated ?? net
                    print("spool \(spoolID): \(grams(net)) left; the farm had counted \(grams(counted))")
                } catch { throw explain(error) }
            }
        }
    }

    struct Load: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load a spool on a printer (the printer's material follows once the server runs).")

        @OptionGroup var storage: StorageOptions
        @Argument(help: "The spool's id.") var spool: String
        @Option(help: "The printer's id.") var printer: String
        @Option(help: "The extruder (0 on a single-tool printer).") var tool = 0

        func run() async throws {
            guard let spoolID = SpoolID(spool), let printerID = PrinterID(printer) else {
                throw ValidationError("give a spool id and --printer with a printer's id")
            }
            try await withStore(storage) { store in
                guard try await store.printers.get(id: printerID.description) != nil else {
                    throw ValidationError("--printer: no printer \(printer) is registered")
                }
                do {
                    _ = try await store.spools.execute(
                        .load(printer: printerID, tool: tool), id: spoolID.description, context: Materials.context)
                    print("spool \(spoolID) loaded on printer \(printerID)")
                } catch { throw explain(error) }
            }
        }
    }
}

private func grams(_ value: Double) -> String { String(format: "%.0f g", value) }

private func name(_ filament: Filament) -> String {
    filament.spec.name ?? [filament.spec.material, filament.spec.colour].compactMap { $0 }.joined(separator: " ")
}
