import FarmDomain
import FarmInventory
import FarmStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import Testing

@testable import FarmServer

@Suite("Materials over HTTP")
struct MaterialAPITests {
    static let printerJSON =
        #"{"name":"mk4-01","connector":"moonraker","address":"http://127.0.0.1:9","#
        + #""capabilities":{"buildVolume":{"x":250,"y":210,"z":220},"nozzleDiameters":[0.4],"#
        + #""enclosure":false,"hardenedNozzle":false,"materials":["PLA"]}}"#

    @Test(
        """
        an operator registers a vendor, a filament, a lot and its spools; loads a spool on a printer (its material \
        follows, the spool it replaces comes off, a second printer is refused); weighs one in by gross weight; a lot \
        in use stays; a recall finds its spools; bad figures are refused with the field
        """,
        arguments: TestEngine.allCases)
    func materials(engine: TestEngine) async throws {
        try await withFarm(engine) { farm in
            let reaction = SpoolLoadReaction(store: farm.store, now: { Date() }, logger: Logger(label: "test"))
            let vendor = try await farm.request(
                .post, "/api/v1/vendors", json: #"{"name":"Prusament","emptySpoolWeight":201}"#)
            #expect(vendor.status == .created, "\(vendor.text)")
            let vendorID = try #require(vendor.json["id"] as? String)
            let unknown = try await farm.request(
                .post, "/api/v1/filaments",
                json: #"{"vendor":"01936a4e-0000-7000-8000-000000000001","material":"PLA","density":1.24}"#)
            #expect(unknown.problemCode == "invalid-field" && unknown.text.contains("vendor"), "\(unknown.text)")
            let negative = try await farm.request(
                .post, "/api/v1/filaments", json: #"{"material":"PLA","density":-1.24}"#)
            #expect(negative.problemCode == "invalid-field" && negative.text.contains("density"))
            let filament = try await farm.request(
                .post, "/api/v1/filaments",
                json:
                    ##"{"vendor":"\##(vendorID)","material":"PLA","colour":"orange","##
                    + ##""colourHex":"#ff8800","density":1.24,"reorderPoint":2000}"##
            )
            #expect(
                filament.status == .created && filament.json["colourHex"] as? String == "FF8800", "\(filament.text)")
            let filamentID = try #require(filament.json["id"] as? String)
            let other = try #require(
                try await farm.request(.post, "/api/v1/filaments", json: #"{"material":"PETG","density":1.27}"#).json[
                    "id"] as? String)
            let lot = try await farm.request(
                .post, "/api/v1/lots", json: #"{"filament":"\#(filamentID)","number":"L2026-11-042"}"#)
            #expect(lot.status == .created, "\(lot.text)")
            let lotID = try #require(lot.json["id"] as? String)
            let wrongLot = try await farm.request(
                .post, "/api/v1/spools", json: #"{"filament":"\#(other)","lot":"\#(lotID)"}"#)
            #expect(wrongLot.problemCode == "invalid-field" && wrongLot.text.contains("another filament"))

            let first = try await farm.request(
                .post, "/api/v1/spools", json: #"{"filament":"\#(filamentID)","lot":"\#(lotID)","location":"shelf A"}"#)
            #expect(first.status == .created, "\(first.text)")
            #expect(first.json["initialWeight"] as? Double == 1000 && first.json["remaining"] as? Double == 1000)
            #expect(first.json["status"] as? String == "shelf")
            let firstID = try #require(first.json["id"] as? String)
            let secondID = try #require(
                try await farm.request(
                    .post, "/api/v1/spools",
                    json: #"{"filament":"\#(filamentID)","lot":"\#(lotID)","initialWeight":1000,"remaining":400}"#
                ).json["id"] as? String)
            let overfull = try await farm.request(
                .post, "/api/v1/spools", json: #"{"filament":"\#(filamentID)","initialWeight":1000,"remaining":1500}"#)
            #expect(overfull.problemCode == "invalid-field" && overfull.text.contains("remaining"))

            let printer = try #require(
                try await farm.request(.post, "/api/v1/printers", json: Self.printerJSON).json["id"] as? String)
            let spare = try #require(
                try await farm.request(
                    .post, "/api/v1/printers", json: Self.printerJSON.replacingOccurrences(of: "mk4-01", with: "mk4-02")
                ).json["id"] as? String)
            let loaded = try await farm.request(
                .post, "/api/v1/spools/\(firstID)/load", json: #"{"printer":"\#(printer)"}"#)
            #expect(loaded.status == .ok && (loaded.json["loaded"] as? [String: Any])?["printer"] as? String == printer)
            let twice = try await farm.request(
                .post, "/api/v1/spools/\(firstID)/load", json: #"{"printer":"\#(spare)"}"#)
            #expect(twice.status == .conflict && twice.text.contains("unload it there first"), "\(twice.text)")
            try await reaction.pass()
            var material = try await farm.request(.get, "/api/v1/printers/\(printer)").json["loadedMaterial"]
            #expect(
                (material as? [String: Any])?["spool"] as? String == firstID
                    && (material as? [String: Any])?["colour"] as? String == "orange", "\(String(describing: material))"
            )

            _ = try await farm.request(.post, "/api/v1/spools/\(secondID)/load", json: #"{"printer":"\#(printer)"}"#)
            try await reaction.pass()
            try await reaction.pass()
            #expect(try await farm.request(.get, "/api/v1/spools/\(firstID)").json["loaded"] == nil, "replaced")
            material = try await farm.request(.get, "/api/v1/printers/\(printer)").json["loadedMaterial"]
            #expect((material as? [String: Any])?["spool"] as? String == secondID)

            let weighed = try await farm.request(.post, "/api/v1/spools/\(firstID)/weigh", json: #"{"gross":900}"#)
            #expect(weighed.json["remaining"] as? Double == 699, "900 g less the vendor's 201 g spool: \(weighed.text)")
            let weighIn = weighed.json["lastWeighIn"] as? [String: Any]
            #expect(weighIn?["estimated"] as? Double == 1000 && weighIn?["net"] as? Double == 699)
            let light = try await farm.request(.post, "/api/v1/spools/\(firstID)/weigh", json: #"{"gross":100}"#)
            #expect(light.problemCode == "invalid-field" && light.text.contains("lighter than the empty spool"))
            let both = try await farm.request(
                .post, "/api/v1/spools/\(firstID)/weigh", json: #"{"gross":900,"net":600}"#)
            #expect(both.problemCode == "invalid-field")

            let inUse = try await farm.request(.post, "/api/v1/lots/\(lotID)/retire", json: "{}")
            #expect(inUse.status == .conflict && inUse.problemCode == "lot-in-use", "\(inUse.text)")
            let recall = try await farm.request(.get, "/api/v1/spools?lot=\(lotID)").json["items"] as? [[String: Any]]
            #expect(Set(recall?.compactMap { $0["id"] as? String } ?? []) == [firstID, secondID])
            let byFilament =
                try await farm.request(.get, "/api/v1/spools?filament=\(other)").json["items"] as? [[String: Any]]
            #expect(byFilament?.isEmpty == true)
            let onPrinters =
                try await farm.request(.get, "/api/v1/spools?status=loaded").json["items"] as? [[String: Any]]
            #expect(onPrinters?.compactMap { $0["id"] as? String } == [secondID])

            // A person names the printer's material by hand: the spool the farm thought was on it is not.
            _ = try await farm.request(.put, "/api/v1/printers/\(printer)/material", json: #"{"material":"PETG"}"#)
            try await reaction.pass()
            #expect(try await farm.request(.get, "/api/v1/spools/\(secondID)").json["loaded"] == nil)
            for id in [firstID, secondID] {
                _ = try await farm.request(.post, "/api/v1/spools/\(id)/archive", json: "{}")
            }
            let retired = try await farm.request(.post, "/api/v1/lots/\(lotID)/retire", json: "{}")
            #expect(retired.status == .ok && retired.json["retired"] as? Bool == true, "\(retired.text)")
        }
    }
}

extension MaterialAPITests {
    @Test(
        """
        a recall: the orders whose parts used a lot, as JSON and CSV (a formula-looking customer name kept inert); an \
        order's parts name their spool and lot; a lot nothing used traces to nothing
        """,
        arguments: TestEngine.allCases)
    func trace(engine: TestEngine) async throws {
        try await withFarm(engine) { farm in
            let intent = try await farm.request(
                .post, "/api/v1/intents",
                json:
                    #"{"lineItems":[{"quantity":2,"material":"PLA","colour":"orange"}],"#
                    + #""externalReference":"order-77","customer":"=HYPERLINK(1)"}"#
            ).json
            let intentID = try #require(intent["id"] as? String)
            let line = try #require((intent["lineItems"] as? [[String: Any]])?.first?["id"] as? String)
            let plan = try #require(
                try await farm.request(
                    .post, "/api/v1/plans",
                    json: #"{"intentID":"\#(intentID)","lineItemID":"\#(line)","spec":\#(ResourceAPITests.spec)}"#
                ).json["id"] as? String)
            let filament = try #require(
                try await farm.request(
                    .post, "/api/v1/filaments", json: #"{"material":"PLA","colour":"orange","density":1.24}"#
                ).json["id"] as? String)
            var lots: [String] = []
            for number in ["L-1", "L-2"] {
                lots.append(
                    try #require(
                        try await farm.request(
                            .post, "/api/v1/lots", json: #"{"filament":"\#(filament)","number":"\#(number)"}"#
                        ).json["id"] as? String))
            }
            let spool = try #require(
                try await farm.request(
                    .post, "/api/v1/spools", json: #"{"filament":"\#(filament)","lot":"\#(lots[0])"}"#
                ).json["id"] as? String)
            let run = RunID(UUID())
            let used = SpoolUsed(
                run: run, printer: PrinterID(UUID()), outcome: "completed", share: 1, grams: 24.5,
                parts: [SpoolUsedPart(plan: PlanID(plan)!, copies: 2, grams: 24.5)], at: Date())
            _ = try await farm.store.spools.execute(
                .use(used), id: spool, context: CommandContext(actor: .cli, reason: .materialUsed, time: Date()))
            let trace = TraceReaction(store: farm.store, logger: Logger(label: "test"))
            #expect(try await trace.pass() == 1)

            let recall = try await farm.request(.get, "/api/v1/lots/\(lots[0])/trace")
            #expect(recall.status == .ok, "\(recall.text)")
            let orders = recall.json["orders"] as? [[String: Any]]
            #expect(orders?.count == 1 && orders?.first?["intent"] as? String == intentID)
            #expect(
                orders?.first?["externalReference"] as? String == "order-77"
                    && orders?.first?["grams"] as? Double == 24.5)
            #expect((recall.json["spools"] as? [String]) == [spool])
            let csv = try await farm.request(.get, "/api/v1/lots/\(lots[0])/trace?format=csv")
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            let lines = csv.text.split(separator: "\r\n")
            #expect(lines.count == 2 && lines[0] == "lot,spool,run,plan,order,external_reference,customer,grams,at")
            #expect(
                lines.last?.hasPrefix("L-1,\(spool),\(run),\(plan),\(intentID),order-77,'=HYPERLINK(1),24.50,") == true,
                "\(csv.text)")
            let unused = try await farm.request(.get, "/api/v1/lots/\(lots[1])/trace").json
            #expect((unused["orders"] as? [Any])?.isEmpty == true && (unused["rows"] as? [Any])?.isEmpty == true)
            let missing = try await farm.request(.get, "/api/v1/lots/01936a4e-0000-7000-8000-000000000001/trace")
            #expect(missing.status == .notFound)
            let badFormat = try await farm.request(.get, "/api/v1/lots/\(lots[0])/trace?format=xls")
            #expect(badFormat.problemCode == "invalid-parameter")

            let materials = try await farm.request(.get, "/api/v1/intents/\(intentID)/materials")
            let parts = materials.json["parts"] as? [[String: Any]]
            #expect(parts?.count == 1, "\(materials.text)")
            #expect(parts?.first?["lotNumber"] as? String == "L-1" && parts?.first?["spool"] as? String == spool)
            #expect(parts?.first?["material"] as? String == "PLA" && parts?.first?["run"] as? String == run.description)
            #expect(try await trace.pass() == 0, "each usage is traced once")

            // The pages: the stock of each filament and every spool; a spool's log names each print and its order.
            let operatorCookie = try await WebPageTests().cookie(farm, "otto", role: .operator)
            let viewerCookie = try await WebPageTests().cookie(farm, "vera", role: .viewer)
            let page = try await farm.request(.get, "/materials", headers: [.cookie: operatorCookie]).text
            #expect(page.contains("id=\"filament-\(filament)\"") && page.contains("976 g"), "1000 g less 24.5 g")
            #expect(page.contains("href=\"/spools/\(spool)\"") && page.contains("data-post=\"/api/v1/spools\""))
            let viewed = try await farm.request(.get, "/materials", headers: [.cookie: viewerCookie]).text
            #expect(
                viewed.contains("id=\"spool-\(spool)\"") && !viewed.contains("data-post="), "a viewer gets no forms")
            let log = try await farm.request(.get, "/spools/\(spool)", headers: [.cookie: operatorCookie]).text
            #expect(log.contains("href=\"/runs/\(run)\">a completed run</a>"), "\(log)")
            #expect(log.contains("href=\"/orders/\(intentID)\">order-77</a>") && log.contains("L-1"))
            #expect(log.contains("data-post=\"/api/v1/spools/\(spool)/weigh\""))
            let order = try await farm.request(.get, "/orders/\(intentID)", headers: [.cookie: operatorCookie]).text
            #expect(
                order.contains("<h2 id=\"materials\">Materials</h2>") && order.contains("<td>L-1</td>")
                    && order.contains("href=\"/spools/\(spool)\""), "the order's page names the lot of its part")
            let none = try await farm.request(
                .get, "/spools/01936a4e-0000-7000-8000-000000000001", headers: [.cookie: operatorCookie])
            #expect(none.status == .notFound)
        }
    }
}

extension MaterialAPITests {
    @Test(
        """
        a spool's label is an SVG of 62 × 29 mm naming the filament and lot, whose QR code (read by ZBar from the \
        label as rsvg renders it) opens the spool's page at the address the farm was reached at (HTTPS behind a proxy)
        """)
    func label() async throws {
        try await withFarm { farm in
            let filament = try #require(
                try await farm.request(
                    .post, "/api/v1/filaments",
                    json:
                        ##"{"name":"Galaxy <Black>","material":"PLA","colour":"black","colourHex":"#1a1a1a","##
                        + ##""density":1.24}"##
                ).json["id"] as? String)
            let lot = try #require(
                try await farm.request(.post, "/api/v1/lots", json: #"{"filament":"\#(filament)","number":"L-77"}"#)
                    .json["id"] as? String)
            let spool = try #require(
                try await farm.request(
                    .post, "/api/v1/spools", json: #"{"filament":"\#(filament)","lot":"\#(lot)","initialWeight":750}"#
                ).json["id"] as? String)
            var headers = auth
            headers[.init("X-Forwarded-Proto")!] = "https"
            let label = try await farm.request(.get, "/api/v1/spools/\(spool)/label", headers: headers)
            #expect(label.status == .ok && label.headers[.contentType] == "image/svg+xml", "\(label.text)")
            #expect(label.text.contains(#"width="62.0mm" height="29.0mm""#))
            #expect(label.text.contains("Galaxy &lt;Black&gt;") && label.text.contains("Lot L-77"))
            #expect(label.text.contains("750 g") && label.text.contains(##"fill="#1A1A1A""##))
            // The test client sends no Host: the server's answer names localhost, over HTTPS as the proxy said.
            #expect(try Self.readQRCode(svg: label.text) == "https://localhost/spools/\(spool)")
            let cookie = try await WebPageTests().cookie(farm, "otto", role: .operator)
            let page = try await farm.request(.get, "/spools/\(spool)", headers: [.cookie: cookie])
            #expect(page.text.contains("/api/v1/spools/\(spool)/label"))
            let missing = try await farm.request(.get, "/api/v1/spools/\(UUID())/label")
            #expect(missing.status == .notFound)
        }
    }

    /// Renders the SVG with rsvg-convert (librsvg, as a browser would draw it) and reads its QR code with zbarimg.
    static func readQRCode(svg: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("label-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(svg.utf8).write(to: directory.appendingPathComponent("label.svg"))
        func run(_ tool: String, _ arguments: [String]) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: tool)
            process.arguments = arguments
            process.currentDirectoryURL = directory
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        _ = try run("/usr/bin/rsvg-convert", ["--dpi-x", "300", "--dpi-y", "300", "-o", "label.png", "label.svg"])
        return try run("/usr/bin/zbarimg", ["--quiet", "--raw", "label.png"])
    }

    @Test(
        """
        an operator registers a nozzle and a sheet fitted to a printer; a second nozzle fitted there takes the first \
        off; a nozzle past its hours and a sheet past its cleanings are maintenance cards on the board (the sheet's \
        with a Cleaned action that clears it) and the Materials page lists them; bad figures are refused
        """,
        arguments: TestEngine.allCases)
    func consumables(engine: TestEngine) async throws {
        try await withFarm(engine) { farm in
            let reaction = ConsumableReaction(store: farm.store, now: { Date() }, logger: Logger(label: "test"))
            let printer = try #require(
                try await farm.request(.post, "/api/v1/printers", json: Self.printerJSON).json["id"] as? String)
            for (body, field) in [
                (#"{"kind":"nozzle"}"#, "diameter"), (#"{"kind":"sheet"}"#, "surface"),
                (#"{"kind":"nozzle","diameter":0.4,"wearHours":-5}"#, "wearHours"),
                (#"{"kind":"sheet","surface":"PEI","cleanEvery":0}"#, "cleanEvery"),
                (#"{"kind":"nozzle","diameter":0.4,"printer":"\#(UUID())"}"#, "printer"),
            ] {
                let bad = try await farm.request(.post, "/api/v1/consumables", json: body)
                #expect(bad.problemCode == "invalid-field" && bad.text.contains(field), "\(body): \(bad.text)")
            }
            let brass = try await farm.request(
                .post, "/api/v1/consumables",
                json: #"{"kind":"nozzle","diameter":0.4,"wearHours":500,"printer":"\#(printer)"}"#)
            #expect(brass.status == .created && brass.json["status"] == nil, "\(brass.text)")
            let brassID = try #require(brass.json["id"] as? String)
            let steel = try await farm.request(
                .post, "/api/v1/consumables",
                json: #"{"kind":"nozzle","diameter":0.6,"hardened":true,"wearHours":2,"printer":"\#(printer)"}"#)
            let steelID = try #require(steel.json["id"] as? String)
            let sheet = try await farm.request(
                .post, "/api/v1/consumables",
                json: #"{"kind":"sheet","surface":"textured PEI","cleanEvery":1,"printer":"\#(printer)"}"#)
            let sheetID = try #require(sheet.json["id"] as? String)
            try await reaction.pass()
            let fitted = try await farm.request(.get, "/api/v1/consumables?printer=\(printer)")
            let ids = Set(((fitted.json["items"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String })
            #expect(ids == [steelID, sheetID], "the first nozzle came off: \(fitted.text)")
            let shelf = try await farm.request(.get, "/api/v1/consumables?status=shelf")
            #expect(((shelf.json["items"] as? [[String: Any]]) ?? []).first?["id"] as? String == brassID)

            // Prints wear them (as the reaction records a run's end).
            let context = CommandContext(actor: .cli, reason: .materialUsed, time: Date())
            for id in [steelID, sheetID] {
                _ = try await farm.store.consumables.execute(
                    .use(
                        ConsumableUsed(
                            run: RunID(UUID()), printer: PrinterID(printer)!, hours: 3, grams: 40, at: Date())),
                    id: id, context: context)
            }
            let worn = try await farm.request(.get, "/api/v1/consumables/\(steelID)")
            #expect(worn.json["due"] as? [String] == ["worn: 3 print hours of 2"], "\(worn.text)")
            let cookie = try await WebPageTests().cookie(farm, "otto", role: .operator)
            let board = try await farm.request(.get, "/", headers: [.cookie: cookie]).text
            #expect(board.contains("Replace the 0.6 mm nozzle (hardened) on mk4-01"), "\(board)")
            #expect(board.contains("Clean the textured PEI sheet on mk4-01") && board.contains("Cleaned"))
            #expect(board.contains("/api/v1/consumables/\(sheetID)/clean"))
            let cleaned = try await farm.request(.post, "/api/v1/consumables/\(sheetID)/clean")
            #expect(cleaned.status == .ok && (cleaned.json["due"] as? [String])?.isEmpty == true, "\(cleaned.text)")
            let after = try await farm.request(.get, "/", headers: [.cookie: cookie]).text
            #expect(!after.contains("Clean the textured PEI sheet"))
            let page = try await farm.request(.get, "/materials", headers: [.cookie: cookie]).text
            #expect(page.contains("consumable-\(steelID)") && page.contains("worn: 3 print hours of 2"))
            #expect(page.contains("Register a nozzle or sheet"))
            let retired = try await farm.request(.post, "/api/v1/consumables/\(steelID)/retire")
            #expect(retired.json["retired"] as? Bool == true && retired.json["installed"] == nil)
            let refit = try await farm.request(
                .post, "/api/v1/consumables/\(steelID)/install", json: #"{"printer":"\#(printer)"}"#)
            #expect(refit.status == .conflict, "a retired nozzle is not fitted: \(refit.text)")
        }
    }

    @Test("the board's attention lane says which material runs out at which print, and which to reorder")
    func boardCards() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let out = MaterialForecast.RunOut(
            job: "plan/1", plan: PlanID(UUID()), intent: IntentID(UUID()), plate: nil, printer: PrinterID(UUID()),
            start: now.addingTimeInterval(7200), due: now.addingTimeInterval(86400), short: 120)
        let lines = [
            MaterialForecast.Line(
                material: "PETG", colour: "black", needed: 1320, inStock: 1200, spools: 2, unweighed: 0,
                reorderPoint: nil, reorder: false, runsOut: out),
            MaterialForecast.Line(
                material: "PLA", colour: nil, needed: 100, inStock: 900, spools: 1, unweighed: 0, reorderPoint: 1000,
                reorder: true, runsOut: nil),
        ]
        let board = TriageBoard.make(BoardSource(), now: now, timeZone: TimeZone(identifier: "UTC")!, materials: lines)
        let cards = board.cards(.attention).filter { $0.kind == .material }
        #expect(cards.count == 2)
        #expect(cards[0].title.hasPrefix("PETG black runs out at the print starting"), "\(cards[0].title)")
        #expect(cards[0].why.contains("120 g short") && cards[0].badges.contains("order at risk"))
        #expect(cards[1].title == "Reorder PLA" && cards[1].why.contains("800 g left once the schedule is printed"))
        #expect(cards.allSatisfy { $0.link == "/materials" })
    }
}
