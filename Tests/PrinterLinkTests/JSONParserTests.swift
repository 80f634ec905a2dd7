import Foundation
import Testing

@testable import PrinterLink

@Suite("JSON reader")
struct JSONParserTests {
    /// Foundation's reading, for comparison: slow, but the reference.
    func reference(_ text: String) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    @Test("every line of every recorded session reads exactly as Foundation's decoder reads it")
    func recordings() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: RecordingReplay.folder.path).filter {
            $0.hasSuffix(".jsonl")
        }
        #expect(files.count == 10)
        var lines = 0
        for file in files {
            let text = try String(contentsOf: RecordingReplay.folder.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(whereSeparator: \.isNewline) {
                let parsed = JSONValue.parse(String(line))
                #expect(parsed != nil && parsed == reference(String(line)), "\(file): \(line.prefix(120))")
                lines += 1
            }
        }
        #expect(lines > 1000)
    }

    @Test("escapes, surrogate pairs, UTF-8, numbers and nesting")
    func values() {
        let cases: [(String, JSONValue)] = [
            (#"{"a":"x\"y\\z\/\b\f\n\r\t"}"#, ["a": .string("x\"y\\z/\u{08}\u{0C}\n\r\t")]),
            (
                #"["\u00e9\u20AC\ud83d\ude00", "é€😀", "mixed é \n end"]"#,
                [.string("é€😀"), .string("é€😀"), .string("mixed é \n end")]
            ),
            (
                "[0, -0, 1.5, -2.25e3, 1E-2, 12345678901234567890]",
                [
                    .number(0), .number(-0.0), .number(1.5), .number(-2250), .number(0.01),
                    .number(12_345_678_901_234_567_890),
                ]
            ),
            (
                " \n\t{ \"a\" : [ true , false , null , { } , [ ] ] } \r\n",
                ["a": [.bool(true), .bool(false), .null, .object([:]), .array([])]]
            ),
            (#""""#, .string("")),
        ]
        for (text, expected) in cases {
            #expect(JSONValue.parse(text) == expected, "\(text)")
            #expect(JSONValue.parse(text) == reference(text), "agrees with Foundation: \(text)")
        }
    }

    @Test(
        "what is not JSON is refused, never half read: trailing commas, leading zeros, bad escapes, lone surrogates, control characters, garbage after, deep nesting"
    )
    func refusals() {
        let bad = [
            "", " ", "{", "[1,]", #"{"a":1,}"#, "01", "1.", ".5", "-", "1e", "+1", "NaN", "Infinity", "tru", "nul",
            #""abc"#, #""\x""#,
            #""\ud83d""#, #""\ud83d\u0041""#, "\"a\u{01}b\"", "{} x", "[1] [2]", #"{"a" 1}"#, #"{1:2}"#, "1e999",
            String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000),
        ]
        for text in bad { #expect(JSONValue.parse(text) == nil, "\(text.prefix(40))") }
    }
}
