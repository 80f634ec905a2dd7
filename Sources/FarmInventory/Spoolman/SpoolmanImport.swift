import FarmDomain
import FarmStore
import Foundation

/// Takes a Spoolman's vendors, filaments and spools into the farm, and again later to take its changes: each record
/// gets an id derived from the Spoolman's address, its Spoolman id and when Spoolman registered it (Spoolman reuses
/// ids on SQLite, so the id alone could name another spool). A record already taken is corrected when Spoolman's
/// differs; a spool whose remaining weight Spoolman says differently is weighed in at Spoolman's figure; a spool
/// archived there is archived here. Lots are Spoolman's lot numbers, one per filament and number. What this farm
/// cannot take (a density it refuses) is skipped and said.
public struct SpoolmanImport: Sendable {
    let store: Store
    let client: SpoolmanClient

    public init(store: Store, client: SpoolmanClient) {
        self.store = store
        self.client = client
    }

    public struct Summary: Codable, Sendable, Equatable {
        public var registered = 0
        public var corrected = 0
        public var weighed = 0
        public var archived = 0
        public var unchanged = 0
        /// What was not taken, and why.
        public var skipped: [String] = []
    }

    public func run(context: CommandContext) async throws -> Summary {
        let vendors = try await client.vendors()
        let filaments = try await client.filaments()
        let spools = try await client.spools()
        var summary = Summary()
        func key(_ kind: String, _ id: Int) -> String { "spoolman|\(client.base.absoluteString)|\(kind)|\(id)" }
        var vendorIDs: [Int: VendorID] = [:]
        for vendor in vendors {
            let id = VendorID(DerivedID.uuid(time: vendor.registered, key: key("vendor", vendor.id)))
            let spec = VendorSpec(
                name: Self.clip(vendor.name, 64), emptySpoolWeight: vendor.emptySpoolWeight,
                comment: vendor.comment.map { Self.clip($0, 1024) })
            if try await take(spec, id: id, in: store.vendors, context: context, summary: &summary, what: vendor.name) {
                vendorIDs[vendor.id] = id
            }
        }
        var filamentIDs: [Int: FilamentID] = [:]
        for filament in filaments {
            let id = FilamentID(DerivedID.uuid(time: filament.registered, key: key("filament", filament.id)))
            let hex = filament.colorHex.map { String($0.drop { $0 == "#" }).uppercased() }
            let spec = FilamentSpec(
                vendor: filament.vendor.flatMap { vendorIDs[$0.id] }, name: filament.name.map { Self.clip($0, 64) },
                material: Self.clip(filament.material ?? "unknown", 64), colour: nil,
                colourHex: hex.flatMap { [6, 8].contains($0.count) && $0.allSatisfy(\.isHexDigit) ? $0 : nil },
                diameter: filament.diameter, density: filament.density, nominalWeight: filament.weight ?? 1000,
                spoolWeight: filament.spoolWeight, price: filament.price)
            let name = filament.name ?? filament.material ?? "#\(filament.id)"
            if try await take(spec, id: id, in: store.filaments, context: context, summary: &summary, what: name) {
                filamentIDs[filament.id] = id
            }
        }
        var lotIDs: [String: LotID] = [:]
        for spool in spools {
            guard let filament = filamentIDs[spool.filament.id] else {
                summary.skipped.append("spool #\(spool.id): its filament was not taken")
                continue
            }
            var lot: LotID?
            if let number = spool.lotNr, !number.isBlank {
                let lotKey = "\(spool.filament.id)|\(number)"
                if lotIDs[lotKey] == nil {
                    let id = LotID(DerivedID.uuid(time: spool.filament.registered, key: key("lot", 0) + "|" + lotKey))
                    let spec = LotSpec(filament: filament, number: Self.clip(number, 64), receivedAt: spool.registered)
                    // A lot is registered once: the first spool's date stands.
                    if try await store.lots.get(id: id.description) == nil {
                        _ = try await take(
                            spec, id: id, in: store.lots, context: context, summary: &summary, what: number)
                    } else {
                        summary.unchanged += 1
                    }
                    lotIDs[lotKey] = id
                }
                lot = lotIDs[lotKey]
            }
            try await take(
                spool, filament: filament, lot: lot, id: key("spool", spool.id), context: context, summary: &summary)
        }
        return summary
    }

    /// Registers a record, or corrects it when Spoolman's differs; false when this farm refused it.
    private func take<Spec: StoredRecordSpec>(
        _ spec: Spec, id: TypedID<Spec>, in repository: AggregateRepository<RecordDecider<Spec>>,
        context: CommandContext, summary: inout Summary, what: String
    ) async throws -> Bool {
        do {
            if let existing = try await repository.get(id: id.description)?.model {
                if existing.spec == spec {
                    summary.unchanged += 1
                } else {
                    _ = try await repository.execute(.update(spec), id: id.description, context: context)
                    summary.corrected += 1
                }
            } else {
                _ = try await repository.execute(.register(id, spec), id: id.description, context: context)
                summary.registered += 1
            }
            return true
        } catch let error as DomainError {
            summary.skipped.append("\(Spec.aggregate) \(what): \(error.description)")
            return false
        }
    }

    private func take(
        _ spool: SpoolmanWire.Spool, filament: FilamentID, lot: LotID?, id key: String, context: CommandContext,
        summary: inout Summary
    ) async throws {
        let id = SpoolID(DerivedID.uuid(time: spool.registered, key: key))
        let initial = spool.initialWeight ?? spool.filament.weight ?? 1000
        // Spoolman's remaining weight floors at 0 and may exceed what it says the spool held.
        let remaining = min(initial, max(0, spool.remainingWeight ?? (initial - spool.usedWeight)))
        do {
            if let existing = try await store.spools.get(id: id.description)?.model {
                var changed = false
                if abs(existing.remaining - remaining) > 0.5 {
                    _ = try await store.spools.execute(
                        .weigh(gross: nil, net: remaining), id: id.description, context: context)
                    summary.weighed += 1
                    changed = true
                }
                if spool.archived == true, !existing.archived {
                    _ = try await store.spools.execute(.archive, id: id.description, context: context)
                    summary.archived += 1
                    changed = true
                }
                if !changed { summary.unchanged += 1 }
                return
            }
            let spec = SpoolSpec(
                filament: filament, lot: lot, initialWeight: initial, remaining: remaining,
                spoolWeight: spool.spoolWeight, location: spool.location.map { Self.clip($0, 64) },
                openedAt: spool.firstUsed, spoolman: SpoolmanLink(url: client.base.absoluteString, id: spool.id))
            _ = try await store.spools.execute(.register(id, spec), id: id.description, context: context)
            summary.registered += 1
            if spool.archived == true {
                _ = try await store.spools.execute(.archive, id: id.description, context: context)
                summary.archived += 1
            }
        } catch let error as DomainError {
            summary.skipped.append("spool #\(spool.id): \(error.description)")
        }
    }

    static func clip(_ text: String, _ limit: Int) -> String { String(text.prefix(limit)) }
}
