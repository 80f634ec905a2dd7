import Foundation

/// What operators tell the scheduler about a plan: keep it to one printer or a group, and whether it is a rush.
/// Inputs to the plan, not overrides of it: the scheduler still decides when and, within the pin, where.
public struct PlanScheduling: Codable, Sendable, Equatable {
    public var pinnedPrinter: PrinterID?
    public var pinnedGroup: String?
    public var rush: Bool

    public init(pinnedPrinter: PrinterID? = nil, pinnedGroup: String? = nil, rush: Bool = false) {
        self.pinnedPrinter = pinnedPrinter
        self.pinnedGroup = pinnedGroup
        self.rush = rush
    }

    func validate() throws(DomainError) {
        if pinnedPrinter != nil, pinnedGroup != nil {
            throw .invalid(field: "pinnedGroup", reason: "pin to a printer or to a group, not both")
        }
        if let group = pinnedGroup, group.isBlank || group.count > 60 {
            throw .invalid(field: "pinnedGroup", reason: "a printer group's name, 1 to 60 characters")
        }
    }
}

public struct PlanSchedulingSet: Codable, Sendable, Equatable {
    public var scheduling: PlanScheduling
    public var at: Date
}
