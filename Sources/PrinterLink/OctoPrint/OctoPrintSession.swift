import Foundation

/// The OctoPrint push link as a pure state machine: the IO (`OctoPrintConnector`) feeds it what happened and the
/// time, and carries out the actions it returns. Sans-IO, so every path is tested without a socket.
///
/// The link: log in passively with the API key (`POST /api/login {"passive": true}` → user name and session),
/// open the raw SockJS websocket (`/sockjs/websocket`), subscribe, authenticate with `name:session`, then fold
/// `history`, `current` and `event` messages. When the socket is silent for `silenceLimit` (OctoPrint sends
/// nothing while its printer is disconnected) or down, HTTP polls keep the picture; a socket silent three times
/// that long, or one whose polls fail, is closed and opened again after a backoff with jitter.
public struct OctoPrintSession: Sendable {
    public struct Configuration: Sendable {
        public var silenceLimit: Double = 5
        public var backoffBase: Double = 0.5
        public var backoffLimit: Double = 30
        /// At most one report for temperatures alone per interval.
        public var temperatureInterval: Double = 10
        public init() {}
    }

    public struct Login: Sendable, Equatable {
        public var name: String
        public var session: String
        public init(name: String, session: String) {
            self.name = name
            self.session = session
        }
    }

    public struct Failure: Error, Sendable, Equatable {
        public var reason: String
        /// OctoPrint refused the API key (403 on the login).
        public var unauthorized: Bool
        public init(_ reason: String, unauthorized: Bool = false) {
            self.reason = reason
            self.unauthorized = unauthorized
        }
    }

    /// What the HTTP poll read: `/api/connection`, `/api/job`, and `/api/printer` (nil: 409, not operational).
    public struct PollAnswer: Sendable, Equatable {
        public var connection: JSONValue
        public var job: JSONValue
        public var printer: JSONValue?
        public init(connection: JSONValue, job: JSONValue, printer: JSONValue?) {
            self.connection = connection
            self.job = job
            self.printer = printer
        }
    }

    public enum Input: Sendable {
        case loggedIn(Result<Login, Failure>)
        case opened
        case frame(String)
        case closed(code: Int?, reason: String)
        case polled(Result<PollAnswer, Failure>)
        case tick
    }

    public enum Action: Sendable, Equatable {
        /// `POST /api/login {"passive": true}` with the API key, then feed `.loggedIn`.
        case login(after: Double)
        case open
        case send(String)
        case close(reason: String)
        case poll
        case report(MachineReport)
        case job(MachineJob)
        case log(String)
    }

    enum Phase: Sendable, Equatable {
        case loggingIn, opening, authenticating, live, closed, unauthorized
    }

    public let configuration: Configuration
    private(set) var phase = Phase.loggingIn
    public private(set) var status = OctoPrintStatus()
    private var gate: ReportGate
    public var lastReport: MachineReport? { gate.last }
    private var login: Login?
    private var backoff: Backoff
    private var lastFrameAt = 0.0
    private var lastPoll = -Double.infinity
    private var pollFailures = 0
    private var clock = 0.0
    private var said: Set<String> = []

    public init(configuration: Configuration = .init(), seed: UInt64) {
        self.configuration = configuration
        backoff = Backoff(base: configuration.backoffBase, limit: configuration.backoffLimit, seed: seed)
        gate = ReportGate(temperatureInterval: configuration.temperatureInterval)
    }

    public mutating func start() -> [Action] {
        phase = .loggingIn
        return [.login(after: 0)]
    }

    /// The operator cleared a failed job: report the printer idle.
    public mutating func clearOutcome() -> [Action] {
        status.clearOutcome()
        return phase == .live ? emit(status.report()) : []
    }

    public mutating func handle(_ input: Input, at now: Double) -> [Action] {
        clock = now
        switch input {
        case .loggedIn(.success(let login)):
            self.login = login
            phase = .opening
            lastFrameAt = now
            return [.open]
        case .loggedIn(.failure(let failure)):
            return failed(failure, at: now)
        case .opened:
            phase = .authenticating
            lastFrameAt = now
            let subscribe: JSONValue = [
                "subscribe": ["state": ["logs": false, "messages": false], "events": true, "plugins": false]
            ]
            let auth: JSONValue = ["auth": .string("\(login?.name ?? ""):\(login?.session ?? "")")]
            return [.send(subscribe.text), .send(auth.text)]
        case .frame(let text):
            lastFrameAt = now
            return frame(text, at: now)
        case .closed(let code, let reason):
            guard phase != .unauthorized else { return [] }
            let why = code.map { "the connection closed (\(reason), code \($0))" } ?? "no connection (\(reason))"
            return failed(Failure(why), at: now)
        case .polled(let result):
            return polled(result, at: now)
        case .tick:
            return tick(at: now)
        }
    }

    // MARK: frames

    private mutating func frame(_ text: String, at now: Double) -> [Action] {
        guard case .object(let message) = JSONValue.parse(text) ?? .null else {
            return once("malformed", "a frame that is not a JSON object was ignored: \(text.prefix(80))")
        }
        var actions: [Action] = []
        for (type, payload) in message {
            switch type {
            case "history", "current":
                if phase == .authenticating {
                    phase = .live
                    backoff.succeeded()
                    pollFailures = 0
                }
                status.apply(push: payload)
            case "event":
                guard let kind = payload["type"]?.string else { continue }
                if let job = status.apply(event: kind, payload: payload["payload"]) { actions.append(.job(job)) }
            case "reauthRequired":
                // The session expired (OctoPrint restarted its user session): log in again.
                return actions + [.close(reason: "OctoPrint asked to authenticate again")]
            default:
                // connected, slicingProgress, plugin, timelapse, …: clients must ignore unknown types.
                continue
            }
        }
        return phase == .live ? actions + report() : actions
    }

    // MARK: link

    private mutating func failed(_ failure: Failure, at now: Double) -> [Action] {
        var actions: [Action] = []
        if failure.unauthorized {
            phase = .unauthorized
            let why = "OctoPrint refused the API key (\(failure.reason)); set the printer's key"
            if lastReport?.link != .unauthorized {
                actions += emit(MachineReport(link: .unauthorized, linkReason: why))
            }
        } else {
            phase = .closed
            // One report per outage, whatever each failed reconnect says.
            if lastReport?.link != .down { actions += emit(.down(failure.reason)) }
        }
        return actions + [.login(after: backoff.failed(slow: failure.unauthorized))]
    }

    private mutating func polled(_ result: Result<PollAnswer, Failure>, at now: Double) -> [Action] {
        switch result {
        case .failure(let failure):
            pollFailures += 1
            guard phase == .live, pollFailures >= 2 else { return [] }
            // A silent socket whose polls fail too: the machine is gone; reconnect.
            return [.close(reason: "the printer sent nothing and its polls failed: \(failure.reason)")]
        case .success(let answer):
            pollFailures = 0
            guard phase == .live || phase == .closed else { return [] }
            status.apply(job: answer.job)
            if answer.printer == nil, let text = answer.connection["current"]?["state"]?.string { status.text = text }
            status.apply(printer: answer.printer)
            var current = status.report()
            if phase == .closed {
                current.linkReason = "polling over HTTP: the socket is down"
            } else if current.link == .live {
                current.linkReason = "polling over HTTP: the socket is silent"
            }
            return emit(current)
        }
    }

    private mutating func tick(at now: Double) -> [Action] {
        switch phase {
        case .live:
            if gate.due(at: now) { return report() }
            let silent = now - lastFrameAt
            if silent >= 3 * configuration.silenceLimit, pollFailures > 0 {
                return [.close(reason: "the printer sent nothing for \(Int(silent)) s")]
            }
            if silent >= configuration.silenceLimit, now - lastPoll >= configuration.silenceLimit {
                lastPoll = now
                return [.poll]
            }
        case .opening, .authenticating:
            if now - lastFrameAt >= 3 * configuration.silenceLimit {
                return [.close(reason: "OctoPrint did not answer within \(Int(3 * configuration.silenceLimit)) s")]
            }
        case .closed:
            if now - lastPoll >= configuration.silenceLimit {
                lastPoll = now
                return [.poll]
            }
        case .loggingIn, .unauthorized:
            break
        }
        return []
    }

    // MARK: reports

    private mutating func report() -> [Action] { emit(status.report()) }

    private mutating func emit(_ report: MachineReport) -> [Action] {
        gate.pass(report, at: clock).map { [.report($0)] } ?? []
    }

    private mutating func once(_ key: String, _ message: String) -> [Action] {
        said.insert(key).inserted ? [.log(message)] : []
    }
}
