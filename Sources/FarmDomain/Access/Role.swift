/// What a person may do in the farm. The permission table lives here, in one place, not in scattered checks.
public enum Role: String, Codable, Sendable, CaseIterable, Comparable {
    /// Reads everything, changes nothing.
    case viewer
    /// Runs the farm: approves, dispatches, pauses, inspects, reprints.
    case `operator`
    /// Also manages users, API keys, printers' connection secrets and policies.
    case owner

    public var permissions: Set<Permission> {
        switch self {
        case .viewer: [.read, .ownAccount]
        case .operator: [.read, .operate, .ownAccount]
        case .owner: Set(Permission.allCases)
        }
    }

    public static func < (lhs: Role, rhs: Role) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// One thing a route or command needs. Every route names exactly one.
public enum Permission: String, Codable, Sendable, CaseIterable {
    /// See orders, plans, printers, runs and events.
    case read
    /// Change one's own password and two-factor sign-in. The only permission of a session that still has to
    /// enrol in TOTP where the farm requires it.
    case ownAccount
    /// Change the farm's work: intents, plans, runs, printer state.
    case operate
    /// Create, change and disable users; require TOTP.
    case manageUsers
    /// Create and revoke API keys.
    case manageKeys
    /// Register printers with their connection secrets, change policies.
    case administer
}

/// What an API key may do, chosen when it is created.
public enum APIKeyScope: String, Codable, Sendable, CaseIterable {
    case read, operate, admin

    public var permissions: Set<Permission> {
        switch self {
        case .read: [.read]
        case .operate: [.read, .operate]
        // Keys have no account of their own.
        case .admin: Set(Permission.allCases).subtracting([.ownAccount])
        }
    }
}
