import History
import SQLiteDB

/// What one `lbp decide` run did.
public struct DecideSummary: Sendable, Codable, Equatable {
    public struct ReasonCount: Sendable, Codable, Equatable {
        public let outcome: String
        public let reason: String
        public let count: Int
    }

    public struct Change: Sendable, Codable, Equatable {
        public let claimID: String
        public let lineNumber: Int
        /// `outcome`, `reason`, `evidence`, `policy` or `withdrawn` (the line is gone or no longer imaging).
        public let kind: String
        public let previousOutcome: String
        public let previousReason: String
        /// nil when withdrawn.
        public let outcome: String?
        public let reason: String?
    }

    public var runID: Int64 = 0
    public var policyID = ""
    public var policyVersion = ""
    public var linesDecided = 0
    /// Lines decided for the first time.
    public var newDecisions = 0
    /// Lines whose current decision was replaced.
    public var changedDecisions = 0
    public var unchangedDecisions = 0
    /// Current decisions in scope whose line is gone.
    public var withdrawnDecisions = 0
    /// Lines decided, by outcome and reason (sorted).
    public var byReason: [ReasonCount] = []
    /// Every change of this run, by claim id then line number.
    public var changes: [Change] = []
}

/// Decides every imaging line in scope, in one write transaction (readers see all of a run or
/// none of it), and keeps each line's decision history.
///
/// A line whose new decision has the same fingerprint as its current one keeps the current one
/// (same row, same decided-at), so deciding again over unchanged data changes nothing. Otherwise
/// the new decision becomes current and the change is logged with its kind.
public struct DecideRun {
    private let db: Connection
    private let policy: ResolvedPolicy
    private let clock: Clock

    public init(db: Connection, policy: ResolvedPolicy, clock: Clock = .system) {
        self.db = db
        self.policy = policy
        self.clock = clock
    }

    /// Decides the imaging lines matching `scope` (its member, claim and service-date fields).
    public func run(scope: DecisionFilter = DecisionFilter()) throws -> DecideSummary {
        try db.transaction(.immediate) {
            let decidedAt = clock.timestamp()
            try db.run("INSERT INTO decide_run(started_at, policy_id, policy_version, scope) VALUES (?, ?, ?, ?)",
                       [.text(decidedAt), .text(policy.settings.policyID), .text(policy.version), .text(scope.description)])
            let runID = db.lastInsertRowID
            try db.execute("""
                DROP TABLE IF EXISTS temp.decided_line;
                CREATE TEMP TABLE decided_line(claim_id TEXT NOT NULL, line_number INTEGER NOT NULL,
                    PRIMARY KEY (claim_id, line_number)) WITHOUT ROWID;
                """)
            var summary = DecideSummary(runID: runID, policyID: policy.settings.policyID, policyVersion: policy.version)
            var counts: [String: Int] = [:]
            let evaluator = Evaluator(db: db, policy: policy)
            let store = DecisionStore(db)
            let markDecided = try db.cached("INSERT OR IGNORE INTO decided_line(claim_id, line_number) VALUES (?, ?)")

            try ImagingLines(db: db, settings: policy.settings).forEach(scope) { line in
                let decision = try evaluator.decide(line)
                let fingerprint = decision.fingerprint
                summary.linesDecided += 1
                counts[decision.outcome.rawValue + "\u{1F}" + decision.reason, default: 0] += 1
                markDecided.bind(line.claimID, at: 1)
                markDecided.bind(line.lineNumber, at: 2)
                try markDecided.run()
                let current = try store.currentSummary(claimID: line.claimID, lineNumber: line.lineNumber)
                if let current, current.fingerprint == fingerprint {
                    summary.unchangedDecisions += 1
                    return
                }
                if let current { try store.retire(current.id) }
                let id = try store.insert(decision, fingerprint: fingerprint, runID: runID, decidedAt: decidedAt)
                guard let current else { summary.newDecisions += 1; return }
                let kind = current.outcome != decision.outcome.rawValue ? "outcome"
                    : current.reason != decision.reason ? "reason"
                    : current.policyVersion != decision.policyVersion ? "policy" : "evidence"
                try store.logChange(from: current.id, to: id, kind: kind, runID: runID, claimID: line.claimID, lineNumber: line.lineNumber)
                summary.changedDecisions += 1
                summary.changes.append(.init(claimID: line.claimID, lineNumber: line.lineNumber, kind: kind,
                                             previousOutcome: current.outcome, previousReason: current.reason,
                                             outcome: decision.outcome.rawValue, reason: decision.reason))
            }
            try withdrawUndecided(scope: scope, runID: runID, store: store, summary: &summary)

            summary.changes.sort { ($0.claimID, $0.lineNumber) < ($1.claimID, $1.lineNumber) }
            summary.byReason = counts.keys.sorted().map { key in
                let parts = key.split(separator: "\u{1F}").map(String.init)
                return .init(outcome: parts[0], reason: parts[1], count: counts[key]!)
            }
            try db.run("""
                UPDATE decide_run SET lines_decided = ?, decisions_new = ?, decisions_changed = ?, decisions_retired = ?
                WHERE run_id = ?
                """, [.integer(Int64(summary.linesDecided)), .integer(Int64(summary.newDecisions)),
                      .integer(Int64(summary.changedDecisions)), .integer(Int64(summary.withdrawnDecisions)), .integer(runID)])
            try db.execute("DROP TABLE temp.decided_line")
            return summary
        }
    }

    /// Withdraws the current decisions in scope whose line was not decided in this run.
    private func withdrawUndecided(scope: DecisionFilter, runID: Int64, store: DecisionStore, summary: inout DecideSummary) throws {
        var gone: [(id: Int64, claimID: String, line: Int, outcome: String, reason: String)] = []
        try db.forEach("""
            SELECT d.decision_id, d.claim_id, d.line_number, d.outcome, d.reason FROM decision d
            WHERE d.is_current = 1
              AND (?1 IS NULL OR d.member_id = ?1) AND (?2 IS NULL OR d.claim_id = ?2)
              AND (?3 IS NULL OR d.service_day >= ?3) AND (?4 IS NULL OR d.service_day <= ?4)
              AND NOT EXISTS (SELECT 1 FROM decided_line n WHERE n.claim_id = d.claim_id AND n.line_number = d.line_number)
            ORDER BY d.claim_id, d.line_number
            """, [.optional(scope.memberID), .optional(scope.claimID), .optional(scope.serviceFrom?.number),
                  .optional(scope.serviceTo?.number)]) {
            gone.append(($0.int64(0), $0.text(1), $0.int(2), $0.text(3), $0.text(4)))
        }
        for item in gone {
            try store.retire(item.id)
            try store.logChange(from: item.id, to: nil, kind: "withdrawn", runID: runID, claimID: item.claimID, lineNumber: item.line)
            summary.changes.append(.init(claimID: item.claimID, lineNumber: item.line, kind: "withdrawn",
                                         previousOutcome: item.outcome, previousReason: item.reason, outcome: nil, reason: nil))
        }
        summary.withdrawnDecisions = gone.count
    }
}
