import AsyncHTTPClient
import Foundation
import NIOCore

/// A printer's camera: where its single pictures and its MJPEG stream are (either may be missing).
public struct CameraSource: Sendable, Equatable, Codable {
    public var name: String
    public var snapshot: URL?
    public var stream: URL?

    public init(name: String, snapshot: URL?, stream: URL?) {
        self.name = name
        self.snapshot = snapshot
        self.stream = stream
    }

    /// `text` as an absolute URL: as it is when it has a scheme, else on `origin` (a host's web root).
    static func resolve(_ text: String?, on origin: URL) -> URL? {
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        if let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme) {
            return url
        }
        return URL(string: text, relativeTo: origin)?.absoluteURL
    }
}

/// Reads cameras the way a farm must: bounded. A picture or a frame larger than `maxFrameBytes` is refused, a
/// camera that does not begin answering within `timeout` is given up on, and an answer that is not a JPEG (a login
/// page, an error page) is refused with what it was — so no page and no run ever waits on a camera.
public struct CameraReader: Sendable {
    public var http: HTTPClient
    public var maxFrameBytes: Int
    public var timeout: TimeAmount

    public init(http: HTTPClient = .shared, maxFrameBytes: Int = 8 << 20, timeout: TimeAmount = .seconds(5)) {
        self.http = http
        self.maxFrameBytes = maxFrameBytes
        self.timeout = timeout
    }

    /// One JPEG: from the snapshot URL, or else the first frame of the stream.
    public func snapshot(_ camera: CameraSource) async throws(ConnectorError) -> [UInt8] {
        if let url = camera.snapshot { return try await picture(url) }
        guard let url = camera.stream else {
            throw ConnectorError(
                kind: .unsupported, message: "camera \(camera.name) has neither a snapshot nor a stream")
        }
        do {
            for try await frame in frames(url) { return frame }
        } catch let error as ConnectorError {
            throw error
        } catch {
            throw ConnectorError.unreachable(error)
        }
        throw ConnectorError(kind: .malformed, message: "the camera's stream ended before a whole frame")
    }

    /// The JPEG at `url`.
    public func picture(_ url: URL) async throws(ConnectorError) -> [UInt8] {
        let deadline = NIODeadline.now() + timeout
        do {
            let response = try await http.execute(HTTPClientRequest(url: url.absoluteString), deadline: deadline)
            guard response.status == .ok else {
                throw ConnectorError(kind: .rejected, status: Int(response.status.code), message: "the camera refused")
            }
            let type = response.headers.first(name: "Content-Type") ?? ""
            if let length = response.headers.first(name: "Content-Length").flatMap(Int.init), length > maxFrameBytes {
                throw ConnectorError.tooLarge(length, limit: maxFrameBytes)
            }
            var bytes: [UInt8] = []
            for try await chunk in response.body {
                guard bytes.count + chunk.readableBytes <= maxFrameBytes else {
                    throw ConnectorError.tooLarge(bytes.count + chunk.readableBytes, limit: maxFrameBytes)
                }
                bytes += chunk.readableBytesView
                if NIODeadline.now() > deadline {
                    throw ConnectorError(kind: .unreachable, message: "no answer in time")
                }
            }
            guard MJPEGParser.isJPEG(bytes) else { throw ConnectorError.notAPicture(type, bytes) }
            return bytes
        } catch let error as ConnectorError {
            throw error
        } catch {
            throw ConnectorError.unreachable(error)
        }
    }

    /// The frames of the MJPEG stream at `url`, each a whole JPEG, until the stream ends or the task is cancelled.
    /// The first must come within `timeout`, and each within that long of the one before.
    public func frames(_ url: URL) -> AsyncThrowingStream<[UInt8], any Error> {
        let (stream, sink) = AsyncThrowingStream<[UInt8], any Error>.makeStream(bufferingPolicy: .bufferingNewest(2))
        let http = http
        let limit = maxFrameBytes
        let timeout = timeout
        let task = Task {
            do {
                let response = try await http.execute(
                    HTTPClientRequest(url: url.absoluteString), deadline: .now() + timeout)
                guard response.status == .ok else {
                    throw ConnectorError(
                        kind: .rejected, status: Int(response.status.code), message: "the camera refused the stream")
                }
                let type = response.headers.first(name: "Content-Type") ?? ""
                var parser = MJPEGParser(maxFrameBytes: limit)
                var seen: [UInt8] = []
                for try await chunk in response.body {
                    if Task.isCancelled { break }
                    if seen.count < 64 { seen += chunk.readableBytesView.prefix(64 - seen.count) }
                    for frame in try parser.feed(Array(chunk.readableBytesView)) { sink.yield(frame) }
                    if parser.skipped > 4096 { throw ConnectorError.notAPicture(type, seen) }
                }
                sink.finish()
            } catch let error as ConnectorError {
                sink.finish(throwing: error)
            } catch {
                sink.finish(throwing: ConnectorError.unreachable(error))
            }
        }
        sink.onTermination = { _ in task.cancel() }
        return stream
    }
}

/// Cuts JPEG frames out of an MJPEG stream's bytes: a frame runs from a start-of-image marker (FF D8) through
/// its segments (each with its length) and the entropy-coded data after start-of-scan (where an FF is always
/// followed by 00 or a restart marker) to the end-of-image marker (FF D9). Walking the segments, rather than
/// looking for FF D9 anywhere, keeps a table's bytes from ending a frame early. Headers and boundaries between
/// frames are skipped, so it reads `multipart/x-mixed-replace` and bare concatenated JPEGs alike. Pure.
public struct MJPEGParser: Sendable {
    public let maxFrameBytes: Int
    /// From the current frame's start marker on (or the last byte seen, while outside a frame).
    private var buffer: [UInt8] = []
    private var inFrame = false
    /// Where the walk through the current frame has got to.
    private var cursor = 2
    private var inScan = false
    /// Bytes outside any frame since the last whole one (multipart headers: about a hundred per frame).
    public private(set) var skipped = 0

    public init(maxFrameBytes: Int) { self.maxFrameBytes = maxFrameBytes }

    public mutating func feed(_ bytes: [UInt8]) throws(ConnectorError) -> [[UInt8]] {
        buffer += bytes
        var frames: [[UInt8]] = []
        while true {
            if !inFrame {
                guard let found = Self.startOfImage(in: buffer) else {
                    // Keep the last byte: it may be the first half of the marker.
                    skipped += max(0, buffer.count - 1)
                    buffer = Array(buffer.suffix(1))
                    return frames
                }
                skipped += found
                buffer.removeFirst(found)
                inFrame = true
                cursor = 2
                inScan = false
            }
            guard let end = walk() else {
                if buffer.count > maxFrameBytes { throw ConnectorError.tooLarge(buffer.count, limit: maxFrameBytes) }
                return frames
            }
            frames.append(Array(buffer[..<end]))
            buffer.removeFirst(end)
            inFrame = false
            skipped = 0
        }
    }

    /// Walks the frame from `cursor`; the index just past its end-of-image marker, or nil when more bytes are needed.
    private mutating func walk() -> Int? {
        while cursor + 1 < buffer.count {
            if inScan {
                // Entropy-coded data: FF 00 is a stuffed FF, FF D0…D7 a restart; any other FF xx ends the scan.
                if buffer[cursor] != 0xFF {
                    cursor += 1
                    continue
                }
                let next = buffer[cursor + 1]
                if next == 0x00 || (0xD0...0xD7).contains(next) || next == 0xFF {
                    cursor += next == 0xFF ? 1 : 2
                    continue
                }
                inScan = false
                continue
            }
            guard buffer[cursor] == 0xFF else {
                cursor += 1
                continue
            }
            let marker = buffer[cursor + 1]
            switch marker {
            case 0xD9: return cursor + 2
            case 0xFF: cursor += 1
            case 0x01, 0xD0...0xD8: cursor += 2
            default:
                guard cursor + 3 < buffer.count else { return nil }
                let length = Int(buffer[cursor + 2]) << 8 | Int(buffer[cursor + 3])
                cursor += 2 + length
                if marker == 0xDA { inScan = true }
            }
        }
        return nil
    }

    static func startOfImage(in bytes: [UInt8]) -> Int? {
        var i = 0
        while i + 1 < bytes.count {
            if bytes[i] == 0xFF && bytes[i + 1] == 0xD8 { return i }
            i += 1
        }
        return nil
    }

    /// Starts with a JPEG's start-of-image marker and ends with its end-of-image marker.
    public static func isJPEG(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 4 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[bytes.count - 2] == 0xFF
            && bytes[bytes.count - 1] == 0xD9
    }
}

extension ConnectorError {
    static func tooLarge(_ size: Int, limit: Int) -> ConnectorError {
        ConnectorError(
            kind: .rejected, message: "the camera sent a picture of \(size >> 20) MB or more; at most \(limit >> 20) MB"
        )
    }

    static func notAPicture(_ type: String, _ head: [UInt8]) -> ConnectorError {
        let text = String(decoding: head.prefix(60), as: UTF8.self).replacingOccurrences(of: "\n", with: " ")
        return ConnectorError(
            kind: .malformed,
            message: "the camera answered \(type.isEmpty ? "something" : type) that is not a JPEG picture: \(text)")
    }
}
