import Foundation
import SQLiteDB

/// Reads the member history for the rules: one member's events and spans with range scans of
/// `dx_event` (period, member, ...) and `eligibility_span` (member, ...), and the imaging lines
/// to decide. Statements are prepared once and cached on the connection.
public struct HistoryReader {
    private let db: Connection

    public init(_ db: Connection) { self.db = db }

    /// One member's history: for each category its events within the window given, and every span.
    /// One index seek per period the windows cover (`EventPeriod.periods`, usually two or three),
    /// each reading the member's few events of that period.
    public func memberHistory(_ memberID: String, windows: [String: EventWindow]) throws -> MemberHistory {
        let eventQuery = try db.cached("""
            SELECT category, day, claim_id, position, code, load_id FROM dx_event
            WHERE period IN (SELECT value FROM json_each(?2)) AND member_id = ?1
            ORDER BY period, category, day, claim_id, position
            """)
        defer { eventQuery.reset() }
        eventQuery.bind(memberID, at: 1)
        eventQuery.bind(try EventPeriod.periods(windows.values, storedPeriods: storedPeriods), at: 2)
        var events: [String: [DxEventRef]] = [:]
        for category in windows.keys { events[category] = [] }
        while try eventQuery.step() {
            // Periods ascend and each is read in key order, so each value set's events come by day.
            let category = eventQuery.text(0), day = Day(number: eventQuery.int32(1))
            guard let window = windows[category], window.from.map({ day >= $0 }) ?? true, day <= window.to else { continue }
            events[category]!.append(DxEventRef(day: day, claimID: eventQuery.text(2), position: eventQuery.int(3),
                                                code: eventQuery.text(4), loadID: eventQuery.int64(5)))
        }
        return MemberHistory(memberID: memberID, sortedEvents: events, spans: try spans(of: memberID))
    }

    /// The first and last period of `dx_event` (two seeks on its key); nil when it is empty.
    func storedPeriods() throws -> ClosedRange<Int32>? {
        let statement = try db.cached("SELECT (SELECT min(period) FROM dx_event), (SELECT max(period) FROM dx_event)")
        defer { statement.reset() }
        _ = try statement.step()
        guard let first = statement.optionalInt32(0), let last = statement.optionalInt32(1) else { return nil }
        return first...last
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
    /// Reads `line_category` alone, which holds every fact of a line that deciding it needs.
    public func forEachImagingLine(categories: [String], scope: LineScope, _ body: (ImagingLine) throws -> Void) throws {
        // Only the filters in use are in the statement (fixed fragments, bound values), so each
        // shape can use its index: the claim's key, the member's lines, or the categories.
        var filters = ["category IN (SELECT value FROM json_each(?1))"]
        if scope.memberID != nil { filters.append("member_id = ?2") }
        if scope.claimID != nil { filters.append("claim_id = ?3") }
        if scope.serviceFrom != nil { filters.append("service_day >= ?4") }
        if scope.serviceTo != nil { filters.append("service_day <= ?5") }
        if let change = scope.changedSince {
            try defineChangedMembers(afterLoad: change.load)
            filters.append("""
                EXISTS (SELECT 1 FROM temp.changed_member ch WHERE ch.member_id = lc.member_id
                        AND ch.from_day <= lc.service_day + ?7)
                """)
        }
        // The lines are chosen in a DISTINCT subquery that the index answers alone (it holds the
        // category, member, day and key); only the chosen lines are then read from the table, not
        // every line of the categories (a seek per index entry, most of the table's pages).
        let statement = try db.prepare("""
            SELECT lc.claim_id, lc.line_number, member_id, service_day, hcpcs_code, claim_type, claim_start_day,
                primary_dx, load_id, modifiers, revenue_code, charge_amount
            FROM (SELECT DISTINCT claim_id, line_number FROM line_category lc WHERE \(filters.joined(separator: " AND "))) chosen
            JOIN line_category lc ON lc.claim_id = chosen.claim_id AND lc.line_number = chosen.line_number
            GROUP BY lc.claim_id, lc.line_number
            ORDER BY member_id, lc.claim_id, lc.line_number
            """)
        statement.bind(JSONText.array(categories), at: 1)
        if let member = scope.memberID { statement.bind(member, at: 2) }
        if let claim = scope.claimID { statement.bind(claim, at: 3) }
        if let from = scope.serviceFrom { statement.bind(from.number, at: 4) }
        if let to = scope.serviceTo { statement.bind(to.number, at: 5) }
        if let change = scope.changedSince { statement.bind(change.reachDays, at: 7) }
        while try statement.step() {
            let modifiers = statement.text(9)
            try body(ImagingLine(
                claimID: statement.text(0), lineNumber: statement.int(1), memberID: statement.text(2),
                serviceDay: Day(number: statement.int32(3)), hcpcsCode: statement.text(4), claimType: statement.text(5),
                claimStartDay: Day(number: statement.int32(6)), primaryDiagnosis: statement.optionalText(7),
                loadID: statement.int64(8), modifiers: modifiers.isEmpty ? [] : modifiers.split(separator: ";").map(String.init),
                revenueCode: statement.text(10), chargeAmount: statement.text(11)))
        }
    }

    /// Defines `temp.changed_member` (member_id, from_day): a member a load after `load` touched,
    /// with the earliest day that load touched (one row per load). A view, not a copy: a month's
    /// load touches most members, while a run asks about the few with imaging lines or decisions,
    /// each a seek on `member_change`'s key per newer load (`temp.changed_since` holds the bound
    /// watermark).
    private func defineChangedMembers(afterLoad load: Int64) throws {
        try db.execute("""
            DROP VIEW IF EXISTS temp.changed_member;
            DROP TABLE IF EXISTS temp.changed_since;
            CREATE TEMP TABLE changed_since(load_id INTEGER NOT NULL);
            CREATE TEMP VIEW changed_member(member_id, from_day) AS
                SELECT member_id, from_day FROM member_change
                WHERE load_id IN (SELECT load_id FROM load_ledger WHERE load_id > (SELECT load_id FROM temp.changed_since));
            """)
        try db.run("INSERT INTO temp.changed_since(load_id) VALUES (?)", [.integer(load)])
    }

    /// Drops what `defineChangedMembers` defined.
    public func forgetChangedMembers() throws {
        try db.execute("DROP VIEW IF EXISTS temp.changed_member; DROP TABLE IF EXISTS temp.changed_since;")
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
        statement.bind(JSONText.array(systems), at: 1)
        statement.bind(code, at: 2)
        var sets: [String] = []
        while try statement.step() { sets.append(statement.text(0)) }
        return sets
    }

    /// The charge amounts of a claim's lines as stored by one load (the claim version it stored),
    /// by line number; empty when that version is no longer stored.
    public func lineCharges(claimID: String, loadID: Int64) throws -> [String] {
        var charges: [String] = []
        try db.forEach("""
            SELECT coalesce(charge_amount, '') FROM claim_line WHERE claim_id = ? AND load_id = ? ORDER BY line_number
            """, [.text(claimID), .integer(loadID)]) { charges.append($0.text(0)) }
        return charges
    }
}
