import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A camera stand-in, as mjpg-streamer or a network camera answers: a JPEG at `snapshot`, an MJPEG stream
/// (`multipart/x-mixed-replace`) at `stream`, each frame numbered in a JPEG comment so frames differ. Its
/// misbehaving cousins, for the tests of everything that reads cameras: `/hang` (accepts, never answers),
/// `/html` (a login page), `/huge.jpg` and `/huge.mjpg` (a 50 MB frame that never ends).
public enum VirtualCamera {
    public static let snapshotPath = "/webcam/snapshot.jpg"
    public static let streamPath = "/webcam/stream.mjpg"

    /// A 320 × 240 picture of a printer bed.
    public static let picture: [UInt8] = Array(Data(base64Encoded: encoded, options: .ignoreUnknownCharacters)!)

    /// `picture` with frame number `index` in a comment segment right after its start-of-image marker.
    public static func frame(_ index: Int) -> [UInt8] {
        let text = Array("frame \(index)".utf8)
        let length = UInt16(text.count + 2)
        return [0xFF, 0xD8, 0xFF, 0xFE, UInt8(length >> 8), UInt8(length & 0xFF)] + text + picture.dropFirst(2)
    }

    /// Adds the camera's routes; `fps` paces the stream; `/hang` answers after `hang` (a server shutting down
    /// gracefully waits for it).
    public static func addRoutes<Context: RequestContext>(
        to router: Router<Context>, fps: Double = 5, hang: Duration = .seconds(30)
    ) {
        router.get(RouterPath(snapshotPath)) { _, _ in
            Response(
                status: .ok, headers: [.contentType: "image/jpeg"], body: .init(byteBuffer: ByteBuffer(bytes: picture)))
        }
        router.get(RouterPath(streamPath)) { _, _ in
            stream(fps: fps) { frame($0) }
        }
        router.get("/hang") { _, _ -> Response in
            try await Task.sleep(for: hang)
            return Response(status: .noContent)
        }
        router.get("/html") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/html"],
                body: .init(byteBuffer: ByteBuffer(string: "<html><body><form>Camera login</form></body></html>")))
        }
        router.get("/huge.jpg") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "image/jpeg"],
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(bytes: [0xFF, 0xD8]))
                    let chunk = ByteBuffer(repeating: 0x55, count: 1 << 20)
                    for _ in 0..<50 { try await writer.write(chunk) }
                    try await writer.finish(nil)
                })
        }
        router.get("/huge.mjpg") { _, _ in
            stream(fps: fps) { _ in [0xFF, 0xD8] + [UInt8](repeating: 0x55, count: 50 << 20) }
        }
    }

    /// The camera alone, as its own server on `port` (0: any free one, told to `onRunning`).
    public static func application(
        host: String = "127.0.0.1", port: Int, fps: Double = 5, hang: Duration = .seconds(30),
        onRunning: @escaping @Sendable (Int) async -> Void
    ) -> some ApplicationProtocol {
        let router = Router()
        addRoutes(to: router, fps: fps, hang: hang)
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "virtual-camera"),
            onServerRunning: { await onRunning($0.localAddress?.port ?? port) })
    }

    static let boundary = "printfarmframe"

    static func stream(fps: Double, frame: @escaping @Sendable (Int) -> [UInt8]) -> Response {
        Response(
            status: .ok, headers: [.contentType: "multipart/x-mixed-replace; boundary=\(boundary)"],
            body: ResponseBody { writer in
                var index = 0
                while !Task.isCancelled {
                    let bytes = frame(index)
                    let head = "--\(boundary)\r\nContent-Type: image/jpeg\r\nContent-Length: \(bytes.count)\r\n\r\n"
                    try await writer.write(ByteBuffer(string: head))
                    try await writer.write(ByteBuffer(bytes: bytes))
                    try await writer.write(ByteBuffer(string: "\r\n"))
                    index += 1
                    try await Task.sleep(for: .seconds(1 / fps))
                }
                try await writer.finish(nil)
            })
    }

    private static let encoded = """
        /9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAA0JCgsKCA0LCgsODg0PEyAVExISEyccHhcgLikxMC4pLSwzOko+MzZGNywtQFdBRkxO
        UlNSMj5aYVpQYEpRUk//2wBDAQ4ODhMREyYVFSZPNS01T09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09P
        T09PT09PT0//wAARCADwAUADASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUF
        BAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVW
        V1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi
        4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAEC
        AxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVm
        Z2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq
        8vP09fb3+Pn6/9oADAMBAAIRAxEAPwDkqKKK2MgopVUswUYyfU4FJQAUVYNlOsEszqEWMJnccE7xlcfUAmq9ABRRRQAUUUUAFFFF
        ABRTzE4hWYqfLZiqt2JGCR+o/OmUAFFSRwySpK6LlYV3uc9BuC5/NhTCpChuMH35oASiiigAooooAKKKKACiiigAooooAKKKKACi
        iigAooooAKKKKACiiigAooooAKKKKACtXQnKR6ky3H2dhajEvPy/vY/Tn8qyqKAOj/te3F1p+24IjjvhNcEKRuAWIFyMc5Kucdar
        Q6mi2tratORAtlOkkeDgyEylcjvyUIPb86xaKLDudOmsQsNsmoyAMtt/f+UpC6kHg/x7TxnrkcjipqWpQvDfJbXGWuGtslQw37Ym
        D8nn7xHXk1h0UrBc6a71uKeW5BumeKSW84IbBRkHlDp03ZIHY88VTsry3W1tY2vTBEny3EIi3mQl87sEbT8uOvI29KxaKLBc6K61
        aJWklt7vNwbEReYm/Jfzw3Vhn7g6+2PapZNYtJLiZ/OUt51wLd3DgRITGU+7hgMBxgdM9Oa5iiiwXN46nbmS5Bn2LPc25cxofmRV
        YOcNnPJB55Oee9Lc6jA2rWVwl1GzRwMkkpEhG4l8cnDdCvI6dumKwKKLCudT/att5ZVdTkBSR3TdvwxZYxnIXOOJOeCc89TUX9r2
        0d9GILgpatqks0oVSAYWKYyMcggNx+lc3RRYdzdOoQf2XPGLoFHtYo0tCrYDq6Fj0xztY5B70yx1KCCGFgVhkja7YKoYhS8KqnXP
        Vh6/WsWinYVy7qN0LqOzdpGkmWArMzZJLb3xknr8pWqVFFABRRRQAUUUUAFFFFABRRRQAUUUUAFFFFABRRRQAUUUUAFFFFABRRRQ
        AUUUUAFFFFABRRRQAUUUUAFFFFABRRRQAUUUUAFFFFABRRRQAUUUUAFFFFABRRRQAUUUUAFFFFABRRRQAUUUUAFFFFABRRRQAUUU
        UAFFFFABRRRQAUUUUAFFFFABRRRQAUUUUAFFFFABRRRQAUUUUAFFFFABRRRQAUUUUAFFFFABRRRQAUUUUAFFFFABRRRQAUUUUAFF
        FFABRRRQAUUUUAFFFFABRRRQAUUUUAFFFFABRRRQAUUUUAFFFFABRRRQAUUUUAFFFFABRRRQAUUUUAFFFFABRRRQAUUUUAFFFFAB
        RRRQAUUUUAFFFFABRRRQAUUUUAFFFFABRRRQAUUUUAFFFFABRRRQAUUUUAFFFFABRRRQAUUUUAFFFFABRRRQAUUUUAFFFFABRRRQ
        AUUUUAFFFFABRRRQAUUUUAFFFFABRRRQAUUUUAFFFFABRRRQAUUUUAFFFFABRRRQAUUUUAFFFFABRRRQAUUUUAFFFFABRRRQAUUU
        UAFFFFABRRRQAUUUUAFFFFABRRRQAUUUUAFFFFABRRRQAUUUUAFFFFABRRRQAUUUUAFFFFABRRRQAUUUUAFFFFABRRRQAUUUUAFF
        FFABRRRQAUUUUAFFFFABRRRQAUUUUAFFFFABRRRQAUUUUAFFFFABRRRQAUUUUAFFFFABRRRQAUUUUAFFFWdPtftt7Hb79m/PzYzj
        AJ/pSlJRTk9kNJt2RWorov8AhF/+n3/yF/8AXo/4Rf8A6ff/ACF/9euX69h/5vwf+Rt9Wq9jnaK6L/hF/wDp9/8AIX/16P8AhF/+
        n3/yF/8AXo+vYf8Am/B/5B9Wq9jnaK6L/hF/+n3/AMhf/Xo/4Rf/AKff/IX/ANej69h/5vwf+QfVqvY52iui/wCEX/6ff/IX/wBe
        j/hF/wDp9/8AIX/16Pr2H/m/B/5B9Wq9jnaK6L/hF/8Ap9/8hf8A16P+EX/6ff8AyF/9ej69h/5vwf8AkH1ar2Odorov+EX/AOn3
        /wAhf/Xo/wCEX/6ff/IX/wBej69h/wCb8H/kH1ar2Odoq7qth/Z1ysPm+ZuQNnbjuR6+1Uq6YTU4qUdjGUXF2YUUUVQgooooAKKK
        KACiiigAooooAKKKKACiiigAooooAKKKKACiiigAooooAKKKKACtHw//AMhq3/4F/wCgms6tHw//AMhq3/4F/wCgmssR/Cl6P8i6
        Xxx9Ts6KKK+YPZCiiigAooooAKKKKACiiigAooooA5XxT/yEo/8AriP5tWLW14p/5CUf/XEfzasWvpMJ/BieRX/iMKKKK6DIKKKK
        ACiiigAooooAKKKKACiiigAooooAKKKKACiiigAooooAKKKKACiiigArR8P/APIat/8AgX/oJrOrR8P/APIat/8AgX/oJrLEfwpe
        j/Iul8cfU7OiiivmD2QooooAKKKKACiiigAooooAKKKKAOV8U/8AISj/AOuI/m1YtbXin/kJR/8AXEfzasWvpMJ/BieRX/iMKKKK
        6DIKKKKACiiigAooooAKKKKACiiigAooooAKKKKACiiigAooooAKKKKACiiigArR8P8A/Iat/wDgX/oJrOrR8P8A/Iat/wDgX/oJ
        rLEfwpej/Iul8cfU7OiiivmD2QooooAKKKKACiiigAooooAKKKKAOV8U/wDISj/64j+bVi1teKf+QlH/ANcR/Nqxa+kwn8GJ5Ff+
        IwoooroMgooooAKKKKACiiigAooooAKKKKACiiigAooooAKKK7+tIQ5jOc+U4Ciu/oq/Y+ZHtvI4Ciu/oo9j5h7byOAorv6KPY+Y
        e28jgK0fD/8AyGrf/gX/AKCa66ioq4bng4p7oqGI5ZJ2JaKjyfU0ZPqa8j+xan8yO/8AtKH8pJRUeT6mjJ9TR/YtT+ZB/aUP5SSi
        o8n1NGT6mj+xan8yD+0ofyklFR5PqaMn1NH9i1P5kH9pQ/lJKKjyfU0ZPqaP7FqfzIP7Sh/KSUVHk+poyfU0f2LU/mQf2lD+U5nx
        T/yEo/8AriP5tWLXf9etFetRwrp01BvY4amJ5pOSRwFFd/RWnsfMj23kcBRXf0Uex8w9t5HAUV39FHsfMPbeRwFFd/XEah/yEbn/
        AK6v/M1E6fKXCfMV6KKKzNAooooAKKKKACiiigArv64CitIT5TOcOY7+iuAoq/beRHsfM7+iuAoo9t5B7HzO/orgKKPbeQex8zv6
        K4Cij23kHsfM7+iuAoo9t5B7HzO/orgKKPbeQex8zv6K4Cij23kHsfM7+iuAoo9t5B7HzO/orgKKPbeQex8zv6K4Cij23kHsfM7+
        iuAoo9t5B7HzO/orgKKPbeQex8zv6K4Cij23kHsfM7+iuAoo9t5B7HzO/riNQ/5CNz/11f8Amar0VE6nMXCHKFFFFZmgUUUUAFFF
        FABRRRQAUUUUAFFFFABRRRQAUUUUAFFFFABRRRQAUUUUAFFFFABRRRQAUUUUAFFFFABRRRQAUUUUAFFFFABRRRQAUUUUAFFFFABR
        RRQB/9k=
        """
}
