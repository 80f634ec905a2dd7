import Foundation
import PrinterTestSupport
import Testing
import VirtualPrinter

@testable import PrinterLink

/// Reading cameras, bounded, against the camera stand-in (a JPEG, an MJPEG stream, and cameras that hang, answer
/// HTML or send 50 MB frames).
@Suite("Camera reader", .serialized)
struct CameraReaderTests {
    func withCamera(_ body: (URL) async throws -> Void) async throws {
        try await withCameraStandIn(fps: 20, hang: .seconds(10), body)
    }

    func camera(_ base: URL, snapshot: String? = nil, stream: String? = nil) -> CameraSource {
        CameraSource(
            name: "bed", snapshot: snapshot.map { base.appendingPathComponent($0) },
            stream: stream.map { base.appendingPathComponent($0) })
    }

    @Test("a snapshot is the camera's JPEG; without a snapshot address, the stream's first frame; frames keep coming")
    func pictures() async throws {
        try await withCamera { base in
            let reader = CameraReader(timeout: .seconds(10))
            let jpeg = try await reader.snapshot(camera(base, snapshot: VirtualCamera.snapshotPath))
            #expect(jpeg == VirtualCamera.picture)
            let first = try await reader.snapshot(camera(base, stream: VirtualCamera.streamPath))
            #expect(MJPEGParser.isJPEG(first) && first.count > 1000)
            var frames: [[UInt8]] = []
            for try await frame in reader.frames(base.appendingPathComponent(VirtualCamera.streamPath)) {
                frames.append(frame)
                if frames.count == 3 { break }
            }
            #expect(frames.count == 3 && Set(frames).count == 3, "numbered frames differ")
        }
    }

    @Test("a camera that hangs, answers HTML or sends 50 MB frames is refused in words, within the time limit")
    func badCameras() async throws {
        try await withCamera { base in
            let reader = CameraReader(maxFrameBytes: 8 << 20, timeout: .seconds(1))
            let started = ContinuousClock.now
            let hung = await refusal { _ = try await reader.snapshot(camera(base, snapshot: "/hang")) }
            // The stand-in answers after 10 s: only the reader's own limit makes this `unreachable`.
            #expect(hung?.kind == .unreachable, "\(String(describing: hung))")
            #expect(ContinuousClock.now - started < .seconds(10), "given up on after the limit")
            let html = await refusal { _ = try await reader.snapshot(camera(base, snapshot: "/html")) }
            #expect(
                html?.kind == .malformed && html?.message.contains("text/html") == true, "\(String(describing: html))")
            // Size, not time, stops these: a reader with time to spare (8 MB take a while on a busy machine).
            let patient = CameraReader(maxFrameBytes: 8 << 20, timeout: .seconds(60))
            let huge = await refusal { _ = try await patient.snapshot(camera(base, snapshot: "/huge.jpg")) }
            #expect(
                huge?.kind == .rejected && huge?.message.contains("at most 8 MB") == true, "\(String(describing: huge))"
            )
            let hugeStream = await refusal { _ = try await patient.snapshot(camera(base, stream: "/huge.mjpg")) }
            #expect(hugeStream?.kind == .rejected, "\(String(describing: hugeStream))")
            let htmlStream = await refusal { _ = try await reader.snapshot(camera(base, stream: "/html")) }
            #expect(htmlStream != nil, "an HTML page is no stream")
            let nothing = await refusal {
                _ = try await reader.snapshot(CameraSource(name: "x", snapshot: nil, stream: nil))
            }
            #expect(nothing?.kind == .unsupported)
        }
    }

    @Test("frames are cut from the stream however its bytes arrive, boundaries and headers skipped")
    func parser() throws {
        let frame = VirtualCamera.frame(7)
        var text: [UInt8] = []
        for _ in 0..<3 {
            text +=
                Array("--b\r\nContent-Type: image/jpeg\r\nContent-Length: \(frame.count)\r\n\r\n".utf8) + frame
                + Array("\r\n".utf8)
        }
        for size in [1, 2, 3, 7, 100, 4096, text.count] {
            var parser = MJPEGParser(maxFrameBytes: 1 << 20)
            var frames: [[UInt8]] = []
            var index = 0
            while index < text.count {
                frames += try parser.feed(Array(text[index..<min(index + size, text.count)]))
                index += size
            }
            #expect(frames == [frame, frame, frame], "chunks of \(size)")
        }
        var small = MJPEGParser(maxFrameBytes: 100)
        #expect(throws: ConnectorError.self) { _ = try small.feed([0xFF, 0xD8] + [UInt8](repeating: 1, count: 200)) }
    }
}
