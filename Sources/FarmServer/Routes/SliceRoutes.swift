import FarmDomain
import FarmStore
import Foundation
import HTTPTypes
import Hummingbird
import Slicing

struct SliceRequestBody: Decodable, Sendable {
    /// One model; or `plate` for several on one plate.
    var model: String?
    var plate: [PlateEntry]?
    /// A profile version; or leave it out and name the printer model and material to use their binding.
    var profile: String?
    var printerModel: String?
    var material: String?
    var copies: Int?
}

struct BindProfileBody: Decodable, Sendable {
    var printerModel: String
    var material: String
    var profile: String
    var reason: String?
    var note: String?
}

/// `/api/v1/profiles` and `/api/v1/slices`: complete slicer profiles, versioned by hash, and cached slices.
struct SliceRoutes {
    let services: FarmServices
    let slicing: SliceService

    func register(on routes: SecuredRoutes) {
        routes.post("/api/v1/profiles", .administer) { request, context in try await uploadProfile(request, context) }
        routes.post("/api/v1/slices", .operate) { request, context in try await slice(request, context) }
        routes.post("/api/v1/profile-bindings", .administer) { request, context in try await bind(request, context) }
        routes.get("/api/v1/profile-bindings", .read) { request, _ in
            let query = QueryParameters(request)
            let limit = try query.limit()
            let rows = try await services.store.profileBindings.list(after: query.string("after"), limit: limit)
            return JSONIO.page(rows, limit: limit)
        }
        routes.get("/api/v1/profiles/{from}/diff/{to}", .read) { _, context in try await diff(context) }
        routes.get("/api/v1/slices", .read) { request, _ in
            let query = QueryParameters(request)
            let limit = try query.limit()
            let rows = try await services.store.slices.list(
                ref: try query.sha256("model"), after: try query.sha256("after"), limit: limit)
            return JSONIO.page(rows, limit: limit)
        }
        routes.get("/api/v1/slices/{key}", .read) { _, context in
            let key = try context.parameters.require("key").lowercased()
            guard key.count == 64, key.allSatisfy(\.isHexDigit) else {
                throw Problem.invalidParameter("key", "a slice key (64 hexadecimal digits)")
            }
            guard let row = try await services.store.slices.row(id: key) else { throw Problem.notFound("slice \(key)") }
            return JSONIO.response(row.body, etag: row.version)
        }
    }

    struct StoredProfile: Encodable {
        var version: String
        var settings: Int
        /// The presets it was exported from, as PrusaSlicer named them (not part of the version).
        var presets: [String: String]
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
            throw Problem.invalidProfile(
                "profile.malformed: the profile is not UTF-8 text; send the .ini as it was exported")
        }
        let name = QueryParameters(request).string("name").map(UploadReader.cleanName) ?? "profile.ini"
        let commandContext = try services.commandContext(context, reason: nil, note: nil)
        let (profile, artifact, isNew) = try await slicing.storeProfile(
            text: text, name: name, context: commandContext, correlationID: try services.correlationID(request, context)
        )
        return try JSONIO.response(
            StoredProfile(
                version: profile.version, settings: profile.settings.count, presets: profile.presets,
                reproducibleInParallel: profile.reproducibleInParallel, artifact: artifact),
            status: isNew ? .created : .ok, location: "/api/v1/artifacts/\(profile.version)")
    }

    func slice(_ request: Request, _ context: FarmRequestContext) async throws -> Response {
        let body = try await JSONIO.decode(SliceRequestBody.self, from: request, context: context)
        let copies = body.copies ?? 1
        guard (1...100).contains(copies) else { throw Problem.invalidField("copies", "between 1 and 100") }
        let profile: String
        if let version = body.profile {
            profile = version
        } else if let printerModel = body.printerModel, let material = body.material {
            let id = ProfileBinding.id(printerModel: printerModel, material: material)
            guard let binding = try await services.store.profileBindings.get(id: id)?.model else {
                throw Problem.invalidField(
                    "printerModel",
                    "no profile is bound for \(printerModel) with \(material); bind one (POST /api/v1/profile-bindings) or name a profile"
                )
            }
            profile = binding.profile
        } else {
            throw Problem.invalidField(
                "profile", "name a profile version, or a printerModel and material whose bound profile to use")
        }
        let entries: [PlateEntry]
        if let plate = body.plate {
            guard body.model == nil else { throw Problem.invalidField("plate", "give a model or a plate, not both") }
            guard (2...20).contains(plate.count) else {
                throw Problem.invalidField("plate", "a plate holds 2 to 20 entries; for one model use model and copies")
            }
            guard plate.allSatisfy({ (1...50).contains($0.copies) }) else {
                throw Problem.invalidField("plate", "each entry has 1 to 50 copies")
            }
            entries = plate.map { PlateEntry(model: $0.model.lowercased(), copies: $0.copies) }
        } else if let model = body.model {
            entries = [PlateEntry(model: model.lowercased(), copies: copies)]
        } else {
            throw Problem.invalidField("model", "name the model to slice (or a plate of models)")
        }
        for (field, value) in entries.map({ ("model", $0.model) }) + [("profile", profile)]
        where !(value.count == 64 && value.allSatisfy(\.isHexDigit)) {
            throw Problem.invalidField(field, "a SHA-256 (64 hexadecimal digits)")
        }
        let commandContext = try services.commandContext(context, reason: nil, note: nil)
        let (slice, version, cached) = try await slicing.slice(
            entries: entries, profile: profile.lowercased(), context: commandContext,
            correlationID: try services.correlationID(request, context))
        var response = try JSONIO.response(
            slice, status: cached ? .ok : .created, etag: version, location: "/api/v1/slices/\(slice.key)")
        response.headers[.sliceCache] = cached ? "hit" : "miss"
        return response
    }
}

extension SliceRoutes {
    /// Binds a profile version (an earlier one rolls back); new slices for that printer model and material use it.
    func bind(_ request: Request, _ context: FarmRequestContext) async throws -> Response {
        let body = try await JSONIO.decode(BindProfileBody.self, from: request, context: context)
        let profile = body.profile.lowercased()
        guard profile.count == 64, try await services.store.artifacts.get(id: profile) != nil else {
            throw Problem.invalidField(
                "profile", "no profile \(body.profile.prefix(80)) is stored; upload it first (POST /api/v1/profiles)")
        }
        let id = ProfileBinding.id(printerModel: body.printerModel, material: body.material)
        let commandContext = try services.commandContext(
            context, reason: body.reason, note: body.note, defaultReason: .operatorRequest)
        let outcome = try await services.store.profileBindings.execute(
            .bind(printerModel: body.printerModel, material: body.material, profile: profile), id: id,
            context: commandContext,
            correlationID: try services.correlationID(request, context))
        return try JSONIO.response(
            outcome.model, status: outcome.version == outcome.events.count ? .created : .ok, etag: outcome.version)
    }

    struct ProfileDiff: Encodable {
        struct Change: Encodable {
            var key: String
            var old: String?
            var new: String?
        }
        var from: String
        var to: String
        var changed: [Change]
    }

    /// The settings that differ between two profile versions, old → new (a missing side is null).
    func diff(_ context: FarmRequestContext) async throws -> Response {
        func load(_ name: String) throws -> (String, SlicerProfile) {
            let version = try context.parameters.require(name).lowercased()
            guard version.count == 64, version.allSatisfy(\.isHexDigit) else {
                throw Problem.invalidParameter(name, "a profile version (64 hexadecimal digits)")
            }
            guard let text = try? String(contentsOfFile: slicing.artifacts.path(of: version), encoding: .utf8),
                let profile = try? SlicerProfile(ini: text)
            else {
                throw Problem.notFound("profile \(version)")
            }
            return (version, profile)
        }
        let (fromVersion, from) = try load("from")
        let (toVersion, to) = try load("to")
        let keys = Set(from.settings.keys).union(to.settings.keys).sorted()
        let changed = keys.compactMap { key -> ProfileDiff.Change? in
            from.settings[key] == to.settings[key]
                ? nil : ProfileDiff.Change(key: key, old: from.settings[key], new: to.settings[key])
        }
        return try JSONIO.response(ProfileDiff(from: fromVersion, to: toVersion, changed: changed))
    }
}

extension HTTPField.Name {
    static let sliceCache = HTTPField.Name("X-Slice-Cache")!
}
