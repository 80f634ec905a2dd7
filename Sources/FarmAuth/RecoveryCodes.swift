import Crypto
import Foundation

/// One-time recovery codes for when the authenticator is lost: shown once, stored as SHA-256 digests,
/// each accepted once.
public enum RecoveryCodes {
    static let alphabet = Array("abcdefghjkmnpqrstuvwxyz23456789")  // no 0/o, 1/l/i

    /// `count` codes like `k3xq-9vta`, and the digests to store.
    public static func generate(count: Int = 10, using generator: inout some RandomNumberGenerator) -> (
        codes: [String], digests: [String]
    ) {
        let codes = (0..<count).map { _ in
            let characters = (0..<8).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }
            return String(characters[0..<4]) + "-" + String(characters[4..<8])
        }
        return (codes, codes.map(digest))
    }

    /// The index of the stored digest `code` matches, or nil. Case, spaces and the dash do not matter.
    public static func match(_ code: String, in digests: [String]) -> Int? {
        let normal = code.lowercased().filter { $0.isLetter || $0.isNumber }
        guard normal.count == 8 else { return nil }
        let presented = digest(String(normal.prefix(4)) + "-" + String(normal.suffix(4)))
        var found: Int?
        for (index, stored) in digests.enumerated() where ConstantTime.equal(Array(presented.utf8), Array(stored.utf8))
        {
            found = index
        }
        return found
    }

    static func digest(_ code: String) -> String {
        SHA256.hash(data: Data(code.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
