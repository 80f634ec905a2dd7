import FarmDomain
import FarmReactions
import FarmStore
import Foundation
import Logging

/// A spool loaded on a printer sets the printer's material and colour (which the scheduler plans with) and takes
/// off whatever spool was on the same tool; a spool unloaded leaves the printer empty, when it was the printer's. A
/// reaction to the spool's events, so the API, the pages and a Spoolman sync all get it.
public struct SpoolLoadReaction: EventReaction {
    let store: Store
    let now: @Sendable () -> Date
    public let logger: Logger
    public let follower: EventFollower

    public init(store: Store, now: @escaping @Sendable () -> Date, logger: Logger) {
        self.store = store
        self.now = now
        self.logger = logger
        self.follower = EventFollower(
            store: store, name: "spool-load",
            types: Set(
                ["loaded", "unloaded", "archived"].map {
                    EventTypeName.make(aggregate: SpoolEvent.aggregate, name: $0)
                } + [EventTypeName.make(aggregate: PrinterEvent.aggregate, name: "materialLoaded")]))
    }

    public func handle(_ event: StoredEvent) async throws {
        if event.stream.hasPrefix(PrinterEvent.aggregate + "-") {
            try await materialNamed(event)
            return
        }
        let spoolID = streamID(event, aggregate: SpoolEvent.aggregate)
        guard let spool = try await store.spools.get(id: spoolID)?.model else { return }
        let trace = (correlation: event.correlationID ?? event.id, causation: event.id)
        if let loaded = spool.loaded {
            guard let filament = try await store.filaments.get(id: spool.filament.description)?.model else { return }
            // The spool that was on this tool is off it now.
            for (other, _) in try await store.spools.allVersioned(status: SpoolStatus.loaded.rawValue)
            where other.id != spool.id && other.loaded?.printer == loaded.printer && other.loaded?.tool == loaded.tool {
                _ = try await store.spools.execute(
                    .unload, id: other.id.description, context: context("replaced by spool \(spool.id)"),
                    correlationID: trace.correlation, causationID: trace.causation)
            }
            let material = LoadedMaterial(
                material: filament.spec.material, colour: filament.spec.colour, spool: spool.id)
            _ = try await store.printers.execute(
                .loadMaterial(material), id: loaded.printer.description,
                context: context("spool \(spool.id) loaded"), correlationID: trace.correlation,
                causationID: trace.causation)
        } else {
            // Unloaded (or archived): the printer it was on, if it still holds this spool, is empty now.
            for (printer, _) in try await store.printers.allVersioned()
            where printer.loadedMaterial?.spool == spool.id {
                _ = try await store.printers.execute(
                    .loadMaterial(nil), id: printer.id.description, context: context("spool \(spool.id) unloaded"),
                    correlationID: trace.correlation, causationID: trace.causation)
            }
        }
    }

    /// A person named the printer's material by hand (no spool): the spools the farm thought were on it are not.
    private func materialNamed(_ event: StoredEvent) async throws {
        let printerID = streamID(event, aggregate: PrinterEvent.aggregate)
        guard let printer = try await store.printers.get(id: printerID)?.model, printer.loadedMaterial?.spool == nil
        else { return }
        for (spool, _) in try await store.spools.allVersioned(status: SpoolStatus.loaded.rawValue)
        where spool.loaded?.printer == printer.id {
            _ = try await store.spools.execute(
                .unload, id: spool.id.description, context: context("the printer's material was set by hand"),
                correlationID: event.correlationID ?? event.id, causationID: event.id)
        }
    }

    private func context(_ note: String) -> CommandContext {
        CommandContext(actor: EventActor(.system, "spool-load"), reason: .materialLoaded, note: note, time: now())
    }
}
