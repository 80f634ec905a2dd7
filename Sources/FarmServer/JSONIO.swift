import FarmDomain
import FarmStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PrinterLink

/// Reading JSON requests and writing JSON responses the same way on every endpoint.
enum JSONIO {
    /// Decodes the body as `T`, turning every way it can be wrong into a problem that names the field.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, context: FarmRequestContext) async throws
        -> T
    {
        guard let value = try await decodeIfPresent(type, from: request, context: context) else {
            throw Problem.invalidJSON("the body is empty; send a JSON object")
        }
        return value
    }

    /// As `decode`, but an empty body is nil: for requests whose body (a reason, a note) is optional.
    static func decodeIfPresent<T: Decodable>(_ type: T.Type, from request: Request, context: FarmRequestContext)
        async throws -> T?
    {
        if let contentType = request.headers[.contentType], !contentType.lowercased().hasPrefix("application/json") {
            throw Problem.unsupportedMediaType(contentType)
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: context.maxUploadSize)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw Problem.payloadTooLarge(context.maxUploadSize)
        } catch is NIOTooManyBytesError {
            throw Problem.payloadTooLarge(context.maxUploadSize)
        }
        guard buffer.readableBytes > 0 else { return nil }
        let data = Data(buffer: buffer)
        do {
            return try StoreCoding.decoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            // why: Foundation's decoder reports a number that does not fit its field (1.5 or 1e20 for a quantity, 1e400
            // anywhere) as "not valid JSON" with no path: a 400 for a body that is JSON (issue 17). Name the number.
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty,
                let parsed = JSONValue.parse(data, keepingOverflow: true),
                let (path, reason) = unfitNumber(in: parsed)
            {
                throw Problem.invalidField(path, reason)
            }
            throw describe(error)
        } catch let error as DomainError {
            throw ProblemMapping.domain(error)
        }
    }

    /// The first number a field cannot hold, with why: one that is not finite or beyond ±2^53, else one that is not a
    /// whole number (only whole-number fields make Foundation's decoder fail without a path).
    static func unfitNumber(in value: JSONValue) -> (path: String, reason: String)? {
        var fraction: (String, String)?
        func walk(_ value: JSONValue, _ path: String) -> (String, String)? {
            switch value {
            case .number(let number):
                if !number.isFinite || abs(number) > 9_007_199_254_740_992 {
                    return (path, "the number is too large for this field")
                }
                if fraction == nil, number.rounded() != number {
                    fraction = (path, "expected a whole number, got \(number)")
                }
                return nil
            case .array(let items):
                for (index, item) in items.enumerated() {
                    if let found = walk(item, "\(path)[\(index)]") { return found }
                }
                return nil
            case .object(let fields):
                for key in fields.keys.sorted() {
                    if let found = walk(fields[key]!, path.isEmpty ? key : "\(path).\(key)") { return found }
                }
                return nil
            default:
                return nil
            }
        }
        return walk(value, "") ?? fraction
    }

    static func describe(_ error: DecodingError) -> Problem {
        func path(_ keys: [any CodingKey]) -> String {
            var text = ""
            for key in keys {
                if let index = key.intValue {
                    text += "[\(index)]"
                } else {
                    text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
                }
            }
            return text.isEmpty ? "body" : text
        }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return .invalidJSON(
                "the body is not JSON: \(context.underlyingError.map { "\($0)" } ?? context.debugDescription)")
        case .dataCorrupted(let context):
            return .invalidField(path(context.codingPath), context.debugDescription)
        case .keyNotFound(let key, let context):
            return .invalidField(path(context.codingPath + [key]), "is required")
        case .typeMismatch(let type, let context):
            return .invalidField(path(context.codingPath), "expected \(jsonName(type))")
        case .valueNotFound(let type, let context):
            return .invalidField(path(context.codingPath), "expected \(jsonName(type)), got null")
        @unknown default:
            return .invalidJSON("\(error)")
        }
    }

    private static func jsonName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Double.Type, is Int64.Type: "a number"
        case is Bool.Type: "true or false"
        case is [Any].Type: "an array"
        default: "an object"
        }
    }

    static func response(
        _ data: Data, status: HTTPResponse.Status = .ok, etag version: Int? = nil, location: String? = nil
    ) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let version { headers[.eTag] = "\"\(version)\"" }
        if let location { headers[.location] = location }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(data: data)))
    }

    static func response(
        _ value: some Encodable, status: HTTPResponse.Status = .ok, etag version: Int? = nil, location: String? = nil
    ) throws -> Response {
        response(try StoreCoding.encoder().encode(value), status: status, etag: version, location: location)
    }

    /// A page of stored bodies as `{"items":[…],"next":"<cursor>"}`, without decoding them.
    static func page(_ rows: [ReadModelRow], limit: Int) -> Response {
        var data = Data("{\"items\":[".utf8)
        for (index, row) in rows.enumerated() {
            if index > 0 { data.append(UInt8(ascii: ",")) }
            data.append(row.body)
        }
        data.append(contentsOf: Array("],\"next\":".utf8))
        if rows.count == limit, let last = rows.last {
            data.append(contentsOf: Array("\"\(last.id)\"}".utf8))
        } else {
            data.append(contentsOf: Array("null}".utf8))
        }
        return response(data)
    }
}

/// Query parameters, each checked with a message that says what is allowed.
struct QueryParameters {
    let values: [String: String]

    init(_ request: Request) {
        var values: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { values[String(key)] = String(value) }
        self.values = values
    }

    func limit(default defaultValue: Int = 50, max: Int = 500) throws -> Int {
        guard let text = values["limit"] else { return defaultValue }
        guard let value = Int(text), (1...max).contains(value) else {
            throw Problem.invalidParameter("limit", "a whole number from 1 to \(max)")
        }
        return value
    }

    func string(_ name: String) -> String? { values[name] }

    /// A SHA-256 in hex (artifact ids), lowercased.
    func sha256(_ name: String) throws -> String? {
        guard let text = values[name] else { return nil }
        guard text.count == 64, text.allSatisfy(\.isHexDigit) else {
            throw Problem.invalidParameter(name, "'\(text.prefix(80))' is not a SHA-256 (64 hexadecimal digits)")
        }
        return text.lowercased()
    }

    func uuid(_ name: String) throws -> String? {
        guard let text = values[name] else { return nil }
        guard let uuid = UUID(uuidString: text) else { throw Problem.invalidParameter(name, "'\(text)' is not a UUID") }
        return uuid.uuidString.lowercased()
    }

    func oneOf<E: RawRepresentable & CaseIterable>(_ name: String, _: E.Type) throws -> String?
    where E.RawValue == String {
        guard let text = values[name] else { return nil }
        guard E(rawValue: text) != nil else {
            throw Problem.invalidParameter(
                name, "'\(text)' is not one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return text
    }

    func int64(_ name: String, default defaultValue: Int64) throws -> Int64 {
        guard let text = values[name] else { return defaultValue }
        guard let value = Int64(text), value >= 0 else {
            throw Problem.invalidParameter(name, "a whole number, 0 or more")
        }
        return value
    }
}

extension Request {
    /// The version an `If-Match` header names, nil when absent. `*` means any version.
    func expectedVersion() throws -> Int? {
        guard let header = headers[.ifMatch]?.trimmingCharacters(in: .whitespaces) else { return nil }
        if header == "*" { return nil }
        var tag = Substring(header)
        if tag.hasPrefix("W/") { tag = tag.dropFirst(2) }
        guard tag.count >= 3, tag.first == "\"", tag.last == "\"", let version = Int(tag.dropFirst().dropLast()),
            version >= 0
        else {
            throw Problem.invalidIfMatch
        }
        return version
    }
}
