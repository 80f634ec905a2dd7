import Foundation

/// From a shop's order to what the farm makes: each line through the catalog (by SKU), the line's own Material and
/// Colour options over the catalog's, personalisation as notes. What cannot be mapped becomes a reason to hold the
/// order, never a dropped line.
public enum SaleMapping {
    public struct Outcome: Sendable, Equatable {
        public var draft: IntentDraft?
        /// Why the order waits for a person; empty when `draft` is set.
        public var reasons: [String]
    }

    /// The option names that choose a material or colour rather than travel as a note.
    static let materialNames = ["material", "filament"]
    static let colourNames = ["colour", "color", "primary color", "primary colour"]

    /// - Parameters:
    ///   - catalog: the entry for a SKU, if any (removed entries are not given).
    ///   - lineItemID: the id of the n-th line item made (derived, so mapping again makes the same intent).
    public static func map(
        _ order: ShopOrder, catalog: (String) -> CatalogEntry?, lineItemID: (Int) -> LineItemID
    ) -> Outcome {
        var items: [LineItem] = []
        var notes: [String] = []
        var reasons: [String] = []
        for (index, line) in order.lines.enumerated() {
            let label = "line \(index + 1) (\(line.title.isEmpty ? line.sku ?? "untitled" : line.title))"
            guard line.physical else { continue }
            guard let sku = line.sku else {
                reasons.append("\(label) has no SKU: give the product a SKU in the shop, then add it to the catalog")
                continue
            }
            guard let entry = catalog(sku) else {
                reasons.append("SKU \(sku) is not in the catalog (\(label)): add it, or mark it as not printed")
                continue
            }
            guard entry.printed else { continue }
            guard (1...10_000).contains(line.quantity) else {
                reasons.append("\(label) asks for \(line.quantity) pieces: a shop order cannot mean that; check it")
                continue
            }
            guard let model = entry.modelArtifact, let catalogMaterial = entry.material else {
                reasons.append("SKU \(sku) has no model or material in the catalog")
                continue
            }
            let material = option(line, materialNames) ?? catalogMaterial
            let colour = option(line, colourNames) ?? entry.colour
            items.append(
                LineItem(
                    id: lineItemID(items.count), modelArtifact: model, quantity: line.quantity * entry.quantityPerUnit,
                    material: material, colour: colour))
            for property in line.properties
            where !property.name.hasPrefix("_") && !property.value.isEmpty
                && !(materialNames + colourNames).contains(property.name.lowercased())
            {
                notes.append("\(label): \(property.name): \(property.value)")
            }
        }
        if reasons.isEmpty && items.isEmpty {
            reasons.append("the order has nothing to print: no line is in the catalog as a printed SKU")
        }
        guard reasons.isEmpty else { return Outcome(draft: nil, reasons: reasons) }
        if let note = order.note { notes.insert("from the buyer: \(note)", at: 0) }
        let source: IntentSource =
            switch order.platform {
            case .shopify: .shopify
            case .woocommerce: .woocommerce
            case .etsy: .etsy
            }
        let draft = IntentDraft(
            source: source, externalReference: order.name ?? order.orderID, customer: order.customer,
            lineItems: items, paymentStatus: paymentStatus(order.payment), currency: order.currency?.uppercased(),
            notes: notes)
        do {
            try draft.validate()
        } catch {
            return Outcome(draft: nil, reasons: ["the order cannot become an intent: \(error)"])
        }
        return Outcome(draft: draft, reasons: [])
    }

    static func option(_ line: ShopLine, _ names: [String]) -> String? {
        line.properties.first { names.contains($0.name.lowercased()) && !$0.value.isBlank }?.value
    }

    public static func paymentStatus(_ payment: ShopPayment) -> PaymentStatus {
        switch payment {
        case .paid, .partiallyRefunded: .paid
        case .refunded: .refunded
        case .pending, .voided: .pending
        }
    }
}
