import ArgumentParser
import FarmDomain
import Foundation
import Slicing

/// `printfarm slice`: models → G-code through the same adapter the farm uses, with the facts read back.
struct Slice: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Slice models with PrusaSlicer and a complete profile; prints the G-code facts.",
        discussion: """
            The profile is a complete PrusaSlicer config (as its --save or File → Export Config writes it); its version \
            is its SHA-256. Without --profile the slicer's defaults are used with classic perimeters. Example: \
            printfarm slice part.stl --profile mk3s-petg.ini -o part.gcode --json
            """)

    @Argument(help: "STL or 3MF model files.")
    var models: [String]

    @Option(help: "A complete PrusaSlicer .ini profile (default: the slicer's defaults, classic perimeters).")
    var profile: String?

    @Option(name: [.short, .customLong("output")], help: "Where to write the G-code.")
    var output: String

    @Flag(help: "Arrange several models on one plate and slice them together.")
    var merge = false

    @Option(help: "Copies of the model on the plate.")
    var copies = 1

    @Option(help: "The PrusaSlicer executable (default: prusa-slicer on PATH).")
    var slicer: String?

    @Option(help: "Seconds before a slice is stopped.")
    var timeout = 600

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @Option(
        help:
            "The slice cache folder (default: $PRINTFARM_SLICE_CACHE, else $XDG_CACHE_HOME/printfarm/slices, else ~/.cache/printfarm/slices)."
    )
    var cacheDir: String?

    @Flag(help: "Slice again even when the cache holds these inputs (the result still replaces the cached one).")
    var noCache = false

    func validate() throws {
        guard (1...1000).contains(copies) else { throw ValidationError("--copies is between 1 and 1000") }
        guard timeout > 0 else { throw ValidationError("--timeout is a number of seconds above 0") }
        for model in models where !FileManager.default.fileExists(atPath: model) {
            throw ValidationError("\(model): no such file")
        }
    }

    func run() async throws {
        do {
            let adapter = try PrusaSlicer(executable: slicer, timeout: .seconds(timeout))
            let version = try await adapter.version()
            var chosen: SlicerProfile
            if let profile {
                guard let text = try? String(contentsOfFile: profile, encoding: .utf8) else {
                    throw ValidationError("\(profile): cannot read the profile")
                }
                do {
                    chosen = try SlicerProfile(ini: text)
                    try chosen.validate(knownKeys: try await adapter.knownKeys(), slicer: version)
                } catch let error as ProfileError {
                    throw ValidationError("\(profile): \(error.description) [\(error.code)]")
                }
            } else {
                chosen = try await adapter.defaultProfile()
                chosen.settings["perimeter_generator"] = "classic"
            }
            let cache = try LocalSliceCache(
                root: cacheDir.map { URL(fileURLWithPath: $0) } ?? LocalSliceCache.defaultRoot())
            let key = try LocalSliceCache.key(
                models: models, profile: chosen.version, slicer: version, merge: merge, copies: copies)
            let result: SliceResult
            let hit: Bool
            if !noCache, let entry = cache.lookup(key, copyTo: output) {
                result = SliceResult(
                    facts: entry.facts, slicer: entry.slicer, profileVersion: entry.profileVersion,
                    seconds: entry.seconds, pinnedToOneCore: entry.pinnedToOneCore)
                hit = true
            } else {
                result = try await adapter.slice(
                    SliceRequest(models: models, profile: chosen, output: output, merge: merge, copies: copies))
                try cache.save(key, output: output, result: result)
                hit = false
            }
            if json {
                struct Output: Encodable {
                    var output: String
                    var key: String
                    var cache: String
                    var slicer: String
                    var profileVersion: String
                    var pinnedToOneCore: Bool
                    var seconds: Double
                    var facts: GCodeFacts
                }
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                let body = Output(
                    output: output, key: key, cache: hit ? "hit" : "miss", slicer: result.slicer,
                    profileVersion: result.profileVersion,
                    pinnedToOneCore: result.pinnedToOneCore, seconds: result.seconds, facts: result.facts)
                print(String(decoding: try encoder.encode(body), as: UTF8.self))
            } else {
                let facts = result.facts
                let how = hit ? "found in the cache (sliced before" : "sliced"
                print(
                    "\(how) \(models.count) model\(models.count == 1 ? "" : "s") with \(result.slicer), profile \(result.profileVersion.prefix(12))\(hit ? ")" : "") → \(output)"
                )
                print(
                    "  \(facts.layerCount) layers up to \(facts.maxZ) mm, estimated \(Self.duration(facts.estimatedSeconds)), filament \(facts.filamentMillimetres.map { String(format: "%.0f mm", $0) } ?? "?")"
                )
                if facts.placements.isEmpty {
                    if !facts.objects.isEmpty { print("  objects: \(facts.objects.joined(separator: "; "))") }
                } else {
                    for placement in facts.placements {
                        print(
                            "  \(placement.name)\(placement.copy.map { " copy \($0)" } ?? ""): X \(Self.mm(placement.minX))–\(Self.mm(placement.maxX)), Y \(Self.mm(placement.minY))–\(Self.mm(placement.maxY)) mm"
                        )
                    }
                }
                if result.pinnedToOneCore {
                    print(
                        "  note: the profile uses Arachne perimeters; sliced on one core so the G-code is reproducible")
                }
            }
        } catch let failure as SliceFailure {
            var message = failure.description
            if !failure.slicerOutput.isEmpty { message += "\nthe slicer said:\n" + failure.slicerOutput }
            throw ValidationError(message)
        }
    }

    static func mm(_ value: Double) -> String { String(format: "%.1f", value) }

    static func duration(_ seconds: Int?) -> String {
        guard let seconds else { return "?" }
        return seconds >= 3600
            ? "\(seconds / 3600) h \(seconds % 3600 / 60) min" : "\(seconds / 60) min \(seconds % 60) s"
    }
}

/// `printfarm profiles import`: one flat profile from a vendor bundle's printer, print and filament presets.
struct Profiles: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Make slicer profiles.", subcommands: [Import.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Resolve a vendor bundle's presets (with their inherits chains) into one complete profile.",
            discussion: """
                Example: printfarm profiles import --printer "Original Prusa i3 MK3S & MK3S+" --print "0.15mm QUALITY @MK3" \
                --filament "Generic PETG" -o mk3s-petg.ini. Without --printer, --print or --filament it lists the names.
                """)

        @Option(help: "The vendor bundle (default: PrusaSlicer's Prusa Research bundle).")
        var bundle = "/usr/share/PrusaSlicer/profiles/PrusaResearch.ini"

        @Option(help: "Printer preset name.") var printer: String?
        @Option(help: "Print (quality) preset name.") var print: String?
        @Option(help: "Filament preset name.") var filament: String?
        @Option(name: [.short, .customLong("output")], help: "Where to write the profile.") var output: String?
        @Option(help: "The PrusaSlicer executable (default: prusa-slicer on PATH).") var slicer: String?

        func run() async throws {
            guard let text = try? String(contentsOfFile: bundle, encoding: .utf8) else {
                throw ValidationError("\(bundle): cannot read the bundle")
            }
            let parsed: VendorBundle
            do { parsed = try VendorBundle(ini: text) } catch {
                throw ValidationError("\(bundle): \(error.description)")
            }
            guard let printer, let print, let filament, let output else {
                for kind in ["printer", "print", "filament"] {
                    Swift.print("\(kind) presets:")
                    for name in parsed.names(of: kind) { Swift.print("  \(name)") }
                }
                return
            }
            do {
                let adapter = try PrusaSlicer(executable: slicer)
                let profile = try parsed.flatten(
                    printer: printer, print: print, filament: filament, over: try await adapter.defaultProfile())
                try profile.validate(knownKeys: try await adapter.knownKeys(), slicer: try await adapter.version())
                try await adapter.check(profile)
                try profile.canonicalText.write(toFile: output, atomically: true, encoding: .utf8)
                Swift.print("wrote \(output): \(profile.settings.count) settings, version \(profile.version)")
                if !profile.reproducibleInParallel {
                    Swift.print(
                        "note: Arachne perimeters; the farm slices this profile on one core so its G-code is reproducible"
                    )
                }
            } catch let error as BundleError {
                throw ValidationError(error.description)
            } catch let error as ProfileError {
                throw ValidationError("\(error.description) [\(error.code)]")
            } catch let error as SliceFailure {
                throw ValidationError(error.description)
            }
        }
    }
}
