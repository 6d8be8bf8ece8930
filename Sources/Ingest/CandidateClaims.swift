import History

/// One extract row given as named fields (Tuva `medical_claim` column names, lower case), with the
/// position a caller reports problems at (a CSV line, or a line's index in a request).
public struct ExtractRow: Sendable, Equatable {
    public var line: Int
    public var fields: [String: String]
    /// Why the record cannot become a row (bad quoting, wrong field count, an X12 claim defect).
    public var defect: RowDefect?

    public init(line: Int, fields: [String: String], defect: RowDefect? = nil) {
        self.line = line
        self.fields = fields
        self.defect = defect
    }
}

/// What is wrong with a record before any row rule is applied.
public struct RowDefect: Sendable, Equatable {
    public var field: String
    public var kind: RejectKind
    public var message: String

    public init(field: String = "", kind: RejectKind = .malformedRow, message: String) {
        self.field = field
        self.kind = kind
        self.message = message
    }
}

/// Why a candidate claim cannot be checked: the rule a load would have rejected its row for.
/// The message names the column and the rule, never the value.
public struct CandidateProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    /// The column at fault.
    public let field: String
    /// The row's `line`.
    public let line: Int
    public let kind: RejectKind

    public var description: String { "line \(line): \(message)" }
}

/// Turns extract rows into candidate claims with the loader's rules: a row the loader would reject,
/// or a claim whose rows disagree on their header, is a `CandidateProblem` instead of a claim.
public enum CandidateClaims {
    /// The claims of `rows`, in the order their first rows appear; lines by line number.
    ///
    /// - Throws: `CandidateProblem` for the first row that breaks a row rule.
    public static func parse(rows: [ExtractRow]) throws -> [CandidateClaim] {
        var claims: [CandidateClaim] = []
        var indexByID: [String: Int] = [:]
        var headerLine: [Int] = []
        for row in rows {
            let (claim, line) = try parse(row)
            guard let index = indexByID[claim.claimID] else {
                indexByID[claim.claimID] = claims.count
                claims.append(claim)
                headerLine.append(line.lineNumber)
                continue
            }
            var stored = claims[index]
            if stored.lines.contains(where: { $0.lineNumber == line.lineNumber }) {
                throw CandidateProblem(message: "an earlier row of this claim has the same claim_line_number",
                                       field: "claim_line_number", line: row.line, kind: .duplicateLine)
            }
            let column = claim.claimType != stored.claimType ? "claim_type"
                : !claim.memberID.sameBytes(stored.memberID) ? memberColumn(row) : claim.startDay != stored.startDay ? "claim_start_date" : nil
            if let column {
                throw CandidateProblem(message: "the rows of this claim disagree on \(column)", field: column, line: row.line,
                                       kind: .inconsistentHeader)
            }
            if claim.isVoid { stored.frequencyCode = "8" }
            // Header fields and diagnoses come from the lowest-numbered line, as in a load.
            if line.lineNumber < headerLine[index] {
                headerLine[index] = line.lineNumber
                let frequency = stored.isVoid ? "8" : claim.frequencyCode
                let lines = stored.lines
                stored = claim
                stored.frequencyCode = frequency
                stored.lines = lines
            }
            stored.lines.append(line)
            claims[index] = stored
        }
        for index in claims.indices { claims[index].lines.sort { $0.lineNumber < $1.lineNumber } }
        return claims
    }

    /// Each claim of `rows` parsed on its own (rows grouped by `claim_id`, in order of first
    /// appearance): one claim's bad row does not hide the others.
    public static func parseEach(rows: [ExtractRow]) -> [Result<CandidateClaim, CandidateProblem>] {
        var groups: [[ExtractRow]] = []
        var indexByID: [String: Int] = [:]
        for row in rows {
            // A record without a claim id (a defect) is a claim of its own, at its line.
            let id = (row.fields["claim_id"] ?? "").trimmingCharacters(in: [" ", "\t"])
            let key = id.isEmpty ? "\u{0}\(row.line)" : id
            if let index = indexByID[key] { groups[index].append(row) } else {
                indexByID[key] = groups.count
                groups.append([row])
            }
        }
        return groups.map { group in
            Result { try parse(rows: group)[0] }.mapError { $0 as! CandidateProblem }
        }
    }

    private static func memberColumn(_ row: ExtractRow) -> String {
        row.fields["member_id"] == nil && row.fields["person_id"] != nil ? "person_id" : "member_id"
    }

    /// One row as a one-line claim.
    private static func parse(_ row: ExtractRow) throws -> (CandidateClaim, CandidateLine) {
        func problem(_ p: RowProblem) -> CandidateProblem {
            CandidateProblem(message: p.message, field: p.column, line: row.line, kind: p.kind)
        }
        func text(_ name: String) -> String {
            (row.fields[name] ?? "").trimmingCharacters(in: [" ", "\t"])
        }
        func required(_ name: String) throws -> String {
            let value = text(name)
            guard !value.isEmpty else { throw problem(.empty(name)) }
            return value
        }
        func date(_ name: String) throws -> Day? {
            var value = text(name)
            if value.isEmpty { return nil }
            guard let day = value.withUTF8({ Day.parse($0) }) else { throw problem(.badDate(name)) }
            return day
        }
        func optional(_ name: String) -> String? {
            let value = text(name)
            return value.isEmpty ? nil : value
        }
        if let defect = row.defect { throw problem(RowProblem(column: defect.field, kind: defect.kind, message: defect.message)) }

        let claimID = try required("claim_id")
        var lineText = try required("claim_line_number")
        guard let lineNumber = lineText.withUTF8({ Field.positiveInteger($0) }) else {
            throw problem(RowProblem(column: "claim_line_number", kind: .badInteger,
                                     message: "claim_line_number must be a whole number greater than 0"))
        }
        let claimType = try required("claim_type").lowercased()
        guard ["professional", "institutional", "undetermined"].contains(claimType) else {
            throw problem(RowProblem(column: "claim_type", kind: .badValue,
                                     message: "claim_type must be professional, institutional or undetermined"))
        }
        let memberName = row.fields["member_id"] == nil && row.fields["person_id"] != nil ? "person_id" : "member_id"
        let memberID = try required(memberName)
        guard let startDay = try date("claim_start_date") else { throw problem(.empty("claim_start_date")) }
        let endDay = try date("claim_end_date")
        let lineStartDay = try date("claim_line_start_date")
        var diagnoses = (1...25).map { normalized(text("diagnosis_code_\($0)")) }
        guard !diagnoses[0].isEmpty else { throw problem(.empty("diagnosis_code_1")) }
        while diagnoses.last?.isEmpty == true { diagnoses.removeLast() }
        let hcpcs = normalized(text("hcpcs_code"))

        let line = CandidateLine(
            lineNumber: lineNumber, lineStartDay: lineStartDay, hcpcsCode: hcpcs.isEmpty ? nil : hcpcs,
            modifiers: (1...5).compactMap { optional("hcpcs_modifier_\($0)") },
            revenueCenterCode: optional("revenue_center_code"), chargeAmount: optional("charge_amount"))
        let claim = CandidateClaim(
            claimID: claimID, claimType: claimType, memberID: memberID, startDay: startDay, endDay: endDay,
            frequencyCode: optional("claim_frequency_code"),
            diagnosisCodeType: text("diagnosis_code_type").lowercased() == "icd-9-cm" ? "icd-9-cm" : "icd-10-cm",
            diagnoses: diagnoses, placeOfServiceCode: optional("place_of_service_code"),
            billTypeCode: optional("bill_type_code"), lines: [line])
        return (claim, line)
    }

    /// A code as the loader stores it: no spaces or dots, upper case.
    static func normalized(_ code: String) -> String {
        var bytes: [UInt8] = []
        var copy = code
        copy.withUTF8 { Field.appendNormalizedCode($0, to: &bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
