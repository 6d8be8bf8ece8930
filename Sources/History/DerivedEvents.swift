import SQLiteDB

/// Derives `dx_event` (dated diagnoses by value set) and `line_category` (lines by procedure or
/// revenue value set) from the stored claims and the value sets. The one derivation both a load
/// (for the claims it stored) and a value-set change (for every claim) use.
struct DerivedEvents {
    /// Which claims to derive for.
    enum Claims {
        /// Every stored claim.
        case all
        /// The claims a load just stored, listed in `temp.claim_head`.
        case justStored
        /// The claims a `ClaimStream` stored, listed in `temp.claim_seen` with their member, and
        /// flagged there when a diagnosis (`dx_match`) or a line (`line_match`) may be in a value set.
        case streamed

        /// The claims as (claim_id, member_id, start_day, dx_type, claim_type, load_id).
        fileprivate var source: String {
            switch self {
            case .all: "(SELECT claim_id, member_id, start_day, dx_code_type AS dx_type, claim_type, load_id FROM claim)"
            case .justStored: "(SELECT claim_id, member_id, start_day, dx_type, claim_type, load_id FROM temp.claim_head)"
            case .streamed: Self.streamed(where: "member_id IS NOT NULL")
            }
        }

        /// The claims whose diagnoses may give events.
        fileprivate var diagnosisSource: String { self == .streamed ? Self.streamed(where: "dx_match") : source }
        /// The claims whose lines may have categories.
        fileprivate var lineSource: String { self == .streamed ? Self.streamed(where: "line_match") : source }

        private static func streamed(where condition: String) -> String {
            "(SELECT claim_id, member_id, start_day, dx_type, claim_type, load_id FROM temp.claim_seen WHERE \(condition))"
        }
    }

    let db: Connection

    init(_ db: Connection) { self.db = db }

    /// Inserts the derived rows of `claims` (whose earlier derived rows are already gone).
    /// CROSS JOINs fix the join order: claims outside, the value-set index inside; left to itself
    /// the planner may scan the value sets outside, which is quadratic.
    func derive(_ claims: Claims) throws {
        let lineFacts = """
            SELECT l.claim_id, l.line_number, v.value_set, h.member_id, l.service_day, coalesce(l.hcpcs_code, ''),
                h.claim_type, h.start_day, (SELECT code FROM claim_diagnosis WHERE claim_id = h.claim_id AND position = 1),
                l.load_id,
                rtrim(coalesce(l.hcpcs_modifier_1 || ';', '') || coalesce(l.hcpcs_modifier_2 || ';', '')
                      || coalesce(l.hcpcs_modifier_3 || ';', '') || coalesce(l.hcpcs_modifier_4 || ';', '')
                      || coalesce(l.hcpcs_modifier_5 || ';', ''), ';'),
                coalesce(l.revenue_center_code, ''), coalesce(l.charge_amount, '')
            FROM \(claims.lineSource) h CROSS JOIN claim_line l ON l.claim_id = h.claim_id
            """
        try db.execute("""
            INSERT INTO dx_event(period, member_id, category, day, claim_id, position, code, load_id)
            SELECT h.start_day / \(EventPeriod.days), h.member_id, v.value_set, h.start_day, h.claim_id, d.position, d.code, h.load_id
            FROM \(claims.diagnosisSource) h
            CROSS JOIN claim_diagnosis d ON d.claim_id = h.claim_id
            CROSS JOIN value_set_code v ON v.code_system = 'ICD10CM' AND v.code = d.code
            WHERE h.dx_type = 'icd-10-cm';
            INSERT OR IGNORE INTO line_category(claim_id, line_number, category, member_id, service_day, hcpcs_code,
                claim_type, claim_start_day, primary_dx, load_id, modifiers, revenue_code, charge_amount)
            \(lineFacts) CROSS JOIN value_set_code v ON v.code_system IN ('CPT', 'HCPCS') AND v.code = l.hcpcs_code
            UNION
            \(lineFacts) CROSS JOIN value_set_code v ON v.code_system = 'UBREV' AND v.code = l.revenue_center_code;
            """)
    }

    /// Derives everything again from scratch (after a value set changed).
    func rebuild() throws {
        try db.execute("DELETE FROM dx_event; DELETE FROM line_category;")
        try derive(.all)
    }
}
