/// When a plate stops gathering parts and goes to the schedule. A plate that fills the bed well goes at once; a
/// sparse one waits a while for parts of orders still to come, but never past the point where waiting would make it
/// late, and never longer than `holdMinutes`. Pure.
public struct PlateRelease: Sendable, Equatable {
    /// The share of the bed that releases a plate at once.
    public var releaseFill: Double
    /// The longest a sparse plate waits for more parts.
    public var holdMinutes: Int

    public init(releaseFill: Double = 0.5, holdMinutes: Int = 60) {
        self.releaseFill = releaseFill
        self.holdMinutes = holdMinutes
    }

    public enum Decision: Sendable, Equatable {
        case release(String)
        /// Waits for more parts for up to `minutes` more.
        case gather(minutes: Int, String)

        public var released: Bool { if case .release = self { true } else { false } }
    }

    /// - Parameters:
    ///   - waited: minutes since the plate was composed.
    ///   - minutes: its print minutes; `due`: minutes from now to its earliest due date.
    ///   - full: no more parts fit or may join.
    public func decide(fill: Double, waited: Int, minutes: Int, due: Int?, locked: Bool, full: Bool) -> Decision {
        if locked { return .release("locked by an operator as it is") }
        if full { return .release("full") }
        if fill >= releaseFill {
            return .release("fills \(percent(fill)) of the bed (releases at \(percent(releaseFill)))")
        }
        var left = holdMinutes - waited
        var why = "the bed is \(percent(fill)) full; it waits for parts of other orders"
        if let due {
            // The latest start that still meets the due date, less an hour's margin for the queue ahead.
            let slack = due - minutes - 60
            if slack < left {
                left = slack
                why += " while its due date allows"
            }
        }
        if left <= 0 { return .release("waited for more parts as long as it may (the bed is \(percent(fill)) full)") }
        return .gather(minutes: left, why)
    }
}

func percent(_ share: Double) -> String { "\(Int((share * 100).rounded())) %" }
