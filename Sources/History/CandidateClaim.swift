/// A claim as a claims system submits it, before it is stored: the fields of the extract's
/// `medical_claim` rows, checked by the loader's row rules. Checking it applies it to the member's
/// history exactly as a load would, and stores nothing.
public struct CandidateClaim: Sendable, Equatable {
    public var claimID: String
    /// `professional`, `institutional` or `undetermined`.
    public var claimType: String
    public var memberID: String
    public var startDay: Day
    public var endDay: Day?
    /// X12 CLM05-3; `8` voids the claim.
    public var frequencyCode: String?
    /// `icd-10-cm` or `icd-9-cm`.
    public var diagnosisCodeType: String
    /// Normalised diagnosis codes by position (empty where a position is empty); the first is the primary.
    public var diagnoses: [String]
    public var placeOfServiceCode: String?
    public var billTypeCode: String?
    public var lines: [CandidateLine]

    public init(claimID: String, claimType: String, memberID: String, startDay: Day, endDay: Day? = nil,
                frequencyCode: String? = nil, diagnosisCodeType: String = "icd-10-cm", diagnoses: [String],
                placeOfServiceCode: String? = nil, billTypeCode: String? = nil, lines: [CandidateLine]) {
        self.claimID = claimID
        self.claimType = claimType
        self.memberID = memberID
        self.startDay = startDay
        self.endDay = endDay
        self.frequencyCode = frequencyCode
        self.diagnosisCodeType = diagnosisCodeType
        self.diagnoses = diagnoses
        self.placeOfServiceCode = placeOfServiceCode
        self.billTypeCode = billTypeCode
        self.lines = lines
    }

    /// Whether the claim voids its stored version (any `claim_frequency_code` 8).
    public var isVoid: Bool { frequencyCode == "8" }
}

/// One line of a candidate claim.
public struct CandidateLine: Sendable, Equatable {
    public var lineNumber: Int
    /// The line's own date; nil means the claim's start date.
    public var lineStartDay: Day?
    /// Normalised (upper case, no dots).
    public var hcpcsCode: String?
    public var modifiers: [String]
    public var revenueCenterCode: String?
    public var chargeAmount: String?

    public init(lineNumber: Int, lineStartDay: Day? = nil, hcpcsCode: String? = nil, modifiers: [String] = [],
                revenueCenterCode: String? = nil, chargeAmount: String? = nil) {
        self.lineNumber = lineNumber
        self.lineStartDay = lineStartDay
        self.hcpcsCode = hcpcsCode
        self.modifiers = modifiers
        self.revenueCenterCode = revenueCenterCode
        self.chargeAmount = chargeAmount
    }
}
