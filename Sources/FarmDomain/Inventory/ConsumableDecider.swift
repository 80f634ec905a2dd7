import Foundation

public enum ConsumableCommand: Sendable, Equatable {
    case register(ConsumableID, ConsumableSpec)
    case update(ConsumableSpec)
    /// Fitted to a printer (taken off the one it was on).
    case install(printer: PrinterID)
    case remove
    /// A print on it (once per run).
    case use(ConsumableUsed)
    /// A sheet cleaned: its prints since cleaning start again.
    case clean
    case retire
    case restore

    public var name: String {
        switch self {
        case .register: "register"
        case .update: "update"
        case .install: "install"
        case .remove: "remove"
        case .use: "record a print on"
        case .clean: "clean"
        case .retire: "retire"
        case .restore: "restore"
        }
    }
}

public struct ConsumableRegistered: Codable, Sendable, Equatable {
    public var id: ConsumableID
    public var spec: ConsumableSpec
    public var at: Date

    public init(id: ConsumableID, spec: ConsumableSpec, at: Date) {
        self.id = id
        self.spec = spec
        self.at = at
    }
}

public struct ConsumableUpdated: Codable, Sendable, Equatable {
    public var spec: ConsumableSpec
    public var at: Date

    public init(spec: ConsumableSpec, at: Date) {
        self.spec = spec
        self.at = at
    }
}

public struct ConsumableRemoved: Codable, Sendable, Equatable {
    public var printer: PrinterID
    public var at: Date

    public init(printer: PrinterID, at: Date) {
        self.printer = printer
        self.at = at
    }
}

public struct ConsumableUsed: Codable, Sendable, Equatable {
    public var run: RunID
    public var printer: PrinterID
    /// Print hours of the run (started to ended).
    public var hours: Double
    public var grams: Double
    public var at: Date

    public init(run: RunID, printer: PrinterID, hours: Double, grams: Double, at: Date) {
        self.run = run
        self.printer = printer
        self.hours = hours
        self.grams = grams
        self.at = at
    }
}

public struct ConsumableChanged: Codable, Sendable, Equatable {
    public var at: Date

    public init(at: Date) { self.at = at }
}

public enum ConsumableEvent: DomainEvent {
    case registered(ConsumableRegistered)
    case updated(ConsumableUpdated)
    case installed(ConsumableInstall)
    case removed(ConsumableRemoved)
    case used(ConsumableUsed)
    case cleaned(ConsumableChanged)
    case retired(ConsumableChanged)
    case restored(ConsumableChanged)

    public static let aggregate = "consumable"

    public static let codec = EventCodec<ConsumableEvent>(
        aggregate: aggregate,
        [
            .payload("registered", ConsumableRegistered.self, ConsumableEvent.registered),
            .payload("updated", ConsumableUpdated.self, ConsumableEvent.updated),
            .payload("installed", ConsumableInstall.self, ConsumableEvent.installed),
            .payload("removed", ConsumableRemoved.self, ConsumableEvent.removed),
            .payload("used", ConsumableUsed.self, ConsumableEvent.used),
            .payload("cleaned", ConsumableChanged.self, ConsumableEvent.cleaned),
            .payload("retired", ConsumableChanged.self, ConsumableEvent.retired),
            .payload("restored", ConsumableChanged.self, ConsumableEvent.restored),
        ])

    public var parts: (name: String, payload: any Encodable) {
        switch self {
        case .registered(let e): ("registered", e)
        case .updated(let e): ("updated", e)
        case .installed(let e): ("installed", e)
        case .removed(let e): ("removed", e)
        case .used(let e): ("used", e)
        case .cleaned(let e): ("cleaned", e)
        case .retired(let e): ("retired", e)
        case .restored(let e): ("restored", e)
        }
    }
}

/// Nozzles and build sheets: fitted to one printer at a time, each print counted once, a retired one off every printer.
public enum ConsumableDecider: Decider {
    public static var initialState: Consumable? { nil }

    static let remembered = 200

    public static func decide(_ command: ConsumableCommand, state: Consumable?, context: CommandContext)
        throws(DomainError) -> [ConsumableEvent]
    {
        guard let consumable = state else {
            guard case .register(let id, let spec) = command else {
                throw .notFound(aggregate: ConsumableEvent.aggregate, command: command.name)
            }
            try spec.validate()
            return [.registered(ConsumableRegistered(id: id, spec: spec, at: context.time))]
        }
        let at = context.time
        switch command {
        case .register(let id, let spec):
            guard id == consumable.id, spec == consumable.spec else {
                throw .alreadyExists(aggregate: ConsumableEvent.aggregate)
            }
            return []
        case .update(let spec):
            guard spec.kind == consumable.spec.kind else {
                throw .invalid(
                    field: "kind", reason: "a \(consumable.spec.kind.rawValue) stays one; register a new one")
            }
            try spec.validate()
            return spec == consumable.spec ? [] : [.updated(ConsumableUpdated(spec: spec, at: at))]
        case .install(let printer):
            guard !consumable.retired else {
                throw .illegalTransition(aggregate: ConsumableEvent.aggregate, command: command.name, state: "retired")
            }
            if consumable.installed?.printer == printer { return [] }
            let off = consumable.installed.map { [ConsumableEvent.removed(.init(printer: $0.printer, at: at))] } ?? []
            return off + [.installed(ConsumableInstall(printer: printer, at: at))]
        case .remove:
            return consumable.installed.map { [.removed(.init(printer: $0.printer, at: at))] } ?? []
        case .use(let used):
            guard !consumable.runs.contains(used.run) else { return [] }
            guard used.hours.isFinite, used.hours >= 0, used.grams.isFinite, used.grams >= 0 else {
                throw .invalid(field: "usage", reason: "hours and grams are 0 or more")
            }
            return [.used(used)]
        case .clean:
            return [.cleaned(ConsumableChanged(at: at))]
        case .retire:
            guard !consumable.retired else { return [] }
            let off = consumable.installed.map { [ConsumableEvent.removed(.init(printer: $0.printer, at: at))] } ?? []
            return off + [.retired(ConsumableChanged(at: at))]
        case .restore:
            return consumable.retired ? [.restored(ConsumableChanged(at: at))] : []
        }
    }

    public static func evolve(_ state: Consumable?, _ event: ConsumableEvent) -> Consumable? {
        if case .registered(let e) = event { return Consumable(id: e.id, spec: e.spec, at: e.at) }
        guard var consumable = state else { return state }
        switch event {
        case .registered: break
        case .updated(let e):
            consumable.spec = e.spec
            consumable.updatedAt = e.at
        case .installed(let e):
            consumable.installed = e
            consumable.updatedAt = e.at
        case .removed(let e):
            consumable.installed = nil
            consumable.updatedAt = e.at
        case .used(let e):
            consumable.hours += e.hours
            consumable.grams += e.grams
            consumable.prints += 1
            consumable.printsSinceCleaning += 1
            consumable.runs = Array((consumable.runs + [e.run]).suffix(remembered))
        case .cleaned(let e):
            consumable.printsSinceCleaning = 0
            consumable.cleanedAt = e.at
            consumable.updatedAt = e.at
        case .retired(let e):
            consumable.retired = true
            consumable.updatedAt = e.at
        case .restored(let e):
            consumable.retired = false
            consumable.updatedAt = e.at
        }
        consumable.due = consumable.limitsReached()
        return consumable
    }
}
