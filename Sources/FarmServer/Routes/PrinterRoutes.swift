import FarmDomain
import FarmFleet
import FarmStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PrinterLink
import ServiceLifecycle

struct RegisterPrinterRequest: Decodable, Sendable {
    var id: PrinterID?
    var name: String
    var connector: ConnectorKind
    var address: String
    var capabilities: PrinterCapabilities
    /// The printer host's API key (Moonraker's), kept as a secret: never in an event, a log or an answer.
    var apiKey: String?
    /// A camera beside the ones the host lists (an IP camera, a camera streamer on another machine).
    var camera: PrinterCamera?
    var reason: String?
    var note: String?
}

struct PrinterCameraRequest: Decodable, Sendable {
    var name: String?
    var snapshot: String?
    var stream: String?
    var reason: String?
    var note: String?
}

struct LoadMaterialRequest: Decodable, Sendable {
    /// The material now loaded, or null when the printer is empty.
    var material: String?
    var colour: String?
    var reason: String?
    var note: String?
}

struct CalibrationRequest: Decodable, Sendable {
    var kind: String
    var values: [String: Double]
    /// When it was done; now when absent.
    var calibratedAt: Date?
    var note: String?
    var reason: String?
}

struct CapabilitiesRequest: Decodable, Sendable {
    var capabilities: PrinterCapabilities
    var reason: String?
    var note: String?
}

struct RecoverPrinterRequest: Decodable, Sendable {
    var action: PrinterRecovery
    var reason: String?
    var note: String?
}

/// What the printer holds after a changeover; no material confirms the changeover the schedule asked for as asked.
struct ConfirmChangeoverRequest: Decodable, Sendable {
    var material: String?
    var colour: String?
    var nozzle: Double?
    var surface: String?
    var reason: String?
    var note: String?
}

struct PrinterAPIKeyRequest: Decodable, Sendable {
    /// The new key, or null to connect without one.
    var apiKey: String?

    /// `apiKey` must be there, if only as null: an empty body removing the key by accident would cut the printer off.
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard container.contains(.apiKey) else {
            throw DecodingError.keyNotFound(
                CodingKeys.apiKey, .init(codingPath: [], debugDescription: "send the key, or null to remove it"))
        }
        apiKey = try container.decodeIfPresent(String.self, forKey: .apiKey)
    }

    private enum CodingKeys: String, CodingKey { case apiKey }
}

/// `/api/v1/printers`: the machines of the farm.
struct PrinterRoutes {
    let endpoints: AggregateEndpoints<PrinterDecider>
    /// The machines' connections, when this process has them: recoveries are sent through them.
    let fleet: PrinterFleet?

    func register(on routes: SecuredRoutes) {
        // Registering a printer sets its connection address (and later its secrets): an owner's job.
        routes.post("/api/v1/printers", .administer) { request, context in
            let body = try await JSONIO.decode(RegisterPrinterRequest.self, from: request, context: context)
            let id = body.id ?? PrinterID(endpoints.services.newID())
            let registration = PrinterRegistration(
                name: body.name, connector: body.connector, address: body.address, capabilities: body.capabilities,
                camera: body.camera)
            if let key = body.apiKey { try Self.check(apiKey: key) }
            if let why = PrinterConnectors.unsupported(body.connector) {
                throw Problem(
                    status: .unprocessableContent, code: "connector-unsupported",
                    title: "The farm cannot drive this kind of printer", detail: why)
            }
            if let why = PrinterConnectors.addressProblem(kind: body.connector, address: body.address) {
                throw Problem.invalidField("address", why)
            }
            let response = try await endpoints.execute(
                .register(id, registration), id: id.description, request: request, context: context,
                reason: body.reason, note: body.note, created: true)
            if let key = body.apiKey {
                try await endpoints.services.store.credentials.savePrinterAPIKey(
                    key, of: id, at: endpoints.services.now())
            }
            return response
        }
        routes.put("/api/v1/printers/{id}/api-key", .administer) { request, context in
            let id = try context.parameters.require("id")
            guard let printerID = PrinterID(id),
                try await endpoints.services.store.printers.get(id: printerID.description) != nil
            else {
                throw Problem.notFound("printer \(id.prefix(80))")
            }
            let body = try await JSONIO.decode(PrinterAPIKeyRequest.self, from: request, context: context)
            if let key = body.apiKey { try Self.check(apiKey: key) }
            try await endpoints.services.store.credentials.savePrinterAPIKey(
                body.apiKey, of: printerID, at: endpoints.services.now())
            return Response(status: .noContent)
        }
        // A camera an operator gives sets where the farm's server reads from: an owner's job, like the address.
        routes.put("/api/v1/printers/{id}/camera", .administer) { request, context in
            let body = try await JSONIO.decode(PrinterCameraRequest.self, from: request, context: context)
            let camera = PrinterCamera(name: body.name ?? "camera", snapshot: body.snapshot, stream: body.stream)
            return try await endpoints.execute(
                .setCamera(camera), id: try endpoints.id(context), request: request, context: context,
                reason: body.reason, note: body.note)
        }
        routes.delete("/api/v1/printers/{id}/camera", .administer) { request, context in
            try await endpoints.execute(
                .setCamera(nil), id: try endpoints.id(context), request: request, context: context, reason: nil,
                note: nil)
        }
        routes.get("/api/v1/printers/{id}/camera/snapshot", .read) { _, context in
            let camera = try await camera(context)
            let jpeg: [UInt8]
            do throws(ConnectorError) {
                jpeg = try await CameraReader().snapshot(camera)
            } catch {
                throw Self.cameraProblem(error)
            }
            return Response(
                status: .ok, headers: [.contentType: "image/jpeg", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: jpeg)))
        }
        routes.get("/api/v1/printers/{id}/camera/stream", .read) { _, context in
            let camera = try await camera(context)
            guard let url = camera.stream else {
                throw Problem(
                    status: .notFound, code: "camera-stream-missing", title: "The camera has no stream",
                    detail: "camera \(camera.name) gives single pictures: GET …/camera/snapshot")
            }
            let reader = CameraReader()
            // A camera that fails is answered with why, before the stream begins, not with a broken picture.
            do throws(ConnectorError) {
                _ = try await reader.snapshot(CameraSource(name: camera.name, snapshot: nil, stream: url))
            } catch {
                throw Self.cameraProblem(error)
            }
            let boundary = "printfarmframe"
            return Response(
                status: .ok,
                headers: [.contentType: "multipart/x-mixed-replace; boundary=\(boundary)", .cacheControl: "no-store"],
                body: ResponseBody { writer in
                    // Frames are relayed whole and bounded: never the camera's raw bytes. A view never ends by
                    // itself, so the server's graceful shutdown ends it (it would wait for it forever).
                    let (relay, sink) = AsyncThrowingStream<[UInt8], any Error>.makeStream(
                        bufferingPolicy: .bufferingNewest(2))
                    let pump = Task {
                        do {
                            for try await frame in reader.frames(url) { sink.yield(frame) }
                            sink.finish()
                        } catch {
                            sink.finish(throwing: error)
                        }
                    }
                    sink.onTermination = { _ in pump.cancel() }
                    try? await withGracefulShutdownHandler {
                        for try await frame in relay {
                            let head =
                                "--\(boundary)\r\nContent-Type: image/jpeg\r\nContent-Length: \(frame.count)\r\n\r\n"
                            try await writer.write(ByteBuffer(string: head))
                            try await writer.write(ByteBuffer(bytes: frame))
                            try await writer.write(ByteBuffer(string: "\r\n"))
                        }
                    } onGracefulShutdown: {
                        sink.finish()
                    }
                    pump.cancel()
                    try await writer.finish(nil)
                })
        }
        routes.put("/api/v1/printers/{id}/capabilities", .administer) { request, context in
            let body = try await JSONIO.decode(CapabilitiesRequest.self, from: request, context: context)
            return try await endpoints.execute(
                .updateCapabilities(body.capabilities), id: try endpoints.id(context), request: request,
                context: context, reason: body.reason, note: body.note)
        }
        routes.put("/api/v1/printers/{id}/material", .operate) { request, context in
            let body = try await JSONIO.decode(LoadMaterialRequest.self, from: request, context: context)
            if let colour = body.colour, colour.count > 60 {
                throw Problem.invalidField("colour", "at most 60 characters, e.g. orange or #FF8800")
            }
            let loaded = body.material.map { LoadedMaterial(material: $0, colour: body.colour) }
            return try await endpoints.execute(
                .loadMaterial(loaded), id: try endpoints.id(context), request: request, context: context,
                reason: body.reason, note: body.note)
        }
        routes.post("/api/v1/printers/{id}/calibrations", .operate) { request, context in
            let body = try await JSONIO.decode(CalibrationRequest.self, from: request, context: context)
            let calibration = Calibration(
                kind: body.kind, values: body.values, note: body.note,
                calibratedAt: body.calibratedAt ?? endpoints.services.now())
            return try await endpoints.execute(
                .recordCalibration(calibration), id: try endpoints.id(context), request: request, context: context,
                reason: body.reason, note: body.note)
        }
        // Planned stops: nothing is started that would run into one.
        routes.post("/api/v1/printers/{id}/maintenance-windows", .operate) { request, context in
            struct Body: Decodable {
                var id: String?
                var start: Date
                var end: Date
                var reason: String
                var note: String?
            }
            let body = try await JSONIO.decode(Body.self, from: request, context: context)
            let window = MaintenanceWindow(
                id: body.id ?? endpoints.services.newID().uuidString.lowercased(), start: body.start, end: body.end,
                reason: body.reason)
            return try await endpoints.execute(
                .scheduleMaintenance(window), id: try endpoints.id(context), request: request, context: context,
                reason: nil, note: body.note)
        }
        routes.delete("/api/v1/printers/{id}/maintenance-windows/{window}", .operate) { request, context in
            let window = try context.parameters.require("window")
            return try await endpoints.execute(
                .cancelMaintenanceWindow(id: window), id: try endpoints.id(context), request: request,
                context: context, reason: nil, note: nil)
        }
        // A person did the changeover the schedule asked for (or another): the printer holds this setup now.
        routes.post("/api/v1/printers/{id}/changeover/confirm", .operate) { request, context in
            let body =
                try await JSONIO.decodeIfPresent(ConfirmChangeoverRequest.self, from: request, context: context)
                ?? ConfirmChangeoverRequest()
            let setup = body.material.map {
                PrinterSetup(material: $0, colour: body.colour, nozzle: body.nozzle, surface: body.surface)
            }
            if setup == nil, body.colour != nil || body.nozzle != nil || body.surface != nil {
                throw Problem.invalidField(
                    "material", "name the material loaded with the colour, nozzle or sheet, or send none of them")
            }
            return try await endpoints.execute(
                .confirmChangeover(setup), id: try endpoints.id(context), request: request, context: context,
                reason: body.reason, note: body.note)
        }
        routes.post("/api/v1/printers/{id}/transitions", .operate) { request, context in
            let body = try await JSONIO.decode(TransitionRequest.self, from: request, context: context)
            guard let command = Self.actions[body.action] else {
                throw Problem.invalidField(
                    "action",
                    "'\(body.action.prefix(40))' is not one of \(Self.actions.keys.sorted().joined(separator: ", "))")
            }
            return try await endpoints.execute(
                command, id: try endpoints.id(context), request: request, context: context, reason: body.reason,
                note: body.note)
        }
        // Klipper's own ways out of an error it will not leave by itself (docs/production.md, "Printer recoveries").
        routes.post("/api/v1/printers/{id}/recover", .operate) { request, context in
            let body = try await JSONIO.decode(RecoverPrinterRequest.self, from: request, context: context)
            guard let printerID = PrinterID(try endpoints.id(context)) else { throw Problem.notFound("printer") }
            guard try await endpoints.services.store.printers.get(id: printerID.description) != nil else {
                throw Problem.notFound("printer \(printerID)")
            }
            guard let fleet else {
                throw Problem(
                    status: .conflict, code: "printers-not-connected",
                    title: "This server is not connected to the printers",
                    detail: "send the recovery to the process that runs with connectPrinters, or act at the machine")
            }
            let commandContext = try endpoints.services.commandContext(
                context, reason: body.reason, note: body.note, defaultReason: .operatorRequest)
            return try JSONIO.response(try await fleet.recover(body.action, on: printerID, context: commandContext))
        }
        routes.get("/api/v1/printers", .read) { request, _ in
            try await endpoints.list(
                request, status: try QueryParameters(request).oneOf("status", PrinterStatus.self), ref: nil)
        }
        routes.get("/api/v1/printers/{id}", .read) { request, context in try await endpoints.get(request, context) }
    }
}

extension PrinterRoutes {
    /// What an operator may do to a printer's mode and flags: maintenance (no dispatch while in it), clearing a
    /// desync after checking the machine, clearing a degradation after fixing it, marking the bed cleared after
    /// taking a print's parts off.
    static let actions: [String: PrinterCommand] = [
        "startMaintenance": .startMaintenance, "endMaintenance": .endMaintenance, "resync": .resync,
        "clearDegraded": .clearDegraded,
        "clearBed": .clearBed,
    ]

    /// The printer's camera, or a 404 that says why there is none.
    func camera(_ context: FarmRequestContext) async throws -> CameraSource {
        let id = try context.parameters.require("id")
        guard PrinterID(id) != nil, let (printer, _) = try await endpoints.services.store.printers.get(id: id) else {
            throw Problem.notFound("printer \(id.prefix(80))")
        }
        if let camera = await Self.liveCamera(of: printer, fleet: fleet) { return camera }
        throw Problem(
            status: .notFound, code: "camera-missing", title: "The printer has no camera",
            detail: fleet == nil
                ? "none was given for it (PUT …/camera), and this server is not connected to the printers "
                    + "(connectPrinters is off) to ask its host"
                : "none was given for it (PUT …/camera), and its host lists none (Moonraker's webcams, OctoPrint's "
                    + "webcam settings) or it is not connected")
    }

    /// The camera the live view shows: the one an operator gave, else the first its host lists.
    static func liveCamera(of printer: Printer, fleet: PrinterFleet?) async -> CameraSource? {
        if let given = printer.camera { return CameraSource(given) }
        return await fleet?.camera(of: printer.id)
    }

    /// The camera's failure in its own words (a connector's error speaks of "the printer").
    static func cameraProblem(_ error: ConnectorError) -> Problem {
        let status = error.status.map { "HTTP \($0): " } ?? ""
        let detail =
            error.kind == .unreachable
            ? "the camera cannot be reached: \(error.message)" : "the camera's answer: \(status)\(error.message)"
        return Problem(
            status: error.kind == .unreachable ? .gatewayTimeout : .badGateway, code: "camera-failed",
            title: "The camera did not give a picture", detail: detail)
    }

    static func check(apiKey: String) throws {
        guard (1...200).contains(apiKey.count), !apiKey.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            throw Problem.invalidField(
                "apiKey", "the printer's API key as Moonraker shows it (1 to 200 characters, no spaces)")
        }
    }
}
