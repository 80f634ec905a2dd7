import FarmDomain
import Foundation
import Testing

@Suite("Quotes")
struct QuoteCalculatorTests {
    let rates = PricingRates(
        currency: "EUR", materialPerKilogram: ["PLA": Decimal(string: "24.99")!, "PETG": Decimal(string: "27.82")!],
        machinePerHour: ["standard": Decimal(string: "1.50")!], setupPerItem: Decimal(string: "0.50")!,
        postProcessingPerItem: Decimal(string: "1.00")!,
        failureAllowance: Decimal(string: "0.05")!, margin: Decimal(string: "0.30")!)

    @Test(
        "an estimate adds material, machine time, setup, post-processing, allowance and margin, each with its inputs, to the cent"
    )
    func estimate() throws {
        let quote = try QuoteCalculator.estimate(
            quantity: 3, material: "pla", printerClass: "standard",
            cost: SliceCost(gramsPerItem: 9.92, secondsPerItem: 1345), rates: rates)
        #expect(
            quote.lines.map(\.item) == [
                "material", "machine time", "setup", "post-processing", "failure allowance", "margin",
            ])
        #expect(quote.lines[0].basis == "3 × 9.92 g PLA at 24.99 EUR/kg")
        #expect(quote.lines[0].amount == Decimal(string: "0.74")!, "3 × 9.92 × 24.99 / 1000 = 0.7437")
        #expect(quote.lines[1].basis == "3 × 0.3736 h on standard at 1.5 EUR/h")
        #expect(quote.lines[1].amount == Decimal(string: "1.68")!, "3 × 0.3736 × 1.50 = 1.6812")
        #expect(quote.lines[2].amount == Decimal(string: "1.5")!)
        #expect(quote.lines[3].amount == Decimal(string: "3")!)
        #expect(quote.lines[4].amount == Decimal(string: "0.12")!, "5 % of 2.42 = 0.121")
        #expect(quote.lines[5].amount == Decimal(string: "2.11")!, "30 % of 7.04 = 2.112")
        #expect(quote.total == Decimal(string: "9.15")!)
        #expect(quote.total == quote.lines.reduce(Decimal(0)) { $0 + $1.amount })
    }

    @Test(
        "a manual quote is the operator's price with a note; bad inputs and missing rates are refused with what to do")
    func manualAndErrors() throws {
        let manual = try QuoteCalculator.manual(
            price: Decimal(string: "12.345")!, currency: "EUR", note: "regular customer")
        #expect(manual.total == Decimal(string: "12.35")!)
        #expect(manual.kind == .manual && manual.note == "regular customer")
        #expect(throws: QuoteError.invalid("a price is not negative")) {
            try QuoteCalculator.manual(price: -1, currency: "EUR", note: nil)
        }
        #expect(throws: QuoteError.self) { try QuoteCalculator.manual(price: 1, currency: "euro", note: nil) }
        #expect(throws: QuoteError.noMaterialPrice("ABS", currency: "EUR")) {
            try QuoteCalculator.estimate(
                quantity: 1, material: "ABS", printerClass: "standard",
                cost: SliceCost(gramsPerItem: 1, secondsPerItem: 1), rates: rates)
        }
        #expect(throws: QuoteError.noMachineRate("large")) {
            try QuoteCalculator.estimate(
                quantity: 1, material: "PLA", printerClass: "large",
                cost: SliceCost(gramsPerItem: 1, secondsPerItem: 1), rates: rates)
        }
        let withSupport = try QuoteCalculator.estimate(
            quantity: 1, material: "PETG", printerClass: "standard",
            cost: SliceCost(gramsPerItem: 100, supportGramsPerItem: 20, secondsPerItem: 3600), rates: rates)
        #expect(withSupport.lines.first { $0.item == "support material" }?.amount == Decimal(string: "0.56")!)
    }
}
