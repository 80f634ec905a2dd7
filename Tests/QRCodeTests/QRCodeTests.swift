import Foundation
import Testing

@testable import QRCode

/// Each symbol is read back by a real decoder (ZBar's zbarimg, from Debian's zbar-tools) from a greyscale image of it.
@Suite("QR codes, read back by ZBar")
struct QRCodeTests {
    static let zbarimg = ProcessInfo.processInfo.environment["PRINTFARM_TEST_ZBARIMG"] ?? "/usr/bin/zbarimg"

    @Test(
        """
        texts from 1 to 600 bytes at every correction level are read back as written (versions 1 to 25, one block \
        and many, with and without version bits)
        """,
        arguments: QRCode.Correction.allCases)
    func readBack(correction: QRCode.Correction) throws {
        var versions: Set<Int> = []
        for length in [1, 14, 30, 60, 100, 150, 230, 380, 600] {
            let text = Self.text(length)
            let code = try QRCode(text: text, correction: correction)
            versions.insert(code.version)
            #expect(code.size == 17 + 4 * code.version)
            #expect(try Self.decode(code) == text, "version \(code.version), mask \(code.mask), \(length) bytes")
        }
        #expect(versions.count >= 7 && versions.contains { $0 >= 7 }, "\(versions.sorted())")
    }

    @Test("a spool's address fits a small symbol, and UTF-8 survives")
    func spoolAddress() throws {
        let url = "https://farm.example.com/spools/0193a7c2-5d1e-7c40-9a3b-2f1e8d6c4b5a"
        let code = try QRCode(text: url)
        #expect(code.version <= 5, "version \(code.version)")
        #expect(try Self.decode(code) == url)
        let utf8 = "PETG – schwarz, Los Ä-42"
        #expect(try Self.decode(try QRCode(text: utf8, correction: .high)) == utf8)
    }

    @Test("the masks chosen vary with the data, and each of the eight reads back")
    func everyMask() throws {
        var masks: Set<Int> = []
        for seed in 0..<60 {
            let text = "spool-\(seed)-" + String(repeating: "x", count: seed % 17)
            let code = try QRCode(text: text)
            if masks.insert(code.mask).inserted { #expect(try Self.decode(code) == text) }
        }
        #expect(masks.count >= 5, "masks \(masks.sorted())")
    }

    @Test("more than version 40 holds is refused with the capacity")
    func tooLong() {
        #expect(throws: QRCode.EncodingError.tooLong(bytes: 3000, capacity: 2953)) {
            try QRCode(bytes: Array(repeating: 0x41, count: 3000), correction: .low)
        }
        #expect((try? QRCode(bytes: Array(repeating: 0x41, count: 2953), correction: .low))?.version == 40)
    }

    @Test("Reed–Solomon: the worked example of version 1-M \"HELLO WORLD\" (alphanumeric mode)")
    func reedSolomon() {
        let data: [UInt8] = [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17]
        let ecc = ReedSolomon.remainder(data, divisor: ReedSolomon.divisor(degree: 10))
        #expect(ecc == [196, 35, 39, 119, 235, 215, 231, 226, 93, 23])
    }

    static func text(_ length: Int) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789/:.-_?=&ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
    }

    /// Writes the symbol as a PGM image (4 px a module, a 4-module quiet zone) and reads it with zbarimg.
    static func decode(_ code: QRCode) throws -> String {
        let scale = 4
        let side = (code.size + 8) * scale
        var pixels = [UInt8](repeating: 255, count: side * side)
        for y in 0..<code.size {
            for x in 0..<code.size where code[x, y] {
                for dy in 0..<scale {
                    for dx in 0..<scale { pixels[((y + 4) * scale + dy) * side + (x + 4) * scale + dx] = 0 }
                }
            }
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("qr-\(UUID().uuidString).pgm")
        defer { try? FileManager.default.removeItem(at: file) }
        try (Data("P5\n\(side) \(side)\n255\n".utf8) + Data(pixels)).write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: zbarimg)
        process.arguments = ["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", "-Sbinary", file.path]
        let output = Pipe()
        process.standardOutput = output
        // zbarimg says on stderr that it finds no D-Bus; the decoded text is all the test reads.
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        var text = String(decoding: data, as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }
        return text
    }
}
