import FarmArtifacts
import Foundation
import HTTPTypes
import Hummingbird
import MultipartKit
import NIOCore

/// What a client sent besides the bytes.
struct UploadedFile: Sendable {
    var name: String
    var mediaType: String
    var stored: StoredBytes
}

/// Streams an upload body into the artifact store, hashing as it goes: either the raw body (name from `?name=` or
/// `Content-Disposition`) or the `file` field of a `multipart/form-data` form. Never holds the file in memory.
struct UploadReader {
    let artifacts: ArtifactStore
    let limit: Int

    func read(_ request: Request) async throws -> UploadedFile {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw Problem.uploadTooLarge(limit)
        }
        let contentType = request.headers[.contentType] ?? "application/octet-stream"
        let upload = try store { try artifacts.beginUpload(limit: limit) }
        defer { upload.abort() }
        var name: String?
        var mediaType = contentType
        if contentType.lowercased().hasPrefix("multipart/form-data") {
            let form = try await readMultipart(request, contentType: contentType, into: upload)
            name = form.name
            mediaType = form.mediaType
        } else {
            for try await buffer in request.body {
                try buffer.withUnsafeReadableBytes { raw in try store { try upload.write(raw) } }
            }
            name =
                QueryParameters(request).string("name")
                ?? request.headers[.contentDisposition].flatMap { Self.parameters(of: $0)["filename"] }
        }
        guard upload.size > 0 else { throw Problem.uploadEmpty }
        let stored = try store { try upload.finish() }
        let fileName = Self.cleanName(name ?? "upload")
        return UploadedFile(
            name: fileName, mediaType: Self.mediaType(declared: mediaType, name: fileName), stored: stored)
    }

    private func readMultipart(_ request: Request, contentType: String, into upload: ArtifactUpload) async throws -> (
        name: String?, mediaType: String
    ) {
        guard let boundary = Self.parameters(of: contentType)["boundary"], (1...70).contains(boundary.count) else {
            throw Problem.uploadMalformed("multipart/form-data needs a boundary parameter in Content-Type")
        }
        final class Form {
            var headers: [String: String] = [:]
            var inFile = false
            var sawFile = false
            var name: String?
            var mediaType = "application/octet-stream"
            var failure: (any Error)?
        }
        let form = Form()
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { field, value in form.headers[field.lowercased()] = value }
        parser.onBody = { buffer in
            if !form.inFile && !form.sawFile {
                let disposition = Self.parameters(of: form.headers["content-disposition"] ?? "")
                if disposition["name"] == "file" || (disposition["filename"] != nil && disposition["name"] == nil) {
                    form.inFile = true
                    form.sawFile = true
                    form.name = disposition["filename"]
                    form.mediaType = form.headers["content-type"] ?? "application/octet-stream"
                }
            }
            guard form.inFile, form.failure == nil else { return }
            do {
                try buffer.withUnsafeReadableBytes { raw in try store { try upload.write(raw) } }
            } catch {
                form.failure = error
            }
        }
        parser.onPartComplete = {
            form.inFile = false
            form.headers = [:]
        }
        do {
            for try await buffer in request.body {
                try parser.execute(buffer)
                if let failure = form.failure { throw failure }
            }
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem.uploadMalformed(
                "the multipart body is not well formed; send the file in a form field named 'file'")
        }
        guard form.sawFile else {
            throw Problem.uploadMalformed("the form has no field named 'file'; put the model in it")
        }
        return (form.name, form.mediaType)
    }

    /// Runs an artifact-store call, turning its errors into problems.
    private func store<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch ArtifactStoreError.tooLarge(let limit) {
            throw Problem.uploadTooLarge(limit)
        }
    }

    /// `key=value` parameters of a header such as Content-Disposition or Content-Type, quotes removed, keys lowercased.
    static func parameters(of header: String) -> [String: String] {
        var result: [String: String] = [:]
        for part in header.split(separator: ";").dropFirst() {
            let pieces = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pieces.count == 2 else { continue }
            var value = pieces[1]
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                value = String(value.dropFirst().dropLast())
            }
            let key = pieces[0].lowercased()
            if key == "filename*" {
                // RFC 5987: charset'language'percent-encoded
                if let encoded = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false).last,
                    let decoded = String(encoded).removingPercentEncoding
                {
                    result["filename"] = decoded
                }
            } else if result[key] == nil {
                result[key] = value
            }
        }
        return result
    }

    /// A file name safe to keep and to show: its last path component, printable, at most 255 characters.
    static func cleanName(_ name: String) -> String {
        let last = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let printable = String(last.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init))
        let trimmed = String(printable.trimmingCharacters(in: .whitespaces).prefix(255))
        return trimmed.isEmpty || trimmed == "." || trimmed == ".." ? "upload" : trimmed
    }

    static func cleanMediaType(_ type: String) -> String {
        let base = type.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return base.isEmpty || base.count > 255 ? "application/octet-stream" : base
    }

    /// The type a file is stored with: the declared one, unless it says nothing about the file — curl's
    /// `--data-binary` declares every body `application/x-www-form-urlencoded` (the README's own example stored models
    /// so, issue 17) — in which case the file name's extension decides.
    static func mediaType(declared: String, name: String) -> String {
        let clean = cleanMediaType(declared)
        guard ["application/octet-stream", "application/x-www-form-urlencoded", "text/plain"].contains(clean) else {
            return clean
        }
        let byExtension = [
            "stl": "model/stl", "3mf": "model/3mf", "obj": "model/obj", "gcode": "text/x.gcode", "png": "image/png",
            "jpg": "image/jpeg",
            "jpeg": "image/jpeg", "webp": "image/webp", "ini": "text/plain",
        ]
        let ext = name.split(separator: ".").last.map { $0.lowercased() } ?? ""
        return byExtension[ext] ?? (clean == "application/x-www-form-urlencoded" ? "application/octet-stream" : clean)
    }
}
