import FarmScheduling
import Foundation
import PrinterLink

/// One virtual printer's Moonraker: the machine model, the WebSocket connections with their subscriptions, and
/// the JSON-RPC and HTTP answers in Moonraker 0.11's shapes. `tick()` moves simulated time (`speed` × real time)
/// and sends each subscriber the fields that changed, at most every 250 ms, as Moonraker does.
/// Faults that strike at random, repeatably: each printer draws from its own generator seeded with `seed`.
public struct RandomFaults: Sendable {
    /// How often, on average, a fault strikes one printer, per real hour.
    public var perHour: Double
    public var seed: UInt64
    /// Which faults may strike; every kind by default.
    public var kinds: [VirtualMachine.Fault]
    /// How long a silence lasts, in real seconds.
    public var silenceSeconds: Double

    public init(
        perHour: Double, seed: UInt64, kinds: [VirtualMachine.Fault] = VirtualMachine.Fault.allCases,
        silenceSeconds: Double = 20
    ) {
        self.perHour = perHour
        self.seed = seed
        self.kinds = kinds
        self.silenceSeconds = silenceSeconds
    }
}

public actor VirtualPrinter {
    public nonisolated let name: String
    public nonisolated let speed: Double
    /// Nil: every client is trusted (Moonraker's `trusted_clients`); otherwise the key Moonraker would require.
    public nonisolated let apiKey: String?
    var machine: VirtualMachine
    private let started = ContinuousClock.now
    private var connections: [Int: Connection] = [:]
    private var nextConnection = 1
    private var silentUntil = -Double.infinity
    private var lastProcStat = 0.0
    private let faults: RandomFaults?
    private var random: SplitMix64
    private var nextFaultAt = Double.infinity
    /// Every fault injected so far (on request or at random), oldest first, with the real second it struck.
    public private(set) var injected: [(fault: VirtualMachine.Fault, at: Double)] = []

    struct Connection {
        var sink: AsyncStream<String?>.Continuation
        var identified: Bool
        var subscribed: [String]?
        var lastSent: [String: [String: JSONValue]] = [:]
    }

    public init(name: String, speed: Double, apiKey: String? = nil, faults: RandomFaults? = nil) {
        self.name = name
        self.speed = speed
        self.apiKey = apiKey
        self.faults = faults
        var seeded = SplitMix64(
            seed: (faults?.seed ?? 0) ^ UInt64(truncatingIfNeeded: name.utf8.reduce(5381) { ($0 &* 33) &+ Int($1) }))
        _ = seeded.next()
        if let faults, faults.perHour > 0 { nextFaultAt = Self.gap(&seeded, perHour: faults.perHour) }
        random = seeded
        machine = VirtualMachine(wallClockStart: Date().timeIntervalSince1970)
    }

    private var realSeconds: Double {
        let elapsed = ContinuousClock.now - started
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    // MARK: connections

    /// A new WebSocket: what to send it arrives on the stream (nil = close it).
    public func connect() -> (id: Int, outgoing: AsyncStream<String?>) {
        let (stream, sink) = AsyncStream<String?>.makeStream()
        let id = nextConnection
        nextConnection += 1
        connections[id] = Connection(sink: sink, identified: apiKey == nil, subscribed: nil)
        return (id, stream)
    }

    public func disconnect(_ id: Int) {
        connections.removeValue(forKey: id)?.sink.finish()
    }

    public var connectionCount: Int { connections.count }

    // MARK: time

    public func tick() {
        let now = realSeconds * speed
        deliver(machine.advance(to: now))
        strikeAtRandom()
        guard realSeconds >= silentUntil else { return }
        broadcastDeltas()
        if realSeconds - lastProcStat >= 1 {
            lastProcStat = realSeconds
            let stat: JSONValue = [
                "moonraker_stats": [
                    "time": .number(Date().timeIntervalSince1970), "cpu_usage": 0.5, "memory": 51_000,
                    "mem_units": "kB",
                ], "websocket_connections": .number(Double(connections.count)),
            ]
            for id in connections.keys { send(id, notification("notify_proc_stat_update", [stat])) }
        }
    }

    /// Injects the random faults that are due. Their moments and kinds are drawn ahead from the seed (exponential
    /// gaps: a Poisson process), so one seed gives the same faults at the same real seconds on every run.
    private func strikeAtRandom() {
        guard let faults, faults.perHour > 0, !faults.kinds.isEmpty else { return }
        while realSeconds >= nextFaultAt {
            let fault = faults.kinds[Int(random.next() % UInt64(faults.kinds.count))]
            inject(fault, seconds: faults.silenceSeconds)
            nextFaultAt += Self.gap(&random, perHour: faults.perHour)
        }
    }

    static func gap(_ random: inout SplitMix64, perHour: Double) -> Double {
        -log(1 - random.nextUnit()) * 3600 / perHour
    }

    /// Sends each subscriber the fields that changed since it last heard.
    private func broadcastDeltas() {
        let status = machine.status()
        for (id, connection) in connections {
            guard let objects = connection.subscribed else { continue }
            var delta: [String: JSONValue] = [:]
            var sent = connection.lastSent
            for name in objects {
                guard let fields = status[name]?.object else { continue }
                var changed: [String: JSONValue] = [:]
                for (key, value) in fields where sent[name]?[key] != value { changed[key] = value }
                if !changed.isEmpty {
                    delta[name] = .object(changed)
                    sent[name, default: [:]].merge(changed) { $1 }
                }
            }
            connections[id]?.lastSent = sent
            if !delta.isEmpty {
                send(id, notification("notify_status_update", [.object(delta), .number(machine.now)]))
            }
        }
    }

    /// Faults on request: the machine's own, plus dropped and silent sockets.
    public func inject(_ fault: VirtualMachine.Fault, seconds: Double = 20) {
        injected.append((fault, realSeconds))
        switch fault {
        case .disconnect:
            for id in Array(connections.keys) { disconnect(id) }
        case .silence:
            silentUntil = realSeconds + seconds
        default:
            deliver(machine.inject(fault))
        }
    }

    private func deliver(_ notes: [VirtualMachine.Note]) {
        for note in notes {
            let frame: String
            switch note {
            case .gcodeResponse(let line): frame = notification("notify_gcode_response", [.string(line)])
            case .historyChanged(let action, let job):
                frame = notification("notify_history_changed", [["action": .string(action), "job": job]])
            case .klippyReady: frame = notification("notify_klippy_ready", nil)
            case .klippyShutdown:
                // As recorded: the webhooks delta with Klipper's reason arrives before the notification.
                broadcastDeltas()
                frame = notification("notify_klippy_shutdown", nil)
            case .klippyDisconnected:
                // Moonraker drops every subscription when Klippy goes away.
                for id in connections.keys {
                    connections[id]?.subscribed = nil
                    connections[id]?.lastSent = [:]
                }
                frame = notification("notify_klippy_disconnected", nil)
            case .fileListChanged(let action, let path):
                frame = notification(
                    "notify_filelist_changed",
                    [["action": .string(action), "item": ["path": .string(path), "root": "gcodes"]]])
            }
            for id in connections.keys { send(id, frame) }
        }
    }

    private func send(_ id: Int, _ text: String) {
        guard realSeconds >= silentUntil else { return }
        connections[id]?.sink.yield(text)
    }

    private func notification(_ method: String, _ params: [JSONValue]?) -> String {
        var frame: [String: JSONValue] = ["jsonrpc": "2.0", "method": .string(method)]
        if let params { frame["params"] = .array(params) }
        return JSONValue.object(frame).text
    }

    // MARK: JSON-RPC

    /// Answers one WebSocket text frame (nil: no answer, as for a notification or a request without a method).
    public func rpc(_ text: String, from id: Int) -> String? {
        guard let message = JSONValue.parse(text) else { return Self.rpcError(-32700, "Parse error", id: .null) }
        if case .array(let batch) = message {
            let answers = batch.compactMap { answer($0, from: id) }.compactMap { JSONValue.parse($0) }
            return JSONValue.array(answers).text
        }
        return answer(message, from: id)
    }

    private func answer(_ message: JSONValue, from connection: Int) -> String? {
        let requestID = message["id"] ?? .null
        guard message["jsonrpc"]?.string == "2.0" else {
            return Self.rpcError(-32600, "Invalid Request", id: requestID)
        }
        guard let method = message["method"]?.string, message["id"] != nil else { return nil }
        let params = message["params"]?.object ?? [:]
        if method == "server.connection.identify" {
            if let apiKey, params["api_key"]?.string != apiKey {
                return Self.rpcError(-32602, "Invalid API Key", id: requestID)
            }
            connections[connection]?.identified = true
            return Self.rpcResult(["connection_id": .number(Double(connection))], id: requestID)
        }
        guard connections[connection]?.identified == true else {
            return Self.rpcError(-32602, "Unauthorized", id: requestID)
        }
        do throws(VirtualMachine.VirtualError) {
            let result: JSONValue
            switch method {
            case "server.info": result = serverInfo()
            case "printer.info": result = try printerInfo()
            case "printer.objects.list":
                result = ["objects": .array(machine.status().keys.sorted().map(JSONValue.string))]
            case "printer.objects.query": result = try query(Array((params["objects"]?.object ?? [:]).keys))
            case "printer.objects.subscribe":
                let objects = Array((params["objects"]?.object ?? [:]).keys)
                result = try query(objects)
                let status = result["status"]?.object ?? [:]
                connections[connection]?.subscribed = objects
                connections[connection]?.lastSent = status.compactMapValues(\.object)
            case "printer.print.start":
                result = try command { machine in try machine.start(params["filename"]?.string ?? "") }
            case "printer.print.pause": result = try command { machine in try machine.pause() }
            case "printer.print.resume": result = try command { machine in try machine.resume() }
            case "printer.print.cancel": result = try command { machine in try machine.cancel() }
            case "printer.emergency_stop": result = try command { machine in machine.emergencyStop() }
            case "printer.firmware_restart": result = try command { machine in machine.firmwareRestart() }
            case "server.history.list": result = historyList(limit: params["limit"]?.int ?? 50)
            case "server.files.list": result = filesList()
            default: return Self.rpcError(-32601, "Method not found", id: requestID)
            }
            return Self.rpcResult(result, id: requestID)
        } catch {
            return Self.rpcError(error.status, error.message, id: requestID)
        }
    }

    static func rpcResult(_ result: JSONValue, id: JSONValue) -> String {
        JSONValue.object(["jsonrpc": "2.0", "result": result, "id": id]).text
    }
    static func rpcError(_ code: Int, _ message: String, id: JSONValue) -> String {
        JSONValue.object([
            "jsonrpc": "2.0", "error": ["code": .number(Double(code)), "message": .string(message)], "id": id,
        ]).text
    }

    // MARK: answers shared by HTTP and JSON-RPC

    func command(_ body: (inout VirtualMachine) throws -> [VirtualMachine.Note]) throws(VirtualMachine.VirtualError)
        -> JSONValue
    {
        tick()
        do {
            deliver(try body(&machine))
        } catch let error as VirtualMachine.VirtualError {
            throw error
        } catch {
            throw VirtualMachine.VirtualError(status: 500, message: "Internal Server Error")
        }
        return "ok"
    }

    func serverInfo() -> JSONValue {
        [
            "klippy_connected": .bool(machine.klippyState != "startup"), "klippy_state": .string(machine.klippyState),
            "components": ["klippy_connection", "history", "file_manager", "websockets"], "failed_components": [],
            "registered_directories": ["gcodes", "config"],
            "warnings": [], "websocket_count": .number(Double(connections.count)),
            "moonraker_version": "v0.11.0-printfarm-virtual",
            "api_version": [1, 5, 0], "api_version_string": "1.5.0",
        ]
    }

    func printerInfo() throws(VirtualMachine.VirtualError) -> JSONValue {
        guard machine.klippyState != "startup" else { throw .init(status: 503, message: "Klippy Host not connected") }
        let message = machine.status()["webhooks"]?["state_message"] ?? ""
        return [
            "state": .string(machine.klippyState), "state_message": message, "hostname": .string(name),
            "software_version": "v0.13.0-printfarm-virtual", "app": "Klipper",
        ]
    }

    func query(_ objects: [String]) throws(VirtualMachine.VirtualError) -> JSONValue {
        guard machine.klippyState != "startup" else { throw .init(status: 503, message: "Klippy Host not connected") }
        let status = machine.status()
        var answer: [String: JSONValue] = [:]
        // Like Moonraker: an unknown object answers {} rather than an error.
        for name in objects {
            answer[name] = name == "configfile" ? ["settings": VirtualMachine.settings] : (status[name] ?? [:])
        }
        return ["eventtime": .number(machine.now), "status": .object(answer)]
    }

    func historyList(limit: Int) -> JSONValue {
        let jobs = Array(machine.history.reversed().prefix(max(0, limit)))
        return ["count": .number(Double(jobs.count)), "jobs": .array(jobs)]
    }

    func filesList() -> JSONValue {
        .array(
            machine.files.values.sorted { $0.path < $1.path }.map { file in
                [
                    "path": .string(file.path), "modified": .number(file.modified), "size": .number(Double(file.size)),
                    "permissions": "rw",
                ]
            })
    }

    func metadata(_ path: String) throws(VirtualMachine.VirtualError) -> JSONValue {
        guard let file = machine.files[path] else {
            throw .init(status: 404, message: "Metadata not available for <\(path)>")
        }
        var answer: [String: JSONValue] = [
            "filename": .string(path), "size": .number(Double(file.size)), "modified": .number(file.modified),
            "estimated_time": .number(file.estimatedSeconds),
            "gcode_start_byte": .number(Double(file.gcodeStartByte)),
            "gcode_end_byte": .number(Double(file.gcodeEndByte)),
            "first_layer_extr_temp": .number(file.extruderTemperature),
            "first_layer_bed_temp": .number(file.bedTemperature),
            "filament_total": .number(file.filamentMillimetres),
        ]
        if let slicer = file.slicer { answer["slicer"] = .string(slicer) }
        return .object(answer)
    }

    func upload(path: String, data: Data) -> JSONValue {
        tick()
        deliver(machine.upload(path: path, data: data))
        let file = machine.files[path]
        return [
            "action": "create_file",
            "item": [
                "path": .string(path), "root": "gcodes", "modified": .number(file?.modified ?? 0),
                "size": .number(Double(data.count)), "permissions": "rw",
            ],
            "print_started": false, "print_queued": false,
        ]
    }

    func delete(path: String) throws(VirtualMachine.VirtualError) -> JSONValue {
        deliver(try machine.delete(path: path))
        return ["item": ["path": .string(path), "root": "gcodes"], "action": "delete_file"]
    }
}
