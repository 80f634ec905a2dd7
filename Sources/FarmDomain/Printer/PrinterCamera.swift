import Foundation

/// A camera an operator gave for a printer (beside the ones its host lists): a single-picture address, an MJPEG
/// stream, or both. The farm reads it from its own network and relays it, so the address never reaches a page.
public struct PrinterCamera: Sendable, Equatable, Codable {
    public var name: String
    public var snapshot: String?
    public var stream: String?

    public init(name: String = "camera", snapshot: String? = nil, stream: String? = nil) {
        self.name = name
        self.snapshot = snapshot
        self.stream = stream
    }

    /// A camera given without a name is called "camera".
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name) ?? "camera"
        snapshot = try container.decodeIfPresent(String.self, forKey: .snapshot)
        stream = try container.decodeIfPresent(String.self, forKey: .stream)
    }

    func validate() throws(DomainError) {
        guard !name.isBlank, name.count <= 40 else {
            throw .invalid(field: "camera.name", reason: "name the camera in 1 to 40 characters, e.g. bed or nozzle")
        }
        guard snapshot != nil || stream != nil else {
            throw .invalid(
                field: "camera",
                reason: "give its snapshot address (one JPEG), its stream address (MJPEG), or both")
        }
        for (field, address) in [("camera.snapshot", snapshot), ("camera.stream", stream)] {
            guard let address else { continue }
            if let why = Self.problem(with: address) { throw .invalid(field: field, reason: why) }
        }
    }

    /// Why `address` cannot be a camera's, or nil.
    static func problem(with address: String) -> String? {
        guard address.count <= 500, let url = URL(string: address), let scheme = url.scheme?.lowercased(),
            ["http", "https"].contains(scheme), let host = url.host, !host.isEmpty
        else {
            return "an http(s) address of at most 500 characters, e.g. http://192.168.1.30:8080/?action=snapshot"
        }
        // The address is recorded in the printer's history, which every reader of the farm sees.
        guard url.user == nil, url.password == nil else {
            return "no user or password in the address: it is kept in the printer's history, readable by every user"
        }
        return nil
    }
}

public struct PrinterCameraSet: Codable, Sendable, Equatable {
    /// The camera now given; absent: the one given before was removed.
    public var camera: PrinterCamera?
    public var at: Date

    public init(camera: PrinterCamera?, at: Date) {
        self.camera = camera
        self.at = at
    }
}
