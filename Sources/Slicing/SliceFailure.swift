import Foundation

/// Why a slice did not produce G-code: a stable code, a sentence, and the slicer's own words.
public struct SliceFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable {
        /// The part is wider or deeper than the bed.
        case doesNotFit = "slice.doesNotFit"
        /// The slicer could not read the model (for example a flat surface with no volume).
        case modelRejected = "slice.modelRejected"
        /// Nothing to print: no layers.
        case noLayers = "slice.noLayers"
        /// The profile has a value the slicer refuses.
        case invalidProfile = "slice.invalidProfile"
        case timedOut = "slice.timedOut"
        case cancelled = "slice.cancelled"
        /// The slicer died (a signal or an abort) without a message we know.
        case crashed = "slice.crashed"
        case slicerMissing = "slice.slicerMissing"
        case failed = "slice.failed"
    }

    public var code: Code
    public var message: String
    /// What the slicer printed (its last lines), kept for the operator.
    public var slicerOutput: String

    public init(code: Code, message: String, slicerOutput: String = "") {
        self.code = code
        self.message = message
        self.slicerOutput = slicerOutput
    }

    public var description: String { "\(code.rawValue): \(message)" }

    /// Reads the slicer's words after a failed run.
    static func classify(status: Int32, signalled: Bool, output: String) -> SliceFailure {
        let tail = output.split(separator: "\n").suffix(20).joined(separator: "\n")
        let lower = output.lowercased()
        if lower.contains("could not fit on the bed") || lower.contains("outside of the print area") {
            return SliceFailure(
                code: .doesNotFit,
                message:
                    "the part does not fit on this printer's bed; choose a larger printer, turn it, or scale it down",
                slicerOutput: tail)
        }
        if lower.contains("no layers were detected") || lower.contains("nothing to print")
            || lower.contains("empty layers")
        {
            return SliceFailure(
                code: .noLayers,
                message:
                    "the slicer found nothing to print (no layers); the model may be flat or tiny — check its units and volume",
                slicerOutput: tail)
        }
        if lower.contains("loading of a model file failed") || lower.contains("failed loading") {
            return SliceFailure(
                code: .modelRejected,
                message: "the slicer could not load the model (it may have no volume); repair or re-export it",
                slicerOutput: tail)
        }
        // PrusaSlicer 2.5: "The composite configation is not valid: Invalid value for --layer-height" or "…: Value out of range: fill_density".
        if lower.contains("configation is not valid") || lower.contains("configuration is not valid")
            || lower.contains("out of range")
            || (lower.contains("invalid")
                && (lower.contains("config") || lower.contains("value") || lower.contains("option")))
        {
            return SliceFailure(
                code: .invalidProfile,
                message: "the slicer refused the profile: \(Self.lastMeaningfulLine(output)); fix that setting",
                slicerOutput: tail)
        }
        if signalled {
            return SliceFailure(
                code: .crashed,
                message: "the slicer crashed (\(Self.lastMeaningfulLine(output))); the output is kept for the operator",
                slicerOutput: tail)
        }
        return SliceFailure(
            code: .failed, message: "the slicer failed with status \(status): \(Self.lastMeaningfulLine(output))",
            slicerOutput: tail)
    }

    public static func lastMeaningfulLine(_ output: String) -> String {
        let lines = output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("[") && !$0.contains("=>") }
        return lines.last.map { String($0.prefix(300)) } ?? "no message"
    }
}
