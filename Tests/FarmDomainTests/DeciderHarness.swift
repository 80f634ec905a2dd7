import Foundation
import Testing

@testable import FarmDomain

/// Given/when/then for deciders: given past events, when a command, then these events or this error.
struct Scenario<D: Decider> {
    let given: [D.Event]
    let time = Date(timeIntervalSince1970: 1_800_000_000)

    init(given: [D.Event] = []) { self.given = given }

    var context: CommandContext {
        CommandContext(actor: EventActor(.user, "ada"), reason: .operatorRequest, note: nil, time: time)
    }

    func when(_ command: D.Command, note: String? = nil) -> Result<[D.Event], DomainError> {
        var context = self.context
        context.note = note
        do throws(DomainError) {
            return .success(try D.decide(command, state: D.replay(given), context: context))
        } catch {
            return .failure(error)
        }
    }

    func then(_ command: D.Command, _ expected: [D.Event], sourceLocation: SourceLocation = #_sourceLocation) {
        let result = when(command)
        #expect(result == .success(expected), sourceLocation: sourceLocation)
    }

    func thenRefused(_ command: D.Command, sourceLocation: SourceLocation = #_sourceLocation) -> DomainError? {
        switch when(command) {
        case .success(let events):
            Issue.record("expected \(command) to be refused, got \(events)", sourceLocation: sourceLocation)
            return nil
        case .failure(let error):
            return error
        }
    }
}

/// One row of a transition matrix: a command, the status it leads to, and the statuses it may start from.
struct Move<Command: Sendable, Status: Hashable & Sendable>: Sendable, CustomTestStringConvertible {
    let command: Command
    let target: Status
    let allowedFrom: Set<Status>
    init(_ command: Command, _ target: Status, _ allowedFrom: Set<Status>) {
        self.command = command
        self.target = target
        self.allowedFrom = allowedFrom
    }
    var testDescription: String { "\(command) → \(target)" }
}

extension DomainError {
    /// The field an `.invalid` error names, nil for every other error.
    var invalidField: String? {
        if case .invalid(let field, _) = self { field } else { nil }
    }
}
