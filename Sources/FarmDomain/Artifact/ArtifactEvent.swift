import Foundation

public struct ArtifactRegistered: Codable, Sendable, Equatable {
    public var upload: ArtifactUpload
    public var kind: ArtifactKind
    public var by: String
    public var at: Date
}

public struct ArtifactNamed: Codable, Sendable, Equatable {
    public var name: String
    public var by: String
    public var at: Date
}

public struct ArtifactAnalysed: Codable, Sendable, Equatable {
    public var facts: ModelFacts?
    public var failure: PreflightFinding?
    public var analyser: Int
    public var at: Date
}

public enum ArtifactEvent: DomainEvent {
    case registered(ArtifactRegistered)
    case named(ArtifactNamed)
    case analysed(ArtifactAnalysed)

    public static let aggregate = "artifact"

    public static let codec = EventCodec<ArtifactEvent>(
        aggregate: aggregate,
        [
            .payload("registered", ArtifactRegistered.self, ArtifactEvent.registered),
            .payload("named", ArtifactNamed.self, ArtifactEvent.named),
            .payload("analysed", ArtifactAnalysed.self, ArtifactEvent.analysed),
        ])

    public var parts: (name: String, payload: any Encodable) {
        switch self {
        case .registered(let p): ("registered", p)
        case .named(let p): ("named", p)
        case .analysed(let p): ("analysed", p)
        }
    }
}
