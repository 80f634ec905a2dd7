import FarmDomain
import Foundation
import HTTPTypes
import Hummingbird

/// Per-request state: who is asking (set by the auth middleware) and the JSON coders the API uses.
public struct FarmRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The authenticated caller; its actor is recorded on every event the request causes.
    public var principal: Principal?
    public var actor: EventActor? { principal?.actor }
    var bodyLimit: Int = 1 << 20
    /// The request's claimed `Idempotency-Key` (set by `IdempotencyMiddleware`): a command stores its answer under it
    /// in its own transaction.
    var idempotency: (scope: String, key: String)?
    /// The peer's IP address ("unknown" when the transport has none, as in router tests).
    public let clientAddress: String

    public init(source: Source) {
        self.coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    public var maxUploadSize: Int { bodyLimit }
}
