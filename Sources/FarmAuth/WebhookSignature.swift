import Crypto
import Foundation

/// Verifies HMAC-SHA256 signatures of inbound webhooks (Shopify sends base64, WooCommerce base64, others hex),
/// computed over the raw body bytes exactly as received.
public struct WebhookSignature: Sendable {
    public enum Encoding: String, Sendable, CaseIterable {
        case hex, base64
    }

    let key: SymmetricKey

    public init(secret: some DataProtocol) {
        self.key = SymmetricKey(data: Data(secret))
    }

    /// The signature of `body` in `encoding`, for tests and for signing outbound webhooks.
    public func sign(_ body: some DataProtocol, encoding: Encoding) -> String {
        let mac = Data(HMAC<SHA256>.authenticationCode(for: Data(body), using: key))
        switch encoding {
        case .hex: return mac.map { String(format: "%02x", $0) }.joined()
        case .base64: return mac.base64EncodedString()
        }
    }

    /// Whether `signature` (optionally prefixed `sha256=`) is this secret's HMAC of `body`. Malformed
    /// signatures are simply wrong; the comparison takes the same time wherever the bytes differ.
    public func isValid(_ signature: String, for body: some DataProtocol, encoding: Encoding) -> Bool {
        var text = signature.trimmingCharacters(in: .whitespaces)
        if text.lowercased().hasPrefix("sha256=") { text = String(text.dropFirst(7)) }
        let presented: Data?
        switch encoding {
        case .hex: presented = Self.decodeHex(text)
        case .base64: presented = Data(base64Encoded: text)
        }
        guard let presented, presented.count == SHA256.byteCount else { return false }
        // HMAC's isValidAuthenticationCode compares in constant time.
        return HMAC<SHA256>.isValidAuthenticationCode(presented, authenticating: Data(body), using: key)
    }

    static func decodeHex(_ text: String) -> Data? {
        let bytes = Array(text.utf8)
        guard bytes.count % 2 == 0 else { return nil }
        var data = Data(capacity: bytes.count / 2)
        var index = 0
        while index < bytes.count {
            guard let high = nibble(bytes[index]), let low = nibble(bytes[index + 1]) else { return nil }
            data.append(high << 4 | low)
            index += 2
        }
        return data
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 48...57: byte - 48
        case 97...102: byte - 87
        case 65...70: byte - 55
        default: nil
        }
    }
}
