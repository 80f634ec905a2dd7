import FarmArtifacts
import FarmDomain
import FarmIntake
import FarmStore
import Foundation
import HTTPTypes
import Hummingbird

/// `/api/v1/artifacts`: uploads (raw body or multipart form), metadata with the model analysis, and downloads
/// with `ETag` and byte ranges.
struct ArtifactRoutes {
    let services: FarmServices
    let artifacts: ArtifactStore
    let analyst: ModelAnalyst
    let uploadLimit: Int
    let files = FileIO()
    let previews: PreviewCache

    func register(on routes: SecuredRoutes) {
        routes.postStreaming("/api/v1/artifacts", .operate) { request, context in try await upload(request, context) }
        routes.get("/api/v1/artifacts", .read) { request, _ in
            let query = QueryParameters(request)
            let limit = try query.limit()
            let rows = try await services.store.artifacts.list(
                status: try query.oneOf("kind", ArtifactKind.self), after: try query.sha256("after"), limit: limit)
            return JSONIO.page(rows, limit: limit)
        }
        routes.get("/api/v1/artifacts/{sha256}", .read) { request, context in
            let sha = try Self.sha256(context)
            guard let row = try await services.store.artifacts.row(id: sha) else {
                throw Problem.notFound("artifact \(sha)")
            }
            return JSONIO.response(row.body, etag: row.version)
        }
        routes.get("/api/v1/artifacts/{sha256}/content", .read) { request, context in
            try await download(request, context)
        }
        routes.get("/api/v1/artifacts/{sha256}/preview", .read) { request, context in
            let sha = try Self.sha256(context)
            guard let artifact = try await services.store.artifacts.get(id: sha)?.model, artifacts.size(of: sha) != nil
            else {
                throw Problem.notFound("artifact \(sha)")
            }
            guard artifact.kind == .gcode else {
                throw Problem(
                    status: .unprocessableContent, code: "no-preview", title: "Only G-code has a preview",
                    detail: "artifact \(sha.prefix(12)) is \(artifact.kind.rawValue); download it with …/content")
            }
            let etag = "\"preview-\(sha)\""
            let headers: HTTPFields = [
                .eTag: etag, .cacheControl: "private, max-age=31536000, immutable",
                .init("X-Content-Type-Options")!: "nosniff", .contentSecurityPolicy: "default-src 'none'; sandbox",
            ]
            if request.headers[.ifNoneMatch] == etag { return Response(status: .notModified, headers: headers) }
            let (data, type) = try await previews.preview(of: sha)
            var answer = headers
            answer[.contentType] = type
            return Response(status: .ok, headers: answer, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }

    static func sha256(_ context: FarmRequestContext) throws -> String {
        let text = try context.parameters.require("sha256")
        guard text.count == 64, text.allSatisfy(\.isHexDigit) else {
            throw Problem.invalidParameter("sha256", "'\(text.prefix(80))' is not a SHA-256 (64 hexadecimal digits)")
        }
        return text.lowercased()
    }

    func upload(_ request: Request, _ context: FarmRequestContext) async throws -> Response {
        let file = try await UploadReader(artifacts: artifacts, limit: uploadLimit).read(request)
        let commandContext = try services.commandContext(
            context, reason: nil, note: nil, defaultReason: .intakeUploaded)
        let correlation = try services.correlationID(request, context)
        let upload = ArtifactUpload(
            sha256: file.stored.sha256, size: file.stored.size, mediaType: file.mediaType, name: file.name)
        let outcome = try await services.store.artifacts.execute(
            .register(upload), id: upload.sha256, context: commandContext, correlationID: correlation)
        let isNew = outcome.version == outcome.events.count
        var current = (model: outcome.model, version: outcome.version)
        if current.model.kind == .model || ModelSniffer.looksLikeModel(path: artifacts.path(of: upload.sha256)) {
            _ = try await analyst.analysed(current.model, context: commandContext, correlationID: correlation)
            current = try await services.store.artifacts.get(id: upload.sha256) ?? current
        }
        return try JSONIO.response(
            current.model, status: isNew ? .created : .ok, etag: current.version,
            location: "/api/v1/artifacts/\(upload.sha256)")
    }

    func download(_ request: Request, _ context: FarmRequestContext) async throws -> Response {
        let sha = try Self.sha256(context)
        guard let artifact = try await services.store.artifacts.get(id: sha)?.model, let size = artifacts.size(of: sha)
        else {
            throw Problem.notFound("artifact \(sha)")
        }
        let etag = "\"\(sha)\""
        var headers: HTTPFields = [
            .contentType: artifact.mediaType, .eTag: etag, .acceptRanges: "bytes",
            .contentDisposition:
                "attachment; filename*=UTF-8''\(artifact.names.first?.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/", ";"])) ?? sha)",
            .cacheControl: "private, max-age=31536000, immutable",
            // why: uploads are anyone's bytes under a type the uploader chose; never let a browser run them as a page.
            .init("X-Content-Type-Options")!: "nosniff", .contentSecurityPolicy: "default-src 'none'; sandbox",
        ]
        if let match = request.headers[.ifNoneMatch],
            match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag || $0 == "*" }
            )
        {
            return Response(status: .notModified, headers: headers)
        }
        let path = artifacts.path(of: sha)
        // A Range is honoured only while the file is the one asked about (If-Range), and only a single range.
        if let header = request.headers[.range], request.headers[.ifRange].map({ $0 == etag }) ?? true,
            let range = try ByteRange.parse(header, size: size)
        {
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(size)"
            headers[.contentLength] = "\(range.count)"
            return Response(
                status: .partialContent, headers: headers,
                body: try await files.loadFile(path: path, range: range, context: context))
        }
        headers[.contentLength] = "\(size)"
        return Response(status: .ok, headers: headers, body: try await files.loadFile(path: path, context: context))
    }
}

/// One `bytes=` range (RFC 9110 §14.1.2). Several ranges are answered with the whole file, as the RFC allows.
enum ByteRange {
    static func parse(_ header: String, size: Int) throws -> ClosedRange<Int>? {
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard trimmed.lowercased().hasPrefix("bytes="), !trimmed.contains(",") else { return nil }
        let spec = trimmed.dropFirst(6)
        let parts = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let first = parts[0].trimmingCharacters(in: .whitespaces)
        let last = parts[1].trimmingCharacters(in: .whitespaces)
        if first.isEmpty {
            guard let suffix = Int(last), suffix > 0 else { throw Problem.rangeNotSatisfiable(size: size) }
            guard size > 0 else { throw Problem.rangeNotSatisfiable(size: size) }
            return max(0, size - suffix)...(size - 1)
        }
        guard let start = Int(first), start >= 0 else { return nil }
        guard start < size else { throw Problem.rangeNotSatisfiable(size: size) }
        if last.isEmpty { return start...(size - 1) }
        guard let end = Int(last), end >= start else { return nil }
        return start...min(end, size - 1)
    }
}

/// Whether stored bytes start like a model, for uploads whose name and media type do not say.
enum ModelSniffer {
    static func looksLikeModel(path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 84)) ?? Data()
        return head.starts(with: [0x50, 0x4B, 0x03, 0x04]) || head.starts(with: Data("solid".utf8))
    }
}
