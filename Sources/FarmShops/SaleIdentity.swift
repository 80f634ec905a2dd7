import Crypto
import FarmDomain
import Foundation

/// Ids that derive from what the shop says, so every way an order arrives (webhook, redelivery, polling, a retry
/// after a crash) names the same sale, the same intent and the same line items.
public enum SaleIdentity {
    /// The sale of `orderID` on `connection`; its intent has the same UUID.
    public static func sale(connection: ShopConnectionID, orderID: String) -> SaleID {
        SaleID(uuid("sale", connection.description, orderID))
    }

    public static func intent(of sale: SaleID) -> IntentID { IntentID(sale.uuid) }

    public static func lineItem(of sale: SaleID, index: Int) -> LineItemID {
        LineItemID(uuid("line", sale.description, String(index)))
    }

    /// A name-based UUID (version 8, RFC 9562) from SHA-256 of the parts.
    static func uuid(_ parts: String...) -> UUID {
        var bytes = Array(SHA256.hash(data: Data(parts.joined(separator: "\u{1F}").utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x80
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9],
                bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }
}
