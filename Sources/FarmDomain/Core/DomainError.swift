import Foundation

/// Why the domain refused a command. Each case names what was asked and what stood in the way,
/// in words an operator can act on; HTTP status codes are chosen elsewhere.
public enum DomainError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The command is not allowed in the aggregate's current state.
    case illegalTransition(aggregate: String, command: String, state: String)
    /// The aggregate does not exist yet; the command needs it to.
    case notFound(aggregate: String, command: String)
    /// The aggregate already exists with different content.
    case alreadyExists(aggregate: String)
    /// A field of the command is not acceptable.
    case invalid(field: String, reason: String)
    /// A stored event's type is not known to this version of the software.
    case unknownEventType(String)

    public var description: String {
        switch self {
        case .illegalTransition(let aggregate, let command, let state):
            "cannot \(command) \(Self.article(aggregate)) \(aggregate) that is \(state)"
        case .notFound(let aggregate, let command):
            "cannot \(command): the \(aggregate) does not exist"
        case .alreadyExists(let aggregate):
            "\(Self.article(aggregate)) \(aggregate) with this id already exists with different content"
        case .invalid(let field, let reason):
            "\(field): \(reason)"
        case .unknownEventType(let type):
            "unknown event type \(type)"
        }
    }

    private static func article(_ noun: String) -> String {
        noun.first.map { "aeiou".contains($0) } == true ? "an" : "a"
    }
}

extension String {
    /// Nothing but white space, in the widest sense: spaces, tabs, line and page breaks, Unicode spaces and the byte
    /// order mark — what JSON Schema's `\S` calls white space, so the API document and the server agree.
    public var isBlank: Bool { trimmingCharacters(in: Self.blankCharacters).isEmpty }

    static let blankCharacters = CharacterSet.whitespacesAndNewlines.union(CharacterSet(charactersIn: "\u{FEFF}"))
}
