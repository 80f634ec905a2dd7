import Foundation

/// The printer objects as Moonraker last gave them: a full snapshot from `printer.objects.subscribe` (or a query),
/// then deltas merged on top. A delta holds only the objects and top-level fields that changed; nested values
/// (`print_stats.info`, `toolhead.position`) arrive whole, so a field is replaced, never merged deeper.
public struct MoonrakerStatus: Sendable, Equatable {
    /// The objects the connector subscribes to (`null` = every field).
    public static let subscribed = [
        "print_stats", "virtual_sdcard", "extruder", "heater_bed", "webhooks", "display_status", "toolhead",
        "pause_resume", "idle_timeout",
        MachineReport.Anomaly.object,
    ]

    public private(set) var objects: [String: [String: JSONValue]] = [:]

    public init(objects: [String: [String: JSONValue]] = [:]) { self.objects = objects }

    /// Replaces everything with a full status (`result.status` of a subscribe or query).
    public mutating func replace(with status: JSONValue) {
        objects = [:]
        for (name, value) in status.object ?? [:] {
            if let fields = value.object { objects[name] = fields }
        }
    }

    /// Merges a `notify_status_update` delta; returns the names of objects it carried that we never subscribed
    /// to (they are ignored).
    @discardableResult
    public mutating func merge(delta: JSONValue) -> [String] {
        var unknown: [String] = []
        for (name, value) in delta.object ?? [:] {
            guard Self.subscribed.contains(name), let fields = value.object else {
                unknown.append(name)
                continue
            }
            objects[name, default: [:]].merge(fields) { $1 }
        }
        return unknown
    }

    public subscript(object: String, field: String) -> JSONValue? { objects[object]?[field] }

    /// The job's file, relative to the gcodes root ("" and null both mean none).
    public var filename: String? {
        guard let name = self["print_stats", "filename"]?.string, !name.isEmpty else { return nil }
        return name
    }

    /// Progress through the printed part of the file when its G-code byte range is known (Moonraker's metadata
    /// `gcode_start_byte`/`gcode_end_byte`: the slicer's config block at the end is not printing), else
    /// `virtual_sdcard.progress`, which is by file bytes and stops short of 1 until the job completes.
    public func progress(gcodeBytes: ClosedRange<Int>?) -> Double? {
        if self["print_stats", "state"]?.string == "complete" { return 1 }
        if let range = gcodeBytes, range.count > 1, let position = self["virtual_sdcard", "file_position"]?.number {
            return min(1, max(0, (position - Double(range.lowerBound)) / Double(range.count - 1)))
        }
        return self["virtual_sdcard", "progress"]?.number
    }

    func heater(_ name: String) -> MachineReport.Heater? {
        guard let temperature = self[name, "temperature"]?.number else { return nil }
        return MachineReport.Heater(temperature: temperature, target: self[name, "target"]?.number ?? 0)
    }

    /// The report for a live link.
    func report(host: String?, gcodeBytes: ClosedRange<Int>?) -> MachineReport {
        let info = self["print_stats", "info"]
        let message = self["print_stats", "message"]?.string.flatMap { $0.isEmpty ? nil : $0 }
        return MachineReport(
            link: .live, host: host.map(Self.host), job: self["print_stats", "state"]?.string.flatMap(Self.job),
            filename: filename,
            progress: progress(gcodeBytes: gcodeBytes),
            printSeconds: self["print_stats", "print_duration"]?.number,
            totalSeconds: self["print_stats", "total_duration"]?.number,
            currentLayer: info?["current_layer"]?.int, totalLayers: info?["total_layer"]?.int,
            extruder: heater("extruder"),
            bed: heater("heater_bed"), message: message, anomaly: anomaly)
    }

    /// Klippy's state (ready, startup, shutdown, error, disconnected): the normalised words are Klipper's own, and a
    /// state this farm does not know counts as not connected.
    static func host(_ klippy: String) -> MachineReport.Host { MachineReport.Host(rawValue: klippy) ?? .disconnected }

    /// print_stats.state: the normalised words are Klipper's own; an unknown one is no job the farm can act on.
    static func job(_ state: String) -> MachineReport.Job? { MachineReport.Job(rawValue: state) }

    /// A detector's verdict, when one sets the anomaly macro's variables (absent objects are simply not sent).
    var anomaly: MachineReport.Anomaly? {
        let object = MachineReport.Anomaly.object
        guard let kind = self[object, "kind"]?.string, !kind.isEmpty,
            let confidence = self[object, "confidence"]?.number, confidence > 0
        else { return nil }
        return MachineReport.Anomaly(kind: String(kind.prefix(60)), confidence: min(1, confidence))
    }
}
