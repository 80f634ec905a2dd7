import Foundation

public enum SpoolCommand: Sendable, Equatable {
    case register(SpoolID, SpoolSpec)
    case update(SpoolDetails)
    /// Onto a printer's tool; a spool on another printer must be unloaded first.
    case load(printer: PrinterID, tool: Int)
    case unload
    /// A print's filament (once per run: a second report of the same run changes nothing).
    case use(SpoolUsed)
    /// The scale's reading: `net` grams of filament (`gross` as shown, when weighed with the spool).
    case weigh(gross: Double?, net: Double)
    case archive
    case restore

    public var name: String {
        switch self {
        case .register: "register"
        case .update: "update"
        case .load: "load"
        case .unload: "unload"
        case .use: "record usage of"
        case .weigh: "weigh"
        case .archive: "archive"
        case .restore: "restore"
        }
    }
}

public enum SpoolEvent: DomainEvent {
    case registered(SpoolRegistered)
    case updated(SpoolUpdated)
    case loaded(SpoolLoad)
    case unloaded(SpoolUnloaded)
    case used(SpoolUsed)
    case weighed(SpoolWeighed)
    case archived(SpoolChanged)
    case restored(SpoolChanged)

    public static let aggregate = "spool"

    public static let codec = EventCodec<SpoolEvent>(
        aggregate: aggregate,
        [
            .payload("registered", SpoolRegistered.self, SpoolEvent.registered),
            .payload("updated", SpoolUpdated.self, SpoolEvent.updated),
            .payload("loaded", SpoolLoad.self, SpoolEvent.loaded),
            .payload("unloaded", SpoolUnloaded.self, SpoolEvent.unloaded),
            .payload("used", SpoolUsed.self, SpoolEvent.used),
            .payload("weighed", SpoolWeighed.self, SpoolEvent.weighed),
            .payload("archived", SpoolChanged.self, SpoolEvent.archived),
            .payload("restored", SpoolChanged.self, SpoolEvent.restored),
        ])

    public var parts: (name: String, payload: any Encodable) {
        switch self {
        case .registered(let e): ("registered", e)
        case .updated(let e): ("updated", e)
        case .loaded(let e): ("loaded", e)
        case .unloaded(let e): ("unloaded", e)
        case .used(let e): ("used", e)
        case .weighed(let e): ("weighed", e)
        case .archived(let e): ("archived", e)
        case .restored(let e): ("restored", e)
        }
    }
}

/// Spools: weights never negative, one printer at a time, each run's usage counted once. Usage beyond what is left
/// leaves 0 (the count was off; the next weigh-in says by how much).
public enum SpoolDecider: Decider {
    public static let initialState: Spool? = nil

    public static func decide(_ command: SpoolCommand, state: Spool?, context: CommandContext)
        throws(DomainError) -> [SpoolEvent]
    {
        guard let spool = state else {
            guard case .register(let id, let spec) = command else {
                throw .notFound(aggregate: "spool", command: command.name)
            }
            try spec.validate()
            return [.registered(SpoolRegistered(id: id, spec: spec, at: context.time))]
        }
        let changed = SpoolChanged(at: context.time)
        switch command {
        case .register(let id, let spec):
            guard id == spool.id, spec.filament == spool.filament, spec.lot == spool.lot,
                spec.initialWeight == spool.initialWeight
            else { throw .alreadyExists(aggregate: "spool") }
            return []
        case .update(let details):
            try details.validate()
            let current = SpoolDetails(
                spoolWeight: spool.spoolWeight, location: spool.location, openedAt: spool.openedAt,
                driedAt: spool.driedAt)
            return details == current ? [] : [.updated(SpoolUpdated(details: details, at: context.time))]
        case .load(let printer, let tool):
            guard (0...15).contains(tool) else {
                throw .invalid(field: "tool", reason: "the extruder, 0 to 15 (0 on a single-tool printer)")
            }
            if spool.archived {
                throw .illegalTransition(aggregate: "spool", command: command.name, state: "archived")
            }
            if let loaded = spool.loaded {
                if loaded.printer == printer, loaded.tool == tool { return [] }
                throw .illegalTransition(
                    aggregate: "spool", command: command.name,
                    state: "loaded on printer \(loaded.printer) (tool \(loaded.tool)): unload it there first")
            }
            return [.loaded(SpoolLoad(printer: printer, tool: tool, at: context.time))]
        case .unload:
            guard let loaded = spool.loaded else { return [] }
            return [.unloaded(SpoolUnloaded(printer: loaded.printer, at: context.time))]
        case .use(let usage):
            if spool.runs.contains(usage.run) { return [] }
            guard usage.grams.isFinite, usage.grams >= 0, usage.grams <= 50_000 else {
                throw .invalid(field: "grams", reason: "grams used by a print, from 0 to 50000")
            }
            guard usage.share.isFinite, (0...1).contains(usage.share) else {
                throw .invalid(field: "share", reason: "the share of the plate printed, from 0 to 1")
            }
            return [.used(usage)]
        case .weigh(let gross, let net):
            guard net.isFinite, net >= 0, net <= 50_000 else {
                throw .invalid(
                    field: gross == nil ? "net" : "gross",
                    reason: net < 0 && gross != nil
                        ? "lighter than the empty spool: weigh it again, or give the filament's weight as net"
                        : "grams of filament on the spool, from 0 to 50000")
            }
            return [.weighed(SpoolWeighed(gross: gross, net: net, estimated: spool.remaining, at: context.time))]
        case .archive:
            if spool.archived { return [] }
            return (spool.loaded.map { [.unloaded(SpoolUnloaded(printer: $0.printer, at: context.time))] } ?? [])
                + [.archived(changed)]
        case .restore:
            return spool.archived ? [.restored(changed)] : []
        }
    }

    public static func evolve(_ state: Spool?, _ event: SpoolEvent) -> Spool? {
        if case .registered(let e) = event {
            let s = e.spec
            return Spool(
                id: e.id, status: (s.remaining ?? s.initialWeight) > 0 ? .shelf : .empty, filament: s.filament,
                lot: s.lot, initialWeight: s.initialWeight,
                remaining: s.remaining ?? s.initialWeight, used: 0, spoolWeight: s.spoolWeight, location: s.location,
                openedAt: s.openedAt, driedAt: s.driedAt, loaded: nil, lastWeighIn: nil, runs: [],
                spoolman: s.spoolman, archived: false, registeredAt: e.at, updatedAt: e.at)
        }
        guard var spool = state else { return state }
        switch event {
        case .registered: break
        case .updated(let e):
            spool.spoolWeight = e.details.spoolWeight
            spool.location = e.details.location
            spool.openedAt = e.details.openedAt
            spool.driedAt = e.details.driedAt
            spool.updatedAt = e.at
        case .loaded(let e):
            spool.loaded = e
            if spool.openedAt == nil { spool.openedAt = e.at }
            spool.updatedAt = e.at
        case .unloaded(let e):
            spool.loaded = nil
            spool.updatedAt = e.at
        case .used(let e):
            spool.runs.append(e.run)
            spool.used += e.grams
            spool.remaining = max(0, spool.remaining - e.grams)
            spool.updatedAt = e.at
        case .weighed(let e):
            spool.remaining = e.net
            // A fuller spool than registered (an overfilled reel): what it held is at least what it holds.
            spool.initialWeight = max(spool.initialWeight, e.net)
            spool.lastWeighIn = e
            spool.updatedAt = e.at
        case .archived(let e):
            spool.archived = true
            spool.updatedAt = e.at
        case .restored(let e):
            spool.archived = false
            spool.updatedAt = e.at
        }
        spool.status = spool.derivedStatus
        return spool
    }
}
