/// What went wrong in storage, in words that say what to do.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Someone else appended to the stream first: the caller's view is stale.
    case concurrencyConflict(stream: String, expected: Int, actual: Int)
    /// The configuration cannot work (bad URL, unreachable database named at start-up).
    case configuration(String)
    /// A stored row could not be read back (corrupt or from an unknown future version).
    case corrupt(String)

    public var description: String {
        switch self {
        case .concurrencyConflict(let stream, let expected, let actual):
            "stream \(stream) is at version \(actual), not \(expected): reload and try again"
        case .configuration(let message): message
        case .corrupt(let message): "stored data cannot be read: \(message)"
        }
    }
}
