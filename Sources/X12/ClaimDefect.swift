/// Why a whole claim cannot become rows: every service line of it is rejected with this reason,
/// at the claim's CLM segment. Messages name the rule, never a value.
public struct ClaimDefect: Equatable, Sendable {
    public enum Kind: String, Sendable {
        case emptyRequired = "empty_required"
        case badDate = "bad_date"
        case badInteger = "bad_integer"
        case badValue = "bad_value"
        case malformed = "malformed_row"
    }

    /// The Tuva column the defect is about ("" when it is about the claim's structure).
    public let column: String
    public let kind: Kind
    public let message: String

    public init(column: String, kind: Kind, message: String) {
        self.column = column
        self.kind = kind
        self.message = message
    }

    static let noClaimID = ClaimDefect(column: "claim_id", kind: .emptyRequired, message: "the claim has no claim id (CLM01)")
    static let noMember = ClaimDefect(column: "member_id", kind: .emptyRequired,
                                      message: "the claim has no member id (NM109 of the subscriber's NM1*IL, loop 2010BA)")
    static let noPrincipalDiagnosis = ClaimDefect(column: "diagnosis_code_1", kind: .emptyRequired,
                                                  message: "the claim has no principal diagnosis (HI with ABK or BK)")
    static let noLines = ClaimDefect(column: "", kind: .malformed, message: "the claim has no service lines (LX with SV1 or SV2); it counts as one row")
    static let noStatementDates = ClaimDefect(column: "claim_start_date", kind: .emptyRequired,
                                              message: "the institutional claim has no statement dates (DTP*434)")
    static let noServiceDates = ClaimDefect(column: "claim_start_date", kind: .emptyRequired,
                                            message: "no service line of the professional claim has a date (DTP*472)")
    static let lineOutsideClaim = ClaimDefect(column: "", kind: .malformed,
                                              message: "a service line stands outside a claim (no CLM before it in its HL loop)")

    static func badDate(_ column: String, segment: Int, what: String) -> ClaimDefect {
        ClaimDefect(column: column, kind: .badDate,
                    message: "\(what) at segment \(segment) is not a D8 date or RD8 range of real dates")
    }
    static func malformed(_ message: String) -> ClaimDefect { ClaimDefect(column: "", kind: .malformed, message: message) }
}
