import Foundation
import SQLiteDB

/// Reads the member history for the rules: one member's events and spans with range scans of
/// `dx_event` (member, category, day) and `eligibility_span` (member, ...), and the imaging lines
/// to decide. Statements are prepared once and cached on the connection.
public struct HistoryReader {
    private let db: Connection

    public init(_ db: Connection) { self.db = db }

    /// One member's history: for each category its events within the window given, and every span.
    public func memberHistory(_ memberID: String, windows: [String: EventWindow]) throws -> MemberHistory {
        let eventQuery = try db.cached("""
            SELECT e.day, e.claim_id, e.position, e.code, c.load_id FROM dx_event e JOIN claim c ON c.claim_id = e.claim_id
            WHERE e.member_id = ?1 AND e.category = ?2 AND e.day BETWEEN ?3 AND ?4
            ORDER BY e.day, e.claim_id, e.position
            """)
        var events: [String: [DxEventRef]] = [:]
        for (category, window) in windows {
            defer { eventQuery.reset() }
            eventQuery.bind(memberID, at: 1)
            eventQuery.bind(category, at: 2)
            eventQuery.bind(Int64(window.from?.number ?? Int32.min), at: 3)
            eventQuery.bind(Int64(window.to.number), at: 4)
            var list: [DxEventRef] = []
            while try eventQuery.step() {
                list.append(DxEventRef(day: Day(number: eventQuery.int32(0)), claimID: eventQuery.text(1),
                                       position: eventQuery.int(2), code: eventQuery.text(3), loadID: eventQuery.int64(4)))
            }
            events[category] = list
        }
        return MemberHistory(memberID: memberID, events: events, spans: try spans(of: memberID))
    }

    /// Every eligibility span of a member, by start date, payer and plan.
    public func spans(of memberID: String) throws -> [EligibilitySpan] {
        let statement = try db.cached("""
            SELECT start_day, end_day, payer, plan, load_id FROM eligibility_span WHERE member_id = ?
            ORDER BY start_day, payer, plan
            """)
        defer { statement.reset() }
        statement.bind(memberID, at: 1)
        var spans: [EligibilitySpan] = []
        while try statement.step() {
            spans.append(EligibilitySpan(
                start: Day(number: statement.int32(0)), end: statement.optionalInt32(1).map(Day.init(number:)),
                payer: statement.text(2), plan: statement.text(3), loadID: statement.int64(4)))
        }
        return spans
    }

    /// The imaging lines in scope — current lines whose procedure (or revenue) code is in one of
    /// `categories` — by member id, claim id and line number: one member's lines come together.
    public func forEachImagingLine(categories: [String], scope: LineScope, _ body: (ImagingLine) throws -> Void) throws {
        let statement = try db.prepare("""
            SELECT l.claim_id, l.line_number, c.member_id, l.service_day, coalesce(l.hcpcs_code, ''), c.claim_type,
                c.start_day, d.code, l.load_id, coalesce(l.hcpcs_modifier_1, ''), coalesce(l.hcpcs_modifier_2, ''),
                coalesce(l.hcpcs_modifier_3, ''), coalesce(l.hcpcs_modifier_4, ''), coalesce(l.hcpcs_modifier_5, ''),
                coalesce(l.revenue_center_code, ''), coalesce(l.charge_amount, '')
            FROM (SELECT DISTINCT claim_id, line_number FROM line_category
                  WHERE category IN (SELECT value FROM json_each(?1))) lc
            JOIN claim_line l ON l.claim_id = lc.claim_id AND l.line_number = lc.line_number
            JOIN claim c ON c.claim_id = l.claim_id
            LEFT JOIN claim_diagnosis d ON d.claim_id = c.claim_id AND d.position = 1
            WHERE (?2 IS NULL OR c.member_id = ?2) AND (?3 IS NULL OR l.claim_id = ?3)
              AND (?4 IS NULL OR l.service_day >= ?4) AND (?5 IS NULL OR l.service_day <= ?5)
              AND (?6 IS NULL OR c.member_id IN (SELECT member_id FROM member_change WHERE load_id > ?6))
            ORDER BY c.member_id, l.claim_id, l.line_number
            """)
        statement.bind(Self.jsonArray(categories), at: 1)
        statement.bind(scope.memberID, at: 2)
        statement.bind(scope.claimID, at: 3)
        statement.bind(scope.serviceFrom?.number, at: 4)
        statement.bind(scope.serviceTo?.number, at: 5)
        if let load = scope.membersChangedAfterLoad { statement.bind(load, at: 6) }
        while try statement.step() {
            try body(ImagingLine(
                claimID: statement.text(0), lineNumber: statement.int(1), memberID: statement.text(2),
                serviceDay: Day(number: statement.int32(3)), hcpcsCode: statement.text(4), claimType: statement.text(5),
                claimStartDay: Day(number: statement.int32(6)), primaryDiagnosis: statement.optionalText(7),
                loadID: statement.int64(8), modifiers: (9...13).map { statement.text(Int32($0)) }.filter { !$0.isEmpty },
                revenueCode: statement.text(14), chargeAmount: statement.text(15)))
        }
    }

    /// The current version of a stored imaging line, if the line exists and is still imaging.
    public func imagingLine(claimID: String, lineNumber: Int, categories: [String]) throws -> ImagingLine? {
        var found: ImagingLine?
        try forEachImagingLine(categories: categories, scope: LineScope(claimID: claimID)) { line in
            if line.lineNumber == lineNumber { found = line }
        }
        return found
    }

    /// The value sets (of `system`: ICD10CM, CPT, HCPCS, UBREV) holding a normalised code.
    public func categories(ofCode code: String, systems: [String]) throws -> [String] {
        let statement = try db.cached("""
            SELECT DISTINCT value_set FROM value_set_code
            WHERE code_system IN (SELECT value FROM json_each(?1)) AND code = ?2 ORDER BY value_set
            """)
        defer { statement.reset() }
        statement.bind(Self.jsonArray(systems), at: 1)
        statement.bind(code, at: 2)
        var sets: [String] = []
        while try statement.step() { sets.append(statement.text(0)) }
        return sets
    }

    /// The member a stored claim belongs to, if it is stored.
    public func member(ofClaim claimID: String) throws -> String? {
        try db.scalarText("SELECT member_id FROM claim WHERE claim_id = ?", [.text(claimID)])
    }

    /// The newest ledger entry (the history a decision or check sees), if anything was loaded.
    public func lastLoad() throws -> LedgerEntry? {
        try LoadLedger(db).latest()
    }

    static func jsonArray(_ names: [String]) -> String {
        String(decoding: (try? JSONEncoder().encode(names)) ?? Data("[]".utf8), as: UTF8.self)
    }
}
