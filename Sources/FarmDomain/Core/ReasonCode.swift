/// Why a transition happened, as a stable dotted code such as `operator.override` or `printer.disconnected`.
/// Codes are lowercase segments of letters, digits and camelCase, separated by dots, at least two segments.
public struct ReasonCode: Hashable, Codable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String

    public init?(rawValue: String) {
        guard ReasonCode.isValid(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    public init(stringLiteral value: String) {
        precondition(ReasonCode.isValid(value), "invalid reason code literal \(value)")
        self.rawValue = value
    }

    public var description: String { rawValue }

    static func isValid(_ value: String) -> Bool {
        let segments = value.split(separator: ".", omittingEmptySubsequences: false)
        guard segments.count >= 2, value.count <= 100 else { return false }
        return segments.allSatisfy { segment in
            guard let first = segment.first, first.isASCII, first.isLowercase else { return false }
            return segment.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let string = try container.decode(String.self)
        guard let code = ReasonCode(rawValue: string) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "'\(string)' is not a reason code like 'operator.override'")
        }
        self = code
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

extension ReasonCode {
    public static let operatorRequest: ReasonCode = "operator.request"
    public static let operatorOverride: ReasonCode = "operator.override"
    public static let apiRequest: ReasonCode = "api.request"
    public static let policyAutoAdvance: ReasonCode = "policy.autoAdvance"
    public static let guardLoopBreaker: ReasonCode = "guard.loopBreaker"
    public static let guardPrinterDegraded: ReasonCode = "guard.printerDegraded"
    public static let guardRetryCeiling: ReasonCode = "guard.retryCeiling"
    public static let guardAnomalyPause: ReasonCode = "guard.anomalyPause"
    /// A gate's policy decided (the decision and its explanation are in the event).
    public static let policyRequireApproval: ReasonCode = "policy.requireApproval"
    public static let policyBlock: ReasonCode = "policy.block"
    public static let printerDisconnected: ReasonCode = "printer.disconnected"
    public static let printerObserved: ReasonCode = "printer.observed"
    /// The machine said so: a run started, progressed, paused, finished, as the printer reported it.
    public static let printerReported: ReasonCode = "printer.reported"
    public static let dispatchClaimed: ReasonCode = "dispatch.claimed"
    /// A print's parts wait on the bed for a person to take them off (the farm requires cleared beds).
    public static let dispatchBedOccupied: ReasonCode = "dispatch.bedOccupied"
    /// The schedule asked a person for a changeover, or no longer needs it.
    public static let changeoverRequested: ReasonCode = "schedule.changeoverRequested"
    public static let changeoverWithdrawn: ReasonCode = "schedule.changeoverWithdrawn"
    public static let dispatchFailed: ReasonCode = "dispatch.failed"
    /// What the farm believes and what the machine reports disagree (the evidence is in the event).
    public static let reconcileMismatch: ReasonCode = "reconcile.mismatch"
    /// A mismatch was settled by one of the reconciliation rules.
    public static let reconcileHealed: ReasonCode = "reconcile.healed"
    public static let preflightPassed: ReasonCode = "preflight.passed"
    public static let preflightFailed: ReasonCode = "preflight.failed"
    public static let preflightWarned: ReasonCode = "preflight.warned"
    public static let intakeUploaded: ReasonCode = "intake.uploaded"
    public static let intakeAnalysed: ReasonCode = "intake.analysed"
    public static let intakeUnreadable: ReasonCode = "intake.unreadable"
    public static let sliceRecorded: ReasonCode = "slice.recorded"
    public static let qaPassed: ReasonCode = "qa.passed"
    public static let qaFailedDimensions: ReasonCode = "qa.failed.dimensions"
}

extension ReasonCode {
    /// A shop delivered or the farm polled an order (the delivery's topic and key are in the event).
    public static let shopDelivered: ReasonCode = "shop.delivered"
    public static let shopPolled: ReasonCode = "shop.polled"
    /// An order waits: a line is not in the catalog, a quantity is wrong, nothing is printable.
    public static let shopHeld: ReasonCode = "shop.held"
    /// Every line maps: the order became an intent.
    public static let shopReleased: ReasonCode = "shop.released"
    /// The shop cancelled or refunded the order.
    public static let shopCancelled: ReasonCode = "shop.cancelled"
    /// The order shipped: the shop is to be told, was told, or could not be.
    public static let shopFulfilment: ReasonCode = "shop.fulfilment"
}

extension ReasonCode {
    /// Farm mode: the composer put parts on a plate; a part left one its plan no longer wants; a plate was sliced
    /// (frozen); the slicer could not arrange a plate, which was split in two.
    public static let plateComposed: ReasonCode = "plate.composed"
    public static let plateStale: ReasonCode = "plate.stale"
    public static let plateFrozen: ReasonCode = "plate.frozen"
    public static let plateSplit: ReasonCode = "plate.split"
}

extension ReasonCode {
    /// A run that had not started was cancelled because its order was.
    public static let intentCancelled: ReasonCode = "intent.cancelled"
}

extension ReasonCode {
    /// A run's filament was taken off the spool loaded on its printer.
    public static let materialUsed: ReasonCode = "material.used"
    /// A spool was loaded or unloaded, so the printer's material follows.
    public static let materialLoaded: ReasonCode = "material.loaded"
    /// A change made in Spoolman was taken in by the farm's link to it.
    public static let materialSynced: ReasonCode = "material.synced"
}
