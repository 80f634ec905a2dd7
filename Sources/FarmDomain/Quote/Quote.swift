import Foundation

/// A price for a line item, line by line with the inputs that made each line, in exact decimals.
public struct Quote: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable { case manual, estimate }

    public var kind: Kind
    public var currency: String
    public var lines: [QuoteLine]
    public var total: Decimal
    public var note: String?

    public init(kind: Kind, currency: String, lines: [QuoteLine], total: Decimal, note: String?) {
        self.kind = kind
        self.currency = currency
        self.lines = lines
        self.total = total
        self.note = note
    }

    enum CodingKeys: String, CodingKey { case kind, currency, lines, total, note }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(Kind.self, forKey: .kind)
        currency = try c.decode(String.self, forKey: .currency)
        lines = try c.decode([QuoteLine].self, forKey: .lines)
        total = try c.decode(Money.self, forKey: .total).value
        note = try c.decodeIfPresent(String.self, forKey: .note)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(currency, forKey: .currency)
        try c.encode(lines, forKey: .lines)
        try c.encode(Money(total), forKey: .total)
        try c.encodeIfPresent(note, forKey: .note)
    }

    /// Three capital letters, as ISO 4217 writes currencies (EUR, USD, GBP).
    public static func isCurrencyCode(_ text: String) -> Bool {
        text.count == 3 && text.allSatisfy { $0.isASCII && $0.isLetter && $0.isUppercase }
    }
}

/// Money is written as a decimal string ("0.74"), never a binary floating-point number, so no client rounds it.
struct Money: Codable, Equatable {
    var value: Decimal
    init(_ value: Decimal) { self.value = value }
    init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not a decimal amount"))
        }
        self.value = value
    }
    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value.description)
    }
}

public struct QuoteLine: Sendable, Equatable, Codable {
    /// What the line is for: "material", "machine time", "setup", "post-processing", "support material",
    /// "failure allowance", "margin", or "price" for a manual quote.
    public var item: String
    /// The inputs in words, e.g. "3 × 9.92 g PLA at 24.99 EUR/kg".
    public var basis: String
    public var amount: Decimal

    public init(item: String, basis: String, amount: Decimal) {
        self.item = item
        self.basis = basis
        self.amount = amount
    }

    enum CodingKeys: String, CodingKey { case item, basis, amount }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        item = try c.decode(String.self, forKey: .item)
        basis = try c.decode(String.self, forKey: .basis)
        amount = try c.decode(Money.self, forKey: .amount).value
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(item, forKey: .item)
        try c.encode(basis, forKey: .basis)
        try c.encode(Money(amount), forKey: .amount)
    }
}

/// What a farm charges; the settings a quote is computed from.
public struct PricingRates: Sendable, Equatable, Codable {
    public var currency: String
    /// Price per kilogram of filament, by material name (upper case).
    public var materialPerKilogram: [String: Decimal]
    /// Machine rate per hour, by printer class (for example "standard", "enclosed", "large").
    public var machinePerHour: [String: Decimal]
    public var setupPerItem: Decimal
    public var postProcessingPerItem: Decimal
    /// Added to the material and machine lines for expected failures, e.g. 0.05 for 5 %.
    public var failureAllowance: Decimal
    /// On top of everything, e.g. 0.30 for 30 %.
    public var margin: Decimal

    public init(
        currency: String, materialPerKilogram: [String: Decimal], machinePerHour: [String: Decimal],
        setupPerItem: Decimal,
        postProcessingPerItem: Decimal, failureAllowance: Decimal, margin: Decimal
    ) {
        self.currency = currency
        self.materialPerKilogram = materialPerKilogram
        self.machinePerHour = machinePerHour
        self.setupPerItem = setupPerItem
        self.postProcessingPerItem = postProcessingPerItem
        self.failureAllowance = failureAllowance
        self.margin = margin
    }
}

/// What the slice says one item costs in material and time.
public struct SliceCost: Sendable, Equatable {
    public var gramsPerItem: Double
    public var supportGramsPerItem: Double
    public var secondsPerItem: Int

    public init(gramsPerItem: Double, supportGramsPerItem: Double = 0, secondsPerItem: Int) {
        self.gramsPerItem = gramsPerItem
        self.supportGramsPerItem = supportGramsPerItem
        self.secondsPerItem = secondsPerItem
    }
}

public enum QuoteError: Error, Sendable, Equatable, CustomStringConvertible {
    case noMaterialPrice(String, currency: String)
    case noMachineRate(String)
    case invalid(String)

    public var description: String {
        switch self {
        case .noMaterialPrice(let material, let currency):
            "no price per kg is set for \(material) (\(currency)); add it to the pricing rates"
        case .noMachineRate(let printerClass):
            "no hourly rate is set for the printer class '\(printerClass)'; add it to the pricing rates"
        case .invalid(let reason): reason
        }
    }
}

/// Prices line items. Pure: the same inputs and rates always give the same quote, to the cent.
public enum QuoteCalculator {
    /// An operator's price, with their note.
    public static func manual(price: Decimal, currency: String, note: String?) throws(QuoteError) -> Quote {
        guard price >= 0 else { throw .invalid("a price is not negative") }
        guard Quote.isCurrencyCode(currency) else {
            throw .invalid("the currency is a three-letter ISO 4217 code such as EUR")
        }
        let amount = cents(price)
        return Quote(
            kind: .manual, currency: currency,
            lines: [QuoteLine(item: "price", basis: "set by an operator", amount: amount)], total: amount, note: note)
    }

    /// An estimate from the slice, line by line.
    public static func estimate(
        quantity: Int, material: String, printerClass: String, cost: SliceCost, rates: PricingRates
    ) throws(QuoteError) -> Quote {
        guard quantity > 0 else { throw .invalid("the quantity is at least 1") }
        guard let perKilogram = rates.materialPerKilogram[material.uppercased()] else {
            throw .noMaterialPrice(material, currency: rates.currency)
        }
        guard let perHour = rates.machinePerHour[printerClass] else { throw .noMachineRate(printerClass) }
        let count = Decimal(quantity)
        let grams = decimal(cost.gramsPerItem, places: 2)
        let supportGrams = decimal(cost.supportGramsPerItem, places: 2)
        let hours = decimal(Double(cost.secondsPerItem) / 3600, places: 4)
        let c = rates.currency
        var lines: [QuoteLine] = []
        let material = QuoteLine(
            item: "material", basis: "\(quantity) × \(grams) g \(material.uppercased()) at \(perKilogram) \(c)/kg",
            amount: cents(count * grams * perKilogram / 1000))
        lines.append(material)
        if supportGrams > 0 {
            lines.append(
                QuoteLine(
                    item: "support material", basis: "\(quantity) × \(supportGrams) g at \(perKilogram) \(c)/kg",
                    amount: cents(count * supportGrams * perKilogram / 1000)))
        }
        let machine = QuoteLine(
            item: "machine time", basis: "\(quantity) × \(hours) h on \(printerClass) at \(perHour) \(c)/h",
            amount: cents(count * hours * perHour))
        lines.append(machine)
        lines.append(
            QuoteLine(
                item: "setup", basis: "\(quantity) × \(rates.setupPerItem) \(c)",
                amount: cents(count * rates.setupPerItem)))
        if rates.postProcessingPerItem > 0 {
            lines.append(
                QuoteLine(
                    item: "post-processing", basis: "\(quantity) × \(rates.postProcessingPerItem) \(c)",
                    amount: cents(count * rates.postProcessingPerItem)))
        }
        let risky = lines.filter { ["material", "support material", "machine time"].contains($0.item) }.reduce(
            Decimal(0)
        ) { $0 + $1.amount }
        if rates.failureAllowance > 0 {
            lines.append(
                QuoteLine(
                    item: "failure allowance",
                    basis: "\(percent(rates.failureAllowance)) of material and machine time (\(risky) \(c))",
                    amount: cents(risky * rates.failureAllowance)))
        }
        let subtotal = lines.reduce(Decimal(0)) { $0 + $1.amount }
        lines.append(
            QuoteLine(
                item: "margin", basis: "\(percent(rates.margin)) of \(subtotal) \(c)",
                amount: cents(subtotal * rates.margin)))
        return Quote(
            kind: .estimate, currency: c, lines: lines, total: lines.reduce(Decimal(0)) { $0 + $1.amount }, note: nil)
    }

    /// Rounded half up to the cent.
    static func cents(_ value: Decimal) -> Decimal {
        var input = value
        var result = Decimal()
        NSDecimalRound(&result, &input, 2, .plain)
        return result
    }

    /// A measurement as an exact decimal with `places` digits (from its shortest printed form, so 9.92 stays 9.92).
    static func decimal(_ value: Double, places: Int) -> Decimal {
        var input = Decimal(string: String(format: "%.\(places)f", value)) ?? 0
        var result = Decimal()
        NSDecimalRound(&result, &input, places, .plain)
        return result
    }

    static func percent(_ fraction: Decimal) -> String { "\(fraction * 100) %" }
}
