import FarmAuth
import Foundation
import Testing

@Suite("Passwords")
struct PasswordTests {
    let passwords = Passwords(cost: 4)

    @Test("a hashed password verifies; a wrong one, a tampered hash or garbage does not")
    func hashAndVerify() throws {
        let hash = try passwords.hash("correct horse battery staple")
        #expect(hash.hasPrefix("$2"))
        #expect(!hash.contains("correct horse"))
        #expect(passwords.verify("correct horse battery staple", hash: hash))
        #expect(!passwords.verify("correct horse battery stapler", hash: hash))
        #expect(
            !passwords.verify(
                "correct horse battery staple", hash: String(hash.dropLast()) + (hash.last == "a" ? "b" : "a")))
        #expect(!passwords.verify("correct horse battery staple", hash: "not a hash"))
        #expect(try passwords.hash("correct horse battery staple") != hash, "each hash has its own salt")
    }

    @Test("empty, short and over-long passwords are refused with a reason")
    func rules() {
        #expect(throws: Passwords.Problem.empty) { try passwords.hash("") }
        #expect(throws: Passwords.Problem.tooShort(minimum: 12)) { try passwords.hash("short") }
        #expect(throws: Passwords.Problem.tooLong(maximumBytes: 72)) {
            try passwords.hash(String(repeating: "é", count: 40))
        }
        #expect(!passwords.verify(String(repeating: "x", count: 500), hash: "$2b$04$abcdefghijklmnopqrstuu"))
    }
}

@Suite("TOTP")
struct TOTPTests {
    let verifier = TOTPVerifier()
    // RFC 6238 appendix B uses this ASCII secret with SHA-1; its 8-digit codes end in our 6-digit ones.
    let rfcSecret = "12345678901234567890"

    @Test(
        "codes match the RFC 6238 test vectors",
        arguments: [
            (59.0, "287082"), (1_111_111_109.0, "081804"), (1_111_111_111.0, "050471"), (1_234_567_890.0, "005924"),
            (2_000_000_000.0, "279037"), (20_000_000_000.0, "353130"),
        ])
    func vectors(time: Double, expected: String) {
        #expect(verifier.code(secret: rfcSecret, at: Date(timeIntervalSince1970: time)) == expected)
    }

    @Test("a code is accepted within one step of drift, once; wrong, stale or malformed codes are refused")
    func verify() {
        let now = Date(timeIntervalSince1970: 1_800_000_015)
        let code = verifier.code(secret: rfcSecret, at: now)
        let step = verifier.verify(code, secret: rfcSecret, at: now, lastUsedStep: nil)
        #expect(step == 60_000_000)
        #expect(
            verifier.verify(code, secret: rfcSecret, at: now, lastUsedStep: step) == nil, "a replayed code is refused")
        #expect(
            verifier.verify(code, secret: rfcSecret, at: now.addingTimeInterval(30), lastUsedStep: nil) == 60_000_000,
            "one step late is fine")
        #expect(
            verifier.verify(code, secret: rfcSecret, at: now.addingTimeInterval(90), lastUsedStep: nil) == nil,
            "three steps late is not")
        let wrong = String(code.reversed()) == code ? "000000" : String(code.reversed())
        #expect(verifier.verify(wrong == code ? "999999" : wrong, secret: rfcSecret, at: now, lastUsedStep: nil) == nil)
        for malformed in ["", "12345", "1234567", "12a456", "١٢٣٤٥٦"] {
            #expect(verifier.verify(malformed, secret: rfcSecret, at: now, lastUsedStep: nil) == nil)
        }
        #expect(verifier.verify(code, secret: "another secret entirely", at: now, lastUsedStep: nil) == nil)
    }

    @Test("enrolment gives an otpauth URI with the issuer and a base32 secret; secrets are random")
    func enrolment() {
        var generator = SystemRandomNumberGenerator()
        let secret = TOTPVerifier.newSecret(using: &generator)
        #expect(secret.count == 32)
        #expect(secret != TOTPVerifier.newSecret(using: &generator))
        let uri = verifier.enrolmentURI(secret: secret, account: "ada")
        #expect(uri.hasPrefix("otpauth://totp/ada?secret="))
        #expect(uri.contains("issuer=Print"))
        #expect(!uri.contains(secret), "the URI carries the secret base32-encoded")
    }
}

@Suite("Webhook signatures")
struct WebhookSignatureTests {
    let signer = WebhookSignature(secret: Data("hush".utf8))
    let body = Data(#"{"id":820982911946154508,"email":"jon@example.com"}"#.utf8)

    @Test("a signature over the raw body verifies in hex and base64, with or without a sha256= prefix")
    func valid() {
        for encoding in WebhookSignature.Encoding.allCases {
            let signature = signer.sign(body, encoding: encoding)
            #expect(signer.isValid(signature, for: body, encoding: encoding))
            #expect(signer.isValid("sha256=\(signature)", for: body, encoding: encoding))
        }
    }

    @Test("a changed body, another secret, the other encoding or garbage is refused")
    func invalid() {
        let signature = signer.sign(body, encoding: .base64)
        var changed = body
        changed[changed.startIndex] = UInt8(ascii: "[")
        #expect(!signer.isValid(signature, for: changed, encoding: .base64))
        #expect(!WebhookSignature(secret: Data("other".utf8)).isValid(signature, for: body, encoding: .base64))
        #expect(!signer.isValid(signature, for: body, encoding: .hex))
        for garbage in ["", "sha256=", "zz", String(repeating: "a", count: 63), "%%%%", String(signature.dropLast(2))] {
            #expect(!signer.isValid(garbage, for: body, encoding: .base64))
            #expect(!signer.isValid(garbage, for: body, encoding: .hex))
        }
    }

    @Test("the HMAC matches the well-known HMAC-SHA256 test value")
    func knownAnswer() {
        let known = WebhookSignature(secret: Data("key".utf8))
        #expect(
            known.sign(Data("The quick brown fox jumps over the lazy dog".utf8), encoding: .hex)
                == "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")
    }
}

@Suite("API keys and recovery codes")
struct KeyFormatTests {
    @Test("generated keys parse back, store only a digest, and match only their own secret")
    func apiKeys() throws {
        var generator = SystemRandomNumberGenerator()
        let (key, parsed) = APIKeyFormat.generate(using: &generator)
        #expect(key.hasPrefix("pfk_"))
        #expect(APIKeyFormat.parse(key) == parsed)
        let digest = APIKeyFormat.digest(of: parsed.secret)
        #expect(!digest.contains(parsed.secret))
        #expect(APIKeyFormat.matches(parsed.secret, digest: digest))
        #expect(
            !APIKeyFormat.matches(String(parsed.secret.dropLast()) + "0", digest: digest) || parsed.secret.last == "0")
        for bad in [
            "", "pfk_", "pfk_short_secret", "sk_\(parsed.id)_\(parsed.secret)", key + "x", key.uppercased(),
            "pfk_\(parsed.id)-\(parsed.secret)",
        ] {
            #expect(APIKeyFormat.parse(bad) == nil, "\(bad)")
        }
    }

    @Test("recovery codes match once each, ignoring case, spaces and the dash")
    func recoveryCodes() {
        var generator = SystemRandomNumberGenerator()
        let (codes, digests) = RecoveryCodes.generate(using: &generator)
        #expect(codes.count == 10)
        #expect(Set(codes).count == 10)
        #expect(RecoveryCodes.match(codes[3], in: digests) == 3)
        #expect(
            RecoveryCodes.match(" " + codes[7].uppercased().replacingOccurrences(of: "-", with: " ") + " ", in: digests)
                == 7)
        var remaining = digests
        remaining.remove(at: 3)
        #expect(
            RecoveryCodes.match(codes[3], in: remaining) == nil,
            "a used code, removed from the store, no longer matches")
        #expect(RecoveryCodes.match("aaaa-aaaa", in: digests) == nil)
        #expect(RecoveryCodes.match("", in: digests) == nil)
    }
}
