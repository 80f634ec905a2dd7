import FarmStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle

/// `/api/v1/events`: the event log as CloudEvents, by page and live (Server-Sent Events).
struct EventRoutes {
    let services: FarmServices
    /// How often a live stream looks for events appended by other processes sharing the database.
    let pollInterval: Duration
    /// How many idle polls pass between keep-alive comments.
    let heartbeatEvery: Int

    func register(on routes: SecuredRoutes) {
        routes.get("/api/v1/events", .read) { request, _ in try await page(request) }
        routes.get("/api/v1/events/stream", .read) { request, _ in try stream(request) }
    }

    /// `{"events":[…CloudEvents…],"next":SEQ}`; pass `next` as `after` for the following page.
    func page(_ request: Request) async throws -> Response {
        let query = QueryParameters(request)
        let after = try query.int64("after", default: 0)
        let events = try await services.store.events.read(after: after, limit: try query.limit(default: 100, max: 1000))
        var data = Data("{\"events\":[".utf8)
        for (index, event) in events.enumerated() {
            if index > 0 { data.append(UInt8(ascii: ",")) }
            data.append(event.cloudEventJSON(source: services.eventSource))
        }
        data.append(contentsOf: Array("],\"next\":\(events.last?.sequence ?? after)}".utf8))
        return JSONIO.response(data)
    }

    /// Server-Sent Events, one CloudEvent per message, `id:` the global sequence. Resumes after `Last-Event-ID`
    /// or `?after=`; without either it starts at the current end. `?limit=N` closes the stream after N events.
    /// `?names=0` leaves out the `event:` line, so a browser's `EventSource.onmessage` sees every event.
    func stream(_ request: Request) throws -> Response {
        let query = QueryParameters(request)
        // why: `after` is checked even when Last-Event-ID wins over it, so a wrong one is refused, not ignored
        // (schemathesis found `?after=-1` accepted beside the header).
        let after = query.values["after"] == nil ? nil : try query.int64("after", default: 0)
        let resumeFrom: Int64?
        if let header = request.headers[.lastEventID] {
            guard let value = Int64(header), value >= 0 else {
                throw Problem.invalidParameter("Last-Event-ID", "the id of the last event received, a whole number")
            }
            resumeFrom = value
        } else {
            resumeFrom = after
        }
        let maxEvents = query.values["limit"] == nil ? nil : try query.limit(max: 100_000)
        let named = query.values["names"] != "0"
        let services = self.services
        let pollInterval = self.pollInterval
        let heartbeatEvery = self.heartbeatEvery
        let headers: HTTPFields = [
            .contentType: "text/event-stream", .cacheControl: "no-store", .init("X-Accel-Buffering")!: "no",
        ]
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                let store = services.store
                let (wakeups, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
                let signals = Task {
                    for await _ in store.broadcaster.subscribe() { wake.yield() }
                }
                let ticker = Task {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: pollInterval)
                        wake.yield()
                    }
                }
                defer {
                    signals.cancel()
                    ticker.cancel()
                    wake.finish()
                }
                var cursor: Int64
                if let resumeFrom { cursor = resumeFrom } else { cursor = try await store.events.headSequence() }
                var sent = 0
                var idle = 0
                try await writer.write(ByteBuffer(string: "retry: 2000\n: connected at sequence \(cursor)\n\n"))
                wake.yield()
                for await _ in wakeups.cancelOnGracefulShutdown() {
                    var wroteAny = false
                    while true {
                        let batch = try await store.events.read(after: cursor, limit: 500)
                        for event in batch {
                            var message = ByteBuffer(
                                string: named
                                    ? "id: \(event.sequence)\nevent: \(event.type)\ndata: "
                                    : "id: \(event.sequence)\ndata: ")
                            message.writeBytes(event.cloudEventJSON(source: services.eventSource))
                            message.writeString("\n\n")
                            try await writer.write(message)
                            cursor = event.sequence
                            sent += 1
                            wroteAny = true
                            if let maxEvents, sent >= maxEvents {
                                try await writer.finish(nil)
                                return
                            }
                        }
                        if batch.count < 500 { break }
                    }
                    idle = wroteAny ? 0 : idle + 1
                    if idle >= heartbeatEvery {
                        idle = 0
                        try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    }
                }
                try await writer.finish(nil)
            })
    }
}
