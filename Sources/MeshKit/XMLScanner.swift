import Foundation

/// A small pull scanner for the XML that 3MF uses: elements and attributes, nothing else. It refuses document type
/// declarations outright, so entity expansion ("billion laughs") and external entities cannot happen, and it never
/// builds a tree, so a 300 MB model costs no more than its bytes.
struct XMLScanner {
    struct Tag {
        /// The element name without its namespace prefix, and whether it had one.
        var name: Substring.UTF8View
        var prefixed: Bool
        var isEnd: Bool
        var selfClosing: Bool
        /// Raw attribute bytes (between the name and `>`), read on demand with `attribute(_:)`.
        var attributes: UnsafeRawBufferPointer

        func named(_ expected: String) -> Bool { !prefixed && name.elementsEqual(expected.utf8) }
    }

    private let bytes: UnsafeRawBufferPointer
    private var position = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// The next start or end tag, or nil at the end of the document.
    mutating func next() throws(MeshError) -> Tag? {
        while true {
            guard let open = find(UInt8(ascii: "<"), from: position) else { return nil }
            position = open + 1
            guard position < bytes.count else { throw .invalidPackage("the XML ends inside a tag") }
            switch bytes[position] {
            case UInt8(ascii: "?"):
                position = try skip(past: "?>")
            case UInt8(ascii: "!"):
                if starts(with: "!--") {
                    position = try skip(past: "-->")
                } else if starts(with: "![CDATA[") {
                    position = try skip(past: "]]>")
                } else {
                    throw .invalidPackage("the XML declares a document type or entities, which 3MF does not allow")
                }
            default:
                guard let close = find(UInt8(ascii: ">"), from: position) else {
                    throw .invalidPackage("the XML ends inside a tag")
                }
                var start = position
                var end = close
                let isEnd = bytes[start] == UInt8(ascii: "/")
                if isEnd { start += 1 }
                let selfClosing = !isEnd && end > start && bytes[end - 1] == UInt8(ascii: "/")
                if selfClosing { end -= 1 }
                var nameEnd = start
                while nameEnd < end, !isSpace(bytes[nameEnd]) { nameEnd += 1 }
                guard nameEnd > start else { throw .invalidPackage("the XML has a tag without a name") }
                var nameStart = start
                var prefixed = false
                for i in start..<nameEnd where bytes[i] == UInt8(ascii: ":") {
                    nameStart = i + 1
                    prefixed = true
                }
                position = close + 1
                let name = String(
                    decoding: UnsafeRawBufferPointer(rebasing: bytes[nameStart..<nameEnd]), as: UTF8.self)[...].utf8
                return Tag(
                    name: name, prefixed: prefixed, isEnd: isEnd, selfClosing: selfClosing,
                    attributes: UnsafeRawBufferPointer(rebasing: bytes[nameEnd..<end]))
            }
        }
    }

    private func isSpace(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 || byte == 10 || byte == 13 }

    private func find(_ byte: UInt8, from: Int) -> Int? {
        guard from < bytes.count else { return nil }
        guard let base = bytes.baseAddress, let found = memchr(base + from, Int32(byte), bytes.count - from) else {
            return nil
        }
        return UnsafeRawPointer(found) - base
    }

    private func starts(with text: String) -> Bool {
        let utf8 = Array(text.utf8)
        guard position + utf8.count <= bytes.count else { return false }
        return (0..<utf8.count).allSatisfy { bytes[position + $0] == utf8[$0] }
    }

    private func skip(past terminator: String) throws(MeshError) -> Int {
        let utf8 = Array(terminator.utf8)
        var from = position
        while let candidate = find(utf8[0], from: from) {
            if candidate + utf8.count <= bytes.count, (0..<utf8.count).allSatisfy({ bytes[candidate + $0] == utf8[$0] })
            {
                return candidate + utf8.count
            }
            from = candidate + 1
        }
        throw .invalidPackage("the XML ends inside a comment or declaration")
    }
}

extension XMLScanner.Tag {
    /// The raw value of an unprefixed attribute, if present.
    func attribute(_ wanted: String) -> UnsafeRawBufferPointer? {
        let key = Array(wanted.utf8)
        var i = 0
        let a = attributes
        while i < a.count {
            while i < a.count, a[i] == 32 || a[i] == 9 || a[i] == 10 || a[i] == 13 { i += 1 }
            let nameStart = i
            while i < a.count, a[i] != UInt8(ascii: "="), a[i] != 32, a[i] != 9, a[i] != 10, a[i] != 13 { i += 1 }
            let nameEnd = i
            while i < a.count, a[i] != UInt8(ascii: "\""), a[i] != UInt8(ascii: "'") { i += 1 }
            guard i < a.count else { return nil }
            let quote = a[i]
            let valueStart = i + 1
            i = valueStart
            while i < a.count, a[i] != quote { i += 1 }
            guard i < a.count else { return nil }
            if nameEnd - nameStart == key.count, (0..<key.count).allSatisfy({ a[nameStart + $0] == key[$0] }) {
                return UnsafeRawBufferPointer(rebasing: a[valueStart..<i])
            }
            i += 1
        }
        return nil
    }

    /// An attribute as text, with the five predefined and numeric character references decoded.
    func string(_ wanted: String) -> String? {
        guard let raw = attribute(wanted) else { return nil }
        let text = String(decoding: raw, as: UTF8.self)
        guard text.contains("&") else { return text }
        var result = ""
        var rest = text[...]
        while let amp = rest.firstIndex(of: "&") {
            result += rest[..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";") else { break }
            let entity = rest[rest.index(after: amp)..<semi]
            switch entity {
            case "amp": result += "&"
            case "lt": result += "<"
            case "gt": result += ">"
            case "quot": result += "\""
            case "apos": result += "'"
            default:
                let number =
                    entity.hasPrefix("#x")
                    ? UInt32(entity.dropFirst(2), radix: 16) : entity.hasPrefix("#") ? UInt32(entity.dropFirst()) : nil
                if let number, let scalar = Unicode.Scalar(number) { result.unicodeScalars.append(scalar) }
            }
            rest = rest[rest.index(after: semi)...]
        }
        return result + rest
    }

    func double(_ wanted: String) -> Double? {
        guard let raw = attribute(wanted), !raw.isEmpty, raw.count < 64 else { return nil }
        // strtod needs a terminated string; numbers in 3MF are short.
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: raw.count + 1) { buffer -> Double? in
            for i in 0..<raw.count { buffer[i] = CChar(bitPattern: raw[i]) }
            buffer[raw.count] = 0
            var end: UnsafeMutablePointer<CChar>?
            let value = strtod(buffer.baseAddress!, &end)
            guard let end, end - buffer.baseAddress! == raw.count else { return nil }
            return value
        }
    }

    func integer(_ wanted: String) -> Int? {
        guard let raw = attribute(wanted), !raw.isEmpty, raw.count <= 18 else { return nil }
        var value = 0
        for byte in raw {
            guard (48...57).contains(byte) else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        return value
    }
}
