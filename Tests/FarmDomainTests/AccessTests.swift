import Foundation
import Testing

@testable import FarmDomain

@Suite("Roles and permissions")
struct RoleTests {
    @Test("viewers read, operators also operate, owners may do everything")
    func table() {
        #expect(Role.viewer.permissions == [.read, .ownAccount])
        #expect(Role.operator.permissions == [.read, .operate, .ownAccount])
        #expect(Role.owner.permissions == Set(Permission.allCases))
        #expect(APIKeyScope.read.permissions == [.read])
        #expect(APIKeyScope.operate.permissions == [.read, .operate])
        #expect(APIKeyScope.admin.permissions == Set(Permission.allCases).subtracting([.ownAccount]))
        for role in Role.allCases { #expect(role.permissions.contains(.read)) }
    }
}

@Suite("User accounts")
struct UserDeciderTests {
    let id = UserID(UUID(uuidString: "01936a4e-0000-7000-8000-0000000000d1")!)
    let at = Date(timeIntervalSince1970: 1_800_000_000)
    var created: UserEvent { .created(UserCreated(userID: id, username: "ada", role: .operator, at: at)) }

    @Test("a user is created once with a valid username; another user under the id is refused")
    func create() {
        Scenario<UserDecider>().then(.create(id, username: "ada", role: .operator), [created])
        Scenario<UserDecider>(given: [created]).then(.create(id, username: "ada", role: .operator), [])
        #expect(
            Scenario<UserDecider>(given: [created]).thenRefused(.create(id, username: "bob", role: .operator))
                == .alreadyExists(aggregate: "user"))
        for bad in ["", "Ada", "a b", String(repeating: "a", count: 65), "ädä", "ada;drop"] {
            #expect(
                Scenario<UserDecider>().thenRefused(.create(id, username: bad, role: .viewer))?.invalidField
                    == "username", "\(bad)")
        }
        #expect(Scenario<UserDecider>().thenRefused(.disable) == .notFound(aggregate: "user", command: "disable"))
    }

    @Test("disable, enable, role and TOTP changes happen once; repeats are no-ops")
    func toggles() {
        let s = Scenario<UserDecider>(given: [created])
        let changed = UserChanged(at: s.time)
        s.then(.disable, [.disabled(changed)])
        Scenario<UserDecider>(given: [created, .disabled(changed)]).then(.disable, [])
        Scenario<UserDecider>(given: [created, .disabled(changed)]).then(.enable, [.enabled(changed)])
        s.then(.enable, [])
        s.then(.changeRole(.owner), [.roleChanged(UserRoleChanged(role: .owner, at: s.time))])
        s.then(.changeRole(.operator), [])
        s.then(.enableTOTP, [.totpEnabled(changed)])
        Scenario<UserDecider>(given: [created, .totpEnabled(changed)]).then(.enableTOTP, [])
        Scenario<UserDecider>(given: [created, .totpEnabled(changed)]).then(.disableTOTP, [.totpDisabled(changed)])
        #expect(UserDecider.replay([created, .disabled(changed)]).user?.disabled == true)
        #expect(UserDecider.replay([created, .disabled(changed)]).user?.status == "disabled")
    }

    @Test(
        "failed sign-ins count up and never lock the account; an old lock still reads back; a success resets the count; a disabled user cannot sign in"
    )
    func failures() {
        var history: [UserEvent] = [created]
        for attempt in 1...6 {
            let events = try! Scenario<UserDecider>(given: history).when(.recordLoginFailure).get()
            #expect(events == [.loginFailed(UserLoginFailed(attempt: attempt, at: at))])
            history += events
        }
        #expect(UserDecider.replay(history).user?.lockedUntil == nil)
        #expect(UserDecider.replay(history).user?.failedLogins == 6)
        // Streams written before locks were dropped keep their lockedOut events.
        let oldLock = UserDecider.replay(
            history + [.lockedOut(UserLockedOut(until: at.addingTimeInterval(900), at: at))]
        ).user
        #expect(oldLock?.lockedUntil == at.addingTimeInterval(900))
        let success = try! Scenario<UserDecider>(given: history).when(.recordLogin).get()
        #expect(UserDecider.replay(history + success).user?.failedLogins == 0)
        #expect(
            Scenario<UserDecider>(given: [created, .disabled(UserChanged(at: at))]).thenRefused(.recordLogin)
                == .illegalTransition(aggregate: "user", command: "sign in as", state: "disabled"))
    }
}

@Suite("API keys")
struct APIKeyDeciderTests {
    let id = APIKeyID(UUID(uuidString: "01936a4e-0000-7000-8000-0000000000e1")!)
    let at = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("a key is created with a name and scope by its actor, and revoked once")
    func lifecycle() {
        let s = Scenario<APIKeyDecider>()
        let created = APIKeyEvent.created(
            APIKeyCreated(
                apiKeyID: id, name: "shop sync", scope: .operate, keyID: "abc123def456", createdBy: "user:ada",
                at: s.time))
        s.then(.create(id, name: "shop sync", scope: .operate, keyID: "abc123def456"), [created])
        Scenario<APIKeyDecider>(given: [created]).then(
            .create(id, name: "shop sync", scope: .operate, keyID: "abc123def456"), [])
        #expect(
            Scenario<APIKeyDecider>(given: [created]).thenRefused(
                .create(id, name: "other", scope: .operate, keyID: "abc123def456"))
                == .alreadyExists(aggregate: "API key"))
        Scenario<APIKeyDecider>(given: [created]).then(.revoke, [.revoked(APIKeyRevoked(at: s.time))])
        Scenario<APIKeyDecider>(given: [created, .revoked(APIKeyRevoked(at: at))]).then(.revoke, [])
        #expect(APIKeyDecider.replay([created, .revoked(APIKeyRevoked(at: at))]).apiKey?.revoked == true)
        #expect(s.thenRefused(.create(id, name: "  ", scope: .read, keyID: "x"))?.invalidField == "name")
        #expect(s.thenRefused(.revoke) == .notFound(aggregate: "API key", command: "revoke"))
    }
}
