import AsyncHTTPClient
import ChildProcess
import Crypto
import Foundation
import NIOCore
import Testing

/// A 512 MB upload to a real `printfarm serve`, streamed by the client: the server's peak memory (VmHWM) stays far
/// below the file's size, the stored bytes hash to what was sent, and an unannounced upload over the limit is cut
/// off with a 413 that leaves nothing behind.
@Suite("Large uploads", .serialized)
struct LargeUploadTests {
    /// `count` chunks of `size` bytes, different from one another, produced on demand.
    struct Chunks: AsyncSequence, Sendable {
        let count: Int
        let size: Int
        struct AsyncIterator: AsyncIteratorProtocol {
            let count: Int, size: Int
            var index = 0
            mutating func next() async -> ByteBuffer? {
                guard index < count else { return nil }
                defer { index += 1 }
                return Chunks.chunk(index, size: size)
            }
        }
        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(count: count, size: size) }

        static func chunk(_ index: Int, size: Int) -> ByteBuffer {
            var buffer = ByteBuffer(repeating: UInt8(index % 251), count: size)
            buffer.setInteger(UInt64(index), at: 0)
            return buffer
        }

        var sha256: String {
            var hasher = SHA256()
            for index in 0..<count { hasher.update(data: Data(buffer: Self.chunk(index, size: size))) }
            return hasher.finalize().map { String(format: "%02x", $0) }.joined()
        }
    }

    static func peakMemoryKiB(of pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
        return line.flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true)[1]) }
    }

    @Test(
        "512 MB streams to disk with a small, flat memory peak; over the limit without Content-Length: 413, nothing kept"
    )
    func streamed() async throws {
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "printfarm-large-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dataDirectory) }
        #expect(try CommandLineTests.run(["migrate", "--data-dir", dataDirectory.path]).status == 0)
        let key = try CommandLineTests.run([
            "keys", "create", "--data-dir", dataDirectory.path, "--name", "uploader", "--scope", "operate",
        ])
        let token = try #require(key.output.split(separator: "\n").map(String.init).first { $0.hasPrefix("pfk_") })
        let port = try CommandLineTests.freePort()
        let server = ChildProcess()
        server.executableURL = CommandLineTests.executable
        server.arguments = [
            "serve", "--data-dir", dataDirectory.path, "--port", String(port), "--max-upload-bytes", String(600 << 20),
        ]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer {
            if server.isRunning {
                server.interrupt()
                server.waitUntilExit()
            }
        }

        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            for _ in 0..<100 {
                if let response = try? await client.execute(
                    HTTPClientRequest(url: "http://127.0.0.1:\(port)/healthz"), timeout: .seconds(2)),
                    response.status == .ok
                {
                    break
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            let before = try #require(Self.peakMemoryKiB(of: server.processIdentifier))
            let chunks = Chunks(count: 512, size: 1 << 20)
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/v1/artifacts?name=big.bin")
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            request.body = .stream(chunks, length: .known(Int64(512 << 20)))
            let response = try await client.execute(request, timeout: .seconds(300))
            let body = try await response.body.collect(upTo: 1 << 20)
            #expect(response.status == .created, "\(String(buffer: body))")
            let json = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]
            let sha = try #require(json?["sha256"] as? String)
            #expect(sha == chunks.sha256)
            #expect(json?["size"] as? Int == 512 << 20)
            let after = try #require(Self.peakMemoryKiB(of: server.processIdentifier))
            #expect(
                after - before < 100 * 1024,
                "the server's peak memory grew by \(after - before) KiB for a 512 MiB upload")
            let stored = dataDirectory.appendingPathComponent("artifacts/objects/\(sha.prefix(2))/\(sha.dropFirst(2))")
            #expect((try FileManager.default.attributesOfItem(atPath: stored.path)[.size] as? Int) == 512 << 20)

            // Chunked, no Content-Length: the limit is found while streaming.
            var tooBig = HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/v1/artifacts?name=huge.bin")
            tooBig.method = .POST
            tooBig.headers.add(name: "Authorization", value: "Bearer \(token)")
            tooBig.body = .stream(Chunks(count: 700, size: 1 << 20), length: .unknown)
            let refused = try? await client.execute(tooBig, timeout: .seconds(300))
            if let refused {
                #expect(refused.status.code == 413)
            }
            let tmp = dataDirectory.appendingPathComponent("artifacts/tmp")
            #expect(
                try FileManager.default.contentsOfDirectory(atPath: tmp.path).isEmpty,
                "the cut-off upload left a temporary file")
            let objects = try FileManager.default.subpathsOfDirectory(
                atPath: dataDirectory.appendingPathComponent("artifacts/objects").path)
            #expect(
                objects.filter { !$0.contains("/") || $0.split(separator: "/").count == 2 }.filter { $0.contains("/") }
                    .count == 1, "only the first upload is stored")
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }
}
