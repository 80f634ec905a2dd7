import HummingbirdBcrypt

/// Password rules and bcrypt hashing. Hashing is slow on purpose; call it off the event loop.
public struct Passwords: Sendable {
    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        case tooShort(minimum: Int)
        case tooLong(maximumBytes: Int)
        case empty

        public var description: String {
            switch self {
            case .empty: "the password is empty"
            case .tooShort(let minimum): "use at least \(minimum) characters"
            // why: bcrypt reads only the first 72 bytes; a longer password would be silently truncated.
            case .tooLong(let maximum): "use at most \(maximum) bytes (bcrypt ignores the rest)"
            }
        }
    }

    /// log2 of bcrypt's rounds: 12 in production (about 0.25 s here), lower only in tests.
    public let cost: UInt8
    public let minimumLength: Int
    public static let maximumBytes = 72

    public init(cost: UInt8 = 12, minimumLength: Int = 12) {
        precondition((4...31).contains(cost), "bcrypt cost must be 4…31")
        self.cost = cost
        self.minimumLength = minimumLength
    }

    public func validate(_ password: String) throws(Problem) {
        if password.isEmpty { throw .empty }
        if password.count < minimumLength { throw .tooShort(minimum: minimumLength) }
        if password.utf8.count > Self.maximumBytes { throw .tooLong(maximumBytes: Self.maximumBytes) }
    }

    /// A bcrypt hash of a valid password.
    public func hash(_ password: String) throws(Problem) -> String {
        try validate(password)
        return Bcrypt.hash(password, cost: cost)
    }

    /// Whether `password` matches `hash`. False for anything that is not a bcrypt hash.
    public func verify(_ password: String, hash: String) -> Bool {
        guard hash.hasPrefix("$2"), password.utf8.count <= Self.maximumBytes else { return false }
        return Bcrypt.verify(password, hash: hash)
    }
}
