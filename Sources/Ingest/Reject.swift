/// The kinds of row rejection (INPUT.md's vocabulary).
public enum RejectKind: String, Sendable, Codable, CaseIterable {
    case emptyRequired = "empty_required"
    case badInteger = "bad_integer"
    case badValue = "bad_value"
    case badDate = "bad_date"
    case endBeforeStart = "end_before_start"
    case inconsistentHeader = "inconsistent_header"
    case duplicateLine = "duplicate_line"
    case malformedRow = "malformed_row"
}

/// Why one row was rejected. Messages name the column and the rule, never the value.
struct RowProblem: Error {
    let column: String
    let kind: RejectKind
    let message: String

    static func empty(_ column: String) -> RowProblem {
        RowProblem(column: column, kind: .emptyRequired, message: "\(column) is required")
    }
    static func badDate(_ column: String) -> RowProblem {
        RowProblem(column: column, kind: .badDate, message: "\(column) is not a real date in YYYY-MM-DD or YYYYMMDD form")
    }
    static func notUTF8(_ column: String) -> RowProblem {
        RowProblem(column: column, kind: .badValue, message: "\(column) is not valid UTF-8 text")
    }
    /// A second row of a claim with the same line number (the later one is rejected).
    static let duplicateLine = RowProblem(
        column: "claim_line_number", kind: .duplicateLine,
        message: "an earlier row of this file has the same claim_id and claim_line_number")
}
