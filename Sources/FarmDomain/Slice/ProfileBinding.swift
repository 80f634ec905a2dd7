import Foundation

/// Which profile version a printer model uses for a material. Changing it is an event; rolling back is binding an
/// earlier version again; new slices use the bound version at once.
public struct ProfileBinding: Sendable, Equatable, Codable {
    public var id: String
    public var printerModel: String
    /// A binding for every printer model: for farms whose printers all print the same G-code.
    public static let anyModel = "*"
    public var material: String
    public var profile: String
    /// Every version bound so far, oldest first, with who and when.
    public var history: [ProfileBindingChange]
    public var updatedAt: Date

    /// The binding's id: printer model and material, case-insensitive.
    public static func id(printerModel: String, material: String) -> String {
        "\(printerModel.trimmingCharacters(in: .whitespaces).lowercased())|\(material.trimmingCharacters(in: .whitespaces).lowercased())"
    }
}

public struct ProfileBindingChange: Sendable, Equatable, Codable {
    public var profile: String
    public var by: String
    public var at: Date
}

public struct ProfileBound: Codable, Sendable, Equatable {
    public var printerModel: String
    public var material: String
    public var profile: String
    /// The version it replaced, if any.
    public var previous: String?
    public var by: String
    public var at: Date
}

public enum ProfileBindingEvent: DomainEvent {
    case bound(ProfileBound)

    public static let aggregate = "profilebinding"
    public static let codec = EventCodec<ProfileBindingEvent>(
        aggregate: aggregate, [.payload("bound", ProfileBound.self, ProfileBindingEvent.bound)])

    public var parts: (name: String, payload: any Encodable) {
        switch self {
        case .bound(let p): ("bound", p)
        }
    }
}

public enum ProfileBindingCommand: Sendable, Equatable {
    case bind(printerModel: String, material: String, profile: String)

    public var name: String { "bind" }
}

public enum ProfileBindingState: Sendable, Equatable {
    case none
    case exists(ProfileBinding)

    public var binding: ProfileBinding? {
        if case .exists(let binding) = self { binding } else { nil }
    }
}

public enum ProfileBindingDecider: Decider {
    public static let initialState = ProfileBindingState.none

    public static func decide(_ command: ProfileBindingCommand, state: ProfileBindingState, context: CommandContext)
        throws(DomainError) -> [ProfileBindingEvent]
    {
        switch command {
        case .bind(let printerModel, let material, let profile):
            guard !printerModel.isBlank, (1...100).contains(printerModel.count) else {
                throw .invalid(
                    field: "printerModel", reason: "name the printer model, for example MK3S, 1 to 100 characters")
            }
            guard !material.isBlank, (1...100).contains(material.count) else {
                throw .invalid(field: "material", reason: "name the material, for example PETG")
            }
            guard profile.count == 64, profile.allSatisfy(\.isHexDigit) else {
                throw .invalid(field: "profile", reason: "a profile version (64 hexadecimal digits)")
            }
            let current = state.binding
            if current?.profile == profile { return [] }
            return [
                .bound(
                    ProfileBound(
                        printerModel: current?.printerModel ?? printerModel, material: current?.material ?? material,
                        profile: profile, previous: current?.profile,
                        by: context.actor.description, at: context.time))
            ]
        }
    }

    public static func evolve(_ state: ProfileBindingState, _ event: ProfileBindingEvent) -> ProfileBindingState {
        switch event {
        case .bound(let e):
            var binding =
                state.binding
                ?? ProfileBinding(
                    id: ProfileBinding.id(printerModel: e.printerModel, material: e.material),
                    printerModel: e.printerModel, material: e.material,
                    profile: e.profile, history: [], updatedAt: e.at)
            binding.profile = e.profile
            binding.history.append(ProfileBindingChange(profile: e.profile, by: e.by, at: e.at))
            binding.updatedAt = e.at
            return .exists(binding)
        }
    }
}

/// The profile bound for each printer model and material, as the production loop chooses from them.
public struct BoundProfiles: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    /// Material (upper case) → printer model as bound → profile version.
    private var byMaterial: [String: [String: String]] = [:]

    public init(_ bindings: [ProfileBinding]) {
        for binding in bindings {
            byMaterial[binding.material.uppercased(), default: [:]][binding.printerModel] = binding.profile
        }
    }

    /// Material → profile, bound for every printer model (`ProfileBinding.anyModel`).
    public init(dictionaryLiteral elements: (String, String)...) {
        for (material, profile) in elements {
            byMaterial[material.uppercased(), default: [:]][ProfileBinding.anyModel] = profile
        }
    }

    /// The printer models a profile is bound for with `material`, and the profile, in model order.
    public func choices(for material: String) -> [(model: String, profile: String)] {
        (byMaterial[material.uppercased()] ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    public var isEmpty: Bool { byMaterial.isEmpty }
}
