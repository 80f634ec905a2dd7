import FarmDomain
import FarmStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import PrinterTestSupport
import Testing
import VirtualPrinter

@testable import FarmServer

/// A camera an owner gives a printer (an IP camera beside the host's own): given at registration or later, checked,
/// recorded as the printer's event, relayed by the farm's server, and never shown to a page that is not an owner's.
@Suite("A camera given for a printer")
struct PrinterCameraTests {
    static let capabilities =
        #"{"buildVolume":{"x":250,"y":210,"z":210},"nozzleDiameters":[0.4],"#
        + #""enclosure":false,"hardenedNozzle":false,"materials":[]}"#

    func registration(camera: String) -> String {
        #"{"name":"mk4-07","connector":"octoprint","address":"http://127.0.0.1:5000","#
            + #""capabilities":\#(Self.capabilities),"camera":\#(camera)}"#
    }

    @Test(
        """
        a camera given at registration is the printer's live view through the farm (without a printer connection); \
        it is changed and removed as events; bad addresses are refused with the field; only owners see its address
        """,
        arguments: TestEngine.allCases)
    func givenCamera(engine: TestEngine) async throws {
        try await withCameraStandIn { camera in
            try await withFarm(engine) { farm in
                let snapshotURL = camera.appendingPathComponent(VirtualCamera.snapshotPath).absoluteString
                let streamURL = camera.appendingPathComponent(VirtualCamera.streamPath).absoluteString
                let secret = snapshotURL.replacingOccurrences(of: "http://", with: "http://admin:hunter2@")
                let withPassword = try await farm.request(
                    .post, "/api/v1/printers", json: registration(camera: #"{"snapshot":"\#(secret)"}"#))
                #expect(
                    withPassword.problemCode == "invalid-field" && withPassword.text.contains("camera.snapshot")
                        && withPassword.text.contains("no user or password"), "\(withPassword.text)")
                #expect(!withPassword.text.contains("hunter2"), "the password is not echoed")
                let neither = try await farm.request(
                    .post, "/api/v1/printers", json: registration(camera: #"{"name":"door"}"#))
                #expect(neither.problemCode == "invalid-field" && neither.text.contains("snapshot address"))
                #expect((try await farm.request(.get, "/api/v1/printers").json["items"] as? [Any])?.isEmpty == true)

                let registered = try await farm.request(
                    .post, "/api/v1/printers",
                    json: registration(camera: #"{"name":"door","snapshot":"\#(snapshotURL)"}"#))
                #expect(registered.status == .created, "\(registered.text)")
                let id = try #require(registered.json["id"] as? String)
                #expect((registered.json["camera"] as? [String: Any])?["name"] as? String == "door")

                // The server here has no connection to the printers: the given camera is read all the same.
                let snapshot = try await farm.request(.get, "/api/v1/printers/\(id)/camera/snapshot")
                #expect(snapshot.status == .ok && snapshot.headers[.contentType] == "image/jpeg")
                #expect(Array(snapshot.body.readableBytesView) == VirtualCamera.picture)
                let noStream = try await farm.request(.get, "/api/v1/printers/\(id)/camera/stream")
                #expect(noStream.problemCode == "camera-stream-missing", "\(noStream.text)")

                for (body, field) in [
                    (#"{"stream":"ftp://127.0.0.1/cam"}"#, "camera.stream"),
                    (#"{"snapshot":"/webcam/?action=snapshot"}"#, "camera.snapshot"),
                    (#"{"name":"","stream":"\#(streamURL)"}"#, "camera.name"),
                ] {
                    let refused = try await farm.request(.put, "/api/v1/printers/\(id)/camera", json: body)
                    #expect(
                        refused.problemCode == "invalid-field" && refused.text.contains(field),
                        "\(body): \(refused.text)")
                }
                let changed = try await farm.request(
                    .put, "/api/v1/printers/\(id)/camera",
                    json: #"{"name":"door","stream":"\#(streamURL)","reason":"operator.request","note":"stream too"}"#)
                #expect(
                    changed.status == .ok
                        && (changed.json["camera"] as? [String: Any])?["stream"] as? String == streamURL)

                let operatorCookie = try await WebPageTests().cookie(farm, "otto", role: .operator)
                let ownerCookie = try await WebPageTests().cookie(farm, "olga", role: .owner)
                let seen = try await farm.request(.get, "/printers/\(id)", headers: [.cookie: operatorCookie]).text
                #expect(
                    seen.contains("src=\"/api/v1/printers/\(id)/camera/stream\""), "the live view is the farm's relay")
                #expect(!seen.contains(camera.absoluteString), "an operator's page never holds the camera's address")
                #expect(!seen.contains("Change the camera"))
                let owned = try await farm.request(.get, "/printers/\(id)", headers: [.cookie: ownerCookie]).text
                #expect(owned.contains("Change the camera") && owned.contains("value=\"\(streamURL)\""))

                let removed = try await farm.request(.delete, "/api/v1/printers/\(id)/camera")
                #expect(removed.status == .ok && removed.json["camera"] == nil)
                let gone = try await farm.request(.get, "/api/v1/printers/\(id)/camera/snapshot")
                #expect(gone.problemCode == "camera-missing" && gone.text.contains("PUT …/camera"), "\(gone.text)")
                let again = try await farm.request(.delete, "/api/v1/printers/\(id)/camera")
                #expect(again.status == .ok, "removing no camera changes nothing")

                let types = try await farm.store.events.read(stream: PrinterDecider.stream(PrinterID(id)!)).map(\.type)
                #expect(
                    types == [
                        "printfarm.printer.registered.v1", "printfarm.printer.cameraSet.v1",
                        "printfarm.printer.cameraSet.v1",
                    ], "\(types)")
                let missing = try await farm.request(
                    .put, "/api/v1/printers/01936a4e-0000-7000-8000-000000000001/camera",
                    json: #"{"stream":"\#(streamURL)"}"#)
                #expect(missing.status == .notFound)
            }
        }
    }
}
