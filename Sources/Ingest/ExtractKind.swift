/// The two extract layouts (Tuva Project input layer).
public enum ExtractKind: String, Sendable, Codable, CaseIterable {
    case eligibility
    case claims

    /// The Tuva columns this kind reads; others in a file are ignored and reported once.
    var knownColumns: Set<String> {
        switch self {
        case .eligibility:
            ["member_id", "person_id", "enrollment_start_date", "enrollment_end_date", "payer", "plan",
             "birth_date", "gender", "data_source", "file_name", "file_date"]
        case .claims:
            Set(["claim_id", "claim_line_number", "claim_type", "member_id", "person_id", "claim_start_date",
                 "claim_end_date", "claim_line_start_date", "hcpcs_code", "hcpcs_modifier_1", "hcpcs_modifier_2",
                 "hcpcs_modifier_3", "hcpcs_modifier_4", "hcpcs_modifier_5", "revenue_center_code", "bill_type_code",
                 "place_of_service_code", "diagnosis_code_type", "claim_frequency_code", "payer", "plan",
                 "paid_amount", "charge_amount", "data_source", "file_name", "file_date"]
                + (1...25).map { "diagnosis_code_\($0)" })
        }
    }

    /// Columns without which a file of this kind cannot be loaded (`member_id` may be `person_id`).
    var requiredColumns: [String] {
        switch self {
        case .eligibility: ["member_id", "enrollment_start_date", "enrollment_end_date"]
        case .claims: ["claim_id", "claim_line_number", "claim_type", "member_id", "claim_start_date", "diagnosis_code_1"]
        }
    }
}

/// A file's header resolved to column positions.
struct ColumnMap {
    private let index: [String: Int]
    /// Header columns this kind does not use, in file order.
    let ignored: [String]
    let count: Int

    /// - Throws: `IngestError` for duplicate names or missing required columns.
    init(header: [String], kind: ExtractKind, path: String) throws {
        var index: [String: Int] = [:]
        var duplicates: [Int] = []
        for (position, raw) in header.enumerated() {
            let name = raw.lowercased()
            if name.isEmpty { continue }   // unnamed columns (a trailing delimiter) are ignored
            if index[name] != nil { duplicates.append(position + 1) } else { index[name] = position }
        }
        // Positions, not names: a file without a header line would put member data in the message.
        if !duplicates.isEmpty { throw IngestError.duplicateColumns(path: path, positions: duplicates) }
        if index["member_id"] == nil, let person = index["person_id"] { index["member_id"] = person }
        let missing = kind.requiredColumns.filter { index[$0] == nil }
        if !missing.isEmpty { throw IngestError.missingColumns(path: path, columns: missing) }
        self.index = index
        self.count = header.count
        self.ignored = header.filter { !$0.isEmpty && !kind.knownColumns.contains($0.lowercased()) }
    }

    subscript(_ name: String) -> Int? { index[name] }
}
