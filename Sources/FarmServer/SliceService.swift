import Crypto
import FarmArtifacts
import FarmDomain
import FarmPlates
import FarmProduction
import FarmStore
import Foundation
import Slicing

/// Slices a stored model with a stored profile, through the cache: the same model bytes, profile version, slicer
/// version and copies find the slice already made. Only successes are cached; the G-code is an artifact.
struct SliceService: Sendable {
    let store: Store
    let artifacts: ArtifactStore
    let slicer: PrusaSlicer?
    /// Why there is no slicer, when there is none.
    let slicerProblem: String?

    init(store: Store, artifacts: ArtifactStore, slicerPath: String?, concurrency: Int) {
        self.store = store
        self.artifacts = artifacts
        do throws(SliceFailure) {
            slicer = try PrusaSlicer(executable: slicerPath, concurrency: concurrency)
            slicerProblem = nil
        } catch {
            slicer = nil
            slicerProblem = error.description
        }
    }

    func available() throws -> PrusaSlicer {
        guard let slicer else { throw Problem.slicerMissing(slicerProblem ?? "no slicer is configured") }
        return slicer
    }

    /// Stores an uploaded `.ini` as a profile after checking it against the slicer's keys.
    func storeProfile(text: String, name: String, context: CommandContext, correlationID: String?) async throws -> (
        profile: SlicerProfile, artifact: Artifact, isNew: Bool
    ) {
        let slicer = try available()
        let profile: SlicerProfile
        do {
            profile = try SlicerProfile(ini: text)
            try profile.validate(knownKeys: try await slicer.knownKeys(), slicer: try await slicer.version())
            try await slicer.check(profile)
        } catch let error as ProfileError {
            throw Problem.invalidProfile("\(error.code): \(error.description)")
        } catch let error as SliceFailure where error.code == .invalidProfile {
            throw Problem.invalidProfile(
                "profile.invalidValue: \(error.message); the slicer said: \(SliceFailure.lastMeaningfulLine(error.slicerOutput))"
            )
        } catch let error as SliceFailure {
            throw Problem.slicerMissing(error.description)
        }
        let stored = try artifacts.put(Data(profile.canonicalText.utf8))
        let upload = ArtifactUpload(sha256: stored.sha256, size: stored.size, mediaType: "text/plain", name: name)
        let outcome = try await store.artifacts.execute(
            .register(upload), id: stored.sha256, context: context, correlationID: correlationID)
        return (profile, outcome.model, outcome.version == outcome.events.count)
    }

    /// The slice of `entries` (one model, or several on one plate) with `profile`, made now or found in the cache.
    /// `recipe`: a plan revision's orientation and supports, part of the slice's inputs (and so of its cache key).
    /// `asPlate`: a plate even with one entry (its objects labelled by item).
    func slice(
        entries: [PlateEntry], profile version: String, recipe: SliceRecipe? = nil, asPlate: Bool = false,
        context: CommandContext, correlationID: String?
    ) async throws -> (slice: Slice, version: Int, cached: Bool) {
        let slicer = try available()
        var models: [Artifact] = []
        for entry in entries {
            guard let model = try await store.artifacts.get(id: entry.model)?.model, model.kind == .model else {
                throw Problem.invalidField(
                    "model", "no model artifact \(entry.model) is stored; upload it first (POST /api/v1/artifacts)")
            }
            if let failure = model.analysisFailure {
                throw Problem.invalidField(
                    "model",
                    "the model \(model.names.first ?? model.sha256) failed preflight (\(failure.code): \(failure.message)); it is not sliced"
                )
            }
            models.append(model)
        }
        guard let profileArtifact = try await store.artifacts.get(id: version)?.model,
            profileArtifact.kind == .profile || profileArtifact.mediaType == "text/plain",
            let text = try? String(contentsOfFile: artifacts.path(of: version), encoding: .utf8),
            let profile = try? SlicerProfile(ini: text)
        else {
            throw Problem.invalidField(
                "profile", "no profile \(version) is stored; upload it first (POST /api/v1/profiles)")
        }
        let isPlate = entries.count > 1 || asPlate
        let inputs = SliceInputs(
            model: entries[0].model, profile: profile.version, slicer: try await slicer.version(),
            copies: isPlate ? 1 : entries[0].copies,
            plate: isPlate ? entries : nil, recipe: recipe)
        let key = SHA256.hash(data: Data(inputs.keyText.utf8)).map { String(format: "%02x", $0) }.joined()
        if let found = try await store.slices.get(id: key) { return (found.model, found.version, true) }

        // The slicer decides the format by the file name and labels objects with it, and artifacts have no name on
        // disk: links with fixed names in a fresh folder, so the G-code never depends on a temporary path.
        let folder = artifacts.temporaryPath(suffix: "")
        let output = artifacts.temporaryPath(suffix: ".gcode")
        guard mkdir(folder, 0o700) == 0 else { throw Problem.internalFailure("cannot prepare the slicer's folder") }
        defer {
            try? FileManager.default.removeItem(atPath: folder)
            unlink(output)
        }
        var paths: [String] = []
        for (index, (entry, model)) in zip(entries, models).enumerated() {
            let name = UploadReader.cleanName(model.names.first ?? "model.stl")
            let suffix = ["stl", "3mf"].contains((name as NSString).pathExtension.lowercased()) ? "" : ".stl"
            let link = "\(folder)/\(isPlate ? "item\(index)-" : "")\(name)\(suffix)"
            guard symlink(artifacts.path(of: model.sha256), link) == 0 else {
                throw Problem.internalFailure("cannot link the model for the slicer")
            }
            paths += Array(repeating: link, count: isPlate ? entry.copies : 1)
        }
        let request = SliceRequest(
            models: paths, profile: profile, output: output, merge: isPlate, copies: isPlate ? 1 : entries[0].copies,
            recipe: recipe, labelObjects: isPlate)
        let result: SliceResult
        do throws(SliceFailure) {
            result = try await slicer.slice(request)
        } catch {
            // The slicer's words are kept for the operator as a log artifact, named in the answer.
            var failure = error
            if !failure.slicerOutput.isEmpty, let stored = try? artifacts.put(Data(failure.slicerOutput.utf8)) {
                _ = try? await store.artifacts.execute(
                    .register(
                        ArtifactUpload(
                            sha256: stored.sha256, size: stored.size, mediaType: "text/plain", name: "slicer-output.log"
                        )), id: stored.sha256,
                    context: context, correlationID: correlationID)
                failure.message += " (the slicer's output is artifact \(stored.sha256))"
            }
            throw Problem.sliceFailed(failure)
        }
        let stored = try artifacts.adopt(fileAt: output)
        let name =
            ((models[0].names.first ?? "model") as NSString).deletingPathExtension
            + (isPlate ? "-plate.gcode" : ".gcode")
        _ = try await store.artifacts.execute(
            .register(ArtifactUpload(sha256: stored.sha256, size: stored.size, mediaType: "text/x.gcode", name: name)),
            id: stored.sha256,
            context: context, correlationID: correlationID)
        let recorded = SliceRecorded(
            key: key, inputs: inputs, gcode: stored.sha256, gcodeSize: stored.size, facts: result.facts,
            pinnedToOneCore: result.pinnedToOneCore,
            slicerSeconds: result.seconds, at: context.time)
        var sliceContext = context
        sliceContext.reason = .sliceRecorded
        let outcome = try await store.slices.execute(
            .record(recorded), id: key, context: sliceContext, correlationID: correlationID)
        return (outcome.model, outcome.version, false)
    }
}

extension SliceService: LoopSlicer {
    func sliceForLoop(model: String, profile: String, recipe: SliceRecipe, context: CommandContext) async throws
        -> SlicedGCode
    {
        let (slice, _, _) = try await slice(
            entries: [PlateEntry(model: model, copies: 1)], profile: profile, recipe: recipe, context: context,
            correlationID: nil)
        return SlicedGCode(
            artifact: slice.gcode, printSeconds: slice.facts.estimatedSeconds.map(Double.init),
            filamentGrams: slice.facts.totalGrams)
    }
}

extension SliceService {
    func slicePlate(entries: [PlateEntry], profile: String, recipe: SliceRecipe, context: CommandContext) async throws
        -> SlicedPlate
    {
        do {
            let (slice, _, _) = try await slice(
                entries: entries, profile: profile, recipe: recipe, asPlate: true, context: context,
                correlationID: nil)
            return SlicedPlate(
                artifact: slice.gcode, printSeconds: slice.facts.estimatedSeconds, placements: slice.facts.placements,
                filamentGrams: slice.facts.totalGrams)
        } catch let problem as Problem where problem.detail.hasPrefix(SliceFailure.Code.doesNotFit.rawValue) {
            throw PlateDoesNotFit(message: problem.detail)
        }
    }

    /// The bed of a stored profile: the box around its `bed_shape`, and its `duplicate_distance` between parts.
    func bed(profile version: String) async -> Bed? {
        guard let text = try? String(contentsOfFile: artifacts.path(of: version), encoding: .utf8),
            let profile = try? SlicerProfile(ini: text)
        else { return nil }
        return profile.bed
    }
}
