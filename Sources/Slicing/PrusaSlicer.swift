import FarmDomain
import Foundation

/// What to slice and where the G-code goes.
public struct SliceRequest: Sendable {
    /// Model files (STL, 3MF).
    public var models: [String]
    public var profile: SlicerProfile
    public var output: String
    /// Several models: arrange them on one plate and slice them together (`--merge`).
    public var merge: Bool
    /// Copies of the model(s) on the plate (`--duplicate`), 1 for one.
    public var copies: Int
    /// A plan revision's orientation and supports; nil slices the model as it lies, with the profile's supports.
    public var recipe: SliceRecipe?
    /// Label every object in the G-code even when there is one (a plate's objects are traced to their items).
    public var labelObjects: Bool

    public init(
        models: [String], profile: SlicerProfile, output: String, merge: Bool = false, copies: Int = 1,
        recipe: SliceRecipe? = nil, labelObjects: Bool = false
    ) {
        self.labelObjects = labelObjects
        self.models = models
        self.profile = profile
        self.output = output
        self.merge = merge
        self.copies = copies
        self.recipe = recipe
    }

    /// Objects are labelled (and made excludable): on a plate, with copies, or when asked.
    var labelsObjects: Bool { labelObjects || merge && models.count > 1 || copies > 1 }

    /// The profile with the recipe's supports in PrusaSlicer's words.
    var effectiveProfile: SlicerProfile {
        guard let recipe else { return profile }
        var profile = profile
        let (on, auto, plateOnly) =
            switch recipe.supports {
            case .none: ("0", "0", "0")
            case .buildPlateOnly: ("1", "1", "1")
            case .everywhere: ("1", "1", "0")
            }
        profile.settings["support_material"] = on
        profile.settings["support_material_auto"] = auto
        profile.settings["support_material_buildplate_only"] = plateOnly
        return profile
    }

    /// `--rotate-x`, `--rotate-y` and `--rotate` (about Z) for what the recipe turns.
    var rotationArguments: [String] {
        guard let turn = recipe?.orientation else { return [] }
        var arguments: [String] = []
        for (flag, degrees) in [("--rotate-x", turn.x), ("--rotate-y", turn.y), ("--rotate", turn.z)] where degrees != 0
        {
            arguments += [flag, number(degrees)]
        }
        return arguments
    }
}

public struct SliceResult: Sendable, Equatable {
    public var facts: GCodeFacts
    /// The slicer and its version, e.g. "PrusaSlicer 2.5.0".
    public var slicer: String
    public var profileVersion: String
    /// The slicer process's wall time.
    public var seconds: Double
    /// Run on one core because the profile is not reproducible in parallel (Arachne perimeters).
    public var pinnedToOneCore: Bool

    public init(facts: GCodeFacts, slicer: String, profileVersion: String, seconds: Double, pinnedToOneCore: Bool) {
        self.facts = facts
        self.slicer = slicer
        self.profileVersion = profileVersion
        self.seconds = seconds
        self.pinnedToOneCore = pinnedToOneCore
    }
}

/// The PrusaSlicer command line as a slicing service: child processes, at most `concurrency` at once, each with a
/// time limit and cancellation; failures come back as `SliceFailure`s with the slicer's own words, never as a stuck
/// job. The G-code's timestamp line is normalised, so the same inputs give the same bytes.
public struct PrusaSlicer: Sendable {
    public let executable: String
    public let timeout: Duration
    let slots: AsyncSemaphore
    private let knowledge = SlicerKnowledge()

    public init(
        executable: String? = nil, concurrency: Int = ProcessInfo.processInfo.activeProcessorCount,
        timeout: Duration = .seconds(600)
    ) throws(SliceFailure) {
        guard let found = executable ?? Self.locate() else {
            throw SliceFailure(
                code: .slicerMissing,
                message:
                    "prusa-slicer is not installed or not on PATH; install it (Debian: apt install prusa-slicer) or name it with --slicer"
            )
        }
        guard FileManager.default.isExecutableFile(atPath: found) else {
            throw SliceFailure(
                code: .slicerMissing,
                message: "\(found) is not an executable file; install prusa-slicer or fix the path")
        }
        self.executable = found
        self.timeout = timeout
        slots = AsyncSemaphore(limit: concurrency)
    }

    /// `prusa-slicer` (or `PrusaSlicer`) on PATH.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        let directories = (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":")
        for directory in directories {
            for name in ["prusa-slicer", "PrusaSlicer"] {
                let path = "\(directory)/\(name)"
                if FileManager.default.isExecutableFile(atPath: path) { return path }
            }
        }
        return nil
    }

    /// The most slices that ran at once so far (for tests and benchmarks).
    public var peakConcurrency: Int { get async { await slots.peak } }

    /// "PrusaSlicer 2.5.0", from the banner of `--help`.
    public func version() async throws(SliceFailure) -> String {
        if let known = await knowledge.version { return known }
        let run = try await runSlicer(["--help"], pinned: false, timeout: .seconds(60))
        guard let line = run.output.split(separator: "\n").first(where: { $0.hasPrefix("PrusaSlicer-") }) else {
            throw SliceFailure(
                code: .slicerMissing, message: "\(executable) did not say which PrusaSlicer it is",
                slicerOutput: String(run.output.suffix(500)))
        }
        // "PrusaSlicer-2.5.0+UNKNOWN based on Slic3r …"
        let token = line.split(separator: " ").first.map(String.init) ?? String(line)
        let number = token.dropFirst("PrusaSlicer-".count).split(separator: "+").first.map(String.init) ?? ""
        let version = "PrusaSlicer \(number)"
        await knowledge.set(version: version)
        return version
    }

    /// Every setting this slicer knows, from the complete default config it saves.
    public func knownKeys() async throws(SliceFailure) -> Set<String> {
        Set(try await defaultProfile().settings.keys)
    }

    /// The slicer's own defaults as a complete profile (a 200 × 200 mm bed, 0.4 mm nozzle, Arachne perimeters).
    public func defaultProfile() async throws(SliceFailure) -> SlicerProfile {
        if let known = await knowledge.defaults { return known }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "printfarm-defaults-\(UUID().uuidString).ini"
        ).path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let run = try await runSlicer(["--save", file], pinned: false, timeout: .seconds(60))
        guard let text = try? String(contentsOfFile: file, encoding: .utf8), let profile = try? SlicerProfile(ini: text)
        else {
            throw SliceFailure(
                code: .failed, message: "the slicer did not save its default settings",
                slicerOutput: String(run.output.suffix(500)))
        }
        await knowledge.set(defaults: profile)
        return profile
    }

    /// Asks the slicer whether it accepts every value of the profile (it loads and re-saves it, which checks
    /// ranges and types); throws `slice.invalidProfile` with the slicer's words when it does not.
    public func check(_ profile: SlicerProfile) async throws(SliceFailure) {
        let input = FileManager.default.temporaryDirectory.appendingPathComponent(
            "printfarm-check-\(UUID().uuidString).ini"
        ).path
        let output = input + ".saved"
        defer {
            try? FileManager.default.removeItem(atPath: input)
            try? FileManager.default.removeItem(atPath: output)
        }
        do {
            try profile.canonicalText.write(toFile: input, atomically: true, encoding: .utf8)
        } catch {
            throw SliceFailure(
                code: .failed, message: "cannot write the profile to check it: \(error.localizedDescription)")
        }
        let run = try await runSlicer(["--load", input, "--save", output], pinned: false, timeout: .seconds(60))
        guard run.status == 0, !run.signalled else {
            throw SliceFailure.classify(status: run.status, signalled: run.signalled, output: run.output)
        }
    }

    /// Slices, waiting for a free slot first. `progress` hears the slicer's phases as it reports them
    /// (percent and words, e.g. 30, "Preparing infill"), from another thread.
    public func slice(_ request: SliceRequest, progress: @escaping @Sendable (SliceProgress) -> Void = { _ in })
        async throws(SliceFailure) -> SliceResult
    {
        let version = try await version()
        await slots.acquire()
        defer { Task { await slots.release() } }
        if Task.isCancelled {
            throw SliceFailure(code: .cancelled, message: "the slice was cancelled before it started")
        }
        let profileFile = FileManager.default.temporaryDirectory.appendingPathComponent(
            "printfarm-profile-\(UUID().uuidString).ini"
        ).path
        defer { try? FileManager.default.removeItem(atPath: profileFile) }
        do {
            try request.effectiveProfile.canonicalText.write(toFile: profileFile, atomically: true, encoding: .utf8)
        } catch {
            throw SliceFailure(
                code: .failed, message: "cannot write the profile for the slicer: \(error.localizedDescription)")
        }
        var arguments = ["--load", profileFile, "--export-gcode", "--output", request.output, "--loglevel", "1"]
        if request.merge && request.models.count > 1 { arguments.append("--merge") }
        if request.copies > 1 { arguments += ["--duplicate", String(request.copies)] }
        arguments += request.rotationArguments
        // why: a run's outcome is recorded per object, so on a plate or with copies the objects are always labelled,
        // whatever the profile says (a fixed rule: the same inputs still give the same bytes).
        if request.labelsObjects { arguments.append("--gcode-label-objects") }
        arguments += request.models
        try? FileManager.default.removeItem(atPath: request.output)
        let pinned = !request.profile.reproducibleInParallel
        let started = DispatchTime.now().uptimeNanoseconds
        let run: ProcessRunner.Finished
        do throws(SliceFailure) {
            run = try await runSlicer(arguments, pinned: pinned, timeout: timeout) { line in
                if let phase = SliceProgress(line: line) { progress(phase) }
            }
        } catch {
            // A stopped slicer may leave its output (or its ".tmp") half written.
            try? FileManager.default.removeItem(atPath: request.output)
            try? FileManager.default.removeItem(atPath: request.output + ".tmp")
            throw error
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        guard run.status == 0, !run.signalled, FileManager.default.fileExists(atPath: request.output) else {
            try? FileManager.default.removeItem(atPath: request.output)
            throw SliceFailure.classify(status: run.status, signalled: run.signalled, output: run.output)
        }
        do {
            try GCodeNormaliser.normaliseTimestamp(path: request.output)
            let facts = try GCodeFacts.read(path: request.output)
            if request.labelsObjects {
                try ObjectExclusion.annotate(path: request.output, placements: facts.placements)
            }
            if facts.layerCount == 0 {
                try? FileManager.default.removeItem(atPath: request.output)
                throw SliceFailure(
                    code: .noLayers,
                    message: "the slicer wrote no layers; the model may be flat or tiny — check its units",
                    slicerOutput: String(run.output.suffix(500)))
            }
            return SliceResult(
                facts: facts, slicer: version, profileVersion: request.profile.version, seconds: seconds,
                pinnedToOneCore: pinned)
        } catch let failure as SliceFailure {
            throw failure
        } catch {
            throw SliceFailure(
                code: .failed, message: "the G-code could not be read back: \(error.localizedDescription)")
        }
    }

    /// `timeout` is the slice limit for slices; asking the binary about itself gets a fixed minute.
    private func runSlicer(
        _ arguments: [String], pinned: Bool, timeout: Duration,
        onLine: @escaping @Sendable (Substring) -> Void = { _ in }
    ) async throws(SliceFailure) -> ProcessRunner.Finished {
        // why: Arachne output is reproducible only on one core (measured); taskset pins the slicer's threads to one.
        let taskset = "/usr/bin/taskset"
        let (command, full) =
            pinned && FileManager.default.isExecutableFile(atPath: taskset)
            ? (taskset, ["-c", "0", executable] + arguments) : (executable, arguments)
        let run: ProcessRunner.Finished
        do {
            run = try await ProcessRunner.run(command, full, timeout: timeout, onLine: onLine)
        } catch {
            throw SliceFailure(
                code: .slicerMissing, message: "cannot start \(executable): \(error.localizedDescription)")
        }
        if run.cancelled {
            throw SliceFailure(
                code: .cancelled, message: "the slice was cancelled", slicerOutput: String(run.output.suffix(500)))
        }
        if run.timedOut {
            throw SliceFailure(
                code: .timedOut,
                message:
                    "the slicer took longer than \(timeout) and was stopped; simplify the model or raise the limit",
                slicerOutput: String(run.output.suffix(500)))
        }
        return run
    }
}

/// A phase the slicer reports while it works: "30 => Preparing infill".
public struct SliceProgress: Sendable, Equatable {
    public var percent: Int
    public var phase: String

    init?(line: Substring) {
        guard let arrow = line.range(of: " => "),
            let percent = Int(line[..<arrow.lowerBound].trimmingCharacters(in: .whitespaces)),
            (0...100).contains(percent)
        else { return nil }
        self.percent = percent
        phase = String(line[arrow.upperBound...]).trimmingCharacters(in: .whitespaces)
    }
}

/// What a slicer binary said about itself, asked once.
private actor SlicerKnowledge {
    var version: String?
    var defaults: SlicerProfile?
    func set(version: String) { self.version = version }
    func set(defaults: SlicerProfile) { self.defaults = defaults }
}

/// Makes the slicer's output reproducible: the "generated … on DATE at TIME" line becomes fixed, same length.
enum GCodeNormaliser {
    static func normaliseTimestamp(path: String) throws {
        guard let handle = FileHandle(forUpdatingAtPath: path) else { throw CocoaError(.fileReadNoSuchFile) }
        defer { try? handle.close() }
        let head = try handle.read(upToCount: 200) ?? Data()
        guard let newline = head.firstIndex(of: 10) else { return }
        let line = String(decoding: head[..<newline], as: UTF8.self)
        guard line.hasPrefix("; generated by "), let on = line.range(of: " on ") else { return }
        // "; generated by PrusaSlicer 2.5.0 on 2026-11-25 at 18:13:33 UTC": digits become zeros, length kept.
        let stamp = line[on.upperBound...].map { $0.isNumber ? "0" : String($0) }.joined()
        let fixed = String(line[..<on.upperBound]) + stamp
        guard fixed.utf8.count == line.utf8.count else { return }
        try handle.seek(toOffset: 0)
        handle.write(Data(fixed.utf8))
    }
}
