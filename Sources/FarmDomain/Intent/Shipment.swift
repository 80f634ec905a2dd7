import Foundation

/// How an order left the farm: the carrier and the tracking number a person recorded when it shipped (labels come
/// later). Both are optional, as a parcel handed over the counter has neither; a number needs its carrier.
public struct Shipment: Sendable, Equatable, Codable {
    /// As the person wrote it ("DHL Express", "usps"); each shop gets its own spelling of it (`ShopCarrier`).
    public var carrier: String?
    public var trackingNumber: String?
    public var trackingURL: String?

    public init(carrier: String? = nil, trackingNumber: String? = nil, trackingURL: String? = nil) {
        self.carrier = carrier
        self.trackingNumber = trackingNumber
        self.trackingURL = trackingURL
    }

    public func validate() throws(DomainError) {
        if let carrier, carrier.trimmingCharacters(in: .whitespaces).isEmpty || carrier.count > 60 {
            throw .invalid(
                field: "carrier", reason: "name the carrier in 1 to 60 characters, like \"UPS\" or \"DHL Express\"")
        }
        if let number = trackingNumber {
            guard !number.isEmpty, number.count <= 64,
                number.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == " ") })
            else {
                throw .invalid(
                    field: "trackingNumber", reason: "a tracking number is 1 to 64 letters, digits, spaces or dashes")
            }
            guard carrier != nil else {
                throw .invalid(field: "carrier", reason: "a tracking number needs its carrier")
            }
        }
        if let url = trackingURL {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""),
                parsed.host?.isEmpty == false, url.count <= 500
            else { throw .invalid(field: "trackingURL", reason: "must be an http or https URL") }
            guard trackingNumber != nil else {
                throw .invalid(field: "trackingURL", reason: "a tracking URL needs its tracking number")
            }
        }
    }

    /// For notes to the customer: "UPS 1Z001985YW99744790".
    public var summary: String? {
        let parts = [carrier, trackingNumber].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }
}
