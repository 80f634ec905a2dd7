import FarmDomain
import FarmInventory
import FarmStore
import Foundation
import Hummingbird
import Logging

struct SpoolmanLinkRequest: Decodable, Sendable {
    var url: String
    var pollSeconds: Int?
    var reason: String?
    var note: String?
}

extension MaterialRoutes {
    /// A farm that keeps its spools in Spoolman connects it: the link is read at once and then every `pollSeconds`,
    /// and usage is sent back. The server reads the address given, so connecting is an owner's job (like a printer's
    /// address); reading the links' state is anyone's.
    func spoolmanRoutes(on routes: SecuredRoutes) {
        let links = "/api/v1/materials/spoolman/links"
        routes.post(links, .administer) { request, context in
            let body = try await JSONIO.decode(SpoolmanLinkRequest.self, from: request, context: context)
            let url = body.url.hasSuffix("/") ? String(body.url.dropLast()) : body.url
            let spec = SpoolmanLinkSpec(url: url, pollSeconds: body.pollSeconds ?? 60)
            let id = SpoolmanLinkSpec.id(for: url)
            let commandContext = try services.commandContext(context, reason: body.reason, note: body.note)
            var commands: [(command: RecordCommand<SpoolmanLinkSpec>, context: CommandContext)] = []
            let existing = try await store.spoolmanLinks.get(id: id.description)?.model
            if existing == nil { commands.append((.register(id, spec), commandContext)) }
            if existing?.retired == true { commands.append((.restore, commandContext)) }
            if let existing, existing.spec != spec { commands.append((.update(spec), commandContext)) }
            let outcome = try await store.spoolmanLinks.execute(
                commands, id: id.description, correlationID: try services.correlationID(request, context))
            // Read at once, so whoever connects it sees whether it works; a failure is the link's state, not this
            // request's: the link stays and is read again.
            _ = try? await sync.sync(outcome.model)
            return try JSONIO.response(
                try await status(of: outcome.model), status: existing == nil ? .created : .ok,
                location: existing == nil ? "\(links)/\(id)" : nil)
        }
        routes.get(links, .read) { _, _ in
            try JSONIO.response(["items": try await SpoolmanLinkStatus.all(in: store)])
        }
        routes.get(links + "/{id}", .read) { _, context in
            try JSONIO.response(try await status(of: try await link(context)))
        }
        // Read it now rather than at its next interval.
        routes.post(links + "/{id}/sync", .operate) { _, context in
            let link = try await link(context)
            guard !link.retired else {
                throw Problem(
                    status: .conflict, code: "spoolman-disconnected", title: "This Spoolman is disconnected",
                    detail: "connect it again (POST \(links) with its url) to read it")
            }
            do {
                return try JSONIO.response(try await sync.sync(link))
            } catch let error as SpoolmanError {
                throw Problem.spoolmanFailed(error)
            }
        }
        // Disconnect: no more reads, no more usage sent; what was taken in stays.
        routes.delete(links + "/{id}", .administer) { request, context in
            let link = try await link(context)
            let outcome = try await store.spoolmanLinks.execute(
                .retire, id: link.id.description,
                context: try services.commandContext(context, reason: nil, note: nil),
                correlationID: try services.correlationID(request, context))
            return try JSONIO.response(try await status(of: outcome.model))
        }
        // One read of a Spoolman without keeping a link (and again later, to take Spoolman's changes).
        routes.post("/api/v1/materials/spoolman/import", .administer) { request, context in
            struct Body: Decodable { var url: String }
            let body = try await JSONIO.decode(Body.self, from: request, context: context)
            guard (try? SpoolmanLinkSpec(url: body.url).validate()) != nil, let url = URL(string: body.url) else {
                throw Problem.invalidField(
                    "url", "Spoolman's address without a user or password, like http://192.168.1.40:7912")
            }
            let commandContext = try services.commandContext(
                context, reason: nil, note: "from Spoolman at \(url.absoluteString)", defaultReason: .operatorRequest)
            do {
                let summary = try await SpoolmanImport(store: store, client: SpoolmanClient(base: url)).run(
                    context: commandContext)
                return try JSONIO.response(summary)
            } catch let error as SpoolmanError {
                throw Problem.spoolmanFailed(error)
            }
        }
    }

    private var sync: SpoolmanSync {
        SpoolmanSync(store: store, now: services.now, logger: Logger(label: "printfarm.spoolman"))
    }

    private func link(_ context: FarmRequestContext) async throws -> SpoolmanConnection {
        let text = try context.parameters.require("id")
        guard let id = SpoolmanLinkID(text) else { throw Problem.invalidParameter("id", "'\(text)' is not a UUID") }
        guard let link = try await store.spoolmanLinks.get(id: id.description)?.model else {
            throw Problem.notFound("Spoolman link \(id)")
        }
        return link
    }

    private func status(of link: SpoolmanConnection) async throws -> SpoolmanLinkStatus {
        SpoolmanLinkStatus(link, health: try await store.linkHealth.health(of: link.id.description))
    }
}

extension Problem {
    static func spoolmanFailed(_ error: SpoolmanError) -> Problem {
        Problem(
            status: .badGateway, code: "spoolman-failed", title: "Spoolman could not be read", detail: error.message)
    }
}
