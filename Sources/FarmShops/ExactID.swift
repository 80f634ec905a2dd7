import FarmDomain
import Foundation

/// A platform id read exactly, whether the shop sent it as a JSON number or a string: decimal digits are kept as
/// text, so an id above 2^53 never passes through a Double.
struct ExactID: Decodable, Sendable, Equatable {
    let text: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(UInt64.self) {
            text = String(number)
        } else if let number = try? container.decode(Int64.self) {
            text = String(number)
        } else {
            text = try container.decode(String.self)
        }
    }
}

/// A value shops send as a string, a number or a boolean (a line-item property, WooCommerce meta data), as text.
struct LooseText: Decodable, Sendable, Equatable {
    let text: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let string = try? container.decode(String.self) {
            text = string
        } else if let number = try? container.decode(Int64.self) {
            text = String(number)
        } else if let number = try? container.decode(Double.self) {
            text = String(number)
        } else if let flag = try? container.decode(Bool.self) {
            text = String(flag)
        } else if container.decodeNil() {
            text = ""
        } else {
            // An object or array (a plugin's structured meta data): not an option a person chose.
            text = ""
        }
    }
}

/// Shops write snake_case keys; the wire structs here name them in camel case.
enum ShopJSON {
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }()

    /// A key as the shop wrote it (`lineItems` → `line_items`), for error messages.
    static func wireName(_ key: String) -> String {
        var name = ""
        for character in key {
            if character.isUppercase {
                name += "_" + character.lowercased()
            } else {
                name.append(character)
            }
        }
        return name
    }
}
