import AsyncHTTPClient
import FarmDomain
import Foundation
import Logging
import NIOCore

/// The IO around a `MoonrakerSession`: one WebSocket at a time (reopened when the session says so), a tick every
/// fifth of the silence limit (at most 1 s: a timer per printer is a real cost in a farm of a thousand), HTTP
/// polls when asked, and the session's reports, history changes and logs as an event stream. Commands and files
/// go through `client`. Run it in a task; cancelling the task closes everything.
public actor MoonrakerConnector: PrinterConnector {
    public nonisolated let client: MoonrakerClient
    public nonisolated let events: AsyncStream<MachineEvent>
    private let eventSink: AsyncStream<MachineEvent>.Continuation
    private var session: MoonrakerSession
    private let logger: Logger
    private let started = ContinuousClock.now
    private var opens: AsyncStream<Double>.Continuation?
    private var socket = SessionSocket()
    private var polling = false
    private let tickPeriod: Duration

    public init(
        client: MoonrakerClient, configuration: MoonrakerSession.Configuration, seed: UInt64,
        logger: Logger = Logger(label: "printfarm.moonraker")
    ) {
        self.client = client
        session = MoonrakerSession(configuration: configuration, seed: seed)
        tickPeriod = .seconds(min(1, max(0.05, configuration.silenceLimit / 5)))
        self.logger = logger
        (events, eventSink) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1024))
    }

    /// The latest report (nil before the first).
    public var report: MachineReport? { session.lastReport }

    /// Connects and keeps connecting until the calling task is cancelled.
    public func run() async {
        let (openStream, openSink) = AsyncStream<Double>.makeStream()
        opens = openSink
        perform(session.start())
        let ticker = Task { [weak self, tickPeriod] in
            while !Task.isCancelled {
                try? await Task.sleep(for: tickPeriod)
                await self?.tick()
            }
        }
        await withTaskCancellationHandler {
            for await delay in openStream {
                if delay > 0 { try? await Task.sleep(for: .seconds(delay)) }
                if Task.isCancelled { break }
                await connectOnce()
            }
        } onCancel: {
            openSink.finish()
        }
        ticker.cancel()
        socket.cancel()
        eventSink.finish()
    }

    /// Tells the session the printed byte range of a file, so progress is true progress (from its metadata).
    public func track(file path: String) async {
        guard let metadata = try? await client.metadata(path), let start = metadata["gcode_start_byte"]?.int,
            let end = metadata["gcode_end_byte"]?.int
        else { return }
        perform(session.setGCodeBytes(filename: path, start: start, end: end))
    }

    private func connectOnce() async {
        let task = socket.open(
            base: client.base, path: "/websocket", onOpen: { await self.opened() },
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

    private func feed(_ input: MoonrakerSession.Input) {
        perform(session.handle(input, at: ContinuousClock.now.seconds(since: started)))
    }

    private func perform(_ actions: [MoonrakerSession.Action]) {
        for action in actions {
            switch action {
            case .send(let text): socket.send(text)
            case .close(let reason):
                logger.debug("closing the socket: \(reason)")
                socket.close()
            case .open(let delay): opens?.yield(delay)
            case .poll:
                guard !polling else { continue }
                polling = true
                Task {
                    let answer = await client.poll()
                    self.polled(answer)
                }
            case .report(let report): eventSink.yield(.report(report))
            case .history(_, let filename?, let status?, let jobID):
                let job = MoonrakerClient.HistoryJob(jobID: jobID ?? "", filename: filename, status: status)
                eventSink.yield(.job(job.machineJob))
            case .history: break
            case .gcodeError(let message): eventSink.yield(.machineError(message))
            case .log(let message):
                logger.notice("\(message)", metadata: ["printer": .string(client.base.absoluteString)])
                eventSink.yield(.log(message))
            }
        }
    }

    private func polled(_ answer: Result<MoonrakerSession.PollAnswer, MoonrakerSession.PollFailure>) {
        polling = false
        feed(.polled(answer))
    }
}

// MARK: commands

extension MoonrakerConnector {
    public func upload(file: String, as name: String) async throws(ConnectorError) -> String {
        try await client.upload(file: file, as: name)
    }

    public func start(_ path: String) async throws(ConnectorError) { try await client.start(path) }
    public func pause() async throws(ConnectorError) { try await client.pause() }
    public func resume() async throws(ConnectorError) { try await client.resume() }
    public func cancel() async throws(ConnectorError) { try await client.cancel() }
    public func delete(_ path: String) async throws(ConnectorError) { try await client.delete(path) }

    public func recentJobs(limit: Int) async throws(ConnectorError) -> [MachineJob] {
        try await client.history(limit: limit).map(\.machineJob)
    }

    public func excludeObject(_ name: String) async throws(ConnectorError) -> [String] {
        try await client.excludeObject(name)
    }

    /// A shut-down Klippy needs `FIRMWARE_RESTART`; a ready one whose last print ended in a G-code error needs the
    /// job cleared (`SDCARD_RESET_FILE`).
    public func recover(_ recovery: PrinterRecovery) async throws(ConnectorError) {
        switch recovery {
        case .resetJob: try await client.runGCode("SDCARD_RESET_FILE")
        case .firmwareRestart: try await client.firmwareRestart()
        }
    }

    /// From Klipper's configuration: axes, nozzle, heater limits; what Klipper does not know stays as registered.
    public func capabilities(applyingTo registered: PrinterCapabilities) async throws(ConnectorError)
        -> PrinterCapabilities
    {
        KlipperConfig(settings: try await client.configSettings()).applied(to: registered)
    }

    /// Moonraker's webcams (`/server/webcams/list`). A relative address is on the machine's web server (port 80,
    /// where Mainsail, Fluidd and the camera streamer live), not on Moonraker's port.
    public func cameras() async throws(ConnectorError) -> [CameraSource] {
        let list = try await client.webcams()
        var web = URLComponents()
        web.scheme = client.base.scheme
        web.host = client.base.host
        guard let origin = web.url else { return [] }
        return list.compactMap { cam in
            guard cam["enabled"]?.bool != false else { return nil }
            let source = CameraSource(
                name: cam["name"]?.string ?? "camera",
                snapshot: CameraSource.resolve(cam["snapshot_url"]?.string, on: origin),
                stream: CameraSource.resolve(cam["stream_url"]?.string, on: origin))
            return source.snapshot == nil && source.stream == nil ? nil : source
        }
    }
}
