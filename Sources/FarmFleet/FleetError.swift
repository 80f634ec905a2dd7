/// Why the fleet refused an operator's request, with the stable code and the sentence the HTTP layer answers with.
public struct FleetError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The run or printer does not exist.
        case notFound
        /// A field of the request names something that is not there.
        case invalid(field: String)
        /// The farm's or the machine's state does not allow it now.
        case conflict
        /// The machine refused the command.
        case machineRefused
        /// The machine took the command but did not confirm it in time.
        case machineSilent
    }

    public var kind: Kind
    /// Stable, for clients to branch on (printer-unreachable, run-not-printing, …).
    public var code: String
    public var title: String
    /// What happened and what to do.
    public var detail: String

    public init(_ kind: Kind, code: String, title: String, detail: String) {
        self.kind = kind
        self.code = code
        self.title = title
        self.detail = detail
    }

    public static func notFound(_ what: String) -> FleetError {
        FleetError(.notFound, code: "not-found", title: "No such resource", detail: "\(what) does not exist")
    }

    public static func invalid(_ field: String, _ reason: String) -> FleetError {
        FleetError(
            .invalid(field: field), code: "invalid-field", title: "A field has a value this endpoint cannot accept",
            detail: "\(field): \(reason)")
    }

    public static func refused(_ error: any Error) -> FleetError {
        FleetError(
            .machineRefused, code: "printer-refused", title: "The printer refused the command", detail: "\(error)")
    }

    public static func unreachable(_ detail: String) -> FleetError {
        FleetError(.conflict, code: "printer-unreachable", title: "The printer cannot be reached", detail: detail)
    }

    public var description: String { "\(code): \(detail)" }
}
