import FarmDomain
import Foundation
import PrinterLink

extension RunSnapshot.Moment {
    /// The moment a run's change is worth a picture: it began, ended (completed or cancelled), failed (or was
    /// interrupted) or paused; nil for every other change.
    init?(after command: RunCommand, status: RunStatus) {
        switch (command, status) {
        case (.confirmStarted, .printing): self = .start
        case (.complete, .completed), (.cancel, .cancelled): self = .end
        case (.fail, .failed), (.interrupt, .interrupted): self = .failure
        case (.pause, .paused): self = .pause
        default: return nil
        }
    }
}

extension PrinterFleet {
    /// Pictures `run`'s printer with each of its cameras and records them as the run's evidence, in the
    /// background: a slow or broken camera costs the run nothing but its picture (logged).
    func snapshot(_ run: Run, _ moment: RunSnapshot.Moment) {
        let sources = cameras(of: run.printerID)
        guard !sources.isEmpty else { return }
        Task {
            for camera in sources {
                await self.take(camera, of: run, moment)
            }
        }
    }

    private func take(_ camera: CameraSource, of run: Run, _ moment: RunSnapshot.Moment) async {
        do {
            let jpeg = try await cameraReader.snapshot(camera)
            let stored = try artifacts.put(Data(jpeg))
            let context = CommandContext(
                actor: EventActor(.connector, run.printerID.description), reason: .printerReported,
                note: "\(moment.rawValue) of the run, from camera \(camera.name)", time: now())
            let name = "run-\(run.id)-\(moment.rawValue)-\(camera.name).jpg"
            _ = try await store.artifacts.execute(
                .register(
                    ArtifactUpload(sha256: stored.sha256, size: stored.size, mediaType: "image/jpeg", name: name)),
                id: stored.sha256, context: context)
            let snapshot = RunSnapshot(moment: moment, artifact: stored.sha256, camera: camera.name, at: now())
            let outcome = try await store.runs.execute(
                .recordSnapshot(snapshot), id: run.id.description, context: context)
            remember(outcome.model, version: outcome.version)
        } catch {
            logger.info("no \(moment.rawValue) picture of run \(run.id) from camera \(camera.name): \(error)")
        }
    }

    /// A printer's cameras: the one an operator gave first, then its host's.
    public func cameras(of id: PrinterID) -> [CameraSource] {
        (printers[id]?.camera.map { [CameraSource($0)] } ?? []) + (hostCameras[id] ?? [])
    }

    /// The first camera of a printer, for the live view; nil when it has none.
    public func camera(of id: PrinterID) -> CameraSource? { cameras(of: id).first }
}

extension CameraSource {
    /// The camera an operator gave (its addresses were checked as absolute http(s) URLs when given).
    public init(_ camera: PrinterCamera) {
        self.init(
            name: camera.name, snapshot: camera.snapshot.flatMap(URL.init(string:)),
            stream: camera.stream.flatMap(URL.init(string:)))
    }
}
