import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import FarmServer

@Suite("Bad input")
struct BadInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let method: HTTPRequest.Method
        let uri: String
        let body: String?
        var headers: HTTPFields = auth
        let status: HTTPResponse.Status
        let code: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "malformed JSON", method: .post, uri: "/api/v1/intents", body: #"{"lineItems":"#, status: .badRequest,
            code: "invalid-json"),
        Case(
            name: "empty body", method: .post, uri: "/api/v1/intents", body: "", status: .badRequest,
            code: "invalid-json"),
        Case(
            name: "wrong type", method: .post, uri: "/api/v1/intents",
            body: #"{"lineItems":[{"quantity":"two","material":"PLA"}]}"#, status: .unprocessableContent,
            code: "invalid-field"),
        Case(
            name: "unknown enum value", method: .post, uri: "/api/v1/intents",
            body: #"{"source":"ebay","lineItems":[{"quantity":1,"material":"PLA"}]}"#, status: .unprocessableContent,
            code: "invalid-field"),
        Case(
            name: "missing field", method: .post, uri: "/api/v1/intents", body: #"{"lineItems":[{"quantity":1}]}"#,
            status: .unprocessableContent, code: "invalid-field"),
        Case(
            name: "domain rule", method: .post, uri: "/api/v1/intents",
            body: #"{"lineItems":[{"quantity":0,"material":"PLA"}]}"#, status: .unprocessableContent,
            code: "invalid-field"),
        Case(
            name: "invalid UUID in body", method: .post, uri: "/api/v1/intents",
            body: #"{"id":"nope","lineItems":[{"quantity":1,"material":"PLA"}]}"#, status: .unprocessableContent,
            code: "invalid-field"),
        Case(
            name: "invalid date", method: .post, uri: "/api/v1/intents",
            body: #"{"dueDate":"tomorrow","lineItems":[{"quantity":1,"material":"PLA"}]}"#,
            status: .unprocessableContent, code: "invalid-field"),
        Case(
            name: "bad reason code", method: .post, uri: "/api/v1/intents",
            body: #"{"reason":"Because!","lineItems":[{"quantity":1,"material":"PLA"}]}"#,
            status: .unprocessableContent, code: "invalid-field"),
        Case(
            name: "oversized body", method: .post, uri: "/api/v1/intents",
            body: #"{"customer":""# + String(repeating: "x", count: 70_000) + #"","lineItems":[]}"#,
            status: .contentTooLarge, code: "payload-too-large"),
        Case(
            name: "not JSON", method: .post, uri: "/api/v1/intents", body: "a=b",
            headers: [.authorization: auth[.authorization]!, .contentType: "application/x-www-form-urlencoded"],
            status: .unsupportedMediaType, code: "unsupported-media-type"),
        Case(
            name: "invalid UUID in path", method: .get, uri: "/api/v1/intents/not-a-uuid", body: nil,
            status: .badRequest, code: "invalid-parameter"),
        Case(
            name: "unknown id", method: .get, uri: "/api/v1/intents/01936a4e-0000-7000-8000-000000000001", body: nil,
            status: .notFound, code: "not-found"),
        Case(
            name: "unknown route", method: .get, uri: "/api/v1/nothing-here", body: nil, status: .notFound,
            code: "unknown-route"),
        Case(
            name: "unknown status filter", method: .get, uri: "/api/v1/runs?status=flying", body: nil,
            status: .badRequest, code: "invalid-parameter"),
        Case(
            name: "limit out of range", method: .get, uri: "/api/v1/events?limit=0", body: nil, status: .badRequest,
            code: "invalid-parameter"),
        Case(
            name: "negative cursor", method: .get, uri: "/api/v1/events?after=-4", body: nil, status: .badRequest,
            code: "invalid-parameter"),
        Case(
            name: "unknown transition", method: .post,
            uri: "/api/v1/intents/01936a4e-0000-7000-8000-000000000001/transitions", body: #"{"action":"teleport"}"#,
            status: .unprocessableContent, code: "invalid-field"),
        Case(
            name: "transition of a missing intent", method: .post,
            uri: "/api/v1/intents/01936a4e-0000-7000-8000-000000000001/transitions", body: #"{"action":"accept"}"#,
            status: .notFound, code: "not-found"),
        Case(
            name: "plan for a missing intent", method: .post, uri: "/api/v1/plans",
            body:
                #"{"intentID":"01936a4e-0000-7000-8000-000000000001","lineItemID":"01936a4e-0000-7000-8000-000000000002","spec":{"profile":"p","orientation":{"x":0,"y":0,"z":0},"supports":"none","requirements":{"enclosure":false,"hardenedNozzle":false},"postProcessing":[]}}"#,
            status: .unprocessableContent, code: "invalid-field"),
        Case(
            name: "bad revision number", method: .post,
            uri: "/api/v1/plans/01936a4e-0000-7000-8000-000000000001/revisions/zero/approve", body: "{}",
            status: .badRequest, code: "invalid-parameter"),
        Case(
            name: "printer with negative volume", method: .post, uri: "/api/v1/printers",
            body:
                #"{"name":"p","connector":"moonraker","address":"http://127.0.0.1:7125","capabilities":{"buildVolume":{"x":-1,"y":1,"z":1},"nozzleDiameters":[0.4],"enclosure":false,"hardenedNozzle":false,"materials":[]}}"#,
            status: .unprocessableContent, code: "invalid-field"),
        Case(
            name: "a printer of a kind the farm cannot drive", method: .post, uri: "/api/v1/printers",
            body:
                #"{"name":"x1c","connector":"bambu","address":"http://127.0.0.1:8883","capabilities":{"buildVolume":{"x":256,"y":256,"z":256},"nozzleDiameters":[0.4],"enclosure":true,"hardenedNozzle":true,"materials":[]}}"#,
            status: .unprocessableContent, code: "connector-unsupported"),
        Case(
            name: "a printer address that is no URL", method: .post, uri: "/api/v1/printers",
            body:
                #"{"name":"p","connector":"moonraker","address":"192.168.1.20:7125","capabilities":{"buildVolume":{"x":1,"y":1,"z":1},"nozzleDiameters":[0.4],"enclosure":false,"hardenedNozzle":false,"materials":[]}}"#,
            status: .unprocessableContent, code: "invalid-field"),
        Case(
            name: "a fraction for a whole number", method: .post, uri: "/api/v1/intents",
            body: #"{"lineItems":[{"quantity":1.5,"material":"PLA"}]}"#, status: .unprocessableContent,
            code: "invalid-field"),
        Case(
            name: "a number beyond any field", method: .post, uri: "/api/v1/intents",
            body: #"{"lineItems":[{"quantity":1e400,"material":"PLA"}]}"#, status: .unprocessableContent,
            code: "invalid-field"),
        Case(
            name: "a number beyond a whole-number field", method: .post, uri: "/api/v1/intents",
            body: #"{"lineItems":[{"quantity":99999999999999999999,"material":"PLA"}]}"#, status: .unprocessableContent,
            code: "invalid-field"),
        Case(
            name: "a method the path does not take", method: .delete, uri: "/api/v1/intents", body: nil,
            status: .methodNotAllowed, code: "method-not-allowed"),
        Case(
            name: "an over-long correlation id", method: .post, uri: "/api/v1/intents", body: intentJSON,
            headers: [
                .authorization: auth[.authorization]!, .contentType: "application/json",
                .init("X-Correlation-ID")!: String(repeating: "c", count: 101),
            ], status: .badRequest, code: "invalid-parameter"),
        Case(
            name: "a name of nothing but a page break", method: .post, uri: "/api/v1/api-keys",
            body: #"{"name":"\f","scope":"read"}"#, status: .unprocessableContent, code: "invalid-field"),
        Case(
            name: "a material of nothing but a byte order mark", method: .post, uri: "/api/v1/intents",
            body: #"{"lineItems":[{"quantity":1,"material":"\uFEFF"}]}"#, status: .unprocessableContent,
            code: "invalid-field"),
        Case(
            name: "malformed Idempotency-Key", method: .post, uri: "/api/v1/intents", body: intentJSON,
            headers: [
                .authorization: auth[.authorization]!, .contentType: "application/json",
                .init("Idempotency-Key")!: String(repeating: "k", count: 300),
            ], status: .badRequest, code: "invalid-idempotency-key"),
    ]

    @Test("each bad request gets a 4xx problem with a stable code and a detail, and changes nothing", arguments: cases)
    func badRequest(_ badCase: Case) async throws {
        try await withFarm(configure: { $0.maxBodyBytes = 64 * 1024 }) { farm in
            let response = try await farm.request(
                badCase.method, badCase.uri, json: badCase.body, headers: badCase.headers)
            #expect(response.status == badCase.status)
            #expect(response.headers[.contentType] == "application/problem+json")
            #expect(response.problemCode == badCase.code, "\(response.text)")
            #expect(((response.json["detail"] as? String) ?? "").count > 5)
            #expect(try await farm.eventCount() == 0)
            // The server is still fine afterwards.
            #expect(try await farm.request(.get, "/healthz").status == .ok)
        }
    }

    @Test("a number that does not fit names its field; a wrong method names the ones the path takes")
    func numbersAndMethods() async throws {
        try await withFarm { farm in
            let fraction = try await farm.request(
                .post, "/api/v1/intents", json: #"{"lineItems":[{"quantity":1.5,"material":"PLA"}]}"#)
            #expect((fraction.json["detail"] as? String) == "lineItems[0].quantity: expected a whole number, got 1.5")
            let huge = try await farm.request(
                .post, "/api/v1/intents", json: #"{"lineItems":[{"quantity":1e400,"material":"PLA"}]}"#)
            #expect((huge.json["detail"] as? String)?.hasPrefix("lineItems[0].quantity:") == true, "\(huge.text)")
            let wrong = try await farm.request(.put, "/api/v1/intents/01936a4e-0000-7000-8000-000000000001", json: "{}")
            #expect(wrong.status == .methodNotAllowed && wrong.headers[.allow] == "GET", "\(wrong.headers)")
            #expect(try await farm.request(.get, "/api/v1/nothing-here").status == .notFound)
        }
    }

    @Test("If-Match must be an ETag this server gave out")
    func invalidIfMatch() async throws {
        try await withFarm { farm in
            let id = try #require(
                try await farm.request(.post, "/api/v1/intents", json: intentJSON).json["id"] as? String)
            var headers = auth
            headers[.ifMatch] = "yesterday"
            let response = try await farm.request(
                .post, "/api/v1/intents/\(id)/transitions", json: #"{"action":"accept"}"#, headers: headers)
            #expect(response.status == .badRequest)
            #expect(response.problemCode == "invalid-if-match")
            #expect(try await farm.eventCount() == 1)
        }
    }
}
