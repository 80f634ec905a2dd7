import Foundation

/// The Moonraker WebSocket conversation as a pure state machine: frames, socket events and clock ticks go in;
/// frames to send, reconnects, polls and `MachineReport`s come out. No IO and no clock of its own, so recorded
/// sessions replay through it exactly (`MoonrakerConnector` is the actor that does the IO).
///
/// On every connect: identify, then subscribe; the subscribe answer is the full snapshot, and deltas are merged
/// onto it only after that. Klippy going away drops Moonraker's subscriptions (and a subscribe while it is away
/// answers 503), so `notify_klippy_ready`, or a `server.info` that finds it ready again, subscribes afresh. While
/// Klippy is not ready `server.info` is asked every few seconds: it sends no notification when it comes back in
/// `error` or `startup`. A silent socket is polled over
/// HTTP and then closed; reconnects back off exponentially with jitter.
public struct MoonrakerSession: Sendable {
    public struct Configuration: Sendable {
        public var apiKey: String?
        public var clientName = "printfarm"
        public var clientVersion = "1"
        /// No frame for this long on a live socket: poll over HTTP; three times as long: reconnect.
        public var silenceLimit: Double = 5
        /// How often `server.info` is asked while Klippy is not ready (it sends no notification when it comes
        /// back in `error` or `startup`).
        public var hostPollInterval: Double = 2
        public var backoffBase: Double = 0.5
        public var backoffLimit: Double = 30
        /// Temperatures alone are reported at most this often (a state change carries them at once).
        public var temperatureInterval: Double = 10

        public init(apiKey: String? = nil) { self.apiKey = apiKey }
    }

    public enum Input: Sendable {
        case opened
        case frame(String)
        /// The socket closed or could not open; `code` is the WebSocket close code when there was one.
        case closed(code: Int?, reason: String)
        /// An answer to a `.poll`: the full status (`printer.objects.query` over HTTP) and Klippy's state, or why
        /// the poll failed.
        case polled(Result<PollAnswer, PollFailure>)
        case tick
    }

    public struct PollAnswer: Sendable, Equatable {
        public var host: String
        public var message: String?
        public var status: JSONValue?
        public init(host: String, message: String? = nil, status: JSONValue?) {
            self.host = host
            self.message = message
            self.status = status
        }
    }

    public struct PollFailure: Error, Sendable, Equatable {
        public var reason: String
        public init(_ reason: String) { self.reason = reason }
    }

    public enum Action: Sendable, Equatable {
        case send(String)
        /// Open the socket after `delay` seconds.
        case open(after: Double)
        case close(reason: String)
        /// Ask over HTTP (`server.info` and `printer.objects.query`), then feed `.polled`.
        case poll
        case report(MachineReport)
        /// Something worth a log line, said once per cause, not once per frame.
        case log(String)
        /// `notify_history_changed`: a job was added or finished (`status`: completed, cancelled, klippy_shutdown, …).
        case history(action: String, filename: String?, status: String?, jobID: String?)
        /// A `notify_gcode_response` line that reports a failure ("!! …"), or Klipper's shutdown reason.
        case gcodeError(String)
    }

    enum Phase: Equatable {
        case closed
        case opening
        case identifying
        case subscribing
        case live
        /// Socket up, Klippy not ready; `server.info` is asked every `hostPollInterval`.
        case waitingForHost
        case unauthorized
    }

    enum Purpose: Equatable { case identify, serverInfo, printerInfo, subscribe }

    public let configuration: Configuration
    private(set) var phase: Phase = .closed
    private var nextID = 1
    private var pending: [Int: Purpose] = [:]
    public private(set) var status = MoonrakerStatus()
    private var host: String?
    private var hostMessage: String?
    private var lastFrameAt = 0.0
    private var lastHostAsk = 0.0
    private var lastPoll = -Double.infinity
    private var backoff: Backoff
    private var logged: Set<String> = []
    private var gate: ReportGate
    public var lastReport: MachineReport? { gate.last }
    /// The time of the input being handled.
    private var clock = 0.0
    /// The printed byte range of the current file (from its metadata), for true progress.
    private var gcodeBytes: (filename: String, range: ClosedRange<Int>)?

    public init(configuration: Configuration, seed: UInt64) {
        self.configuration = configuration
        backoff = Backoff(base: configuration.backoffBase, limit: configuration.backoffLimit, seed: seed)
        gate = ReportGate(temperatureInterval: configuration.temperatureInterval)
    }

    /// The first action: open the socket now.
    public mutating func start() -> [Action] {
        phase = .opening
        return [.open(after: 0)]
    }

    /// Tells the session the printed byte range of a file (from `/server/files/metadata`).
    public mutating func setGCodeBytes(filename: String, start: Int, end: Int) -> [Action] {
        guard end > start else { return [] }
        gcodeBytes = (filename, start...end)
        return phase == .live ? report() : []
    }

    public mutating func handle(_ input: Input, at now: Double) -> [Action] {
        clock = now
        switch input {
        case .opened:
            phase = .identifying
            lastFrameAt = now
            pending = [:]
            var params: [String: JSONValue] = [
                "client_name": .string(configuration.clientName), "version": .string(configuration.clientVersion),
                "type": "other",
                "url": "https://github.com/printfarm-os",
            ]
            if let key = configuration.apiKey { params["api_key"] = .string(key) }
            return [request("server.connection.identify", params: .object(params), purpose: .identify)]
        case .frame(let text):
            lastFrameAt = now
            return frame(text, at: now)
        case .closed(let code, let reason):
            return closed(code: code, reason: reason)
        case .polled(let result):
            return polled(result, at: now)
        case .tick:
            return tick(at: now)
        }
    }

    // MARK: frames

    private mutating func frame(_ text: String, at now: Double) -> [Action] {
        guard let message = JSONValue.parse(text) else {
            return once("malformed", "a frame that is not JSON was ignored: \(text.prefix(80))")
        }
        if case .array(let batch) = message { return batch.flatMap { handleMessage($0, at: now) } }
        return handleMessage(message, at: now)
    }

    private mutating func handleMessage(_ message: JSONValue, at now: Double) -> [Action] {
        if let method = message["method"]?.string { return notification(method, params: message["params"], at: now) }
        guard let id = message["id"]?.int, let purpose = pending.removeValue(forKey: id) else { return [] }
        if let error = message["error"] {
            return failed(purpose, code: error["code"]?.int, message: error["message"]?.string ?? "no message", at: now)
        }
        let result = message["result"] ?? .null
        switch purpose {
        case .identify:
            backoff.succeeded()
            return [subscribe()]
        case .serverInfo:
            let state = result["klippy_state"]?.string ?? "disconnected"
            if state == "ready", phase == .live, host == "ready" { return [] }
            return hostState(state, message: nil, at: now)
        case .printerInfo:
            // Klipper's own reason ("Shutdown due to …", "Can not update MCU …"): server.info carries none.
            guard host != "ready", let text = result["state_message"]?.string, let message = Self.klipperMessage(text)
            else { return [] }
            hostMessage = message
            return report()
        case .subscribe:
            status.replace(with: result["status"] ?? .null)
            phase = .live
            host = status["webhooks", "state"]?.string ?? "ready"
            hostMessage = host == "ready" ? nil : webhooksMessage()
            lastHostAsk = now
            return report()
        }
    }

    private mutating func failed(_ purpose: Purpose, code: Int?, message: String, at now: Double) -> [Action] {
        switch purpose {
        case .identify:
            // -32602 "Invalid API Key" / "Unauthorized": the connection stays open but useless; retry slowly.
            phase = .unauthorized
            let reason = "the printer refused our credentials (\(message)); check its API key"
            return emit(MachineReport(link: .unauthorized, linkReason: reason)) + [.close(reason: reason)]
        case .serverInfo:
            return hostState("disconnected", message: message, at: now)
        case .printerInfo:
            return []
        case .subscribe:
            // 503 "Klippy Host not connected": Klippy went away between server.info and subscribe.
            return hostState("disconnected", message: message, at: now)
        }
    }

    /// Klippy's state from server.info or a poll: subscribe when ready, otherwise wait and ask again.
    ///
    /// why: the report is the same one the status deltas give (the snapshot with the host's state on it), never a
    /// bare one. While Klippy is shut down the deltas still carry `print_stats` (a stale `paused` job) and
    /// server.info carries none; a bare report from server.info alternated with the deltas' every few seconds —
    /// 47 printer events in 65 s on a real Klipper (issue 17).
    private mutating func hostState(_ state: String, message: String?, at now: Double) -> [Action] {
        let changed = host != state
        if changed { hostMessage = nil }
        host = state
        lastHostAsk = now
        if state == "ready" { return [subscribe()] }
        if phase != .live { phase = .waitingForHost }
        // Moonraker dropped its subscriptions with Klippy: what the snapshot said of the job is no longer known.
        if state == "disconnected" || state == "startup" { status = MoonrakerStatus() }
        if let message { hostMessage = message }
        if hostMessage == nil { hostMessage = webhooksMessage() }
        var actions: [Action] = []
        if changed, state != "disconnected", hostMessage == nil {
            actions.append(request("printer.info", params: nil, purpose: .printerInfo))
        }
        return actions + report()
    }

    /// Klipper's reason for not being ready, as `webhooks` last gave it.
    private func webhooksMessage() -> String? {
        guard let state = status["webhooks", "state"]?.string, state != "ready", state == host else { return nil }
        return status["webhooks", "state_message"]?.string.flatMap(Self.klipperMessage)
    }

    /// Klipper's multi-line state message as one trimmed text; nil when empty.
    static func klipperMessage(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    private mutating func subscribe() -> Action {
        phase = .subscribing
        var objects: [String: JSONValue] = [:]
        for name in MoonrakerStatus.subscribed { objects[name] = .null }
        return request("printer.objects.subscribe", params: ["objects": .object(objects)], purpose: .subscribe)
    }

    private mutating func notification(_ method: String, params: JSONValue?, at now: Double) -> [Action] {
        switch method {
        case "notify_status_update":
            guard phase == .live, let delta = params?[0] else { return [] }
            let unknown = status.merge(delta: delta)
            var actions =
                unknown.isEmpty
                ? []
                : once(
                    "unsubscribed:\(unknown.sorted())",
                    "ignored status for objects never subscribed: \(unknown.sorted().joined(separator: ", "))")
            if let webhooks = delta["webhooks"], let state = webhooks["state"]?.string {
                host = state
                hostMessage = state == "ready" ? nil : webhooksMessage() ?? hostMessage
            }
            actions += report()
            return actions
        case "notify_klippy_ready":
            // Subscriptions were dropped with Klippy; subscribe again and take a fresh snapshot.
            host = "ready"
            hostMessage = nil
            return [subscribe()]
        case "notify_klippy_shutdown":
            host = "shutdown"
            hostMessage = webhooksMessage() ?? hostMessage
            var actions: [Action] = []
            if let message = hostMessage { actions.append(.gcodeError(message)) }
            return actions + report()
        case "notify_klippy_disconnected":
            status = MoonrakerStatus()
            phase = .waitingForHost
            return hostState("disconnected", message: "Klippy disconnected from Moonraker", at: now)
        case "notify_history_changed":
            guard let change = params?[0] else { return [] }
            let job = change["job"]
            return [
                .history(
                    action: change["action"]?.string ?? "", filename: job?["filename"]?.string,
                    status: job?["status"]?.string, jobID: job?["job_id"]?.string)
            ]
        case "notify_gcode_response":
            guard let line = params?[0]?.string, line.hasPrefix("!!") else { return [] }
            return [.gcodeError(String(line.dropFirst(2)).trimmingCharacters(in: .whitespaces))]
        default:
            return []
        }
    }

    // MARK: socket, polls, time

    private mutating func closed(code: Int?, reason: String) -> [Action] {
        let wasUnauthorized = phase == .unauthorized
        phase = .closed
        pending = [:]
        let delay = backoff.failed(slow: wasUnauthorized)
        var actions: [Action] = []
        // One report per outage: each failed reconnect has its own words ("connection refused" after "code 1006"),
        // and each became a printer event (issue 17 counted two per outage).
        if !wasUnauthorized, lastReport?.link != .down {
            let why = code.map { "the connection closed (\(reason), code \($0))" } ?? "no connection (\(reason))"
            actions += emit(.down(why))
        }
        return actions + [.open(after: delay)]
    }

    private mutating func polled(_ result: Result<PollAnswer, PollFailure>, at now: Double) -> [Action] {
        switch result {
        case .failure(let failure):
            if phase == .live || phase == .waitingForHost {
                return once("poll:\(failure.reason)", "a status poll failed: \(failure.reason)")
            }
            return []
        case .success(let answer):
            guard phase == .live || phase == .closed || phase == .waitingForHost else { return [] }
            if answer.host != "ready" {
                if host != answer.host { hostMessage = nil }
                host = answer.host
                if let snapshot = answer.status {
                    status.replace(with: snapshot)
                } else if answer.host == "disconnected" || answer.host == "startup" {
                    status = MoonrakerStatus()
                }
                hostMessage = answer.message.flatMap(Self.klipperMessage) ?? webhooksMessage() ?? hostMessage
                if phase == .live { phase = .waitingForHost }
                var current = reportValue()
                if phase == .closed { current.link = .down }
                return emit(current)
            }
            if phase == .waitingForHost { return hostState("ready", message: nil, at: now) }
            if let snapshot = answer.status {
                status.replace(with: snapshot)
                host = "ready"
            }
            // Polling is the fallback: with the socket down or silent, HTTP answers still show what the machine does.
            var current = status.report(host: host, gcodeBytes: bytes())
            current.linkReason =
                phase == .closed ? "polling over HTTP: the socket is down" : "polling over HTTP: the socket is silent"
            return emit(current)
        }
    }

    private mutating func tick(at now: Double) -> [Action] {
        switch phase {
        case .live:
            if gate.due(at: now) { return report() }
            if host != "ready", now - lastHostAsk >= configuration.hostPollInterval {
                lastHostAsk = now
                return [request("server.info", params: nil, purpose: .serverInfo)]
            }
            let silent = now - lastFrameAt
            if silent >= 3 * configuration.silenceLimit {
                return [.close(reason: "the printer sent nothing for \(Int(silent)) s")]
            }
            if silent >= configuration.silenceLimit, now - lastPoll >= configuration.silenceLimit {
                lastPoll = now
                return [.poll]
            }
        case .waitingForHost:
            if now - lastHostAsk >= configuration.hostPollInterval {
                lastHostAsk = now
                return [request("server.info", params: nil, purpose: .serverInfo)]
            }
        case .identifying, .subscribing:
            if now - lastFrameAt >= 3 * configuration.silenceLimit {
                return [.close(reason: "the printer did not answer within \(Int(3 * configuration.silenceLimit)) s")]
            }
        case .closed:
            // Polls keep the picture while the socket is down (the actor only polls when it can reach HTTP).
            if now - lastPoll >= configuration.silenceLimit {
                lastPoll = now
                return [.poll]
            }
        case .opening, .unauthorized:
            break
        }
        return []
    }

    // MARK: helpers

    private mutating func request(_ method: String, params: JSONValue?, purpose: Purpose) -> Action {
        let id = nextID
        nextID += 1
        // Requests a restarted Moonraker never answers must not pile up.
        if pending.count >= 64, let oldest = pending.keys.min() { pending[oldest] = nil }
        pending[id] = purpose
        var frame: [String: JSONValue] = ["jsonrpc": "2.0", "method": .string(method), "id": .number(Double(id))]
        if let params { frame["params"] = params }
        return .send(JSONValue.object(frame).text)
    }

    private func bytes() -> ClosedRange<Int>? {
        guard let known = gcodeBytes, known.filename == status.filename else { return nil }
        return known.range
    }

    private mutating func report() -> [Action] { emit(reportValue()) }

    private func reportValue() -> MachineReport {
        var current = status.report(host: host, gcodeBytes: bytes())
        if host != "ready" {
            current.link = .hostNotReady
            current.linkReason = "Klippy is \(host ?? "unknown")"
            current.message = hostMessage ?? current.message
        }
        return current
    }

    private mutating func emit(_ report: MachineReport) -> [Action] {
        gate.pass(report, at: clock).map { [.report($0)] } ?? []
    }

    private mutating func once(_ key: String, _ message: String) -> [Action] {
        logged.insert(key).inserted ? [.log(message)] : []
    }
}
