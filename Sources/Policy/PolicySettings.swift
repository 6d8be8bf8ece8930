import Foundation

/// Every setting of the LBP imaging policy. The defaults are POLICY.md's; a plan overrides any
/// of them with a JSON file (`lbp decide --policy FILE`), where omitted keys keep their default.
public struct PolicySettings: Sendable, Codable, Equatable {
    /// The policy's own identifier; travels with every denial (an 835's REF*0K).
    public var policyID = "LBP-IMAGING-001"
    /// The diagnosis value set of the episode (primary diagnosis, index date, prior episode).
    public var episodeValueSet = "LOW_BACK_PAIN"
    /// The procedure value sets that make a claim line an imaging line.
    public var imagingValueSets = ["IMAGING_XRAY", "IMAGING_CT", "IMAGING_MRI"]
    /// Imaging within this many days of the index date is denied; also how far back from the
    /// service date the index date is searched (D−28 … D).
    public var imagingWindowDays = 28
    /// An episode diagnosis this many days before the index date (I−180 … I−1) means "not new".
    public var priorEpisodeLookbackDays = 180
    /// Plans exempt from the policy ([choice]: none by default).
    public var exemptPlans: [String] = []
    public var enrollment = EnrollmentSettings()
    /// The red flags, in reason order; each is data (a plan may add one such as HIV).
    public var redFlags: [RedFlagSettings] = [
        RedFlagSettings(reason: "RED_FLAG_CANCER", valueSet: "CANCER", from: .unbounded, to: .days(28)),
        RedFlagSettings(reason: "RED_FLAG_TRAUMA", valueSet: "TRAUMA", from: .years(-1), to: .days(28)),
        RedFlagSettings(reason: "RED_FLAG_IV_DRUG_ABUSE", valueSet: "IV_DRUG_ABUSE", from: .years(-1), to: .days(28)),
        RedFlagSettings(reason: "RED_FLAG_NEUROLOGIC", valueSet: "NEUROLOGIC_IMPAIRMENT", from: .years(-1), to: .days(28)),
        RedFlagSettings(reason: "RED_FLAG_SPINAL_INFECTION", valueSet: "SPINAL_INFECTION", from: .years(-1), to: .days(28)),
    ]
    /// The remittance codes of a denied line ([choice]: CO-50 with N130).
    public var denial = DenialCodes()

    public init() {}

    /// The largest day count or day offset a setting may hold (about a century): window arithmetic
    /// on any real date then stays exact.
    public static let maxDays = 36_600
    /// The largest year offset of a window bound.
    public static let maxYears = 100

    /// How many days after the service date D the latest window can end (I ≤ D): history dated
    /// later cannot change a decision on D. What the incremental decide relies on.
    public var forwardReachDays: Int {
        redFlags.map(\.to.maxDaysAfter).max() ?? 0
    }

    /// A policy file that cannot be used.
    public struct Invalid: Error, CustomStringConvertible, Sendable {
        public let path: String
        public let reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// Reads a JSON settings file; keys it omits keep their defaults.
    ///
    /// - Throws: `Invalid` naming the file and what is wrong.
    public static func load(path: String) throws -> PolicySettings {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Invalid(path: path, reason: "cannot read the policy file")
        }
        let settings: PolicySettings
        do {
            settings = try JSONDecoder().decode(PolicySettings.self, from: data)
        } catch let error as DecodingError {
            throw Invalid(path: path, reason: "not a valid policy file: \(Self.describe(error))")
        } catch {
            throw Invalid(path: path, reason: "not valid JSON")
        }
        if let problem = settings.problem { throw Invalid(path: path, reason: problem) }
        return settings
    }

    /// What makes these settings unusable, if anything.
    public var problem: String? {
        if policyID.isEmpty { return "policyID is empty" }
        if imagingValueSets.isEmpty { return "imagingValueSets is empty" }
        if episodeValueSet.isEmpty { return "episodeValueSet is empty" }
        let limit = Self.maxDays
        for (name, value) in [("imagingWindowDays", imagingWindowDays), ("priorEpisodeLookbackDays", priorEpisodeLookbackDays),
                              ("enrollment.lookbackDays", enrollment.lookbackDays), ("enrollment.maxGaps", enrollment.maxGaps),
                              ("enrollment.maxGapDays", enrollment.maxGapDays)] where !(0...limit).contains(value) {
            return "\(name) must be between 0 and \(limit)"
        }
        for flag in redFlags {
            if flag.reason.isEmpty || flag.valueSet.isEmpty { return "a red flag needs a reason and a valueSet" }
            if flag.to == .unbounded { return "red flag \(flag.reason): the window end cannot be unbounded" }
            for bound in [flag.from, flag.to] where !bound.isWithin(days: limit, years: Self.maxYears) {
                return "red flag \(flag.reason): window bound \(bound) is outside ±\(limit)d / ±\(Self.maxYears)y"
            }
        }
        if Set(redFlags.map(\.reason)).count != redFlags.count { return "two red flags share a reason code" }
        return nil
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context), .dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
        @unknown default:
            return "unreadable"
        }
    }

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case policyID, episodeValueSet, imagingValueSets, imagingWindowDays, priorEpisodeLookbackDays, exemptPlans,
             enrollment, redFlags, denial
    }

    public init(from decoder: Decoder) throws {
        try rejectUnknownKeys(decoder, CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = PolicySettings()
        policyID = try c.decodeIfPresent(String.self, forKey: .policyID) ?? d.policyID
        episodeValueSet = try c.decodeIfPresent(String.self, forKey: .episodeValueSet) ?? d.episodeValueSet
        imagingValueSets = try c.decodeIfPresent([String].self, forKey: .imagingValueSets) ?? d.imagingValueSets
        imagingWindowDays = try c.decodeIfPresent(Int.self, forKey: .imagingWindowDays) ?? d.imagingWindowDays
        priorEpisodeLookbackDays = try c.decodeIfPresent(Int.self, forKey: .priorEpisodeLookbackDays) ?? d.priorEpisodeLookbackDays
        exemptPlans = try c.decodeIfPresent([String].self, forKey: .exemptPlans) ?? d.exemptPlans
        enrollment = try c.decodeIfPresent(EnrollmentSettings.self, forKey: .enrollment) ?? d.enrollment
        redFlags = try c.decodeIfPresent([RedFlagSettings].self, forKey: .redFlags) ?? d.redFlags
        denial = try c.decodeIfPresent(DenialCodes.self, forKey: .denial) ?? d.denial
    }
}

/// The continuous-enrollment check (rule 6, [choice]: on, 180 days, one gap of at most 45 days).
public struct EnrollmentSettings: Sendable, Codable, Equatable {
    public var enabled = true
    /// Coverage is required from I − lookbackDays through the service date.
    public var lookbackDays = 180
    /// At most this many uncovered stretches...
    public var maxGaps = 1
    /// ...each at most this many days long.
    public var maxGapDays = 45

    public init() {}

    private enum CodingKeys: String, CodingKey, CaseIterable { case enabled, lookbackDays, maxGaps, maxGapDays }

    public init(from decoder: Decoder) throws {
        try rejectUnknownKeys(decoder, CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = EnrollmentSettings()
        enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? d.enabled
        lookbackDays = try c.decodeIfPresent(Int.self, forKey: .lookbackDays) ?? d.lookbackDays
        maxGaps = try c.decodeIfPresent(Int.self, forKey: .maxGaps) ?? d.maxGaps
        maxGapDays = try c.decodeIfPresent(Int.self, forKey: .maxGapDays) ?? d.maxGapDays
    }
}

/// One red flag: a reason code, the diagnosis value set, and its window around the index date.
public struct RedFlagSettings: Sendable, Codable, Equatable {
    public var reason: String
    public var valueSet: String
    /// Window start relative to I (`null`: any earlier date).
    public var from: WindowBound
    /// Window end relative to I.
    public var to: WindowBound

    public init(reason: String, valueSet: String, from: WindowBound, to: WindowBound) {
        self.reason = reason
        self.valueSet = valueSet
        self.from = from
        self.to = to
    }

    private enum CodingKeys: String, CodingKey, CaseIterable { case reason, valueSet, from, to }

    public init(from decoder: Decoder) throws {
        try rejectUnknownKeys(decoder, CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        reason = try c.decode(String.self, forKey: .reason)
        valueSet = try c.decode(String.self, forKey: .valueSet)
        from = try c.decodeIfPresent(WindowBound.self, forKey: .from) ?? .unbounded
        to = try c.decode(WindowBound.self, forKey: .to)
    }
}

/// Group code, CARC and RARC of a denied line.
public struct DenialCodes: Sendable, Codable, Equatable {
    public var groupCode = "CO"
    public var carc = "50"
    public var rarc = "N130"

    public init() {}

    private enum CodingKeys: String, CodingKey, CaseIterable { case groupCode, carc, rarc }

    public init(from decoder: Decoder) throws {
        try rejectUnknownKeys(decoder, CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = DenialCodes()
        groupCode = try c.decodeIfPresent(String.self, forKey: .groupCode) ?? d.groupCode
        carc = try c.decodeIfPresent(String.self, forKey: .carc) ?? d.carc
        rarc = try c.decodeIfPresent(String.self, forKey: .rarc) ?? d.rarc
    }
}

/// Fails on a key the settings do not know: a misspelt setting must not silently keep its default.
private func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(_ decoder: Decoder, _ keys: Keys.Type) throws {
    let container = try decoder.container(keyedBy: AnyKey.self)
    let known = Set(Keys.allCases.map(\.stringValue))
    if let unknown = container.allKeys.first(where: { !known.contains($0.stringValue) }) {
        throw DecodingError.dataCorruptedError(forKey: unknown, in: container, debugDescription: "unknown setting '\(unknown.stringValue)'")
    }
}

private struct AnyKey: CodingKey {
    let stringValue: String
    init(stringValue: String) { self.stringValue = stringValue }
    var intValue: Int? { nil }
    init?(intValue: Int) { nil }
}
