import Crypto
import Foundation

/// API keys look like `pfk_<id>_<secret>`: the id (12 characters) finds the stored record and may be shown in
/// lists and logs; the secret (40 characters) is shown once at creation and stored only as its SHA-256.
public struct APIKeyFormat: Sendable {
    public struct Parsed: Sendable, Equatable {
        public let id: String
        public let secret: String
    }

    public static let prefix = "pfk_"
    static let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")

    public static func generate(using generator: inout some RandomNumberGenerator) -> (key: String, parsed: Parsed) {
        func random(_ count: Int) -> String {
            String((0..<count).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
        }
        let parsed = Parsed(id: random(12), secret: random(40))
        return ("\(prefix)\(parsed.id)_\(parsed.secret)", parsed)
    }

    /// Splits a presented key; nil when it does not have the shape of one of ours.
    public static func parse(_ key: String) -> Parsed? {
        guard key.hasPrefix(prefix) else { return nil }
        let rest = key.dropFirst(prefix.count)
        let parts = rest.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 12, parts[1].count == 40,
            parts.allSatisfy({ $0.allSatisfy { alphabet.contains($0) } })
        else { return nil }
        return Parsed(id: String(parts[0]), secret: String(parts[1]))
    }

    /// What is stored: the secret's SHA-256, hex.
    public static func digest(of secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Compares a presented secret with a stored digest in constant time.
    public static func matches(_ secret: String, digest stored: String) -> Bool {
        ConstantTime.equal(Array(digest(of: secret).utf8), Array(stored.utf8))
    }
}
