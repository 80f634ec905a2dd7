import FarmDomain
import Foundation

/// An event as the store holds it: the payload's JSON and the CloudEvents attributes around it.
public struct StoredEvent: Sendable, Equatable {
    /// Global position, strictly increasing in commit order.
    public var sequence: Int64
    public var id: String
    /// The aggregate's stream, for example `run-0193…`; the CloudEvents `subject`.
    public var stream: String
    /// Position within the stream, from 1.
    public var version: Int
    public var type: String
    public var time: Date
    public var actor: String
    public var reason: String
    public var correlationID: String?
    public var causationID: String?
    /// The payload as JSON bytes, exactly as stored.
    public var data: Data

    /// The CloudEvents 1.0 JSON form. `data` is embedded verbatim, so a payload's bytes are never re-encoded.
    public func cloudEventJSON(source: String) -> Data {
        var json = Data("{\"specversion\":\"1.0\",\"id\":".utf8)
        func string(_ value: String) { json.append(JSONText.quoted(value)) }
        string(id)
        json.append(Data(",\"source\":".utf8))
        string(source)
        json.append(Data(",\"type\":".utf8))
        string(type)
        json.append(Data(",\"subject\":".utf8))
        string(stream)
        json.append(Data(",\"time\":".utf8))
        string(Timestamps.format(time))
        json.append(Data(",\"datacontenttype\":\"application/json\"".utf8))
        json.append(Data(",\"sequence\":\(sequence),\"streamversion\":\(version),\"actor\":".utf8))
        string(actor)
        json.append(Data(",\"reason\":".utf8))
        string(reason)
        if let correlationID {
            json.append(Data(",\"correlationid\":".utf8))
            string(correlationID)
        }
        if let causationID {
            json.append(Data(",\"causationid\":".utf8))
            string(causationID)
        }
        json.append(Data(",\"data\":".utf8))
        json.append(data)
        json.append(UInt8(ascii: "}"))
        return json
    }
}

/// An event about to be appended.
public struct NewEvent: Sendable, Equatable {
    public var id: UUID
    public var type: String
    public var time: Date
    public var data: Data

    public init(id: UUID, type: String, time: Date, data: Data) {
        self.id = id
        self.type = type
        self.time = time
        self.data = data
    }
}

/// Who and why, shared by all events of one append.
public struct EventMetadata: Sendable, Equatable {
    public var actor: EventActor
    public var reason: ReasonCode
    public var correlationID: String?
    public var causationID: String?

    public init(actor: EventActor, reason: ReasonCode, correlationID: String? = nil, causationID: String? = nil) {
        self.actor = actor
        self.reason = reason
        self.correlationID = correlationID
        self.causationID = causationID
    }
}

enum JSONText {
    /// A JSON string literal for `value`, escaped per RFC 8259.
    static func quoted(_ value: String) -> Data {
        var out = [UInt8]()
        out.reserveCapacity(value.utf8.count + 2)
        out.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [92, 34])
            case UInt8(ascii: "\\"): out.append(contentsOf: [92, 92])
            case 0x0A: out.append(contentsOf: [92, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [92, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [92, UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [92, UInt8(ascii: "u"), 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
        return Data(out)
    }
}
