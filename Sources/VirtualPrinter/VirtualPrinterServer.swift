import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import PrinterLink

/// The HTTP and WebSocket face of a `VirtualPrinter`: the Moonraker routes the farm uses, in Moonraker 0.11's
/// shapes (`{"result": …}`, errors as `{"error": {"code", "message", "traceback"}}`), `/websocket` for JSON-RPC,
/// and `POST /virtual/faults?kind=…` to inject a fault (not part of Moonraker).
public enum VirtualPrinterServer {
    public static func application(
        printer: VirtualPrinter, host: String = "127.0.0.1", port: Int, logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
        router.middlewares.add(APIKeyCheck(printer: printer))
        router.get("/access/info") { _, _ in
            try json([
                "default_source": "moonraker", "available_sources": ["moonraker"], "login_required": false,
                "trusted": .bool(printer.apiKey == nil),
            ])
        }
        router.get("/access/api_key") { _, _ in try json(.string(printer.apiKey ?? "")) }
        router.get("/server/info") { _, _ in try json(await printer.serverInfo()) }
        // One camera, served by the printer itself (absolute URLs: Moonraker's relative ones mean the web UI's host).
        router.get("/server/webcams/list") { request, _ in
            let origin = "http://\(request.head.authority ?? "127.0.0.1")"
            return try json([
                "webcams": [
                    [
                        "name": "bed", "enabled": true, "service": "mjpegstreamer",
                        "stream_url": .string(origin + VirtualCamera.streamPath),
                        "snapshot_url": .string(origin + VirtualCamera.snapshotPath),
                    ]
                ]
            ])
        }
        VirtualCamera.addRoutes(to: router)
        router.get("/printer/info") { _, _ in try await answer { try await printer.printerInfo() } }
        router.get("/printer/objects/query") { request, _ in
            let objects = request.uri.queryParameters.map { String($0.key) }
            return try await answer { try await printer.query(objects) }
        }
        router.get("/printer/objects/list") { _, _ in
            try await answer {
                let status = try await printer.query(MoonrakerStatus.subscribed)
                return ["objects": .array((status["status"]?.object ?? [:]).keys.sorted().map(JSONValue.string))]
            }
        }
        router.post("/printer/print/start") { request, _ in
            guard let filename = request.uri.queryParameters["filename"].map(String.init) else {
                return try failure(400, "No data for argument: filename")
            }
            return try await answer { try await printer.command { machine in try machine.start(filename) } }
        }
        router.post("/printer/print/pause") { _, _ in
            try await answer { try await printer.command { machine in try machine.pause() } }
        }
        router.post("/printer/print/resume") { _, _ in
            try await answer { try await printer.command { machine in try machine.resume() } }
        }
        router.post("/printer/print/cancel") { _, _ in
            try await answer { try await printer.command { machine in try machine.cancel() } }
        }
        router.post("/printer/emergency_stop") { _, _ in
            try await answer { try await printer.command { machine in machine.emergencyStop() } }
        }
        router.post("/printer/gcode/script") { request, _ in
            let script = request.uri.queryParameters["script"].map(String.init) ?? ""
            return try await answer { try await printer.command { machine in try machine.gcodeScript(script) } }
        }
        router.post("/printer/firmware_restart") { _, _ in
            try await answer { try await printer.command { machine in machine.firmwareRestart() } }
        }
        router.get("/server/files/list") { _, _ in try json(await printer.filesList()) }
        router.get("/server/files/metadata") { request, _ in
            let path = request.uri.queryParameters["filename"].map(String.init) ?? ""
            return try await answer { try await printer.metadata(path) }
        }
        router.delete("/server/files/gcodes/**") { _, context in
            let path = context.parameters.getCatchAll().joined(separator: "/").removingPercentEncoding ?? ""
            return try await answer { try await printer.delete(path: path) }
        }
        router.post("/server/files/upload") { request, _ in
            let body = try await request.body.collect(upTo: 1 << 30)
            guard
                let form = Multipart(
                    contentType: request.headers[.contentType] ?? "", body: Data(body.readableBytesView)),
                let file = form.file, !file.name.isEmpty
            else {
                return try failure(
                    500, "Internal Server Error",
                    detail: "streaming_form_data.parser.ParseFailedException: Content-Type is not multipart/form-data")
            }
            guard (form.fields["root"] ?? "gcodes") == "gcodes" else {
                return try failure(
                    400, "Bad Request", detail: "Bad Request (Root \(form.fields["root"] ?? "") not available)")
            }
            let folder = form.fields["path"].map { $0.isEmpty ? "" : $0 + "/" } ?? ""
            let answer = await printer.upload(path: folder + file.name, data: file.data)
            return try Response(
                status: .created, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: answer.text)))
        }
        router.get("/server/history/list") { request, _ in
            try json(
                await printer.historyList(limit: request.uri.queryParameters["limit"].flatMap { Int(String($0)) } ?? 50)
            )
        }
        router.post("/virtual/faults") { request, _ in
            guard let kind = request.uri.queryParameters["kind"].flatMap({ VirtualMachine.Fault(rawValue: String($0)) })
            else {
                return try failure(
                    400, "kind is one of \(VirtualMachine.Fault.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let seconds = request.uri.queryParameters["seconds"].flatMap { Double(String($0)) } ?? 20
            await printer.inject(kind, seconds: seconds)
            return try json("ok")
        }
        return Application(
            router: router,
            server: .http1WebSocketUpgrade { request, _, _ in
                guard request.path == "/websocket" else { return .dontUpgrade }
                return .upgrade([:]) { inbound, outbound, _ in
                    let (id, outgoing) = await printer.connect()
                    defer { Task { await printer.disconnect(id) } }
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for try await message in inbound.messages(maxSize: 1 << 20) {
                                guard case .text(let text) = message else { continue }
                                if let reply = await printer.rpc(text, from: id) {
                                    try await outbound.write(.text(reply))
                                }
                            }
                        }
                        group.addTask {
                            for await text in outgoing {
                                guard let text else { return }
                                try await outbound.write(.text(text))
                            }
                        }
                        _ = try await group.next()
                        group.cancelAll()
                    }
                }
            },
            configuration: .init(address: .hostname(host, port: port), serverName: "TornadoServer/6.5.8"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    static func json(_ result: JSONValue) throws -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: JSONValue.object(["result": result]).text)))
    }

    static func failure(_ status: Int, _ message: String, detail: String? = nil) throws -> Response {
        let traceback =
            "Traceback (most recent call last):\n\n  File \"<virtual>\", in _execute\n\ntornado.web.HTTPError: HTTP \(status): \(detail ?? message)\n"
        let body: JSONValue = [
            "error": ["code": .number(Double(status)), "message": .string(message), "traceback": .string(traceback)]
        ]
        return Response(
            status: .init(code: status), headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: body.text)))
    }

    static func answer(_ body: () async throws -> JSONValue) async throws -> Response {
        do {
            return try json(try await body())
        } catch let error as VirtualMachine.VirtualError {
            // File-manager errors carry a generic reason and the detail only in the traceback, as in Moonraker.
            if error.status == 400, error.message.hasPrefix("Invalid file path") {
                return try failure(400, "Bad Request", detail: "Bad Request (\(error.message))")
            }
            if error.status == 403 { return try failure(403, "Forbidden", detail: error.message) }
            if error.status == 404, error.message.contains("<") {
                return try failure(404, "Unknown", detail: error.message)
            }
            return try failure(error.status, error.message)
        }
    }
}

/// Moonraker without `trusted_clients`: every route but /access/info wants the API key.
struct APIKeyCheck: RouterMiddleware {
    let printer: VirtualPrinter

    func handle(
        _ request: Request, context: BasicRequestContext, next: (Request, BasicRequestContext) async throws -> Response
    ) async throws -> Response {
        // The camera is a separate web server on a real machine (mjpg-streamer): it knows no API key.
        guard let key = printer.apiKey, request.uri.path != "/access/info", !request.uri.path.hasPrefix("/webcam/")
        else {
            return try await next(request, context)
        }
        guard request.headers[HTTPField.Name("X-Api-Key")!] == key else {
            return try VirtualPrinterServer.failure(
                401, "Unauthorized",
                detail: request.headers[HTTPField.Name("X-Api-Key")!] == nil ? "Unauthorized" : "Invalid API Key")
        }
        return try await next(request, context)
    }
}

/// Just enough multipart/form-data for Moonraker's upload form: text fields and one file.
struct Multipart {
    var fields: [String: String] = [:]
    var file: (name: String, data: Data)?

    init?(contentType: String, body: Data) {
        guard contentType.lowercased().hasPrefix("multipart/form-data"), let range = contentType.range(of: "boundary=")
        else { return nil }
        let boundary = Data(
            ("--" + contentType[range.upperBound...].trimmingCharacters(in: CharacterSet(charactersIn: "\" "))).utf8)
        var parts: [Data] = []
        var cursor = body.startIndex
        while let found = body.range(of: boundary, in: cursor..<body.endIndex) {
            if cursor != body.startIndex { parts.append(body[cursor..<found.lowerBound]) }
            cursor = found.upperBound
        }
        let separator = Data("\r\n\r\n".utf8)
        for part in parts {
            guard let split = part.range(of: separator) else { continue }
            let head = String(decoding: part[part.startIndex..<split.lowerBound], as: UTF8.self)
            var content = part[split.upperBound..<part.endIndex]
            if content.suffix(2) == Data("\r\n".utf8) { content = content.dropLast(2) }
            guard let name = Self.attribute("name", in: head) else { continue }
            if let filename = Self.attribute("filename", in: head) {
                file = (filename, Data(content))
            } else {
                fields[name] = String(decoding: content, as: UTF8.self)
            }
        }
    }

    static func attribute(_ key: String, in head: String) -> String? {
        guard let range = head.range(of: "\(key)=\"") else { return nil }
        let rest = head[range.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end])
    }
}
