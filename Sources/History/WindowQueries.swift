import SQLiteDB

/// A diagnosis event found by a window query, with the ledger entry of its claim (lineage).
public struct DxEventRef: Sendable, Equatable, Codable {
    public let day: Day
    public let claimID: String
    public let position: Int
    public let code: String
    public let loadID: Int64
}

/// One eligibility span of a member.
public struct EligibilitySpan: Sendable, Equatable {
    public let start: Day
    /// nil: open-ended.
    public let end: Day?
    public let payer: String
    public let plan: String
    public let loadID: Int64

    public func covers(_ day: Day) -> Bool { start <= day && (end.map { day <= $0 } ?? true) }
}

/// The windowed queries the evaluator runs on the member history, as prepared statements cached
/// on the connection. Every query is an index range scan on `dx_event` (member, category, day)
/// or `eligibility_span` (member, ...).
public struct WindowQueries {
    private let db: Connection

    public init(_ db: Connection) { self.db = db }

    private static let eventColumns = "e.day, e.claim_id, e.position, e.code, c.load_id"

    /// The earliest event of `category` in `from ... to`; with `primaryOnly`, position 1 only.
    public func earliestEvent(member: String, category: String, from: Day, to: Day, primaryOnly: Bool) throws -> DxEventRef? {
        let statement = try db.cached("""
            SELECT \(Self.eventColumns) FROM dx_event e JOIN claim c ON c.claim_id = e.claim_id
            WHERE e.member_id = ?1 AND e.category = ?2 AND e.day BETWEEN ?3 AND ?4 AND (?5 = 0 OR e.position = 1)
            ORDER BY e.day, e.claim_id, e.position LIMIT 1
            """)
        return try first(statement, member, category, from.number, to.number, primaryOnly ? 1 : 0)
    }

    /// The latest event of `category` in `from ... to` (`from` nil: any earlier date).
    public func latestEvent(member: String, category: String, from: Day?, to: Day) throws -> DxEventRef? {
        let statement = try db.cached("""
            SELECT \(Self.eventColumns) FROM dx_event e JOIN claim c ON c.claim_id = e.claim_id
            WHERE e.member_id = ?1 AND e.category = ?2 AND e.day BETWEEN ?3 AND ?4
            ORDER BY e.day DESC, e.claim_id, e.position LIMIT 1
            """)
        return try first(statement, member, category, from?.number ?? Int32.min, to.number, nil)
    }

    /// Whether a claim's diagnosis at `position` is in `category`.
    public func claimHasEvent(member: String, category: String, day: Day, claimID: String, position: Int) throws -> Bool {
        let statement = try db.cached("""
            SELECT 1 FROM dx_event WHERE member_id = ? AND category = ? AND day = ? AND claim_id = ? AND position = ?
            """)
        defer { statement.reset() }
        statement.bind(member, at: 1)
        statement.bind(category, at: 2)
        statement.bind(Int64(day.number), at: 3)
        statement.bind(claimID, at: 4)
        statement.bind(position, at: 5)
        return try statement.step()
    }

    /// The member's spans that overlap `from ... to`, by start date.
    public func spans(member: String, from: Day, to: Day) throws -> [EligibilitySpan] {
        let statement = try db.cached("""
            SELECT start_day, end_day, payer, plan, load_id FROM eligibility_span
            WHERE member_id = ? AND start_day <= ? AND (end_day IS NULL OR end_day >= ?)
            ORDER BY start_day, payer, plan
            """)
        defer { statement.reset() }
        statement.bind(member, at: 1)
        statement.bind(Int64(to.number), at: 2)
        statement.bind(Int64(from.number), at: 3)
        var spans: [EligibilitySpan] = []
        while try statement.step() {
            spans.append(EligibilitySpan(
                start: Day(number: statement.int32(0)), end: statement.optionalInt32(1).map(Day.init(number:)),
                payer: statement.text(2), plan: statement.text(3), loadID: statement.int64(4)))
        }
        return spans
    }

    private func first(_ statement: Statement, _ member: String, _ category: String, _ from: Int32, _ to: Int32, _ flag: Int?) throws -> DxEventRef? {
        defer { statement.reset() }
        statement.bind(member, at: 1)
        statement.bind(category, at: 2)
        statement.bind(Int64(from), at: 3)
        statement.bind(Int64(to), at: 4)
        if let flag { statement.bind(flag, at: 5) }
        guard try statement.step() else { return nil }
        return DxEventRef(day: Day(number: statement.int32(0)), claimID: statement.text(1), position: statement.int(2),
                          code: statement.text(3), loadID: statement.int64(4))
    }
}
