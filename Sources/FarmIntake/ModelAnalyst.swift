import FarmArtifacts
import FarmDomain
import FarmStore
import Foundation
import MeshKit
import NIOPosix

/// Analyses model artifacts off the event loops, one at a time (an analysis already uses every core and up to
/// twice its file's size in memory), and records each result as an event on the artifact, so a model is
/// analysed once per analyser version.
public actor ModelAnalyst {
    let store: Store
    let artifacts: ArtifactStore
    let intake: Intake
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    public init(store: Store, artifacts: ArtifactStore, intake: Intake = Intake()) {
        self.store = store
        self.artifacts = artifacts
        self.intake = intake
    }

    /// The artifact with a current analysis, analysing it first when needed.
    public func analysed(_ artifact: Artifact, context: CommandContext, correlationID: String?) async throws -> Artifact
    {
        if artifact.analyser == Intake.analyserVersion { return artifact }
        await acquire()
        defer { release() }
        // Another request may have analysed it while this one waited.
        if let current = try await store.artifacts.get(id: artifact.sha256)?.model,
            current.analyser == Intake.analyserVersion
        {
            return current
        }
        let path = artifacts.path(of: artifact.sha256)
        let intake = intake
        let result = try await NIOThreadPool.singleton.runIfActive { intake.analyse(.file(path: path)) }
        let recorded: Result<ModelFacts, PreflightFinding> = result.mapError {
            PreflightFinding(code: $0.code, severity: .fail, message: $0.description)
        }
        var context = context
        context.reason = recorded.isSuccess ? .intakeAnalysed : .intakeUnreadable
        let outcome = try await store.artifacts.execute(
            .recordAnalysis(recorded, analyser: Intake.analyserVersion), id: artifact.sha256, context: context,
            correlationID: correlationID)
        return outcome.model
    }

    private func acquire() async {
        if !busy {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
    }
}

extension Result {
    var isSuccess: Bool { if case .success = self { true } else { false } }
}
