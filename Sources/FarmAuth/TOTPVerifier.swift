import Foundation
import HummingbirdOTP

/// RFC 6238 time-based one-time passwords (SHA-1, 6 digits, 30 s), as authenticator apps use them.
/// A code is accepted in the current window or one either side (clock drift), and never twice: the caller
/// stores the returned time step and passes it back as `lastUsedStep`.
public struct TOTPVerifier: Sendable {
    public let issuer: String
    public let timeStep = 30
    public let digits = 6

    public init(issuer: String = "Print Farm OS") {
        self.issuer = issuer
    }

    /// A new random secret: 32 characters from a 62-letter alphabet (about 190 bits).
    public static func newSecret(using generator: inout some RandomNumberGenerator) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<32).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }

    /// The `otpauth://` URI an authenticator app scans.
    public func enrolmentURI(secret: String, account: String) -> String {
        TOTP(secret: secret, length: digits, timeStep: timeStep).createAuthenticatorURL(label: account, issuer: issuer)
    }

    /// The code for `date`, zero-padded.
    public func code(secret: String, at date: Date) -> String {
        let value = TOTP(secret: secret, length: digits, timeStep: timeStep).compute(date: date)
        let text = String(value)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }

    /// The time step `code` belongs to, or nil when it is wrong, outside the window, or already used.
    public func verify(_ code: String, secret: String, at date: Date, lastUsedStep: Int64?) -> Int64? {
        let code = code.filter { !$0.isWhitespace }
        guard code.count == digits, code.allSatisfy(\.isASCII), code.allSatisfy(\.isNumber) else { return nil }
        let current = Int64(date.timeIntervalSince1970) / Int64(timeStep)
        for step in [current, current - 1, current + 1] {
            if let lastUsedStep, step <= lastUsedStep { continue }
            let expected = self.code(secret: secret, at: Date(timeIntervalSince1970: Double(step * Int64(timeStep))))
            if ConstantTime.equal(Array(expected.utf8), Array(code.utf8)) { return step }
        }
        return nil
    }
}
