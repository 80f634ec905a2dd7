import FarmDomain
import FarmPlates
import Foundation

/// What the production loop asks of the slicer: the G-code for one copy of a model with a profile version and a
/// plan's recipe, recorded as a slice. The server's slice service is one; a loop that only reads has none.
public protocol LoopSlicer: Sendable {
    func sliceForLoop(model: String, profile: String, recipe: SliceRecipe, context: CommandContext) async throws
        -> SlicedGCode

    /// Slices a plate's models together, arranged by the slicer; throws `PlateDoesNotFit` when the slicer cannot
    /// arrange them on the bed.
    func slicePlate(entries: [PlateEntry], profile: String, recipe: SliceRecipe, context: CommandContext) async throws
        -> SlicedPlate

    /// The bed of a profile version (its shape and the slicer's spacing between parts), nil when it cannot be read.
    func bed(profile: String) async -> Bed?
}

/// A plate's G-code and where the slicer put each object.
public struct SlicedPlate: Sendable, Equatable {
    public var artifact: String
    public var printSeconds: Int?
    public var placements: [ObjectPlacement]
    /// Grams of filament the whole plate takes, when the slicer said.
    public var filamentGrams: Double?

    public init(artifact: String, printSeconds: Int?, placements: [ObjectPlacement], filamentGrams: Double? = nil) {
        self.artifact = artifact
        self.printSeconds = printSeconds
        self.placements = placements
        self.filamentGrams = filamentGrams
    }
}

/// The slicer could not arrange a plate's parts on its bed.
public struct PlateDoesNotFit: Error, Sendable {
    public var message: String

    public init(message: String) { self.message = message }
}

/// What the production loop tells the printers' side: a run was scheduled (the fleet dispatches it when the printer
/// is free).
public protocol RunDispatcher: Sendable {
    func scheduled(_ run: Run, version: Int) async
}
