import Crypto
import FarmDomain
import Foundation
import JWTKit

/// Short-lived signed session tokens (JWT, HS256 only). The algorithm is pinned: a token whose header names any
/// other algorithm, `none` included, is refused before its signature is even looked at.
struct SessionTokens: Sendable {
    struct Claims: JWTPayload, Equatable {
        /// The session, checked against the session store on every request (revocation).
        var jti: IDClaim
        var sub: SubjectClaim
        var exp: ExpirationClaim
        var iat: IssuedAtClaim

        func verify(using algorithm: some JWTAlgorithm) async throws {
            try exp.verifyNotExpired()
        }
    }

    enum Refusal: Error { case malformed, algorithm, signature, expired }

    private let keys: JWTKeyCollection
    private let csrfKey: SymmetricKey
    /// How long a session lasts.
    let lifetime: TimeInterval

    /// - Parameter secret: at least 32 bytes (jwt-kit traps on shorter HMAC keys in debug builds).
    init(secret: Data, lifetime: TimeInterval = 12 * 3600) async {
        precondition(secret.count >= 32, "the session signing key must be at least 32 bytes")
        keys = await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256, kid: "session-1")
        // A key of its own for CSRF tokens, derived so that one never serves as the other.
        csrfKey = SymmetricKey(
            data: HMAC<SHA256>.authenticationCode(for: Data("printfarm csrf".utf8), using: SymmetricKey(data: secret)))
        self.lifetime = lifetime
    }

    /// The CSRF token of a cookie session: a form or script proves it read a page of ours by sending it back.
    func csrfToken(for session: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data(session.utf8), using: csrfKey)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(
                of: "=", with: "")
    }

    func issue(session: String, user: UserID, at date: Date) async throws -> (token: String, expiresAt: Date) {
        let expires = date.addingTimeInterval(lifetime)
        let claims = Claims(
            jti: IDClaim(value: session), sub: SubjectClaim(value: user.description),
            exp: ExpirationClaim(value: expires), iat: IssuedAtClaim(value: date))
        return (try await keys.sign(claims, kid: "session-1"), expires)
    }

    /// The claims of a valid, unexpired token signed with our key and HS256.
    func verify(_ token: String, at date: Date) async throws(Refusal) -> Claims {
        let segments = token.split(separator: ".", omittingEmptySubsequences: false)
        guard segments.count == 3, let header = Self.decodeSegment(segments[0]),
            let object = try? JSONSerialization.jsonObject(with: header) as? [String: Any]
        else { throw .malformed }
        guard object["alg"] as? String == "HS256" else { throw .algorithm }
        let claims: Claims
        do { claims = try await keys.verify(token, as: Claims.self) } catch { throw .signature }
        // why: jwt-kit checks expiry against the wall clock; the farm's clock is injected, so check it here too.
        guard claims.exp.value > date else { throw .expired }
        return claims
    }

    static func decodeSegment(_ segment: Substring) -> Data? {
        var text = segment.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        return Data(base64Encoded: text)
    }
}
