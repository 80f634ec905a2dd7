import Foundation

@testable import PrinterLink

/// One recorded Moonraker session (Tests/PrinterLinkTests/Recordings, from real Moonraker 0.11 + Klipper) played
/// through a `MoonrakerSession`. The recorder's request ids differ from the session's, so an answer is delivered
/// to the session's oldest open request of the same method (an HTTP GET of /server/info answers a pending
/// `server.info`: Moonraker gives the same result on both); answers to requests the session never made are dropped.
struct RecordingReplay {
    struct Outcome {
        var actions: [(at: Double, action: MoonrakerSession.Action)] = []
        var reports: [MachineReport] {
            actions.compactMap { if case .report(let report) = $0.action { report } else { nil } }
        }
        var sent: [String] {
            actions.compactMap {
                if case .send(let text) = $0.action { JSONValue.parse(text)?["method"]?.string } else { nil }
            }
        }
        var histories: [(action: String, status: String?)] {
            actions.compactMap {
                if case .history(let action, _, let status, _) = $0.action { (action, status) } else { nil }
            }
        }
        var logs: [String] { actions.compactMap { if case .log(let text) = $0.action { text } else { nil } } }
    }

    static let folder = Bundle.module.resourceURL!.appendingPathComponent("Recordings")

    static func lines(_ name: String) throws -> [JSONValue] {
        let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
        return text.split(whereSeparator: \.isNewline).compactMap { JSONValue.parse(String($0)) }
    }

    static let httpMethods = ["/server/info": "server.info", "/printer/info": "printer.info"]

    static func play(_ name: String, configuration: MoonrakerSession.Configuration = .init(), tickEvery: Double = 0.25)
        throws -> Outcome
    {
        var session = MoonrakerSession(configuration: configuration, seed: 7)
        var outcome = Outcome()
        var recorderMethods: [Int: String] = [:]
        var open: [(id: Int, method: String)] = []
        var clock = 0.0
        func apply(_ actions: [MoonrakerSession.Action], at time: Double) {
            for action in actions {
                outcome.actions.append((time, action))
                if case .send(let text) = action, let frame = JSONValue.parse(text), let id = frame["id"]?.int,
                    let method = frame["method"]?.string
                {
                    open.append((id, method))
                }
            }
        }
        func answer(method: String, with frame: JSONValue, at time: Double) {
            guard let index = open.firstIndex(where: { $0.method == method }), var object = frame.object else { return }
            object["id"] = .number(Double(open.remove(at: index).id))
            apply(session.handle(.frame(JSONValue.object(object).text), at: time), at: time)
        }
        apply(session.start(), at: 0)
        for line in try lines(name) {
            let time = line["t"]?.number ?? clock
            while clock + tickEvery <= time {
                clock += tickEvery
                apply(session.handle(.tick, at: clock), at: clock)
            }
            switch line["kind"]?.string {
            case "note":
                if line["event"]?.string == "ws_open" {
                    open = []
                    apply(session.handle(.opened, at: time), at: time)
                } else if line["event"]?.string == "ws_closed", line["closed_by"]?.string == "server" {
                    apply(
                        session.handle(
                            .closed(code: line["close_code"]?.int, reason: "closed by the printer"), at: time), at: time
                    )
                }
            case "ws_send":
                if let id = line["frame"]?["id"]?.int, let method = line["frame"]?["method"]?.string {
                    recorderMethods[id] = method
                }
            case "ws_recv":
                guard let frame = line["frame"] else { continue }
                if let id = frame["id"]?.int, frame["method"] == nil {
                    if let method = recorderMethods[id] { answer(method: method, with: frame, at: time) }
                } else if frame["method"] != nil || frame.array != nil {
                    apply(session.handle(.frame(frame.text), at: time), at: time)
                }
            case "http":
                if line["method"]?.string == "GET", let path = line["path"]?.string, let method = httpMethods[path],
                    let response = line["response"], line["status"]?.int == 200
                {
                    answer(method: method, with: ["jsonrpc": "2.0", "result": response["result"] ?? .null], at: time)
                }
            default:
                break
            }
            clock = max(clock, time)
        }
        // The clock runs on a little after the last frame, as it would for a connector still attached.
        let end = clock + 1
        while clock + tickEvery <= end {
            clock += tickEvery
            apply(session.handle(.tick, at: clock), at: clock)
        }
        return outcome
    }
}
