import Foundation

/// What an operator can do to bring a printer out of an error the machine will not leave by itself. Which one
/// fits depends on what stopped it; the other would not help (docs/production.md, "Printer recoveries").
public enum PrinterRecovery: String, Sendable, Codable, CaseIterable {
    /// Klipper is ready but its last print ended in a G-code error ("Move out of range"): `SDCARD_RESET_FILE` clears
    /// the failed job back to standby.
    case resetJob
    /// Klipper is shut down (an emergency stop, an MCU or heater error) or came up in error: `FIRMWARE_RESTART`
    /// restarts the firmware and the host software.
    case firmwareRestart

    /// The words on the button.
    public var title: String {
        switch self {
        case .resetJob: "Clear the failed job"
        case .firmwareRestart: "Restart the firmware"
        }
    }
}

public struct PrinterRecoveryRequested: Codable, Sendable, Equatable {
    public var recovery: PrinterRecovery
    public var at: Date

    public init(recovery: PrinterRecovery, at: Date) {
        self.recovery = recovery
        self.at = at
    }
}
