import FarmDomain
import Hummingbird

/// `/api/v1/settings/production`: the production rules this server runs with (the `production` section of its
/// config file, or the standard ones), so operators and integrations can read what decides their orders.
struct SettingsRoutes {
    let production: ProductionSettings

    func register(on routes: SecuredRoutes) {
        routes.get("/api/v1/settings/production", .read) { _, _ in try JSONIO.response(production) }
    }
}
