import FarmDomain
import Foundation

/// What the production loop asks of the slicer: the G-code for one copy of a model with a profile version and a
/// plan's recipe, recorded as a slice. The server's slice service is one; a loop that only reads has none.
public protocol LoopSlicer: Sendable {
    func sliceForLoop(model: String, profile: String, recipe: SliceRecipe, context: CommandContext) async throws
        -> SlicedGCode
}

/// What the production loop tells the printers' side: a run was scheduled (the fleet dispatches it when the printer
/// is free).
public protocol RunDispatcher: Sendable {
    func scheduled(_ run: Run, version: Int) async
}
