import AsyncHTTPClient
import FarmDomain
import Foundation
import Slicing
import Testing

@testable import PrinterLink

/// A plate's G-code as the farm writes it, checked by a real Moonraker 0.11 with its own object processing on (the
/// processing that adds Klipper's object definitions to files that lack them, using preprocess_cancellation).
@Suite("Object exclusion, real Moonraker", .serialized)
struct MoonrakerObjectsTests {
    /// The file as Moonraker keeps it, once its metadata (and so its processing) is done.
    func stored(_ moonraker: RealMoonraker, _ client: MoonrakerClient, _ path: String) async throws -> String {
        // A generous ceiling for a loaded machine; the metadata usually answers at once.
        let deadline = ContinuousClock.now + .seconds(60)
        var processed = false
        while !processed, ContinuousClock.now < deadline {
            processed = (try? await client.metadata(path)) != nil
            if !processed { try await Task.sleep(for: .milliseconds(100)) }
        }
        try #require(processed, "Moonraker read \(path)'s metadata")
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: "\(moonraker.base.absoluteString)/server/files/gcodes/\(path)"),
            timeout: .seconds(30))
        #expect(response.status == .ok)
        return String(buffer: try await response.body.collect(upTo: 64 << 20))
    }

    func names(_ gcode: String) -> Set<String> {
        Set(
            gcode.split(separator: "\n").filter { $0.hasPrefix("EXCLUDE_OBJECT_DEFINE NAME=") }.compactMap {
                $0.split(separator: " ")[1].split(separator: "=", maxSplits: 1).last.map(String.init)
            })
    }

    @Test(
        """
        Moonraker recognises the farm's object definitions and keeps the plate byte for byte; the same plate without \
        them, Moonraker's own processing defines the same objects
        """
    )
    func definitionsAccepted() async throws {
        let slicer = try PrusaSlicer()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pf-objects-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let ours = folder.appendingPathComponent("plate.gcode").path
        let models = ["box.stl", "cylinder.stl", "pyramid.stl"].map { "/usr/share/PrusaSlicer/shapes/\($0)" }
        let sliced = try await slicer.slice(
            SliceRequest(models: models, profile: try await slicer.defaultProfile(), output: ours, merge: true))
        let text = try String(contentsOfFile: ours, encoding: .utf8)
        let defined = names(text)
        #expect(defined == Set(sliced.facts.placements.map { PlateObject.exclusionName(label: $0.label) }))
        #expect(defined.count == 3)
        // The same G-code as PrusaSlicer 2.5 wrote it, before the farm added the definitions.
        let plain = folder.appendingPathComponent("plain.gcode").path
        try text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("EXCLUDE_OBJECT_") }
            .joined(separator: "\n").write(toFile: plain, atomically: true, encoding: .utf8)

        let moonraker = try RealMoonraker()
        try await moonraker.start(trusted: true, objectProcessing: true)
        defer { moonraker.stop() }
        let client = MoonrakerClient(base: moonraker.base, apiKey: nil, http: HTTPClient.shared)
        let kept = try await stored(moonraker, client, try await client.upload(file: ours, as: "ours.gcode"))
        #expect(kept == text, "Moonraker left the farm's plate as it was (it saw the objects defined)")
        let processed = try await stored(moonraker, client, try await client.upload(file: plain, as: "plain.gcode"))
        #expect(processed != String(decoding: FileManager.default.contents(atPath: plain)!, as: UTF8.self))
        // Klipper takes names in any case and reports them in upper case.
        #expect(
            Set(names(processed).map { $0.uppercased() }) == defined,
            "Moonraker's processing names the objects as the farm does")
    }
}
