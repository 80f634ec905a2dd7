import FarmDomain
import FarmStore
import Foundation
import HTTPTypes
import Hummingbird
import Slicing

struct SliceRequestBody: Decodable, Sendable {
    var model: String
    var profile: String
    var copies: Int?
}

/// `/api/v1/profiles` and `/api/v1/slices`: complete slicer profiles, versioned by hash, and cached slices.
struct SliceRoutes {
    let services: FarmServices
    let slicing: SliceService

    func register(on routes: SecuredRoutes) {
        routes.post("/api/v1/profiles", .administer) { request, context in try await uploadProfile(request, context) }
        routes.post("/api/v1/slices", .operate) { request, context in try await slice(request, context) }
        routes.get("/api/v1/slices", .read) { request, _ in
            let query = QueryParameters(request)
            let limit = try query.limit()
            let rows = try await services.store.slices.list(ref: try query.sha256("model"), after: try query.sha256("after"), limit: limit)
            return JSONIO.page(rows, limit: limit)
        }
        routes.get("/api/v1/slices/{key}", .read) { _, context in
            let key = try context.parameters.require("key").lowercased()
            guard key.count == 64, key.allSatisfy(\.isHexDigit) else { throw Problem.invalidParameter("key", "a slice key (64 hexadecimal digits)") }
            guard let row = try await services.store.slices.row(id: key) else { throw Problem.notFound("slice \(key)") }
            return JSONIO.response(row.body, etag: row.version)
        }
    }

    struct StoredProfile: Encodable {
        var version: String
        var settings: Int
        var reproducibleInParallel: Bool
        var artifact: Artifact
    }

    func uploadProfile(_ request: Request, _ context: FarmRequestContext) async throws -> Response {
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: context.maxUploadSize)
        } catch {
            throw Problem.payloadTooLarge(context.maxUploadSize)
        }
        guard let text = String(validating: body.readableBytesView, as: UTF8.self) else {
            throw Problem.invalidProfile("profile.malformed: the profile is not UTF-8 text; send the .ini as it was exported")
        }
        let name = QueryParameters(request).string("name").map(UploadReader.cleanName) ?? "profile.ini"
        let commandContext = try services.commandContext(context, reason: nil, note: nil)
        let existed = try await services.store.artifacts.get(id: SlicerProfile.version(ofINI: text) ?? "") != nil
        let (profile, artifact) = try await slicing.storeProfile(text: text, name: name, context: commandContext, correlationID: services.correlationID(request, context))
        return try JSONIO.response(
            StoredProfile(version: profile.version, settings: profile.settings.count, reproducibleInParallel: profile.reproducibleInParallel, artifact: artifact),
            status: existed ? .ok : .created, location: "/api/v1/artifacts/\(profile.version)")
    }

    func slice(_ request: Request, _ context: FarmRequestContext) async throws -> Response {
        let body = try await JSONIO.decode(SliceRequestBody.self, from: request, context: context)
        let copies = body.copies ?? 1
        guard (1...100).contains(copies) else { throw Problem.invalidField("copies", "between 1 and 100") }
        for (field, value) in [("model", body.model), ("profile", body.profile)] where !(value.count == 64 && value.allSatisfy(\.isHexDigit)) {
            throw Problem.invalidField(field, "a SHA-256 (64 hexadecimal digits)")
        }
        let commandContext = try services.commandContext(context, reason: nil, note: nil)
        let (slice, version, cached) = try await slicing.slice(
            model: body.model.lowercased(), profile: body.profile.lowercased(), copies: copies, context: commandContext,
            correlationID: services.correlationID(request, context))
        var response = try JSONIO.response(slice, status: cached ? .ok : .created, etag: version, location: "/api/v1/slices/\(slice.key)")
        response.headers[.sliceCache] = cached ? "hit" : "miss"
        return response
    }
}

extension SlicerProfile {
    /// The version an `.ini` would have, when it parses.
    static func version(ofINI text: String) -> String? { (try? SlicerProfile(ini: text))?.version }
}

extension HTTPField.Name {
    static let sliceCache = HTTPField.Name("X-Slice-Cache")!
}
