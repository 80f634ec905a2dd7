import FarmArtifacts
import FarmAuth
import FarmDomain
import FarmIntake
import FarmStore
import Foundation

/// What `printfarm demo` puts in a fresh farm: an owner account, PLA and PETG bound to the slicer's default
/// profile, and a handful of orders for the shapes PrusaSlicer ships, received and preflighted as if uploaded.
public enum DemoFarm {
    public struct Order: Sendable {
        public var shape: String
        public var quantity: Int
        public var material: String
        /// Hours from now to the due date.
        public var dueInHours: Double
    }

    public static let orders: [Order] = [
        // Due in days: a reprint then stays LOW risk (a day's slack or less would add to it) and passes QA by itself.
        Order(shape: "box", quantity: 2, material: "PLA", dueInHours: 72),
        Order(shape: "cylinder", quantity: 1, material: "PLA", dueInHours: 96),
        Order(shape: "pyramid", quantity: 1, material: "PETG", dueInHours: 96),
        Order(shape: "M3_hex_nut", quantity: 3, material: "PLA", dueInHours: 120),
    ]

    public static let shapesDirectory = "/usr/share/PrusaSlicer/shapes"
    public static let reference = "demo"

    public struct Seeded: Sendable {
        public var username: String
        public var password: String
        public var intents: [IntentID]
    }

    /// Seeds the farm once: a second start finds the demo's orders and only reports them (the password is not
    /// shown again; nil).
    public static func seed(store: Store, configuration: ServerConfiguration, now: Date) async throws -> Seeded? {
        let existing = try await store.intents.all().filter { $0.externalReference?.hasPrefix(reference) == true }
        if !existing.isEmpty { return nil }
        let context = CommandContext(actor: .cli, reason: .operatorRequest, note: "demo", time: now)
        let password = "demo-" + String(SystemIDs.uuidv7().uuidString.lowercased().suffix(12))
        _ = try await Accounts.createUser(
            store: store, passwords: Passwords(), username: "owner", role: .owner, password: password,
            id: UserID(SystemIDs.uuidv7()), context: context)
        let artifacts = try ArtifactStore(root: configuration.artifactDirectory)
        let slicing = SliceService(
            store: store, artifacts: artifacts, slicerPath: configuration.slicerPath, concurrency: 1)
        let slicer = try slicing.available()
        var profile = try await slicer.defaultProfile()
        // Classic perimeters slice the same on every core (reproducible G-code).
        profile.settings["perimeter_generator"] = "classic"
        let stored = try await slicing.storeProfile(
            text: profile.canonicalText, name: "demo-default.ini", context: context, correlationID: nil)
        for material in ["PLA", "PETG"] {
            _ = try await store.profileBindings.execute(
                .bind(printerModel: "virtual", material: material, profile: stored.profile.version),
                id: ProfileBinding.id(printerModel: "virtual", material: material), context: context)
        }
        let preflighting = IntentPreflighting(store: store, analyst: ModelAnalyst(store: store, artifacts: artifacts))
        var intents: [IntentID] = []
        for (index, order) in orders.enumerated() {
            let path = "\(shapesDirectory)/\(order.shape).stl"
            let model = try artifacts.put(Data(contentsOf: URL(fileURLWithPath: path)))
            _ = try await store.artifacts.execute(
                .register(
                    ArtifactUpload(
                        sha256: model.sha256, size: model.size, mediaType: "model/stl", name: "\(order.shape).stl")),
                id: model.sha256,
                context: context)
            let id = IntentID(SystemIDs.uuidv7())
            let draft = IntentDraft(
                source: .upload, externalReference: "\(reference)-\(index + 1)", customer: "demo customer \(index + 1)",
                lineItems: [
                    LineItem(
                        id: LineItemID(SystemIDs.uuidv7()), modelArtifact: model.sha256, quantity: order.quantity,
                        material: order.material)
                ],
                dueDate: now.addingTimeInterval(order.dueInHours * 3600), paymentStatus: .paid)
            _ = try await store.intents.execute(.receive(id, draft), id: id.description, context: context)
            _ = try await preflighting.run(intentID: id.description, context: context, correlationID: nil)
            intents.append(id)
        }
        return Seeded(username: "owner", password: password, intents: intents)
    }
}
