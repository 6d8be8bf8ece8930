import History
import SQLiteDB

/// One decide run, as recorded.
public struct DecideRunRecord: Sendable, Equatable {
    public let runID: Int64
    public let startedAt: String
    public let policyID: String
    public let policyVersion: String
    public let linesDecided: Int
}

/// Where a page of decisions ends: the last (claim id, line number) shown.
public struct DecisionCursor: Sendable, Equatable {
    public let claimID: String
    public let lineNumber: Int

    public init(claimID: String, lineNumber: Int) {
        self.claimID = claimID
        self.lineNumber = lineNumber
    }
}

/// Count of current decisions by outcome and reason.
public struct ReasonFacet: Sendable, Equatable {
    public let outcome: String
    public let reason: String
    public let count: Int
}

/// The reads the adjudication service needs from the decision tables: pages of current decisions
/// (keyset pagination by claim id and line number), counts by reason and the last decide run.
/// Fixed SQL with bound parameters; run inside a read transaction. Not `Sendable`: it holds a
/// connection.
public struct DecisionQueries {
    private let db: Connection

    public init(_ db: Connection) { self.db = db }

    /// Up to `limit` current decisions matching `filter` (service dates, outcome, reason), after
    /// `cursor`, by claim id then line number; each with its evidence.
    public func page(_ filter: DecisionFilter, after cursor: DecisionCursor?, limit: Int) throws -> [Decision] {
        let statement = try db.cached("""
            SELECT \(DecisionStore.decisionColumns) FROM decision d
            WHERE d.is_current = 1
              AND (?1 IS NULL OR d.service_day >= ?1) AND (?2 IS NULL OR d.service_day <= ?2)
              AND (?3 IS NULL OR d.outcome = ?3) AND (?4 IS NULL OR d.reason = ?4)
              AND (?5 IS NULL OR (d.claim_id, d.line_number) > (?5, ?6))
            ORDER BY d.claim_id, d.line_number
            LIMIT ?7
            """)
        statement.bind(filter.serviceFrom?.number, at: 1)
        statement.bind(filter.serviceTo?.number, at: 2)
        statement.bind(filter.outcome?.rawValue, at: 3)
        statement.bind(filter.reason, at: 4)
        statement.bind(cursor?.claimID, at: 5)
        statement.bind(cursor?.lineNumber ?? 0, at: 6)
        statement.bind(limit, at: 7)
        var ids: [Int64] = []
        do {
            defer { statement.reset() }
            while try statement.step() { ids.append(statement.int64(0)) }
        }
        let store = DecisionStore(db)
        return try ids.compactMap { try store.decision(id: $0) }
    }

    /// Counts of the current decisions matching `filter`, by outcome and reason.
    public func facets(_ filter: DecisionFilter) throws -> [ReasonFacet] {
        var facets: [ReasonFacet] = []
        try db.forEach("""
            SELECT outcome, reason, count(*) FROM decision
            WHERE is_current = 1
              AND (?1 IS NULL OR service_day >= ?1) AND (?2 IS NULL OR service_day <= ?2)
              AND (?3 IS NULL OR outcome = ?3) AND (?4 IS NULL OR reason = ?4)
            GROUP BY outcome, reason ORDER BY outcome, reason
            """, [.optional(filter.serviceFrom?.number), .optional(filter.serviceTo?.number),
                  .optional(filter.outcome?.rawValue), .optional(filter.reason)]) {
            facets.append(ReasonFacet(outcome: $0.text(0), reason: $0.text(1), count: $0.int(2)))
        }
        return facets
    }

    /// The most recent decide run, or nil when none ran.
    public func lastRun() throws -> DecideRunRecord? {
        var found: DecideRunRecord?
        try db.forEach("""
            SELECT run_id, started_at, policy_id, policy_version, lines_decided FROM decide_run
            ORDER BY run_id DESC LIMIT 1
            """) {
            found = DecideRunRecord(runID: $0.int64(0), startedAt: $0.text(1), policyID: $0.text(2),
                                    policyVersion: $0.text(3), linesDecided: $0.int(4))
        }
        return found
    }
}
