import FarmAuth
import FarmDomain
import FarmShops
import FarmStore
import Foundation
import Glibc
import Hummingbird
import Logging
import NIOCore
import PrinterTestSupport
import ServiceLifecycle
import Testing

@testable import FarmServer

/// What a hostile or broken client can do to the server's connections, against a real listening server.
@Suite("Connection guard", .serialized)
struct ConnectionGuardTests {
    /// A plain TCP connection to 127.0.0.1 that the test writes raw HTTP to.
    final class RawConnection: @unchecked Sendable {
        let descriptor: Int32

        init(port: Int) throws {
            descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard connected == 0 else {
                _ = Glibc.close(descriptor)
                throw POSIXError(.ECONNREFUSED)
            }
        }

        deinit { _ = Glibc.close(descriptor) }

        func send(_ text: String) {
            _ = text.utf8CString.dropLast().withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
        }

        /// Everything the server sends until it closes the connection, or nil when it is still open after `seconds`.
        func readUntilClosed(within seconds: Double) -> String? {
            var received = [UInt8]()
            let deadline = Date().addingTimeInterval(seconds)
            var buffer = [UInt8](repeating: 0, count: 4096)
            while Date() < deadline {
                var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                guard poll(&poller, 1, 100) > 0 else { continue }
                let count = recv(descriptor, &buffer, buffer.count, 0)
                if count <= 0 { return String(decoding: received, as: UTF8.self) }
                received += buffer[..<count]
            }
            return nil
        }
    }

    /// A real server (SQLite, no printers) with short limits, on a free port, for the time of `body`.
    func withServer(
        _ limits: ConnectionLimits, prepare: (ServerConfiguration) async throws -> Void = { _ in },
        _ body: @Sendable (Int) async throws -> Void
    ) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "printfarm-guard-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var configuration = ServerConfiguration(
            host: "127.0.0.1", port: 0, dataDirectory: directory, maxBodyBytes: 1 << 20, maxUploadBytes: 8 << 20)
        configuration.connectPrinters = false
        configuration.connectionLimits = limits
        try await prepare(configuration)
        let (ports, portSink) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "guard-test")
        logger.logLevel = .error
        let app = try await buildApplication(
            configuration: configuration, dependencies: ServerDependencies(onServerRunning: { portSink.yield($0) }),
            logger: logger)
        // A graceful shutdown: cancelling the server killed the whole test process under load.
        try await withRunningService(app, ports: ports, logger: logger, body)
    }

    func healthz(_ port: Int, within seconds: Double) throws -> String? {
        let connection = try RawConnection(port: port)
        connection.send("GET /healthz HTTP/1.1\r\nHost: farm\r\nConnection: close\r\n\r\n")
        return connection.readUntilClosed(within: seconds)
    }

    @Test("a declared body over the route's limit is refused at once with a problem, before a byte of it is read")
    func oversizedDeclared() async throws {
        try await withServer(ConnectionLimits(headerTimeout: .seconds(60), bodyIdleTimeout: .seconds(60))) { port in
            let json = try RawConnection(port: port)
            json.send(
                "POST /api/v1/intents HTTP/1.1\r\nHost: farm\r\nContent-Type: application/json\r\nContent-Length: 2000000000\r\n\r\n{"
            )
            let answer = try #require(
                json.readUntilClosed(within: 30), "answered and closed without waiting for the body or a timeout")
            #expect(answer.hasPrefix("HTTP/1.1 413"), "\(answer)")
            #expect(
                answer.contains("application/problem+json") && answer.contains("\"code\":\"payload-too-large\""),
                "\(answer)")
            let upload = try RawConnection(port: port)
            upload.send("POST /api/v1/artifacts?name=big.stl HTTP/1.1\r\nHost: farm\r\nContent-Length: 9000000\r\n\r\n")
            let refused = try #require(upload.readUntilClosed(within: 30))
            #expect(
                refused.hasPrefix("HTTP/1.1 413") && refused.contains("\"code\":\"upload-too-large\""), "\(refused)")
            // Under the limit the request goes on to the route (which asks for credentials first).
            let small = try RawConnection(port: port)
            small.send(
                "POST /api/v1/intents HTTP/1.1\r\nHost: farm\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"
            )
            #expect(try #require(small.readUntilClosed(within: 30)).hasPrefix("HTTP/1.1 401"))
        }
    }

    @Test(
        """
        a thousand held connections (half a head, a stalled body, a trickle) do not stop /healthz, and each is \
        closed after its timeout
        """
    )
    func heldConnections() async throws {
        let limits = ConnectionLimits(headerTimeout: .seconds(2), bodyIdleTimeout: .seconds(2), minimumBodyRate: 1024)
        try await withServer(limits) { port in
            var held: [RawConnection] = []
            for index in 0..<1000 {
                let connection = try RawConnection(port: port)
                switch index % 3 {
                case 0: connection.send("GET /api/v1/intents HTTP/1.1\r\nHost: farm\r\n")
                case 1:
                    connection.send(
                        "POST /api/v1/intents HTTP/1.1\r\nHost: farm\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
                    )
                default: connection.send("")
                }
                held.append(connection)
            }
            let health = try #require(
                try healthz(port, within: 20), "/healthz answers while a thousand connections are held")
            #expect(health.hasPrefix("HTTP/1.1 200"), "\(health)")
            // A client that keeps sending, but a byte at a time, is as bad as one that stops.
            let trickle = try RawConnection(port: port)
            trickle.send(
                "POST /api/v1/intents HTTP/1.1\r\nHost: farm\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
            )
            // The pace is what this part is about: one byte every 100 ms is 10 bytes a second.
            let trickling = Task {
                for _ in 0..<200 {
                    trickle.send(" ")
                    try? await Task.sleep(for: .milliseconds(100))
                }
            }
            defer { trickling.cancel() }
            for connection in held {
                #expect(
                    connection.readUntilClosed(within: 60) != nil,
                    "the server closes a connection that does not finish its request")
            }
            #expect(trickle.readUntilClosed(within: 60) != nil, "a body trickling at 10 bytes a second is cut off")
            #expect(try healthz(port, within: 20)?.hasPrefix("HTTP/1.1 200") == true)
        }
    }

    @Test(
        """
        a shop webhook stalled mid-body does not hold up another delivery, which is stored and answered 200; the \
        stalled one is closed
        """
    )
    func stalledWebhook() async throws {
        let connection = ShopConnectionID(UUID())
        let limits = ConnectionLimits(headerTimeout: .seconds(2), bodyIdleTimeout: .seconds(2), minimumBodyRate: 1024)
        try await withServer(
            limits,
            prepare: { configuration in
                let store = try await Store.open(try configuration.storageLocation(), logger: Logger(label: "prepare"))
                _ = try await ShopAccounts.connect(
                    intake: ShopIntake(store: store, now: { Date() }, logger: Logger(label: "prepare")),
                    platform: .shopify, name: "Main", endpoints: ShopEndpoints(api: "https://x.myshopify.com"),
                    secrets: ShopSecretsInput(webhookSecret: "test-client-secret"), id: connection,
                    context: CommandContext(actor: .cli, reason: .operatorRequest, time: Date()))
                await store.shutdown()
            }
        ) { port in
            func head(length: Int, signature: String) -> String {
                """
                POST /webhooks/shops/\(connection) HTTP/1.1\r\nHost: farm\r\nContent-Type: application/json\r\n\
                x-shopify-topic: orders/create\r\nx-shopify-hmac-sha256: \(signature)\r\n\
                x-shopify-shop-domain: x.myshopify.com\r\nx-shopify-api-version: 2026-07\r\n\
                x-shopify-webhook-id: \(UUID())\r\nx-shopify-event-id: \(UUID())\r\n\
                Content-Length: \(length)\r\nConnection: close\r\n\r\n
                """
            }
            let body = shopifyOrder()
            let signature = WebhookSignature(secret: Data("test-client-secret".utf8)).sign(body, encoding: .base64)
            // Shopify's own client stalls: its headers and a few bytes, then nothing.
            let stalled = try RawConnection(port: port)
            stalled.send(head(length: body.count, signature: signature) + "{\"id\": 8")
            let normal = try RawConnection(port: port)
            normal.send(head(length: body.count, signature: signature) + String(decoding: body, as: UTF8.self))
            let answer = try #require(normal.readUntilClosed(within: 20), "the other delivery is answered")
            #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer.prefix(200))")
            #expect(answer.contains("\"stored\""))
            #expect(stalled.readUntilClosed(within: 60) != nil, "the stalled delivery is closed after its timeout")
        }
    }
}
