import AsyncHTTPClient
import Foundation
import NIOCore

/// A multipart/form-data POST that streams a file from disk (a plate's G-code can be hundreds of megabytes): the
/// text fields first, then the file, as both Moonraker and OctoPrint take uploads.
enum MultipartUpload {
    /// The request, and the file's size (for a timeout that grows with it).
    static func request(url: String, fields: [(String, String)], file: String, as name: String)
        throws(ConnectorError) -> (request: HTTPClientRequest, size: Int)
    {
        guard let size = (try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? Int else {
            throw ConnectorError(kind: .malformed, message: "the G-code \(file) cannot be read")
        }
        let boundary = "printfarm-\(UUID().uuidString)"
        let head =
            fields.map { "--\(boundary)\r\nContent-Disposition: form-data; name=\"\($0.0)\"\r\n\r\n\($0.1)\r\n" }
            .joined()
            + "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(name)\"\r\n"
            + "Content-Type: application/octet-stream\r\n\r\n"
        let tail = "\r\n--\(boundary)--\r\n"
        let chunks = AsyncStream<ByteBuffer> { continuation in
            continuation.yield(ByteBuffer(string: head))
            if let handle = FileHandle(forReadingAtPath: file) {
                while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                    continuation.yield(ByteBuffer(bytes: chunk))
                }
                try? handle.close()
            }
            continuation.yield(ByteBuffer(string: tail))
            continuation.finish()
        }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "multipart/form-data; boundary=\(boundary)")
        request.body = .stream(chunks, length: .known(Int64(head.utf8.count + size + tail.utf8.count)))
        return (request, size)
    }
}
