import AsyncHTTPClient
import FarmDomain
import Foundation
import Logging

/// Builds the connector for a printer by its kind, or says in a sentence why it cannot.
public enum PrinterConnectors {
    /// The kinds this farm can drive; registering any other is refused.
    public static let supported: [ConnectorKind] = [.moonraker, .octoprint, .virtual]

    /// Why a printer of `kind` at `address` cannot be connected, or nil when it can.
    public static func refusal(kind: ConnectorKind, address: String) -> String? {
        unsupported(kind) ?? addressProblem(kind: kind, address: address)
    }

    /// Why this farm cannot drive printers of `kind`, or nil when it can.
    public static func unsupported(_ kind: ConnectorKind) -> String? {
        guard supported.contains(kind) else {
            return "this farm cannot drive \(kind.rawValue) printers yet; it drives "
                + supported.map(\.rawValue).joined(separator: ", ")
        }
        return nil
    }

    /// What is wrong with `address` for a printer of `kind`, or nil when a connector can use it.
    public static func addressProblem(kind: ConnectorKind, address: String) -> String? {
        guard let base = URL(string: address), ["http", "https"].contains(base.scheme?.lowercased()), base.host != nil
        else {
            let example =
                switch kind {
                case .octoprint: "OctoPrint address, e.g. http://192.168.1.21:5000"
                default: "Moonraker address, e.g. http://192.168.1.20:7125"
                }
            return "the address \(address.prefix(200)) is not an http:// URL; register the \(example)"
        }
        return nil
    }

    /// The connector for a printer; `seed` spreads the reconnect backoff of many printers apart.
    public static func make(
        kind: ConnectorKind, address: String, apiKey: String?, http: HTTPClient = .shared, seed: UInt64,
        logger: Logger
    ) throws(ConnectorError) -> any PrinterConnector {
        if let why = refusal(kind: kind, address: address) {
            throw ConnectorError(kind: .unsupported, message: why)
        }
        guard let base = URL(string: address) else { throw ConnectorError(kind: .unsupported, message: address) }
        switch kind {
        case .moonraker, .virtual:
            return MoonrakerConnector(
                client: MoonrakerClient(base: base, apiKey: apiKey, http: http),
                configuration: .init(apiKey: apiKey), seed: seed, logger: logger)
        case .octoprint:
            return OctoPrintConnector(
                client: OctoPrintClient(base: base, apiKey: apiKey, http: http), seed: seed, logger: logger)
        case .bambu:
            throw ConnectorError(kind: .unsupported, message: "no connector for \(kind.rawValue)")
        }
    }
}
