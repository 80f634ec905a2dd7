import Foundation
import HTTPTypes
import HummingbirdCore
import NIOCore
import NIOHTTPTypes

/// How long and how large a client may make the server wait. A connection is a file descriptor: one that a client
/// holds without finishing its request is one fewer for everyone else.
public struct ConnectionLimits: Sendable, Equatable {
    /// From opening a connection (or the end of the previous response) to a complete request head.
    public var headerTimeout: TimeAmount
    /// Longest silence while a request body is being read.
    public var bodyIdleTimeout: TimeAmount
    /// Slowest average body rate accepted once a body has been read for `bodyIdleTimeout` (bytes per second).
    public var minimumBodyRate: Int

    public init(
        headerTimeout: TimeAmount = .seconds(20), bodyIdleTimeout: TimeAmount = .seconds(20),
        minimumBodyRate: Int = 1024
    ) {
        self.headerTimeout = headerTimeout
        self.bodyIdleTimeout = bodyIdleTimeout
        self.minimumBodyRate = minimumBodyRate
    }

    /// The process's open-file limit (raised to its hard limit first) less what the rest of the server needs: a tenth,
    /// at least 1,024. why: a cap of 4,096 kept descriptors free but made /healthz wait behind a flood of 19,000 held
    /// connections (p50 338 ms, p99 7.3 s) that an uncapped server answered in 11 ms; near the limit, accept never
    /// runs out of descriptors and the guard's timeouts free the slots.
    public static func defaultMaxConnections() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 4096 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        let files = Int(min(limit.rlim_cur, 1 << 20))
        return max(256, files - max(1024, files / 10))
    }
}

/// Refuses a declared body larger than its route accepts before reading a byte of it, and closes connections whose
/// client does not send a request head in time or lets its body stall or trickle. Sits after the HTTP codec.
///
/// why: probing found that 20,000 connections each declaring a 2 GB JSON body (and sending nothing) exhausted the
/// server's file descriptors and `/healthz` stopped answering (issue 17); the body limit was checked only as the body
/// arrived, and nothing timed out a request that never finished.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private enum Phase {
        /// Waiting for a request head since `since`.
        case idle(since: NIODeadline)
        /// Reading a body: its start, the last time bytes came, how many.
        case body(started: NIODeadline, lastByte: NIODeadline, received: Int)
        /// The request is with the application until its response ends.
        case handling
        /// Refused: everything more from the client is ignored until the connection closes.
        case refused
    }

    private let limits: ConnectionLimits
    private let maxBodyBytes: Int
    private let maxUploadBytes: Int
    private let maxWebhookBytes: Int
    private var phase = Phase.idle(since: .now())
    private var timer: Scheduled<Void>?

    init(limits: ConnectionLimits, maxBodyBytes: Int, maxUploadBytes: Int, maxWebhookBytes: Int) {
        self.maxWebhookBytes = maxWebhookBytes
        self.limits = limits
        self.maxBodyBytes = maxBodyBytes
        self.maxUploadBytes = maxUploadBytes
    }

    /// The largest body the route of `head` accepts: artifact uploads stream to disk, shop webhooks may be several
    /// MiB, everything else is JSON.
    static func limit(for head: HTTPRequest, maxBodyBytes: Int, maxUploadBytes: Int, maxWebhookBytes: Int) -> Int {
        let path = head.path.map { $0.split(separator: "?", maxSplits: 1).first.map(String.init) ?? $0 } ?? ""
        guard head.method == .post else { return maxBodyBytes }
        if path == "/api/v1/artifacts" { return maxUploadBytes }
        if path.hasPrefix("/webhooks/") { return maxWebhookBytes }
        return maxBodyBytes
    }

    func handlerAdded(context: ChannelHandlerContext) {
        phase = .idle(since: .now())
        schedule(context, after: limits.headerTimeout)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch (phase, part) {
        case (.refused, _):
            return
        case (_, .head(let head)):
            let limit = Self.limit(
                for: head, maxBodyBytes: maxBodyBytes, maxUploadBytes: maxUploadBytes, maxWebhookBytes: maxWebhookBytes)
            if let declared = head.headerFields[.contentLength].flatMap({ Int($0) }), declared > limit {
                refuse(context, declared: declared, limit: limit)
                return
            }
            let now = NIODeadline.now()
            phase = .body(started: now, lastByte: now, received: 0)
            schedule(context, after: limits.bodyIdleTimeout)
        case (.body(let started, _, let received), .body(let bytes)):
            phase = .body(started: started, lastByte: .now(), received: received + bytes.readableBytes)
        case (_, .end):
            timer?.cancel()
            timer = nil
            phase = .handling
        default:
            break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), case .handling = phase {
            phase = .idle(since: .now())
            schedule(context, after: limits.headerTimeout)
        }
        context.write(data, promise: promise)
    }

    private func schedule(_ context: ChannelHandlerContext, after delay: TimeAmount) {
        timer?.cancel()
        timer = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: delay) { self.check(context) }
    }

    /// Closes a connection past its deadline; otherwise looks again when the next deadline comes.
    private func check(_ context: ChannelHandlerContext) {
        timer = nil
        let now = NIODeadline.now()
        switch phase {
        case .idle(let since):
            let due = since + limits.headerTimeout
            if now >= due { context.close(promise: nil) } else { schedule(context, after: due - now) }
        case .body(let started, let lastByte, let received):
            let silentUntil = lastByte + limits.bodyIdleTimeout
            let elapsed = now - started
            let tooSlow =
                elapsed >= limits.bodyIdleTimeout
                && Double(received) < Double(limits.minimumBodyRate) * Double(elapsed.nanoseconds) / 1e9
            if now >= silentUntil || tooSlow {
                context.close(promise: nil)
            } else {
                schedule(context, after: min(silentUntil - now, .seconds(1)))
            }
        case .handling, .refused:
            break
        }
    }

    /// Answers 413 with a problem and closes the connection, so the declared body is never read.
    private func refuse(_ context: ChannelHandlerContext, declared: Int, limit: Int) {
        phase = .refused
        timer?.cancel()
        timer = nil
        let problem =
            limit == maxUploadBytes && limit != maxBodyBytes
            ? Problem.uploadTooLarge(limit) : Problem.payloadTooLarge(limit)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = ByteBuffer(data: (try? encoder.encode(problem)) ?? Data())
        let head = HTTPResponse(
            status: .contentTooLarge,
            headerFields: [
                .contentType: "application/problem+json", .contentLength: String(body.readableBytes),
                .connection: "close",
            ])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}
