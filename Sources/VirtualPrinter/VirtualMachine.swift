import Foundation
import PrinterLink

/// One simulated Klipper machine behind a simulated Moonraker, as pure state: time is passed in (simulated
/// seconds), commands change it, and it answers with the same printer objects, history and notifications a real
/// Moonraker 0.11 + Klipper gives (see Tests/PrinterLinkTests/Recordings). The server around it does the IO.
public struct VirtualMachine: Sendable {
    public enum Fault: String, Sendable, CaseIterable, Codable {
        /// Every socket is dropped (the printer vanishes from the network for a moment).
        case disconnect
        /// Sockets stay open but nothing is sent for a while.
        case silence
        /// Klipper shuts down (as after M112): the job shows paused, the history says klippy_shutdown.
        case klippyShutdown
        /// Klipper shuts down with a heater error.
        case thermalError
        /// The filament sensor trips: the print pauses with a message.
        case filamentRunout
        /// The first layer does not stick: the detector reports it (Klipper itself notices nothing and prints on).
        case firstLayerFailure
        /// A sudden extrusion anomaly mid-print, as a camera detector reports it.
        case spaghetti
        /// A G-code error stops the print (a move out of range): the job shows `error` with Klipper's message while
        /// Klippy stays ready, the heaters go off, the history says `error`; only SDCARD_RESET_FILE (or a new print)
        /// leaves it.
        case gcodeError
    }

    public struct VirtualError: Error, Sendable, Equatable {
        public var status: Int
        public var message: String
    }

    /// Something to tell subscribers besides status deltas.
    public enum Note: Sendable, Equatable {
        case gcodeResponse(String)
        case historyChanged(action: String, job: JSONValue)
        case klippyReady
        case klippyShutdown
        case klippyDisconnected
        case fileListChanged(action: String, path: String)
    }

    struct Job: Sendable {
        var id: String
        var file: VirtualFile
        var startTime: Double
        var heatedAt: Double?
        var printSeconds = 0.0
        /// Objects excluded from the print (`EXCLUDE_OBJECT NAME=…`), upper case, in order.
        var excluded: [String] = []
    }

    public private(set) var files: [String: VirtualFile] = [:]
    public private(set) var history: [JSONValue] = []
    /// Simulated seconds since the machine started.
    public private(set) var now = 0.0
    let wallClockStart: Double
    var klippy = "ready"
    var klippyMessage = "Printer is ready"
    var readyAt: Double?
    var state = "standby"
    var message = ""
    var filename = ""
    var job: Job?
    var lastJob: Job?
    var extruder = Heater(temperature: 25.03, target: 0, tau: 8)
    var bed = Heater(temperature: 25.03, target: 0, tau: 25)
    var nextJobNumber = 1
    var pausedAt: Double?
    /// What the simulated detector reports about the current print (kind, confidence), shown as the anomaly macro.
    var anomaly: (kind: String, confidence: Double)?

    struct Heater: Sendable {
        var temperature: Double
        var target: Double
        let tau: Double
        var power: Double { target > temperature + 1 ? 1 : (target > 0 ? 0.3 : 0) }
        /// At its target; a heater that is off (a print with no bed temperature) waits for nothing.
        var reached: Bool { target <= 0 || abs(temperature - target) < 3 }

        mutating func advance(_ seconds: Double) {
            let goal = target > 0 ? target : 25.03
            temperature = goal + (temperature - goal) * exp(-seconds / tau)
            temperature = (temperature * 100).rounded() / 100
        }
    }

    /// `wallClockStart` is the epoch time the simulation began, for the timestamps Moonraker reports.
    public init(wallClockStart: Double) { self.wallClockStart = wallClockStart }

    // MARK: time

    /// Moves simulated time forward; returns what happened on the way.
    public mutating func advance(to time: Double) -> [Note] {
        guard time > now else { return [] }
        let step = time - now
        now = time
        extruder.advance(step)
        bed.advance(step)
        var notes: [Note] = []
        if let ready = readyAt, now >= ready {
            readyAt = nil
            klippy = "ready"
            klippyMessage = "Printer is ready"
            state = "standby"
            filename = ""
            message = ""
            notes.append(.klippyReady)
        }
        guard klippy == "ready", var current = job, state == "printing" else { return notes }
        if current.heatedAt == nil {
            if extruder.reached, bed.reached { current.heatedAt = now }
        } else {
            // Excluded objects are skipped: the rest of the file goes faster by their share.
            let objects = current.file.objects.count
            current.printSeconds += step * Double(max(1, objects)) / Double(max(1, objects - current.excluded.count))
        }
        job = current
        if current.printSeconds >= current.file.estimatedSeconds {
            notes += finish(status: "completed", state: "complete")
            notes.insert(.gcodeResponse("Done printing file"), at: 0)
        }
        return notes
    }

    // MARK: commands

    public mutating func upload(path: String, data: Data) -> [Note] {
        let existed = files[path] != nil
        files[path] = VirtualFile.scan(path: path, data: data, modified: wallClockStart + now)
        return [.fileListChanged(action: existed ? "modify_file" : "create_file", path: path)]
    }

    public mutating func delete(path: String) throws(VirtualError) -> [Note] {
        guard files[path] != nil else { throw VirtualError(status: 400, message: "Invalid file path: gcodes/\(path)") }
        if job?.file.path == path { throw VirtualError(status: 403, message: "Forbidden (File currently in use)") }
        files[path] = nil
        return [.fileListChanged(action: "delete_file", path: path)]
    }

    public mutating func start(_ path: String) throws(VirtualError) -> [Note] {
        try requireReady()
        guard job == nil else { throw VirtualError(status: 400, message: "SD busy") }
        guard let file = files[path] else {
            throw VirtualError(status: 400, message: "Unable to open file")
        }
        let id = String(format: "%06X", nextJobNumber)
        nextJobNumber += 1
        job = Job(id: id, file: file, startTime: now)
        anomaly = nil
        state = "printing"
        filename = path
        message = ""
        extruder.target = file.extruderTemperature
        bed.target = file.bedTemperature
        let entry = historyEntry(job!, status: "in_progress", end: nil)
        history.append(entry)
        return [
            .gcodeResponse("File opened:\(path) Size:\(file.size)"), .gcodeResponse("File selected"),
            .historyChanged(action: "added", job: entry),
        ]
    }

    public mutating func pause() throws(VirtualError) -> [Note] {
        try requireReady()
        guard job != nil, state == "printing" else { return [.gcodeResponse("// Print is not running, pause aborted")] }
        state = "paused"
        pausedAt = now
        return []
    }

    public mutating func resume() throws(VirtualError) -> [Note] {
        try requireReady()
        // Like Klipper: "ok" while not paused, only a console line says nothing happened.
        guard job != nil, state == "paused" else { return [.gcodeResponse("// Print is not paused, resume aborted")] }
        state = "printing"
        message = ""
        pausedAt = nil
        return []
    }

    public mutating func cancel() throws(VirtualError) -> [Note] {
        try requireReady()
        guard job != nil else { return [.gcodeResponse("// action:cancel")] }
        return finish(status: "cancelled", state: "cancelled")
    }

    public mutating func emergencyStop() -> [Note] { shutdown("Shutdown due to M112 command") }

    public mutating func firmwareRestart() -> [Note] {
        klippy = "startup"
        klippyMessage = "Printer is restarting"
        readyAt = now + 2
        extruder.target = 0
        bed.target = 0
        return [.klippyDisconnected]
    }

    public mutating func inject(_ fault: Fault) -> [Note] {
        switch fault {
        case .disconnect, .silence: return []
        case .klippyShutdown: return shutdown("MCU 'mcu' shutdown: Timer too close")
        case .thermalError: return shutdown("Heater extruder not heating at expected rate")
        case .filamentRunout:
            guard job != nil, state == "printing" else { return [] }
            state = "paused"
            pausedAt = now
            message = "Filament runout"
            return [
                .gcodeResponse("// Filament Runout Sensor filament_sensor: runout event detected, Time \(Int(now))")
            ]
        case .firstLayerFailure, .spaghetti:
            guard job != nil, state == "printing" else { return [] }
            anomaly = fault == .spaghetti ? ("spaghetti", 0.93) : ("firstLayer", 0.88)
            return []
        case .gcodeError:
            guard job != nil, state == "printing" else { return [] }
            let error = "Move out of range: 146.133 -3.000 0.800 [53.510]"
            message = error
            return [.gcodeResponse("!! " + error)] + finish(status: "error", state: "error")
        }
    }

    /// `printer.gcode.script`: SDCARD_RESET_FILE clears a finished or failed job back to standby; EXCLUDE_OBJECT
    /// NAME=… skips an object of the print from then on; any other command answers "ok" with Klipper's "Unknown
    /// command" line, as a real Klipper does for commands it lacks.
    public mutating func gcodeScript(_ script: String) throws(VirtualError) -> [Note] {
        try requireReady()
        let command = script.split(separator: " ").first.map { $0.uppercased() } ?? ""
        if command == "EXCLUDE_OBJECT" { return try exclude(script) }
        guard command == "SDCARD_RESET_FILE" else { return [.gcodeResponse("// Unknown command:\"\(command)\"")] }
        // Simplified: Klipper would stop a print in progress; the farm never asks for that, so it is refused here.
        guard job == nil else {
            throw VirtualError(status: 400, message: "SDCARD_RESET_FILE while printing is not simulated")
        }
        lastJob = nil
        state = "standby"
        filename = ""
        message = ""
        return []
    }

    /// Klipper's `EXCLUDE_OBJECT NAME=…`: the object's moves are skipped from now on, so the print ends sooner by
    /// its share of the file. Without a print, or for a name the file does not define, Klipper's error.
    private mutating func exclude(_ script: String) throws(VirtualError) -> [Note] {
        guard var current = job else { throw VirtualError(status: 400, message: "No print in progress") }
        guard let word = script.split(separator: " ").first(where: { $0.uppercased().hasPrefix("NAME=") }) else {
            throw VirtualError(status: 400, message: "EXCLUDE_OBJECT needs NAME=")
        }
        let name = word.dropFirst(5).uppercased()
        guard current.file.objects.contains(where: { $0.name == name }) else {
            throw VirtualError(status: 400, message: "Unknown object name: \(name)")
        }
        if current.excluded.contains(name) { return [] }
        current.excluded.append(name)
        job = current
        return [.gcodeResponse("// Excluding object \(name)")]
    }

    private mutating func shutdown(_ reason: String) -> [Note] {
        klippy = "shutdown"
        klippyMessage =
            "\(reason)\nOnce the underlying issue is corrected, use the \"FIRMWARE_RESTART\" command to reset the firmware, reload the config, and restart the host software.\nPrinter is shutdown"
        extruder.target = 0
        bed.target = 0
        var notes: [Note] = [.gcodeResponse("// Klipper state: Shutdown")]
        if job != nil {
            // As recorded: the job shows paused, not error, and the history says klippy_shutdown.
            var finished = finish(status: "klippy_shutdown", state: "paused")
            if let index = finished.firstIndex(where: { if case .historyChanged = $0 { true } else { false } }) {
                let history = finished.remove(at: index)
                notes.append(.klippyShutdown)
                notes.append(history)
                return notes + finished
            }
        }
        return notes + [.klippyShutdown]
    }

    private mutating func finish(status: String, state newState: String) -> [Note] {
        guard let current = job else { return [] }
        job = nil
        lastJob = current
        state = newState
        extruder.target = 0
        bed.target = 0
        let entry = historyEntry(current, status: status, end: wallClockStart + now)
        if let index = history.lastIndex(where: { $0["job_id"]?.string == current.id }) { history[index] = entry }
        return [.historyChanged(action: "finished", job: entry)]
    }

    private func requireReady() throws(VirtualError) {
        guard klippy == "ready" else {
            // Moonraker 0.11 turns Klipper's multi-line shutdown message into "Unknown" (tornado drops such reasons).
            throw klippy == "shutdown"
                ? VirtualError(status: 400, message: "Unknown")
                : VirtualError(status: 503, message: "Klippy Host not connected")
        }
    }

    private func historyEntry(_ job: Job, status: String, end: Double?) -> JSONValue {
        [
            "job_id": .string(job.id), "user": "_TRUSTED_USER_", "filename": .string(job.file.path),
            "status": .string(status),
            "start_time": .number(wallClockStart + job.startTime), "end_time": end.map(JSONValue.number) ?? .null,
            "print_duration": .number((job.printSeconds * 1000).rounded() / 1000),
            "total_duration": .number(((now - job.startTime) * 1000).rounded() / 1000),
            "filament_used": .number(printedFraction(of: job) * job.file.filamentMillimetres), "exists": true,
            "metadata": ["size": .number(Double(job.file.size)), "estimated_time": .number(job.file.estimatedSeconds)],
        ]
    }

    private func printedFraction(of job: Job) -> Double { min(1, job.printSeconds / max(1, job.file.estimatedSeconds)) }

    // MARK: what Moonraker shows

    public var klippyState: String { klippy }

    /// Klipper's parsed configuration of the simulated machine (an MK3S-sized cartesian printer), the parts of
    /// `configfile.settings` a farm reads.
    public static let settings: JSONValue = [
        "printer": ["kinematics": "cartesian", "max_velocity": 300, "max_accel": 3000],
        "stepper_x": ["position_min": 0, "position_max": 250], "stepper_y": ["position_min": -4, "position_max": 210],
        "stepper_z": ["position_min": 0, "position_max": 210],
        "extruder": ["nozzle_diameter": 0.4, "filament_diameter": 1.75, "max_temp": 300, "min_temp": 0],
        "heater_bed": ["max_temp": 120, "min_temp": 0],
    ]

    /// The printer objects, as `printer.objects.query` gives them.
    public func status() -> [String: JSONValue] {
        let shown =
            job
            ?? (["complete", "cancelled", "error"].contains(state) || (state == "paused" && klippy != "ready")
                ? lastJob : nil)
        let fraction = shown.map { printedFraction(of: $0) } ?? 0
        let file = shown?.file
        let position: Int =
            file.map {
                state == "complete"
                    ? $0.size : $0.gcodeStartByte + Int(Double($0.gcodeEndByte - $0.gcodeStartByte) * fraction)
            } ?? 0
        let progress = file.map { state == "complete" ? 1.0 : Double(position) / Double(max(1, $0.size)) } ?? 0
        let layer: JSONValue =
            file.map {
                $0.layers > 0 && shown?.heatedAt != nil
                    ? .number(Double(min($0.layers, Int(fraction * Double($0.layers)) + 1))) : .null
            } ?? .null
        let active = job != nil && state == "printing"
        return [
            "print_stats": [
                "filename": .string(filename),
                "total_duration": .number(shown.map { ((now - $0.startTime) * 1000).rounded() / 1000 } ?? 0),
                "print_duration": .number(shown.map { ($0.printSeconds * 1000).rounded() / 1000 } ?? 0),
                "filament_used": .number(file.map { (fraction * $0.filamentMillimetres * 100).rounded() / 100 } ?? 0),
                "state": .string(state),
                "message": .string(message),
                "info": ["total_layer": file.map { .number(Double($0.layers)) } ?? .null, "current_layer": layer],
            ],
            "virtual_sdcard": [
                "file_path": job.map { .string("<data>/gcodes/\($0.file.path)") } ?? .null,
                "progress": .number(job == nil && state != "complete" ? 0 : progress),
                "is_active": .bool(active), "file_position": .number(Double(job == nil ? 0 : position)),
                "file_size": .number(Double(job?.file.size ?? 0)),
            ],
            "extruder": [
                "temperature": .number(extruder.temperature), "target": .number(extruder.target),
                "power": .number(extruder.power), "can_extrude": .bool(extruder.temperature > 170),
            ],
            "heater_bed": [
                "temperature": .number(bed.temperature), "target": .number(bed.target), "power": .number(bed.power),
            ],
            "webhooks": [
                "state": .string(klippy == "startup" ? "startup" : klippy), "state_message": .string(klippyMessage),
            ],
            "display_status": ["progress": .number(job == nil ? 0 : progress), "message": .null],
            "toolhead": [
                "homed_axes": .string(job == nil ? "" : "xyz"),
                "estimated_print_time": .number((now * 1000).rounded() / 1000), "position": [0, 0, 0, 0],
            ],
            "pause_resume": ["is_paused": .bool(state == "paused" && job != nil)],
            MachineReport.Anomaly.object: [
                "kind": .string(anomaly?.kind ?? ""), "confidence": .number(anomaly?.confidence ?? 0),
            ],
            "exclude_object": [
                "objects": .array(
                    (file?.objects ?? []).map { object in
                        [
                            "name": .string(object.name), "center": .array(object.center.map { .number($0) }),
                            "polygon": .array(object.polygon.map { .array($0.map { .number($0) }) }),
                        ]
                    }),
                "excluded_objects": .array((shown?.excluded ?? []).map { .string($0) }), "current_object": .null,
            ],
            "idle_timeout": [
                "state": .string(active ? "Printing" : (job == nil ? "Idle" : "Ready")),
                "printing_time": .number(shown.map { now - $0.startTime } ?? 0),
            ],
        ]
    }
}
