import ArgumentParser
import FarmAuth
import FarmDomain
import FarmServer
import FarmStore
import Foundation

/// Opens the store a command works on, runs `body`, and always closes it.
func withStore<T>(
    _ storage: StorageOptions, migrate: Bool = true, allowOutdated: Bool = false, _ body: (Store) async throws -> T
) async throws -> T {
    let configuration = try storage.load()
    let store = try await Store.open(
        try configuration.storageLocation(), logger: storage.logger(configuration), migrate: migrate,
        allowOutdated: allowOutdated)
    do {
        let result = try await body(store)
        await store.shutdown()
        return result
    } catch {
        await store.shutdown()
        throw error
    }
}

/// Turns domain refusals into messages for a person at a terminal.
func explain(_ error: any Error) -> any Error {
    switch error {
    case let error as DomainError: ValidationError(error.description)
    case let error as Passwords.Problem: ValidationError("password: \(error.description)")
    default: error
    }
}

struct Users: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage user accounts.",
        discussion:
            "A new farm has no users: create its first owner with `printfarm users create --username NAME --role owner`.",
        subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user (prompts for the password).")

        @OptionGroup var storage: StorageOptions

        @Option(help: "Lowercase letters, digits, '.', '-' or '_'.")
        var username: String

        @Option(help: "viewer, operator or owner.")
        var role: Role

        @Flag(
            name: .customLong("password-stdin"),
            help: "Read the password from the first line of standard input (for scripts).")
        var passwordFromStandardInput = false

        func run() async throws {
            let password: String
            if passwordFromStandardInput {
                password = readLine(strippingNewline: true) ?? ""
            } else {
                guard let typed = getpass("Password for \(username): ") else {
                    throw ValidationError("no password given")
                }
                password = String(cString: typed)
            }
            try await withStore(storage) { store in
                do {
                    let outcome = try await Accounts.createUser(
                        store: store, passwords: Passwords(), username: username, role: role, password: password,
                        id: UserID(SystemIDs.uuidv7()),
                        context: CommandContext(actor: .cli, reason: "operator.request", time: Date()))
                    print("created \(role.rawValue) \(username) (\(outcome.model.id))")
                } catch { throw explain(error) }
            }
        }
    }
}

struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage API keys.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an API key and print it (once; only its digest is kept).")

        @OptionGroup var storage: StorageOptions

        @Option(help: "What uses the key, for example 'shop sync'.")
        var name: String

        @Option(help: "read, operate or admin.")
        var scope: APIKeyScope

        func run() async throws {
            try await withStore(storage) { store in
                do {
                    let (key, outcome) = try await Accounts.issueAPIKey(
                        store: store, name: name, scope: scope, id: APIKeyID(SystemIDs.uuidv7()),
                        context: CommandContext(actor: .cli, reason: "operator.request", time: Date()))
                    FileHandle.standardError.write(
                        Data("created \(scope.rawValue) key '\(name)' (\(outcome.model.id)); it is shown once:\n".utf8))
                    print(key)
                } catch { throw explain(error) }
            }
        }
    }
}

extension Role: ExpressibleByArgument {}
extension APIKeyScope: ExpressibleByArgument {}
