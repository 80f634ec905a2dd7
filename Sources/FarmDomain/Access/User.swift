import Foundation

public enum UserTag {}
public typealias UserID = TypedID<UserTag>

/// A person who signs in. Secrets (password hash, TOTP seed, recovery codes) are never part of the user or its
/// events: they live in the credential store, and the events only say that they changed.
public struct User: Sendable, Equatable, Codable {
    public var id: UserID
    public var username: String
    public var role: Role
    public var disabled: Bool
    public var totpEnabled: Bool
    public var passwordChangedAt: Date?
    public var failedLogins: Int
    public var lockedUntil: Date?
    public var createdAt: Date
    public var updatedAt: Date

    public var status: String { disabled ? "disabled" : "active" }
}

public struct UserCreated: Codable, Sendable, Equatable {
    public var userID: UserID
    public var username: String
    public var role: Role
    public var at: Date
}

public struct UserRoleChanged: Codable, Sendable, Equatable {
    public var role: Role
    public var at: Date
}

/// Something happened to the account that needs no more than a time (disabled, password changed, …).
public struct UserChanged: Codable, Sendable, Equatable {
    public var at: Date
}

public struct UserLoginFailed: Codable, Sendable, Equatable {
    /// Consecutive failures including this one.
    public var attempt: Int
    public var at: Date
}

public struct UserLockedOut: Codable, Sendable, Equatable {
    public var until: Date
    public var at: Date
}

public enum UserEvent: DomainEvent {
    case created(UserCreated)
    case roleChanged(UserRoleChanged)
    case disabled(UserChanged)
    case enabled(UserChanged)
    case passwordChanged(UserChanged)
    case totpEnabled(UserChanged)
    case totpDisabled(UserChanged)
    case loginSucceeded(UserChanged)
    case loginFailed(UserLoginFailed)
    case lockedOut(UserLockedOut)

    public static let aggregate = "user"

    public static let codec = EventCodec<UserEvent>(
        aggregate: aggregate,
        [
            .payload("created", UserCreated.self, UserEvent.created),
            .payload("roleChanged", UserRoleChanged.self, UserEvent.roleChanged),
            .payload("disabled", UserChanged.self, UserEvent.disabled),
            .payload("enabled", UserChanged.self, UserEvent.enabled),
            .payload("passwordChanged", UserChanged.self, UserEvent.passwordChanged),
            .payload("totpEnabled", UserChanged.self, UserEvent.totpEnabled),
            .payload("totpDisabled", UserChanged.self, UserEvent.totpDisabled),
            .payload("loginSucceeded", UserChanged.self, UserEvent.loginSucceeded),
            .payload("loginFailed", UserLoginFailed.self, UserEvent.loginFailed),
            .payload("lockedOut", UserLockedOut.self, UserEvent.lockedOut),
        ])

    public var parts: (name: String, payload: any Encodable) {
        switch self {
        case .created(let p): ("created", p)
        case .roleChanged(let p): ("roleChanged", p)
        case .disabled(let p): ("disabled", p)
        case .enabled(let p): ("enabled", p)
        case .passwordChanged(let p): ("passwordChanged", p)
        case .totpEnabled(let p): ("totpEnabled", p)
        case .totpDisabled(let p): ("totpDisabled", p)
        case .loginSucceeded(let p): ("loginSucceeded", p)
        case .loginFailed(let p): ("loginFailed", p)
        case .lockedOut(let p): ("lockedOut", p)
        }
    }
}

public enum UserCommand: Sendable, Equatable {
    case create(UserID, username: String, role: Role)
    case changeRole(Role)
    case disable
    case enable
    case recordPasswordChange
    case enableTOTP
    case disableTOTP
    case recordLogin
    /// A failed sign-in, kept for the account's owner to see. It never locks the account: a stranger could lock
    /// anyone out that way; the server throttles by client instead (`SignInThrottle`).
    case recordLoginFailure

    public var name: String {
        switch self {
        case .create: "create"
        case .changeRole: "change the role of"
        case .disable: "disable"
        case .enable: "enable"
        case .recordPasswordChange: "change the password of"
        case .enableTOTP: "enable TOTP for"
        case .disableTOTP: "disable TOTP for"
        case .recordLogin: "sign in as"
        case .recordLoginFailure: "record a failed sign-in of"
        }
    }
}

public enum UserState: Sendable, Equatable {
    case none
    case exists(User)

    public var user: User? {
        if case .exists(let user) = self { user } else { nil }
    }
}

/// Accounts: created with a role, possibly disabled and enabled again; sign-in failures count up and lock
/// the account for a while; a successful sign-in resets the count.
public enum UserDecider: Decider {
    public static let initialState = UserState.none

    /// Lowercase letters, digits, dot, dash and underscore; 1 to 64 characters.
    public static func validate(username: String) throws(DomainError) {
        guard (1...64).contains(username.count),
            username.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || ".-_".contains($0)) })
        else {
            throw .invalid(field: "username", reason: "use 1 to 64 lowercase letters, digits, '.', '-' or '_'")
        }
    }

    public static func decide(_ command: UserCommand, state: UserState, context: CommandContext) throws(DomainError)
        -> [UserEvent]
    {
        guard case .exists(let user) = state else {
            guard case .create(let id, let username, let role) = command else {
                throw .notFound(aggregate: "user", command: command.name)
            }
            try validate(username: username)
            return [.created(UserCreated(userID: id, username: username, role: role, at: context.time))]
        }
        let changed = UserChanged(at: context.time)
        switch command {
        case .create(let id, let username, let role):
            guard id == user.id, username == user.username, role == user.role else {
                throw .alreadyExists(aggregate: "user")
            }
            return []
        case .changeRole(let role):
            return role == user.role ? [] : [.roleChanged(UserRoleChanged(role: role, at: context.time))]
        case .disable:
            return user.disabled ? [] : [.disabled(changed)]
        case .enable:
            return user.disabled ? [.enabled(changed)] : []
        case .recordPasswordChange:
            return [.passwordChanged(changed)]
        case .enableTOTP:
            return user.totpEnabled ? [] : [.totpEnabled(changed)]
        case .disableTOTP:
            return user.totpEnabled ? [.totpDisabled(changed)] : []
        case .recordLogin:
            guard !user.disabled else {
                throw .illegalTransition(aggregate: "user", command: command.name, state: "disabled")
            }
            return [.loginSucceeded(changed)]
        case .recordLoginFailure:
            return [.loginFailed(UserLoginFailed(attempt: user.failedLogins + 1, at: context.time))]
        }
    }

    public static func evolve(_ state: UserState, _ event: UserEvent) -> UserState {
        if case .created(let e) = event {
            return .exists(
                User(
                    id: e.userID, username: e.username, role: e.role, disabled: false, totpEnabled: false,
                    passwordChangedAt: nil,
                    failedLogins: 0, lockedUntil: nil, createdAt: e.at, updatedAt: e.at))
        }
        guard case .exists(var user) = state else { return state }
        switch event {
        case .created: break
        case .roleChanged(let e):
            user.role = e.role
            user.updatedAt = e.at
        case .disabled(let e):
            user.disabled = true
            user.updatedAt = e.at
        case .enabled(let e):
            user.disabled = false
            user.updatedAt = e.at
        case .passwordChanged(let e):
            user.passwordChangedAt = e.at
            user.updatedAt = e.at
        case .totpEnabled(let e):
            user.totpEnabled = true
            user.updatedAt = e.at
        case .totpDisabled(let e):
            user.totpEnabled = false
            user.updatedAt = e.at
        case .loginSucceeded(let e):
            user.failedLogins = 0
            user.lockedUntil = nil
            user.updatedAt = e.at
        case .loginFailed(let e):
            user.failedLogins = e.attempt
            user.updatedAt = e.at
        case .lockedOut(let e):
            user.lockedUntil = e.until
            user.failedLogins = 0
            user.updatedAt = e.at
        }
        return .exists(user)
    }
}
