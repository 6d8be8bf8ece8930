/// One imaging claim line to decide: a stored line of the history, or a line of a candidate claim.
///
/// It keeps what the remittance and the explanation show of the line (charge, modifiers, revenue
/// code), so a decision shows the version it was made on even after the claim changes.
public struct ImagingLine: Sendable, Codable, Equatable {
    public var claimID: String
    public var lineNumber: Int
    public var memberID: String
    /// D: the line's start date, or the claim's where the line has none.
    public var serviceDay: Day
    public var hcpcsCode: String
    public var claimType: String
    public var claimStartDay: Day
    /// The claim's diagnosis at position 1 (normalised).
    public var primaryDiagnosis: String?
    /// The ledger entry of the claim version (lineage); nil for a candidate claim.
    public var loadID: Int64?
    public var modifiers: [String]
    public var revenueCode: String
    public var chargeAmount: String

    public init(claimID: String, lineNumber: Int, memberID: String, serviceDay: Day, hcpcsCode: String, claimType: String,
                claimStartDay: Day, primaryDiagnosis: String?, loadID: Int64?, modifiers: [String] = [],
                revenueCode: String = "", chargeAmount: String = "") {
        self.claimID = claimID
        self.lineNumber = lineNumber
        self.memberID = memberID
        self.serviceDay = serviceDay
        self.hcpcsCode = hcpcsCode
        self.claimType = claimType
        self.claimStartDay = claimStartDay
        self.primaryDiagnosis = primaryDiagnosis
        self.loadID = loadID
        self.modifiers = modifiers
        self.revenueCode = revenueCode
        self.chargeAmount = chargeAmount
    }
}
