/// Where a page may send a person after signing in: a path on this server, never another site.
enum LocalRedirect {
    /// `candidate` when it is a plain path on this server, else nil.
    ///
    /// why: browsers read `\` as `/` and drop tabs and newlines inside a URL, so `/\evil.example` and `/\t/evil.example`
    /// both become `//evil.example` (another site) although they start with one `/` (found by probing, issue 17).
    /// Only printable ASCII without a backslash is allowed, and the second character may not start an authority.
    static func path(_ candidate: String?) -> String? {
        guard let candidate, candidate.utf8.count <= 500, candidate.hasPrefix("/") else { return nil }
        let bytes = Array(candidate.utf8)
        guard bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\\") }) else { return nil }
        if bytes.count > 1, bytes[1] == UInt8(ascii: "/") { return nil }
        return candidate
    }
}
