import FarmScheduling
import Foundation

/// How long a connector waits before it reconnects: doubling from `base` to `limit` with each failure in a row,
/// jittered to between half and all of it so a farm's printers do not reconnect in step after a network blip.
public struct Backoff: Sendable {
    public var base: Double
    public var limit: Double
    public private(set) var failures = 0
    private var random: SplitMix64

    public init(base: Double, limit: Double, seed: UInt64) {
        self.base = base
        self.limit = limit
        random = SplitMix64(seed: seed)
    }

    /// One more failure; the delay before the next attempt (`slow`: the limit, for a refusal that retrying soon
    /// will not cure, such as a wrong key).
    public mutating func failed(slow: Bool = false) -> Double {
        failures += 1
        let exponent = Double(min(failures, 16))
        let ceiling = min(limit, base * pow(2, exponent - 1))
        let jitter = 0.5 + random.nextUnit() * 0.5
        return (slow ? limit : ceiling) * jitter
    }

    public mutating func succeeded() { failures = 0 }
}

/// Which reports a connector passes on: every change of state at once, a temperature change at most once per
/// `temperatureInterval` (the rest are held and said when a tick finds the interval over), and never a progress
/// that goes back within one job: a poll's figure can lag the socket's, and Moonraker's own progress counts the
/// file's header as printed, so true progress from the byte range, once known, starts lower.
public struct ReportGate: Sendable {
    public var temperatureInterval: Double
    public private(set) var last: MachineReport?
    private var lastTemperatureReport = -Double.infinity
    /// A temperature change was held back.
    public private(set) var holding = false

    public init(temperatureInterval: Double) { self.temperatureInterval = temperatureInterval }

    /// The report to pass on at `clock`, or nil.
    public mutating func pass(_ report: MachineReport, at clock: Double) -> MachineReport? {
        var report = report
        if let last, let previous = last.progress, let now = report.progress, now < previous,
            report.filename == last.filename, [.printing, .paused].contains(report.job),
            [.printing, .paused].contains(last.job)
        {
            report.progress = previous
        }
        switch report.change(from: last) {
        case .none: return nil
        case .temperatures:
            guard clock - lastTemperatureReport >= temperatureInterval else {
                holding = true
                return nil
            }
        case .state: break
        }
        holding = false
        last = report
        lastTemperatureReport = clock
        return report
    }

    /// A held temperature change is due.
    public func due(at clock: Double) -> Bool { holding && clock - lastTemperatureReport >= temperatureInterval }
}
