import AsyncHTTPClient
import FarmDomain
import Foundation
import Logging

/// The IO around an `OctoPrintSession`: the passive login, one push socket at a time, a tick (at most every
/// second), HTTP polls when asked, and the session's reports and jobs as events. Commands and files go through
/// `client`. Run it in a task; cancelling the task closes everything.
public actor OctoPrintConnector: PrinterConnector {
    public nonisolated let client: OctoPrintClient
    public nonisolated let events: AsyncStream<MachineEvent>
    private let eventSink: AsyncStream<MachineEvent>.Continuation
    private var session: OctoPrintSession
    private let logger: Logger
    private let started = ContinuousClock.now
    private var logins: AsyncStream<Double>.Continuation?
    private var socket = SessionSocket()
    private var openRequested = false
    private var polling = false
    private let tickPeriod: Duration

    public init(
        client: OctoPrintClient, configuration: OctoPrintSession.Configuration = .init(), seed: UInt64,
        logger: Logger = Logger(label: "printfarm.octoprint")
    ) {
        self.client = client
        session = OctoPrintSession(configuration: configuration, seed: seed)
        tickPeriod = .seconds(min(1, max(0.05, configuration.silenceLimit / 5)))
        self.logger = logger
        (events, eventSink) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1024))
    }

    public var report: MachineReport? { session.lastReport }

    public func run() async {
        let (loginStream, loginSink) = AsyncStream<Double>.makeStream()
        logins = loginSink
        perform(session.start())
        let ticker = Task { [weak self, tickPeriod] in
            while !Task.isCancelled {
                try? await Task.sleep(for: tickPeriod)
                await self?.tick()
            }
        }
        await withTaskCancellationHandler {
            for await delay in loginStream {
                if delay > 0 { try? await Task.sleep(for: .seconds(delay)) }
                if Task.isCancelled { break }
                let result: Result<OctoPrintSession.Login, OctoPrintSession.Failure>
                do throws(ConnectorError) {
                    result = .success(try await client.passiveLogin())
                } catch {
                    result = .failure(.init(error.description, unauthorized: error.kind == .unauthorized))
                }
                openRequested = false
                feed(.loggedIn(result))
                if openRequested, !Task.isCancelled { await connectOnce() }
            }
        } onCancel: {
            loginSink.finish()
        }
        ticker.cancel()
        socket.cancel()
        eventSink.finish()
    }

    private func connectOnce() async {
        let task = socket.open(
            base: client.base, path: "/sockjs/websocket", onOpen: { await self.opened() },
            onText: { await self.feed(.frame($0)) })
        let closed = await withTaskCancellationHandler {
            await task.value
        } onCancel: {
            task.cancel()
        }
        socket.ended()
        feed(.closed(code: closed.code, reason: closed.reason))
    }

    private func opened() {
        socket.opened()
        feed(.opened)
    }

    private func tick() {
        socket.giveUpIfStuck()
        feed(.tick)
    }

    private func feed(_ input: OctoPrintSession.Input) {
        perform(session.handle(input, at: ContinuousClock.now.seconds(since: started)))
    }

    private func perform(_ actions: [OctoPrintSession.Action]) {
        for action in actions {
            switch action {
            case .login(let delay): logins?.yield(delay)
            case .open: openRequested = true
            case .send(let text): socket.send(text)
            case .close(let reason):
                logger.debug("closing the socket: \(reason)")
                socket.close()
            case .poll:
                guard !polling else { continue }
                polling = true
                Task {
                    let answer = await client.poll()
                    self.polled(answer)
                }
            case .report(let report): eventSink.yield(.report(report))
            case .job(let job): eventSink.yield(.job(job))
            case .log(let message):
                logger.notice("\(message)", metadata: ["printer": .string(client.base.absoluteString)])
                eventSink.yield(.log(message))
            }
        }
    }

    private func polled(_ answer: Result<OctoPrintSession.PollAnswer, OctoPrintSession.Failure>) {
        polling = false
        feed(.polled(answer))
    }
}

// MARK: commands

extension OctoPrintConnector {
    public func upload(file: String, as name: String) async throws(ConnectorError) -> String {
        try await client.upload(file: file, as: name)
    }

    public func start(_ path: String) async throws(ConnectorError) { try await client.start(path) }
    public func pause() async throws(ConnectorError) { try await client.pause() }
    public func resume() async throws(ConnectorError) { try await client.resume() }
    public func cancel() async throws(ConnectorError) { try await client.cancel() }
    public func delete(_ path: String) async throws(ConnectorError) { try await client.delete(path) }

    /// OctoPrint keeps no print history: the job in progress, then each farm file's last print result.
    public func recentJobs(limit: Int) async throws(ConnectorError) -> [MachineJob] {
        var jobs: [MachineJob] = []
        let current = try await client.call(.GET, "/api/job")
        var status = OctoPrintStatus()
        status.apply(job: current)
        if let file = status.file, [.printing, .paused].contains(status.job) {
            jobs.append(MachineJob(filename: file, status: .inProgress, detail: "in progress"))
        }
        return Array((jobs + (try await client.results())).prefix(limit))
    }

    public func excludeObject(_ name: String) async throws(ConnectorError) -> [String] {
        throw ConnectorError(kind: .unsupported, message: "OctoPrint cannot skip one object of a print")
    }

    /// OctoPrint's way out of an error is connecting to the printer again (which resets most firmware); a failed
    /// job it remembers only in the farm's report, which the reset clears.
    public func recover(_ recovery: PrinterRecovery) async throws(ConnectorError) {
        switch recovery {
        case .firmwareRestart: try await client.reconnect()
        case .resetJob: perform(session.clearOutcome())
        }
    }

    /// The registered capabilities stand: OctoPrint's printer profile is often left at its defaults (a 200 mm
    /// cube), so unlike Klipper's configuration it is no evidence of the machine.
    public func capabilities(applyingTo registered: PrinterCapabilities) async throws(ConnectorError)
        -> PrinterCapabilities
    {
        registered
    }

    public func track(file path: String) async {}

    /// OctoPrint's webcams (`/api/settings`: each webcam's classic stream and snapshot addresses, else the default
    /// webcam's); a relative address is on OctoPrint's own web server.
    public func cameras() async throws(ConnectorError) -> [CameraSource] {
        let webcam = try await client.call(.GET, "/api/settings")["webcam"]
        guard webcam?["webcamEnabled"]?.bool != false else { return [] }
        let base = client.base
        var sources = (webcam?["webcams"]?.array ?? []).compactMap { cam -> CameraSource? in
            let compat = cam["compat"]
            let source = CameraSource(
                name: cam["name"]?.string ?? "camera",
                snapshot: CameraSource.resolve(compat?["snapshot"]?.string, on: base),
                stream: CameraSource.resolve(compat?["stream"]?.string, on: base))
            return source.snapshot == nil && source.stream == nil ? nil : source
        }
        if sources.isEmpty {
            let fallback = CameraSource(
                name: webcam?["defaultWebcam"]?.string ?? "camera",
                snapshot: CameraSource.resolve(webcam?["snapshotUrl"]?.string, on: base),
                stream: CameraSource.resolve(webcam?["streamUrl"]?.string, on: base))
            if fallback.snapshot != nil || fallback.stream != nil { sources.append(fallback) }
        }
        return sources
    }
}
