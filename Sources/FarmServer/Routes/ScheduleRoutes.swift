import FarmDomain
import FarmProduction
import Foundation
import Hummingbird

/// `/api/v1/schedule`: the farm's plan ahead, as the production loop last made it.
struct ScheduleRoutes {
    let loop: ProductionLoop?

    func register(on routes: SecuredRoutes) {
        routes.get("/api/v1/schedule", .read) { _, _ in
            try JSONIO.response(try await Self.current(loop))
        }
    }

    /// The loop's latest plan; a problem when this process does not run the loop or it has not planned yet.
    static func current(_ loop: ProductionLoop?) async throws -> FarmSchedule {
        guard let loop else {
            throw Problem(
                status: .conflict, code: "schedule-unavailable", title: "This server does not plan the farm",
                detail:
                    "the production loop runs in the process connected to the printers (connectPrinters); "
                    + "ask that one")
        }
        guard let schedule = await loop.schedule else {
            throw Problem(
                status: .serviceUnavailable, code: "schedule-not-ready", title: "The farm has not been planned yet",
                detail: "the production loop makes the plan on its first pass, within seconds of starting; try again")
        }
        return schedule
    }
}
