import ArgumentParser
import FarmDomain
import FarmServer
import FarmShops
import FarmStore
import Foundation
import Logging

struct Shops: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Connect web shops (Shopify, WooCommerce, Etsy) and list them.",
        discussion: "See docs/shops.md for what each platform needs.", subcommands: [Connect.self, List.self])

    struct Connect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Connect a shop. Its secrets are read as JSON from standard input, never from the command line.",
            discussion: """
                For example: echo '{"webhookSecret":"…","accessToken":"shpat_…"}' | printfarm shops connect \\
                --platform shopify --name "Main store" --api https://your-store.myshopify.com
                """)

        @OptionGroup var storage: StorageOptions

        @Option(help: "shopify, woocommerce or etsy.")
        var platform: ShopPlatform

        @Option(help: "A name people know the shop by.")
        var name: String

        @Option(help: "The Shopify store, the WooCommerce site, or Etsy's API host (default for Etsy).")
        var api: String?

        @Option(help: "Etsy's numeric shop id.")
        var shop: String?

        @Option(help: "Etsy's OAuth host (default https://www.etsy.com).")
        var authorize: String?

        func run() async throws {
            let text = (readLine(strippingNewline: false) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let secrets: ShopSecretsInput
            do {
                secrets = try JSONDecoder().decode(ShopSecretsInput.self, from: Data((text.isEmpty ? "{}" : text).utf8))
            } catch {
                throw ValidationError(
                    "the secrets on standard input are not a JSON object like {\"webhookSecret\":\"…\"}")
            }
            let defaults = ShopEndpoints.defaults(for: platform)
            let endpoints = (api ?? defaults?.api).map {
                ShopEndpoints(api: $0, authorize: authorize ?? defaults?.authorize, shop: shop)
            }
            try await withStore(storage) { store in
                let intake = ShopIntake(store: store, now: { Date() }, logger: Logger(label: "printfarm.shops"))
                do {
                    let outcome = try await ShopAccounts.connect(
                        intake: intake, platform: platform, name: name, endpoints: endpoints, secrets: secrets,
                        id: ShopConnectionID(SystemIDs.uuidv7()),
                        context: CommandContext(actor: .cli, reason: "operator.request", time: Date()))
                    print(
                        "connected \(platform.rawValue) shop '\(name)' (\(outcome.model.id)); deliver its webhooks to "
                            + ShopAccounts.webhookPath(outcome.model.id))
                } catch let invalid as ShopAccounts.Invalid {
                    throw ValidationError(invalid.description)
                } catch { throw explain(error) }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the connected shops with their health.")

        @OptionGroup var storage: StorageOptions

        func run() async throws {
            try await withStore(storage) { store in
                let connections = try await store.shops.all().filter { $0.status == .active }
                if connections.isEmpty { print("no shop is connected") }
                let format = ISO8601DateFormatter()
                for connection in connections.sorted(by: { $0.name < $1.name }) {
                    let health = try await store.shopData.health(of: connection.id)
                    let sales = try await store.sales.statusCounts(ref: connection.id.description)
                    print(
                        """
                        \(connection.id)  \(connection.platform.rawValue)  \(connection.name)
                          webhooks: \(ShopAccounts.webhookPath(connection.id))
                          last delivery: \(health.lastDeliveryAt.map(format.string) ?? "never"); \
                        last poll: \(health.lastPollAt.map(format.string) ?? "never"); \
                        last error: \(health.lastError ?? "none")
                          orders taken: \(sales.values.reduce(0, +)); held: \(sales[SaleStatus.held.rawValue] ?? 0)
                        """)
                }
            }
        }
    }
}

extension ShopPlatform: ExpressibleByArgument {}
