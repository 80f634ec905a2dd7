import Foundation

/// Stored bytes (a model, G-code, a photo, a log, a profile), addressed by their SHA-256. The bytes never change;
/// what is known about them (names, analysis) grows by events.
public struct Artifact: Sendable, Equatable, Codable {
    /// Lowercase hex SHA-256 of the bytes: the artifact's identity.
    public var sha256: String
    public var size: Int
    public var mediaType: String
    public var kind: ArtifactKind
    /// Every file name it was uploaded under, the first one first.
    public var names: [String]
    public var uploadedBy: String
    public var uploadedAt: Date
    /// Geometry facts, once analysed (models only).
    public var analysis: ModelFacts?
    /// Why a model could not be analysed.
    public var analysisFailure: PreflightFinding?
    /// The analyser version that produced `analysis`; a newer analyser re-analyses.
    public var analyser: Int?
    public var updatedAt: Date
}

public enum ArtifactKind: String, Sendable, Codable, CaseIterable {
    case model, gcode, image, log, profile, other

    /// From the file name and media type a client gave; the model readers still check the content.
    public static func of(name: String, mediaType: String) -> ArtifactKind {
        let suffix = name.split(separator: ".").last.map { $0.lowercased() } ?? ""
        let type = mediaType.lowercased()
        if ["stl", "3mf"].contains(suffix) || type.hasPrefix("model/") || type.contains("3dmanufacturing")
            || type == "application/sla"
        {
            return .model
        }
        if ["gcode", "bgcode"].contains(suffix) || type.contains("gcode") { return .gcode }
        if type.hasPrefix("image/") || ["jpg", "jpeg", "png", "webp"].contains(suffix) { return .image }
        if suffix == "ini" { return .profile }
        if suffix == "log" || type == "text/plain" { return .log }
        return .other
    }
}

/// What an upload established about the bytes.
public struct ArtifactUpload: Sendable, Equatable, Codable {
    public var sha256: String
    public var size: Int
    public var mediaType: String
    public var name: String

    public init(sha256: String, size: Int, mediaType: String, name: String) {
        self.sha256 = sha256
        self.size = size
        self.mediaType = mediaType
        self.name = name
    }

    func validate() throws(DomainError) {
        guard sha256.count == 64, sha256.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
            throw .invalid(field: "sha256", reason: "64 lowercase hexadecimal digits")
        }
        guard size >= 0 else { throw .invalid(field: "size", reason: "not negative") }
        guard (1...255).contains(name.count), !name.contains("/"), !name.contains("\\"), !name.contains("\0") else {
            throw .invalid(field: "name", reason: "a file name of 1 to 255 characters without slashes")
        }
        guard (1...255).contains(mediaType.count) else {
            throw .invalid(field: "mediaType", reason: "a media type such as model/stl")
        }
    }
}
