import FarmDomain
import FarmIntake
import FarmStore
import Foundation
import HTTPTypes
import Hummingbird

struct LineItemInput: Decodable, Sendable {
    var id: LineItemID?
    var modelArtifact: String?
    var quantity: Int
    var material: String
    var colour: String?
    var finish: String?
}

struct CreateIntentRequest: Decodable, Sendable {
    var id: IntentID?
    var source: IntentSource?
    var externalReference: String?
    var customer: String?
    var lineItems: [LineItemInput]
    var dueDate: Date?
    var paymentStatus: PaymentStatus?
    var currency: String?
    var constraints: [String]?
    var reason: String?
    var note: String?
}

/// A lifecycle step asked for over the API, with why.
/// How an order left: the carrier and tracking number, both optional (a parcel handed over the counter).
struct ShipmentRequest: Decodable, Sendable {
    var carrier: String?
    var trackingNumber: String?
    var trackingURL: String?
    var reason: String?
    var note: String?
}

struct TransitionRequest: Decodable, Sendable {
    var action: String
    var reason: String?
    var note: String?
}

/// `/api/v1/intents`: customer promises. Created, read, listed and moved along their lifecycle.
struct QuoteRequest: Decodable, Sendable {
    var lineItemID: LineItemID
    /// A manual quote: the price (a JSON number or a decimal string such as "19.90"), its currency and a note.
    var price: DecimalInput?
    var currency: String?
    var note: String?
    /// An estimate: the slice (its key) of this line item, and the class of printer it runs on.
    var slice: String?
    var printerClass: String?
    var reason: String?
}

/// An amount as a JSON number or a decimal string; either way read exactly, never through a binary double.
struct DecimalInput: Decodable, Sendable {
    var value: Decimal

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            guard let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")),
                text.allSatisfy({ $0.isNumber || $0 == "." || $0 == "-" })
            else {
                throw DecodingError.dataCorrupted(
                    .init(
                        codingPath: decoder.codingPath,
                        debugDescription: "'\(text.prefix(40))' is not a decimal amount such as 19.90"))
            }
            self.value = value
        } else {
            value = try container.decode(Decimal.self)
        }
    }
}

struct IntentRoutes {
    let endpoints: AggregateEndpoints<IntentDecider>
    let preflighting: IntentPreflighting
    let pricing: PricingRates

    static let actions: [String: IntentCommand] = [
        "accept": .accept, "reject": .reject, "startProduction": .startProduction, "markReadyToShip": .markReadyToShip,
        "ship": .ship(), "close": .close, "cancel": .cancel,
    ]

    func register(on routes: SecuredRoutes) {
        routes.post("/api/v1/intents", .operate) { request, context in try await create(request, context) }
        routes.get("/api/v1/intents", .read) { request, _ in
            try await endpoints.list(
                request, status: try QueryParameters(request).oneOf("status", IntentStatus.self), ref: nil)
        }
        routes.get("/api/v1/intents/{id}", .read) { request, context in try await endpoints.get(request, context) }
        routes.post("/api/v1/intents/{id}/transitions", .operate) { request, context in
            try await transition(request, context)
        }
        routes.post("/api/v1/intents/{id}/preflight", .operate) { request, context in
            try await preflight(request, context)
        }
        routes.post("/api/v1/intents/{id}/quotes", .operate) { request, context in try await quote(request, context) }
        routes.post("/api/v1/intents/{id}/shipment", .operate) { request, context in
            try await ship(request, context)
        }
    }

    /// A manual quote (`price`, `currency`, `note`) or an estimate from a slice (`slice`, `printerClass`).
    func quote(_ request: Request, _ context: FarmRequestContext) async throws -> Response {
        let id = try endpoints.id(context)
        let body = try await JSONIO.decode(QuoteRequest.self, from: request, context: context)
        let services = endpoints.services
        guard let intent = try await services.store.intents.get(id: id)?.model else {
            throw Problem.notFound("intent \(id)")
        }
        guard let item = intent.lineItems.first(where: { $0.id == body.lineItemID }) else {
            throw Problem.invalidField("lineItemID", "intent \(id) has no line item \(body.lineItemID)")
        }
        let quote: Quote
        do {
            if let price = body.price?.value {
                quote = try QuoteCalculator.manual(
                    price: price, currency: body.currency ?? intent.currency ?? pricing.currency, note: body.note)
            } else if let key = body.slice?.lowercased() {
                if let currency = intent.currency, currency != pricing.currency {
                    throw Problem.invalidField(
                        "slice",
                        "the farm's pricing rates are in \(pricing.currency) but this order is in \(currency); quote it manually in \(currency) (price, note)"
                    )
                }
                guard let slice = try await services.store.slices.get(id: key)?.model else {
                    throw Problem.invalidField(
                        "slice", "no slice \(key.prefix(80)) exists; slice the model first (POST /api/v1/slices)")
                }
                let copies = Double(max(1, slice.inputs.copies))
                let grams =
                    slice.facts.filamentGrams.flatMap { $0 > 0 ? $0 : nil }
                    ?? (slice.facts.filamentCubicCentimetres ?? 0)
                    * (MaterialCatalog.standard.spec(named: item.material)?.density ?? 1.24)
                let cost = SliceCost(
                    gramsPerItem: grams / copies,
                    secondsPerItem: Int(Double(slice.facts.estimatedSeconds ?? 0) / copies))
                quote = try QuoteCalculator.estimate(
                    quantity: item.quantity, material: item.material, printerClass: body.printerClass ?? "standard",
                    cost: cost, rates: pricing)
            } else {
                throw Problem.invalidField("price", "give a price (a manual quote) or a slice (an estimate)")
            }
        } catch let error as QuoteError {
            throw Problem.invalidField(body.price == nil ? "slice" : "price", error.description)
        }
        let commandContext = try services.commandContext(
            context, reason: body.reason, note: body.price == nil ? nil : body.note)
        let outcome = try await services.store.intents.execute(
            .recordQuote(item.id, quote), id: id, expectedVersion: try request.expectedVersion(),
            context: commandContext,
            correlationID: try services.correlationID(request, context))
        return try JSONIO.response(outcome.model, etag: outcome.version)
    }

    /// Runs preflight again (after a printer was added or a model replaced) and answers with the intent.
    func preflight(_ request: Request, _ context: FarmRequestContext) async throws -> Response {
        let id = try endpoints.id(context)
        let services = endpoints.services
        let commandContext = try services.commandContext(context, reason: nil, note: nil)
        let outcome: CommandOutcome<IntentDecider>
        do {
            outcome = try await preflighting.run(
                intentID: id, context: commandContext, correlationID: try services.correlationID(request, context))
        } catch let missing as IntentPreflighting.NotFound {
            throw Problem.notFound("intent \(missing.intentID)")
        }
        return try JSONIO.response(outcome.model, etag: outcome.version)
    }

    func create(_ request: Request, _ context: FarmRequestContext) async throws -> Response {
        let body = try await JSONIO.decode(CreateIntentRequest.self, from: request, context: context)
        let services = endpoints.services
        let id = body.id ?? IntentID(services.newID())
        let draft = IntentDraft(
            source: body.source ?? .api, externalReference: body.externalReference, customer: body.customer,
            lineItems: body.lineItems.map {
                LineItem(
                    id: $0.id ?? LineItemID(services.newID()), modelArtifact: $0.modelArtifact, quantity: $0.quantity,
                    material: $0.material, colour: $0.colour, finish: $0.finish)
            },
            dueDate: body.dueDate, paymentStatus: body.paymentStatus ?? .pending, currency: body.currency,
            constraints: body.constraints ?? [])
        for (index, item) in draft.lineItems.enumerated() {
            guard let sha = item.modelArtifact else { continue }
            guard sha.count == 64, sha.allSatisfy(\.isHexDigit), sha == sha.lowercased() else {
                throw Problem.invalidField(
                    "lineItems[\(index)].modelArtifact",
                    "the SHA-256 of an uploaded model, 64 lowercase hexadecimal digits")
            }
            guard try await services.store.artifacts.get(id: sha) != nil else {
                throw Problem.invalidField(
                    "lineItems[\(index)].modelArtifact",
                    "no artifact \(sha) is stored; upload the model first (POST /api/v1/artifacts)")
            }
        }
        let created = try await endpoints.execute(
            .receive(id, draft), id: id.description, request: request, context: context, reason: body.reason,
            note: body.note, created: true)
        // A new order with models is preflighted at once, so it arrives preflighted or waiting for review.
        guard created.status == .created, draft.lineItems.contains(where: { $0.modelArtifact != nil }) else {
            return created
        }
        let commandContext = try services.commandContext(context, reason: nil, note: nil)
        let outcome = try await preflighting.run(
            intentID: id.description, context: commandContext,
            correlationID: try services.correlationID(request, context))
        return try JSONIO.response(
            outcome.model, status: .created, etag: outcome.version, location: "/api/v1/intents/\(id)")
    }

    /// Ships the order with its carrier and tracking number; the shop it came from is told (`FulfilmentReaction`).
    func ship(_ request: Request, _ context: FarmRequestContext) async throws -> Response {
        let id = try endpoints.id(context)
        let body = try await JSONIO.decode(ShipmentRequest.self, from: request, context: context)
        func trimmed(_ text: String?) -> String? {
            text.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        let shipment = Shipment(
            carrier: trimmed(body.carrier), trackingNumber: trimmed(body.trackingNumber),
            trackingURL: trimmed(body.trackingURL))
        return try await endpoints.execute(
            .ship(shipment == Shipment() ? nil : shipment), id: id, request: request, context: context,
            reason: body.reason, note: body.note)
    }

    func transition(_ request: Request, _ context: FarmRequestContext) async throws -> Response {
        let id = try endpoints.id(context)
        let body = try await JSONIO.decode(TransitionRequest.self, from: request, context: context)
        let command: IntentCommand
        if body.action == "requestReview" {
            command = .requestReview(reasons: body.note.map { [$0] } ?? [])
        } else if let known = Self.actions[body.action] {
            command = known
        } else {
            let names = (Array(Self.actions.keys) + ["requestReview"]).sorted().joined(separator: ", ")
            throw Problem.invalidField("action", "'\(body.action)' is not one of \(names)")
        }
        return try await endpoints.execute(
            command, id: id, request: request, context: context, reason: body.reason, note: body.note)
    }
}
