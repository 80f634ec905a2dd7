/// A key of a settings document read by name, for objects whose keys are data (gates) or checked (unknown keys).
struct SettingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension Decoder {
    /// Fails on keys the type does not know, so a misspelt setting is an error rather than silently ignored.
    func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(_ keys: Keys.Type) throws {
        let known = Set(Keys.allCases.map(\.stringValue))
        let container = try container(keyedBy: SettingKey.self)
        if let unknown = container.allKeys.first(where: { !known.contains($0.stringValue) }) {
            throw DecodingError.dataCorruptedError(
                forKey: unknown, in: container,
                debugDescription:
                    "unknown setting '\(unknown.stringValue.prefix(40))'; known here: \(known.sorted().joined(separator: ", "))"
            )
        }
    }
}
