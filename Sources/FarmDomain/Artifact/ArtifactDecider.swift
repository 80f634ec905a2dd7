import Foundation

public enum ArtifactCommand: Sendable, Equatable {
    /// Bytes arrived (the first time, or again under another name).
    case register(ArtifactUpload)
    /// The model analyser's result, or why it could not read the file.
    case recordAnalysis(Result<ModelFacts, PreflightFinding>, analyser: Int)

    public var name: String {
        switch self {
        case .register: "register"
        case .recordAnalysis: "record the analysis of"
        }
    }
}

extension PreflightFinding: Error {}

public enum ArtifactState: Sendable, Equatable {
    case none
    case exists(Artifact)

    public var artifact: Artifact? {
        if case .exists(let artifact) = self { artifact } else { nil }
    }
}

/// Artifacts: registered once per content, named again harmlessly, analysed once per analyser version.
public enum ArtifactDecider: Decider {
    public static let initialState = ArtifactState.none

    public static func decide(_ command: ArtifactCommand, state: ArtifactState, context: CommandContext)
        throws(DomainError) -> [ArtifactEvent]
    {
        guard case .exists(let artifact) = state else {
            guard case .register(let upload) = command else {
                throw .notFound(aggregate: "artifact", command: command.name)
            }
            try upload.validate()
            let kind = ArtifactKind.of(name: upload.name, mediaType: upload.mediaType)
            return [
                .registered(
                    ArtifactRegistered(upload: upload, kind: kind, by: context.actor.description, at: context.time))
            ]
        }
        switch command {
        case .register(let upload):
            try upload.validate()
            guard upload.sha256 == artifact.sha256, upload.size == artifact.size else {
                throw .alreadyExists(aggregate: "artifact")
            }
            return artifact.names.contains(upload.name)
                ? [] : [.named(ArtifactNamed(name: upload.name, by: context.actor.description, at: context.time))]
        case .recordAnalysis(let result, let analyser):
            let facts = try? result.get()
            let failure: PreflightFinding? = if case .failure(let finding) = result { finding } else { nil }
            if artifact.analyser == analyser, artifact.analysis == facts, artifact.analysisFailure == failure {
                return []
            }
            return [.analysed(ArtifactAnalysed(facts: facts, failure: failure, analyser: analyser, at: context.time))]
        }
    }

    public static func evolve(_ state: ArtifactState, _ event: ArtifactEvent) -> ArtifactState {
        if case .registered(let e) = event {
            return .exists(
                Artifact(
                    sha256: e.upload.sha256, size: e.upload.size, mediaType: e.upload.mediaType, kind: e.kind,
                    names: [e.upload.name],
                    uploadedBy: e.by, uploadedAt: e.at, analysis: nil, analysisFailure: nil, analyser: nil,
                    updatedAt: e.at))
        }
        guard case .exists(var artifact) = state else { return state }
        switch event {
        case .registered: break
        case .named(let e):
            artifact.names.append(e.name)
            artifact.updatedAt = e.at
        case .analysed(let e):
            artifact.analysis = e.facts
            artifact.analysisFailure = e.failure
            artifact.analyser = e.analyser
            artifact.updatedAt = e.at
        }
        return .exists(artifact)
    }
}
