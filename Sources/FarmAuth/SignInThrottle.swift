import Foundation

/// Decides whether a sign-in attempt may be tried now, from the failures seen recently. Pure: time comes in.
///
/// Failures are counted per client and per (client, account) pair, never per account alone: an account that
/// anyone could lock by failing on purpose would let a stranger lock the owner out (issue 17). The account is the
/// name as typed, whether or not such a user exists, so the answers say nothing about which accounts exist.
/// - A pair may fail `freeFailures` times in `window`; after that each attempt waits twice as long as the one
///   before (1 s, 2 s, 4 s, …, at most `window`) from the pair's last failure.
/// - A client may fail `clientFailures` times in `window` over all accounts; then it waits until its oldest counted
///   failure leaves the window.
/// - A success clears its pair.
public struct SignInThrottle: Sendable {
    public var window: TimeInterval
    public var freeFailures: Int
    public var clientFailures: Int
    /// Entries kept at most; the stalest go first (a flood of made-up names cannot grow memory without bound).
    public var capacity: Int

    private var pairs: [String: [Date]] = [:]
    private var clients: [String: [Date]] = [:]

    public init(window: TimeInterval = 15 * 60, freeFailures: Int = 5, clientFailures: Int = 30, capacity: Int = 50_000)
    {
        self.window = window
        self.freeFailures = freeFailures
        self.clientFailures = clientFailures
        self.capacity = capacity
    }

    /// nil when the attempt may go ahead, else how many seconds to wait (for `Retry-After`).
    public mutating func wait(client: String, account: String, now: Date) -> Int? {
        let pairFailures = recent(&pairs, Self.pair(client, account), now: now)
        let clientFailureTimes = recent(&clients, client, now: now)
        var until: Date?
        if pairFailures.count >= freeFailures, let last = pairFailures.last {
            let doubling = min(window, pow(2, Double(min(pairFailures.count - freeFailures, 20))))
            until = last.addingTimeInterval(doubling)
        }
        if clientFailureTimes.count >= clientFailures, let oldest = clientFailureTimes.first {
            let clientUntil = oldest.addingTimeInterval(window)
            until = max(until ?? clientUntil, clientUntil)
        }
        guard let until, until > now else { return nil }
        return max(1, Int(until.timeIntervalSince(now).rounded(.up)))
    }

    public mutating func failed(client: String, account: String, now: Date) {
        append(&pairs, Self.pair(client, account), now)
        append(&clients, client, now)
    }

    public mutating func succeeded(client: String, account: String) {
        pairs[Self.pair(client, account)] = nil
    }

    private static func pair(_ client: String, _ account: String) -> String { client + "\u{0}" + account.lowercased() }

    private func recent(_ table: inout [String: [Date]], _ key: String, now: Date) -> [Date] {
        guard var times = table[key] else { return [] }
        times.removeAll { now.timeIntervalSince($0) >= window }
        table[key] = times.isEmpty ? nil : times
        return times
    }

    private func append(_ table: inout [String: [Date]], _ key: String, _ now: Date) {
        table[key, default: []].append(now)
        if table.count > capacity {
            // why: dropping the stalest tenth at once keeps this rare; a dropped entry only forgets old failures.
            let stalest = table.sorted { ($0.value.last ?? .distantPast) < ($1.value.last ?? .distantPast) }.prefix(
                capacity / 10)
            for (key, _) in stalest { table[key] = nil }
        }
    }
}
