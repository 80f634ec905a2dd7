import Crypto
import FarmDomain
import FarmStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import MeshKit
import MeshTestSupport
import NIOCore
import Slicing
import Testing

@testable import FarmServer

func sha256Hex(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }

extension TestFarm {
    /// Uploads bytes as a raw body named `name`.
    func upload(
        _ data: Data, name: String, contentType: String = "application/octet-stream", headers: HTTPFields = auth
    ) async throws -> TestResponse {
        var fields = headers
        fields[.contentType] = contentType
        let encoded = name.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? name
        return try await client.execute(
            uri: "/api/v1/artifacts?name=\(encoded)", method: .post, headers: fields, body: ByteBuffer(data: data))
    }

    func registerPrinter(_ name: String, x: Double, y: Double, z: Double, extra: String = "") async throws {
        let json =
            #"{"name":"\#(name)","connector":"virtual","address":"http://127.0.0.1:9","capabilities":{"buildVolume":{"x":\#(x),"y":\#(y),"z":\#(z)},"nozzleDiameters":[0.4],"enclosure":false,"hardenedNozzle":false,"materials":[]\#(extra)}}"#
        let response = try await request(.post, "/api/v1/printers", json: json)
        #expect(response.status == .created, "\(response.text)")
    }
}

/// A multipart/form-data body with one file field (and a text field before it).
func multipart(file: Data, fieldName: String = "file", filename: String, boundary: String = "pf-boundary-7d1c") -> (
    Data, String
) {
    var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nfrom the shop\r\n".utf8)
    body += Data(
        "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(fieldName)\"; filename=\"\(filename)\"\r\nContent-Type: model/3mf\r\n\r\n"
            .utf8)
    body += file
    body += Data("\r\n--\(boundary)--\r\n".utf8)
    return (body, "multipart/form-data; boundary=\(boundary)")
}

@Suite("Artifacts over HTTP")
struct ArtifactAPITests {
    @Test(
        "a raw upload is stored by SHA-256 and analysed; the same bytes again are one artifact with two names",
        arguments: TestEngine.allCases)
    func rawUpload(engine: TestEngine) async throws {
        try await withFarm(engine) { farm in
            let stl = MeshFixtures.binarySTL(MeshFixtures.cube(size: 20))
            let sha = sha256Hex(stl)
            let created = try await farm.upload(stl, name: "cube.stl")
            #expect(created.status == .created, "\(created.text)")
            #expect(created.headers[.location] == "/api/v1/artifacts/\(sha)")
            #expect(created.json["sha256"] as? String == sha)
            #expect(created.json["size"] as? Int == stl.count)
            #expect(created.json["kind"] as? String == "model")
            #expect(created.json["uploadedBy"] as? String == "apikey:\(testKeyID)")
            let analysis = try #require(created.json["analysis"] as? [String: Any])
            #expect(analysis["triangles"] as? Int == 12)
            #expect(analysis["volume"] as? Double == 8000)
            #expect(analysis["openEdges"] as? Int == 0)
            #expect(created.headers[.eTag] == "\"2\"", "registered, then analysed")

            let again = try await farm.upload(stl, name: "cube copy.stl")
            #expect(again.status == .ok)
            #expect(again.json["names"] as? [String] == ["cube.stl", "cube copy.stl"])
            let events = try await farm.eventCount()
            #expect(try await farm.upload(stl, name: "cube.stl").status == .ok)
            #expect(try await farm.eventCount() == events, "a repeat under a known name changes nothing")

            let read = try await farm.request(.get, "/api/v1/artifacts/\(sha)")
            #expect(read.json["names"] as? [String] == ["cube.stl", "cube copy.stl"])
            let models = try await farm.request(.get, "/api/v1/artifacts?kind=model")
            #expect((models.json["items"] as? [[String: Any]])?.map { $0["sha256"] as? String } == [sha])
            #expect(
                try await farm.request(.get, "/api/v1/artifacts/\(String(repeating: "0", count: 64))").status
                    == .notFound)
            #expect(try await farm.request(.get, "/api/v1/artifacts/not-a-hash").problemCode == "invalid-parameter")
        }
    }

    @Test("a G-code's preview is its picture (drawn from above as SVG), made once; other artifacts have none")
    func preview() async throws {
        try await withFarm { farm in
            let gcode = try Data(contentsOf: URL(fileURLWithPath: PrinterFleetTests.gcode))
            #expect(try await farm.upload(gcode, name: "cube.gcode", contentType: "text/x.gcode").status == .created)
            let url = "/api/v1/artifacts/\(sha256Hex(gcode))/preview"
            let first = try await farm.request(.get, url)
            #expect(first.status == .ok && first.headers[.contentType] == "image/svg+xml", "\(first.text)")
            #expect(first.text.hasPrefix("<svg") && first.headers[.contentSecurityPolicy]?.contains("sandbox") == true)
            let again = try await farm.request(.get, url)
            #expect(again.text == first.text, "the same picture, from the cache")
            let blob = Data("not g-code".utf8)
            #expect(try await farm.upload(blob, name: "notes.txt").status == .created)
            let none = try await farm.request(.get, "/api/v1/artifacts/\(sha256Hex(blob))/preview")
            #expect(none.status == .unprocessableContent && none.problemCode == "no-preview")
            #expect(
                try await farm.request(.get, "/api/v1/artifacts/\(String(repeating: "0", count: 64))/preview").status
                    == .notFound)
        }
    }

    @Test("downloads carry the hash as ETag, answer If-None-Match with 304, and serve byte ranges")
    func download() async throws {
        try await withFarm { farm in
            let data = Data((0..<5000).map { UInt8($0 % 256) })
            let sha = sha256Hex(data)
            #expect(try await farm.upload(data, name: "blob.bin").status == .created)
            let url = "/api/v1/artifacts/\(sha)/content"
            let whole = try await farm.request(.get, url)
            #expect(whole.status == .ok)
            #expect(Data(buffer: whole.body) == data)
            #expect(whole.headers[.eTag] == "\"\(sha)\"")
            #expect(whole.headers[.acceptRanges] == "bytes")
            #expect(whole.headers[.contentType] == "application/octet-stream")
            #expect(
                whole.headers[.contentDisposition]?.hasPrefix("attachment") == true, "downloaded, never shown as a page"
            )
            #expect(
                whole.headers[.contentSecurityPolicy] == "default-src 'none'; sandbox"
                    && whole.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            var conditional = auth
            conditional[.ifNoneMatch] = "\"\(sha)\""
            #expect(try await farm.request(.get, url, headers: conditional).status == .notModified)
            for (range, expected, contentRange) in [
                ("bytes=0-99", data[0..<100], "bytes 0-99/5000"),
                ("bytes=4990-", data[4990...], "bytes 4990-4999/5000"),
                ("bytes=-10", data[4990...], "bytes 4990-4999/5000"),
                ("bytes=4000-9999", data[4000...], "bytes 4000-4999/5000"),
            ] {
                var headers = auth
                headers[.range] = range
                let part = try await farm.request(.get, url, headers: headers)
                #expect(part.status == .partialContent, "\(range)")
                #expect(Data(buffer: part.body) == Data(expected), "\(range)")
                #expect(part.headers[.contentRange] == contentRange)
            }
            var outside = auth
            outside[.range] = "bytes=5000-"
            let refused = try await farm.request(.get, url, headers: outside)
            #expect(refused.status == .rangeNotSatisfiable)
            #expect(refused.problemCode == "range-not-satisfiable")
            var several = auth
            several[.range] = "bytes=0-1,5-6"
            #expect(try await farm.request(.get, url, headers: several).status == .ok, "several ranges: the whole file")
            var stale = auth
            stale[.range] = "bytes=0-1"
            stale[.ifRange] = "\"something-else\""
            #expect(
                try await farm.request(.get, url, headers: stale).status == .ok,
                "If-Range that does not match: the whole file")
        }
    }

    @Test(
        "a raw upload whose declared type says nothing about the file (curl's --data-binary default) is typed by its name"
    )
    func uploadTypeFromName() async throws {
        try await withFarm { farm in
            let cube = MeshFixtures.binarySTL(MeshFixtures.cube(size: 20))
            let curl = try await farm.upload(cube, name: "cube.stl", contentType: "application/x-www-form-urlencoded")
            #expect(curl.status == .created, "\(curl.text)")
            #expect(curl.json["mediaType"] as? String == "model/stl")
            let declared = try await farm.upload(
                Data("G28\n".utf8), name: "plate.gcode", contentType: "text/x-gcode; charset=utf-8")
            #expect(declared.json["mediaType"] as? String == "text/x-gcode", "a real type is kept")
            let unknown = try await farm.upload(
                Data("blob".utf8), name: "notes", contentType: "application/x-www-form-urlencoded")
            #expect(unknown.json["mediaType"] as? String == "application/octet-stream")
        }
    }

    @Test("a multipart form upload takes the 'file' field, its file name and type; a 3MF is analysed")
    func multipartUpload() async throws {
        try await withFarm { farm in
            let threeMF = try MeshFixtures.threeMF(
                MeshFixtures.threeMFModel(
                    objects: [MeshFixtures.threeMFCube(id: 1, size: 10, name: "bracket")],
                    items: ["<item objectid=\"1\"/>"]))
            let (body, contentType) = multipart(file: threeMF, filename: "bracket.3mf")
            var headers = auth
            headers[.contentType] = contentType
            let response = try await farm.client.execute(
                uri: "/api/v1/artifacts", method: .post, headers: headers, body: ByteBuffer(data: body))
            #expect(response.status == .created, "\(response.text)")
            #expect(response.json["sha256"] as? String == sha256Hex(threeMF))
            #expect(response.json["names"] as? [String] == ["bracket.3mf"])
            #expect(response.json["mediaType"] as? String == "model/3mf")
            let analysis = try #require(response.json["analysis"] as? [String: Any])
            #expect(analysis["format"] as? String == "3mf")
            #expect(analysis["objectNames"] as? [String] == ["bracket"])
        }
    }

    @Test(
        "bad uploads: empty, over the limit, no file field, broken form, unreadable model, wrong credentials; nothing half-stored"
    )
    func badUploads() async throws {
        try await withFarm(configure: { $0.maxUploadBytes = 4096 }) { farm in
            let empty = try await farm.upload(Data(), name: "empty.stl")
            #expect(empty.status == .unprocessableContent && empty.problemCode == "upload-empty")
            let big = try await farm.upload(Data(count: 10_000), name: "big.stl")
            #expect(big.status == .contentTooLarge && big.problemCode == "upload-too-large", "\(big.text)")
            #expect((big.json["detail"] as? String)?.contains("4096 bytes") == true)
            let (noFile, type) = multipart(file: Data("x".utf8), fieldName: "attachment", filename: "x.stl")
            var headers = auth
            headers[.contentType] = type
            let missing = try await farm.client.execute(
                uri: "/api/v1/artifacts", method: .post, headers: headers, body: ByteBuffer(data: noFile))
            #expect(missing.problemCode == "upload-malformed", "\(missing.text)")
            headers[.contentType] = "multipart/form-data"
            let noBoundary = try await farm.client.execute(
                uri: "/api/v1/artifacts", method: .post, headers: headers, body: ByteBuffer(data: noFile))
            #expect(noBoundary.problemCode == "upload-malformed")
            let objects = farm.dataDirectory.appendingPathComponent("artifacts/objects")
            let tmp = farm.dataDirectory.appendingPathComponent("artifacts/tmp")
            #expect(try FileManager.default.contentsOfDirectory(atPath: objects.path).isEmpty)
            #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path).isEmpty)
            #expect(try await farm.eventCount() == 0)

            let garbage = Data((0..<300).map { UInt8(($0 * 37) % 256) })
            let unreadable = try await farm.upload(garbage, name: "broken.stl")
            #expect(unreadable.status == .created)
            let failure = try #require(unreadable.json["analysisFailure"] as? [String: Any])
            #expect(failure["code"] as? String == "model.notAMesh" || failure["code"] as? String == "model.truncated")
            #expect(unreadable.json["analysis"] == nil)

            let viewer = try await farm.makeAPIKey(.read)
            #expect(try await farm.upload(garbage, name: "x.stl", headers: bearer(viewer.key)).status == .forbidden)
            #expect(try await farm.upload(garbage, name: "x.stl", headers: [:]).status == .unauthorized)
        }
    }

    @Test(
        "an order with models is preflighted on arrival: a good cube passes, an open one goes to review with the reason",
        arguments: TestEngine.allCases)
    func intentPreflight(engine: TestEngine) async throws {
        try await withFarm(engine) { farm in
            try await farm.registerPrinter("mk3", x: 250, y: 210, z: 210)
            let good = try await farm.upload(MeshFixtures.binarySTL(MeshFixtures.cube(size: 20)), name: "good.stl")
            var open = MeshFixtures.cube(size: 20)
            open.corners.removeLast(6)
            let broken = try await farm.upload(MeshFixtures.binarySTL(open), name: "open.stl")
            let goodSHA = try #require(good.json["sha256"] as? String)
            let brokenSHA = try #require(broken.json["sha256"] as? String)

            let passing = try await farm.request(
                .post, "/api/v1/intents",
                json: #"{"lineItems":[{"quantity":2,"material":"PLA","modelArtifact":"\#(goodSHA)"}]}"#)
            #expect(passing.status == .created, "\(passing.text)")
            #expect(passing.json["status"] as? String == "preflighted")
            #expect(passing.json["preflight"] as? String == "pass")
            let items = try #require(passing.json["lineItemPreflights"] as? [[String: Any]])
            let verdict = try #require(items.first?["verdict"] as? [String: Any])
            #expect(verdict["printers"] as? [String] == ["mk3"])
            #expect(verdict["massGrams"] as? Double == 9.92)

            let failing = try await farm.request(
                .post, "/api/v1/intents",
                json:
                    #"{"lineItems":[{"quantity":1,"material":"PLA","modelArtifact":"\#(goodSHA)"},{"quantity":1,"material":"PLA","modelArtifact":"\#(brokenSHA)"}]}"#
            )
            #expect(failing.json["status"] as? String == "needsReview")
            #expect(
                failing.json["statusReasons"] as? [String] == [
                    "line item 2: 4 open edges: the model is not closed; repair it or allow automatic repair"
                ])

            let unknown = try await farm.request(
                .post, "/api/v1/intents",
                json:
                    #"{"lineItems":[{"quantity":1,"material":"PLA","modelArtifact":"\#(String(repeating: "ab", count: 32))"}]}"#
            )
            #expect(unknown.status == .unprocessableContent)
            #expect((unknown.json["detail"] as? String)?.contains("upload the model first") == true)
        }
    }

    @Test("a part too big for every printer fails; after a bigger printer is registered, preflight again passes")
    func preflightAgain() async throws {
        try await withFarm { farm in
            try await farm.registerPrinter("mini", x: 180, y: 180, z: 180)
            let big = try await farm.upload(MeshFixtures.binarySTL(MeshFixtures.cube(size: 200)), name: "big.stl")
            let sha = try #require(big.json["sha256"] as? String)
            let intent = try await farm.request(
                .post, "/api/v1/intents",
                json: #"{"lineItems":[{"quantity":1,"material":"PETG","modelArtifact":"\#(sha)"}]}"#)
            let id = try #require(intent.json["id"] as? String)
            #expect(intent.json["status"] as? String == "needsReview")
            #expect(
                (intent.json["statusReasons"] as? [String])?.first?.contains(
                    "200 × 200 × 200 mm does not fit any printer, even turned; the largest is 180 × 180 × 180 mm (mini)"
                ) == true)
            try await farm.registerPrinter("big", x: 300, y: 300, z: 300)
            let again = try await farm.request(.post, "/api/v1/intents/\(id)/preflight")
            #expect(again.status == .ok, "\(again.text)")
            #expect(again.json["status"] as? String == "preflighted")
            #expect(again.json["preflight"] as? String == "pass")
            let events = try await farm.eventCount()
            #expect(try await farm.request(.post, "/api/v1/intents/\(id)/preflight").status == .ok)
            #expect(try await farm.eventCount() == events, "the same verdict again records nothing")
        }
    }
}

enum Phases {
    /// Strings gathered from inside a test farm's closure.
    final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [String] = []
        func add(_ item: String) { lock.withLock { items.append(item) } }
        var all: [String] { lock.withLock { items } }
    }
}

@Suite("Slicing over HTTP")
struct SliceAPITests {
    /// The slicer's defaults with classic perimeters, as an owner would upload them.
    static func profileText() async throws -> String {
        var profile = try await PrusaSlicer().defaultProfile()
        profile.settings["perimeter_generator"] = "classic"
        // PrusaSlicer's defaults weigh filament at 0 g/cm³: PLA's density, so the G-code says grams.
        profile.settings["filament_density"] = "1.24"
        return profile.canonicalText
    }

    @Test(
        "a profile is stored by version; a slice is made once and then a cache hit; a new profile version is a new slice",
        arguments: TestEngine.allCases)
    func sliceAndCache(engine: TestEngine) async throws {
        let text = try await Self.profileText()
        try await withFarm(engine) { farm in
            var headers = auth
            headers[.contentType] = "text/plain"
            let stored = try await farm.client.execute(
                uri: "/api/v1/profiles?name=mk3-pla.ini", method: .post, headers: headers,
                body: ByteBuffer(string: text))
            #expect(stored.status == .created, "\(stored.text)")
            let version = try #require(stored.json["version"] as? String)
            #expect(stored.json["reproducibleInParallel"] as? Bool == true)
            let model = try await farm.upload(
                try Data(contentsOf: URL(fileURLWithPath: "/usr/share/PrusaSlicer/shapes/box.stl")), name: "box.stl")
            let sha = try #require(model.json["sha256"] as? String)

            let first = try await farm.request(
                .post, "/api/v1/slices", json: #"{"model":"\#(sha)","profile":"\#(version)"}"#)
            #expect(first.status == .created, "\(first.text)")
            #expect(first.headers[.sliceCache] == "miss")
            let key = try #require(first.json["key"] as? String)
            let facts = try #require(first.json["facts"] as? [String: Any])
            #expect((facts["layerCount"] as? Int ?? 0) > 50)
            let gcode = try #require(first.json["gcode"] as? String)
            let download = try await farm.request(.get, "/api/v1/artifacts/\(gcode)/content")
            #expect(
                String(buffer: download.body).hasPrefix(
                    "; generated by PrusaSlicer 2.5.0 on 0000-00-00 at 00:00:00 UTC"))

            let events = try await farm.eventCount()
            let again = try await farm.request(
                .post, "/api/v1/slices", json: #"{"model":"\#(sha)","profile":"\#(version)"}"#)
            #expect(again.status == .ok)
            #expect(again.headers[.sliceCache] == "hit")
            #expect(again.json["key"] as? String == key)
            #expect(try await farm.eventCount() == events, "a cache hit records nothing")
            #expect(try await farm.request(.get, "/api/v1/slices/\(key)").status == .ok)
            #expect((try await farm.request(.get, "/api/v1/slices?model=\(sha)").json["items"] as? [Any])?.count == 1)

            let finer = text.replacingOccurrences(of: "\nlayer_height = 0.3\n", with: "\nlayer_height = 0.2\n")
            #expect(finer != text)
            let other = try await farm.client.execute(
                uri: "/api/v1/profiles", method: .post, headers: headers, body: ByteBuffer(string: finer))
            let otherVersion = try #require(other.json["version"] as? String)
            #expect(otherVersion != version)
            let resliced = try await farm.request(
                .post, "/api/v1/slices", json: #"{"model":"\#(sha)","profile":"\#(otherVersion)"}"#)
            #expect(resliced.status == .created)
            #expect(resliced.json["key"] as? String != key)
            let moreLayers = (resliced.json["facts"] as? [String: Any])?["layerCount"] as? Int ?? 0
            #expect(moreLayers > (facts["layerCount"] as? Int ?? 0))
        }
    }

    @Test(
        "a plate of several models is one slice: objects labelled by item, copies counted, G-code the same on a second farm"
    )
    func plate() async throws {
        let text = try await Self.profileText()
        let gcodes = Phases.Collected()
        for _ in 0..<2 {
            try await withFarm { farm in
                var headers = auth
                headers[.contentType] = "text/plain"
                let version = try #require(
                    try await farm.client.execute(
                        uri: "/api/v1/profiles", method: .post, headers: headers, body: ByteBuffer(string: text)
                    ).json["version"] as? String)
                var shas: [String] = []
                for name in ["box.stl", "cylinder.stl", "pyramid.stl"] {
                    let data = try Data(contentsOf: URL(fileURLWithPath: "/usr/share/PrusaSlicer/shapes/\(name)"))
                    shas.append(try #require(try await farm.upload(data, name: name).json["sha256"] as? String))
                }
                let body =
                    #"{"profile":"\#(version)","plate":[{"model":"\#(shas[0])","copies":1},{"model":"\#(shas[1])","copies":2},{"model":"\#(shas[2])","copies":1}]}"#
                let sliced = try await farm.request(.post, "/api/v1/slices", json: body)
                #expect(sliced.status == .created, "\(sliced.text)")
                let objects = try #require((sliced.json["facts"] as? [String: Any])?["objects"] as? [String])
                #expect(objects.count == 4, "\(objects)")
                #expect(objects.filter { $0.hasPrefix("item1-cylinder.stl") }.count == 2)
                #expect(
                    objects.contains { $0.hasPrefix("item0-box.stl") }
                        && objects.contains { $0.hasPrefix("item2-pyramid.stl") })
                let placements = try #require(
                    (sliced.json["facts"] as? [String: Any])?["placements"] as? [[String: Any]])
                #expect(
                    placements.compactMap { $0["name"] as? String }.sorted() == [
                        "item0-box.stl", "item1-cylinder.stl", "item1-cylinder.stl", "item2-pyramid.stl",
                    ])
                #expect(
                    placements.allSatisfy { ($0["maxX"] as? Double ?? 0) > ($0["minX"] as? Double ?? 0) + 20 },
                    "each object is about 25 mm wide: \(placements)")
                #expect(((sliced.json["inputs"] as? [String: Any])?["plate"] as? [Any])?.count == 3)
                try await usageAgainstSlicer(farm, plate: sliced.json, models: shas, profile: version)
                #expect(try await farm.request(.post, "/api/v1/slices", json: body).headers[.sliceCache] == "hit")
                gcodes.add(try #require(sliced.json["gcode"] as? String))
                let one = try await farm.request(
                    .post, "/api/v1/slices",
                    json: #"{"profile":"\#(version)","plate":[{"model":"\#(shas[0])","copies":1}]}"#)
                #expect(one.problemCode == "invalid-field", "a plate needs two entries")
            }
        }
        #expect(
            gcodes.all.count == 2 && gcodes.all[0] == gcodes.all[1],
            "the same inputs give the same G-code bytes on another farm (no temporary paths in it)")
    }

    /// Each object's grams as the farm counts them on the shared plate (its own extrusion, and its share of the
    /// plate's purge line and skirt) against the slicer's own figure for the model sliced alone (which has its own
    /// purge line and skirt): the same within 3 % (0.2–0.6 % measured).
    func usageAgainstSlicer(_ farm: TestFarm, plate: [String: Any], models: [String], profile: String) async throws {
        let facts = try StoreCoding.decoder().decode(
            GCodeFacts.self, from: JSONSerialization.data(withJSONObject: try #require(plate["facts"])))
        let plans = models.map { _ in PlanID(UUID()) }
        let objects = facts.usageObjects(plans: plans)
        #expect(objects.count == 4 && objects.allSatisfy { $0.grams > 0 }, "\(objects)")
        let items = plans.enumerated().map { PlateItem(planID: $1, revision: 1, copies: $0 == 1 ? 2 : 1) }
        let usage = PrintUsage.compute(
            total: try #require(facts.totalGrams), objects: objects, items: items, share: 1)
        #expect(abs(usage.grams - (facts.filamentGrams ?? 0)) < 0.05, "all of the plate's filament is accounted for")
        for (index, model) in models.enumerated() {
            let alone = try await farm.request(
                .post, "/api/v1/slices", json: #"{"model":"\#(model)","profile":"\#(profile)"}"#)
            let slicer = try #require((alone.json["facts"] as? [String: Any])?["filamentGrams"] as? Double)
            let ours = usage.parts[index].grams / Double(items[index].copies)
            print("usage figure: model \(index) slicer alone \(slicer) g, farm on the plate \(ours) g")
            #expect(abs(ours - slicer) / slicer < 0.03, "model \(index): slicer \(slicer) g, farm \(ours) g")
        }
    }

    @Test(
        "a line item is quoted by hand or estimated from its slice, line by line in exact decimals; the latest quote stands"
    )
    func quotes() async throws {
        let text = try await Self.profileText()
        try await withFarm { farm in
            var headers = auth
            headers[.contentType] = "text/plain"
            let version = try #require(
                try await farm.client.execute(
                    uri: "/api/v1/profiles", method: .post, headers: headers, body: ByteBuffer(string: text)
                ).json["version"] as? String)
            let model = try #require(
                try await farm.upload(
                    MeshFixtures.binarySTL(MeshFixtures.cube(size: 20, origin: [1, 1, 0])), name: "cube.stl"
                ).json["sha256"] as? String)
            let intent = try await farm.request(
                .post, "/api/v1/intents",
                json:
                    #"{"lineItems":[{"id":"01936a4e-0000-7000-8000-0000000000a1","quantity":3,"material":"PLA","modelArtifact":"\#(model)"}]}"#
            )
            let id = try #require(intent.json["id"] as? String)
            let slice = try await farm.request(
                .post, "/api/v1/slices", json: #"{"model":"\#(model)","profile":"\#(version)"}"#)
            let key = try #require(slice.json["key"] as? String)

            let estimate = try await farm.request(
                .post, "/api/v1/intents/\(id)/quotes",
                json: #"{"lineItemID":"01936a4e-0000-7000-8000-0000000000a1","slice":"\#(key)"}"#)
            #expect(estimate.status == .ok, "\(estimate.text)")
            let quote = try #require(((estimate.json["quotes"] as? [[String: Any]])?.first?["quote"]) as? [String: Any])
            #expect(quote["kind"] as? String == "estimate")
            let lines = try #require(quote["lines"] as? [[String: Any]])
            #expect(
                lines.map { $0["item"] as? String } == [
                    "material", "machine time", "setup", "post-processing", "failure allowance", "margin",
                ])
            #expect((lines.first?["basis"] as? String)?.hasPrefix("3 × ") == true)
            let total = try #require(Decimal(string: quote["total"] as? String ?? ""))
            let sum = lines.compactMap { Decimal(string: $0["amount"] as? String ?? "") }.reduce(Decimal(0), +)
            #expect(total == sum && total > 0)

            let manual = try await farm.request(
                .post, "/api/v1/intents/\(id)/quotes",
                json:
                    #"{"lineItemID":"01936a4e-0000-7000-8000-0000000000a1","price":19.90,"currency":"EUR","note":"bulk discount"}"#
            )
            let replaced = try #require(
                ((manual.json["quotes"] as? [[String: Any]])?.first?["quote"]) as? [String: Any])
            #expect(
                replaced["kind"] as? String == "manual" && replaced["total"] as? String == "19.9"
                    && replaced["note"] as? String == "bulk discount")
            #expect((manual.json["quotes"] as? [Any])?.count == 1, "the latest quote per line item")
            let badItem = try await farm.request(
                .post, "/api/v1/intents/\(id)/quotes",
                json: #"{"lineItemID":"01936a4e-0000-7000-8000-0000000000ff","price":1}"#)
            #expect(badItem.problemCode == "invalid-field")
            let noRate = try await farm.request(
                .post, "/api/v1/intents/\(id)/quotes",
                json: #"{"lineItemID":"01936a4e-0000-7000-8000-0000000000a1","slice":"\#(key)","printerClass":"giant"}"#
            )
            #expect(
                (noRate.json["detail"] as? String)?.contains("no hourly rate is set for the printer class 'giant'")
                    == true)

            // An order paid in dollars is quoted in dollars: by hand without naming it, never in euros, and not estimated
            // from the farm's euro rates.
            let dollars = try await farm.request(
                .post, "/api/v1/intents",
                json:
                    #"{"currency":"USD","lineItems":[{"id":"01936a4e-0000-7000-8000-0000000000b1","quantity":1,"material":"PLA","modelArtifact":"\#(model)"}]}"#
            )
            let usd = try #require(dollars.json["id"] as? String)
            #expect(dollars.json["currency"] as? String == "USD")
            let inDollars = try await farm.request(
                .post, "/api/v1/intents/\(usd)/quotes",
                json: #"{"lineItemID":"01936a4e-0000-7000-8000-0000000000b1","price":"12.50"}"#)
            #expect(
                (((inDollars.json["quotes"] as? [[String: Any]])?.first?["quote"]) as? [String: Any])?["currency"]
                    as? String == "USD", "\(inDollars.text)")
            let inEuros = try await farm.request(
                .post, "/api/v1/intents/\(usd)/quotes",
                json: #"{"lineItemID":"01936a4e-0000-7000-8000-0000000000b1","price":11,"currency":"EUR"}"#)
            #expect(
                inEuros.status == .unprocessableContent
                    && (inEuros.json["detail"] as? String)?.contains("the order is in USD") == true, "\(inEuros.text)")
            let estimated = try await farm.request(
                .post, "/api/v1/intents/\(usd)/quotes",
                json: #"{"lineItemID":"01936a4e-0000-7000-8000-0000000000b1","slice":"\#(key)"}"#)
            #expect(
                (estimated.json["detail"] as? String)?.contains("rates are in EUR but this order is in USD") == true,
                "\(estimated.text)")
            let badCurrency = try await farm.request(
                .post, "/api/v1/intents", json: #"{"currency":"dollars","lineItems":[{"quantity":1,"material":"PLA"}]}"#
            )
            #expect(
                badCurrency.problemCode == "invalid-field"
                    && (badCurrency.json["detail"] as? String)?.contains("ISO 4217") == true, "\(badCurrency.text)")
        }
    }

    @Test(
        "a binding picks the profile for a printer model and material; changing it applies to the next slice; rolling back is one call"
    )
    func bindingAndRollback() async throws {
        let text = try await Self.profileText()
        try await withFarm { farm in
            var headers = auth
            headers[.contentType] = "text/plain"
            let first = try #require(
                try await farm.client.execute(
                    uri: "/api/v1/profiles", method: .post, headers: headers, body: ByteBuffer(string: text)
                ).json["version"] as? String)
            let finer = text.replacingOccurrences(of: "\nlayer_height = 0.3\n", with: "\nlayer_height = 0.2\n")
            let second = try #require(
                try await farm.client.execute(
                    uri: "/api/v1/profiles", method: .post, headers: headers, body: ByteBuffer(string: finer)
                ).json["version"] as? String)
            let model = try #require(
                try await farm.upload(
                    try Data(contentsOf: URL(fileURLWithPath: "/usr/share/PrusaSlicer/shapes/box.stl")), name: "box.stl"
                ).json["sha256"] as? String)
            let byBinding = #"{"model":"\#(model)","printerModel":"MK3S","material":"PETG"}"#

            let unbound = try await farm.request(.post, "/api/v1/slices", json: byBinding)
            #expect((unbound.json["detail"] as? String)?.contains("no profile is bound for MK3S with PETG") == true)
            let bound = try await farm.request(
                .post, "/api/v1/profile-bindings",
                json: #"{"printerModel":"MK3S","material":"PETG","profile":"\#(first)"}"#)
            #expect(bound.status == .created, "\(bound.text)")
            let one = try await farm.request(.post, "/api/v1/slices", json: byBinding)
            #expect((one.json["inputs"] as? [String: Any])?["profile"] as? String == first)

            let changed = try await farm.request(
                .post, "/api/v1/profile-bindings",
                json:
                    #"{"printerModel":"mk3s","material":"petg","profile":"\#(second)","reason":"operator.override","note":"finer layers"}"#
            )
            #expect(changed.status == .ok)
            #expect(changed.json["profile"] as? String == second)
            let two = try await farm.request(.post, "/api/v1/slices", json: byBinding)
            #expect((two.json["inputs"] as? [String: Any])?["profile"] as? String == second)
            #expect(two.headers[.sliceCache] == "miss")

            let diff = try await farm.request(.get, "/api/v1/profiles/\(first)/diff/\(second)")
            let changes = try #require(diff.json["changed"] as? [[String: Any]])
            #expect(changes.count == 1)
            #expect(
                changes.first?["key"] as? String == "layer_height" && changes.first?["old"] as? String == "0.3"
                    && changes.first?["new"] as? String == "0.2")

            let rolledBack = try await farm.request(
                .post, "/api/v1/profile-bindings",
                json:
                    #"{"printerModel":"MK3S","material":"PETG","profile":"\#(first)","reason":"operator.override","note":"roll back"}"#
            )
            #expect((rolledBack.json["history"] as? [Any])?.count == 3)
            let three = try await farm.request(.post, "/api/v1/slices", json: byBinding)
            #expect((three.json["inputs"] as? [String: Any])?["profile"] as? String == first)
            #expect(three.headers[.sliceCache] == "hit", "the first version's slice is still in the cache")
            let missing = try await farm.request(
                .post, "/api/v1/profile-bindings",
                json: #"{"printerModel":"MK3S","material":"PETG","profile":"\#(String(repeating: "0", count: 64))"}"#)
            #expect(missing.problemCode == "invalid-field")
            #expect((try await farm.request(.get, "/api/v1/profile-bindings").json["items"] as? [Any])?.count == 1)
        }
    }

    @Test("bad profiles, a model too big for the bed and a model that failed preflight are refused; nothing is cached")
    func refusals() async throws {
        let text = try await Self.profileText()
        try await withFarm { farm in
            var headers = auth
            headers[.contentType] = "text/plain"
            let cura = try await farm.client.execute(
                uri: "/api/v1/profiles", method: .post, headers: headers,
                body: ByteBuffer(string: "layer_height = 0.2\nmachine_nozzle_size = 0.4\n"))
            #expect(cura.problemCode == "invalid-profile")
            #expect((cura.json["detail"] as? String)?.contains("machine_nozzle_size") == true)
            let bundle = try await farm.client.execute(
                uri: "/api/v1/profiles", method: .post, headers: headers,
                body: ByteBuffer(string: "[print:0.15mm]\nlayer_height = 0.15\n"))
            #expect((bundle.json["detail"] as? String)?.hasPrefix("profile.notFlat") == true)
            let outOfRange = try await farm.client.execute(
                uri: "/api/v1/profiles", method: .post, headers: headers,
                body: ByteBuffer(
                    string: text.replacingOccurrences(of: "\nfill_density = 20%\n", with: "\nfill_density = 250%\n")))
            #expect(outOfRange.problemCode == "invalid-profile", "\(outOfRange.text)")
            #expect(
                (outOfRange.json["detail"] as? String)?.contains("Value out of range: fill_density") == true,
                "\(outOfRange.text)")
            let stored = try await farm.client.execute(
                uri: "/api/v1/profiles", method: .post, headers: headers, body: ByteBuffer(string: text))
            let version = try #require(stored.json["version"] as? String)

            let big = try await farm.upload(
                MeshFixtures.binarySTL(MeshFixtures.cube(size: 300, origin: [1, 1, 1])), name: "big.stl")
            let bigSHA = try #require(big.json["sha256"] as? String)
            let tooBig = try await farm.request(
                .post, "/api/v1/slices", json: #"{"model":"\#(bigSHA)","profile":"\#(version)"}"#)
            #expect(tooBig.problemCode == "slice-failed", "\(tooBig.text)")
            #expect((tooBig.json["detail"] as? String)?.hasPrefix("slice.doesNotFit") == true)
            #expect((tooBig.json["detail"] as? String)?.contains("Objects could not fit on the bed") == true)
            let detail = tooBig.json["detail"] as? String ?? ""
            let log = try #require(detail.range(of: "artifact ").map { String(detail[$0.upperBound...].prefix(64)) })
            let kept = try await farm.request(.get, "/api/v1/artifacts/\(log)/content")
            #expect(
                String(buffer: kept.body).contains("Objects could not fit on the bed"),
                "the slicer's output is kept as an artifact")
            #expect(
                (try await farm.request(.get, "/api/v1/slices").json["items"] as? [Any])?.count == 0,
                "a failure is not cached")

            let junk = try await farm.upload(Data(repeating: 7, count: 300), name: "junk.stl")
            let junkSHA = try #require(junk.json["sha256"] as? String)
            let refused = try await farm.request(
                .post, "/api/v1/slices", json: #"{"model":"\#(junkSHA)","profile":"\#(version)"}"#)
            #expect(refused.problemCode == "invalid-field")
            #expect((refused.json["detail"] as? String)?.contains("failed preflight") == true)
            let unknown = try await farm.request(
                .post, "/api/v1/slices",
                json: #"{"model":"\#(bigSHA)","profile":"\#(String(repeating: "0", count: 64))"}"#)
            #expect((unknown.json["detail"] as? String)?.contains("upload it first (POST /api/v1/profiles)") == true)
        }
        try await withFarm(configure: { $0.slicerPath = "/nonexistent/prusa-slicer" }) { farm in
            let response = try await farm.request(
                .post, "/api/v1/slices",
                json:
                    #"{"model":"\#(String(repeating: "a", count: 64))","profile":"\#(String(repeating: "b", count: 64))"}"#
            )
            #expect(response.status == .serviceUnavailable)
            #expect(response.problemCode == "slicer-missing")
        }
    }
}
