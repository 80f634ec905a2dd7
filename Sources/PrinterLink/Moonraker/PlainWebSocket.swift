import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// A minimal WebSocket client over NIO for printer hosts on the farm network: plain `ws://`, text messages, pings
/// answered, close codes reported. Written here because the available client sends `Origin: ws://host` without
/// the port, which Moonraker (tornado's same-origin check) refuses with 403 on any port but 80; this one sends no
/// Origin, as a non-browser client should.
enum PlainWebSocket {
    struct Closed: Sendable {
        var code: Int?
        var reason: String
    }

    enum Failure: Error, CustomStringConvertible {
        case invalidURL(String)
        case upgradeDeclined
        case unsupported(String)

        var description: String {
            switch self {
            case .invalidURL(let url): "not a ws:// address: \(url)"
            case .upgradeDeclined: "the server declined the WebSocket upgrade"
            case .unsupported(let what): what
            }
        }
    }

    private enum Upgrade: Sendable {
        case websocket(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>)
        case declined
    }

    /// Connects to `url`, then runs `session` with each text message delivered to `onText` and a writer for
    /// outgoing text (nil ends the connection with a normal close). Returns how the connection ended.
    static func run(
        url: URL, headers: HTTPHeaders = [:], connectTimeout: TimeAmount = .seconds(10),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        outgoing: AsyncStream<String?>, onOpen: @escaping @Sendable () async -> Void,
        onText: @escaping @Sendable (String) async -> Void
    ) async throws -> Closed {
        guard url.scheme == "ws", let host = url.host else {
            throw url.scheme == "wss"
                ? Failure.unsupported(
                    "wss:// is not supported yet; reach the printer over plain HTTP on the farm network")
                : Failure.invalidURL(url.absoluteString)
        }
        let port = url.port ?? 80
        var requestHeaders = headers
        requestHeaders.replaceOrAdd(name: "Host", value: "\(host):\(port)")
        let path = url.path.isEmpty ? "/" : url.path + (url.query.map { "?\($0)" } ?? "")
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: requestHeaders)
        let upgrade = try await ClientBootstrap(group: group)
            .connectTimeout(connectTimeout)
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let upgrader = NIOTypedWebSocketClientUpgrader<Upgrade>(maxFrameSize: 16 << 20) { channel, _ in
                        channel.eventLoop.makeCompletedFuture {
                            .websocket(
                                try NIOAsyncChannel<WebSocketFrame, WebSocketFrame>(
                                    wrappingChannelSynchronously: channel))
                        }
                    }
                    var configuration = NIOUpgradableHTTPClientPipelineConfiguration(
                        upgradeConfiguration: NIOTypedHTTPClientUpgradeConfiguration(
                            upgradeRequestHead: head, upgraders: [upgrader],
                            notUpgradingCompletionHandler: { channel in
                                channel.eventLoop.makeCompletedFuture { .declined }
                            }))
                    configuration.leftOverBytesStrategy = .forwardBytes
                    return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(
                        configuration: configuration)
                }
            }
            .get()
        guard case .websocket(let channel) = upgrade else { throw Failure.upgradeDeclined }
        return try await channel.executeThenClose { inbound, outbound in
            await onOpen()
            return try await withThrowingTaskGroup(of: Closed?.self) { group in
                group.addTask {
                    var text = ByteBuffer()
                    var inText = false
                    for try await frame in inbound {
                        switch frame.opcode {
                        case .text, .continuation:
                            if frame.opcode == .text {
                                text.clear()
                                inText = true
                            }
                            guard inText else { continue }
                            var data = frame.unmaskedData
                            text.writeBuffer(&data)
                            if frame.fin {
                                inText = false
                                await onText(String(buffer: text))
                            }
                        case .ping:
                            try await outbound.write(
                                WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData))
                        case .connectionClose:
                            var data = frame.unmaskedData
                            let code = data.readInteger(as: UInt16.self).map(Int.init)
                            let reason = data.readString(length: data.readableBytes) ?? ""
                            // Echo the close, as the protocol asks, then stop.
                            var echo = ByteBuffer()
                            if let code { echo.writeInteger(UInt16(code)) }
                            try? await outbound.write(
                                WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: echo))
                            return Closed(code: code, reason: reason.isEmpty ? "closed by the printer" : reason)
                        default:
                            continue
                        }
                    }
                    return Closed(code: 1006, reason: "the connection dropped")
                }
                group.addTask {
                    for await message in outgoing {
                        guard let message else {
                            var payload = ByteBuffer()
                            payload.writeInteger(UInt16(1000))
                            try await outbound.write(
                                WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: payload))
                            return nil
                        }
                        try await outbound.write(
                            WebSocketFrame(
                                fin: true, opcode: .text, maskKey: .random(), data: ByteBuffer(string: message)))
                    }
                    return nil
                }
                // The reader decides how it ended; a close we asked for ends with the writer.
                let first = try await group.next() ?? nil
                group.cancelAll()
                return first ?? Closed(code: 1000, reason: "closed by us")
            }
        }
    }
}

extension PlainWebSocket {
    /// One connection to `path` on the host of `base` (its http(s) scheme made ws(s)), in a task that ends when the
    /// connection closes; failing to connect ends it too, with the reason in words. Cancelling the task closes it.
    static func open(
        base: URL, path: String, outgoing: AsyncStream<String?>, onOpen: @escaping @Sendable () async -> Void,
        onText: @escaping @Sendable (String) async -> Void
    ) -> Task<Closed, Never> {
        var text = base.absoluteString
        if text.hasSuffix("/") { text.removeLast() }
        text =
            text.replacingOccurrences(of: "https://", with: "wss://").replacingOccurrences(of: "http://", with: "ws://")
            + path
        return Task {
            do {
                guard let url = URL(string: text) else { throw Failure.invalidURL(text) }
                return try await run(url: url, outgoing: outgoing, onOpen: onOpen, onText: onText)
            } catch {
                return Closed(code: nil, reason: describe(error))
            }
        }
    }

    /// A connection failure in an operator's words.
    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "connection refused" }
        return String(text.prefix(200))
    }
}
