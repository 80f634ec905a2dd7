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

    public init(source: Source) {
        self.coreContext = .init(source: source)
    }

    public var maxUploadSize: Int { bodyLimit }
}
