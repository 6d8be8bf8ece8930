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
        /// `outcome`, `reason`, `index_date`, `red_flags` or `withdrawn` (the line is gone or no longer imaging).
        public let kind: String
        public let previousOutcome: String
        public let previousReason: String
        /// nil when withdrawn.
        public let outcome: String?
        public let reason: String?
    }

    public var runID: Int64 = 0
    /// `full`, `incremental` (only members a load touched since the last run) or `scoped`.
    public var mode = DecideMode.full.rawValue
    public var policyID = ""
    public var policyVersion = ""
    public var linesDecided = 0
    /// Lines decided for the first time.
    public var newDecisions = 0
    /// Lines whose outcome, reason, index date or red flags changed.
    public var changedDecisions = 0
    /// Lines whose answer is the same but whose evidence, lineage or policy version was brought up to date.
    public var refreshedDecisions = 0
    public var unchangedDecisions = 0
    /// Current decisions in scope whose line is gone.
    public var withdrawnDecisions = 0
    /// Lines decided, by outcome and reason (sorted).
    public var byReason: [ReasonCount] = []
    /// Every change of this run, by claim id then line number.
    public var changes: [Change] = []
}

/// How much a decide run re-decides.
public enum DecideMode: String, Sendable, Codable {
    /// Every imaging line.
    case full
    /// The imaging lines of members whose claims or eligibility a load touched since the last
    /// full or incremental run under the same policy version.
    case incremental
    /// The lines a member, claim or service-date filter selects.
    case scoped
}

/// Decides imaging lines in one write transaction (readers see all of a run or none of it), one
/// member at a time: the member's history is read once with range scans, and the pure `Evaluator`
/// decides each of their lines from it.
///
/// A line whose new decision has the same fingerprint as its current one keeps it untouched. One
/// with the same substance (outcome, reason, index date, red flags) keeps its id and decided-at and
/// is brought up to date in place (lineage, policy version). Otherwise the new decision becomes
/// current and the change is logged with its kind.
public struct DecideRun {
    private let db: Connection
    private let policy: ResolvedPolicy
    private let clock: Clock

    public init(db: Connection, policy: ResolvedPolicy, clock: Clock = .system) {
        self.db = db
        self.policy = policy
        self.clock = clock
    }

    /// Decides the imaging lines in `scope` (its member, claim and service-date fields). Without a
    /// scope and without `full`, only the members changed since the last run are re-decided when
    /// that run was under the same policy version.
    public func run(scope: DecisionFilter = DecisionFilter(), full: Bool = false) throws -> DecideSummary {
        try db.transaction(.immediate) { try decide(scope: scope, full: full) }
    }

    /// A what-if run: decides every line in scope as `run(scope:full: true)` would, lets `inspect`
    /// read the result on the connection (exports see the run's decisions), then rolls it all back.
    public func whatIf(scope: DecisionFilter = DecisionFilter(), inspect: (DecideSummary) throws -> Void) throws -> DecideSummary {
        struct RolledBack: Error { let summary: DecideSummary }
        do {
            return try db.transaction(.immediate) {
                let summary = try decide(scope: scope, full: true)
                try inspect(summary)
                throw RolledBack(summary: summary)
            }
        } catch let done as RolledBack {
            return done.summary
        }
    }

    private func decide(scope: DecisionFilter, full: Bool) throws -> DecideSummary {
            let decidedAt = clock.timestamp()
            let throughLoad = try LoadLedger(db).latestID()
            let scoped = scope.memberID != nil || scope.claimID != nil || scope.serviceFrom != nil || scope.serviceTo != nil
            let base = scoped || full ? nil : try incrementalBase()
            let mode: DecideMode = scoped ? .scoped : base != nil ? .incremental : .full
            try db.run("""
                INSERT INTO decide_run(started_at, policy_id, policy_version, scope, mode, through_load_id)
                VALUES (?, ?, ?, ?, ?, ?)
                """, [.text(decidedAt), .text(policy.settings.policyID), .text(policy.version), .text(scope.description),
                      .text(mode.rawValue), .integer(throughLoad)])
            var pass = try Pass(db: db, policy: policy, runID: db.lastInsertRowID, decidedAt: decidedAt)
            pass.summary.mode = mode.rawValue

            var lineScope = scope.lineScope
            let reach = policy.settings.forwardReachDays
            lineScope.changedSince = base.map { LineScope.Change(load: $0, reachDays: reach) }
            var batch: [ImagingLine] = []
            try HistoryReader(db).forEachImagingLine(categories: policy.settings.imagingValueSets, scope: lineScope) { line in
                if let first = batch.first, !first.memberID.sameBytes(line.memberID) {
                    try pass.decide(batch)
                    batch.removeAll(keepingCapacity: true)
                }
                batch.append(line)
            }
            if !batch.isEmpty { try pass.decide(batch) }
            try pass.settleUndecided(scope: scope, changedSince: lineScope.changedSince)
            try pass.finish()
            return pass.summary
    }

    /// The ledger watermark of the last full or incremental run, when it ran under this policy version.
    private func incrementalBase() throws -> Int64? {
        var base: Int64?
        try db.forEach("""
            SELECT policy_version, through_load_id FROM decide_run WHERE mode IN ('full', 'incremental')
            ORDER BY run_id DESC LIMIT 1
            """) { row in
            if row.text(0) == policy.version { base = row.int64(1) }
        }
        return base
    }
}

/// The state of one run: decides batches of one member's lines and stores what changed.
private struct Pass {
    let db: Connection
    let evaluator: Evaluator
    let reader: HistoryReader
    let store: DecisionStore
    let runID: Int64
    let decidedAt: String
    var summary: DecideSummary
    private var counts: [String: Int] = [:]

    init(db: Connection, policy: ResolvedPolicy, runID: Int64, decidedAt: String) throws {
        self.db = db
        self.evaluator = Evaluator(policy: policy)
        self.reader = HistoryReader(db)
        self.store = DecisionStore(db)
        self.runID = runID
        self.decidedAt = decidedAt
        self.summary = DecideSummary(runID: runID, policyID: policy.settings.policyID, policyVersion: policy.version)
        try db.execute("""
            DROP TABLE IF EXISTS temp.decided_line;
            CREATE TEMP TABLE decided_line(claim_id TEXT NOT NULL, line_number INTEGER NOT NULL,
                PRIMARY KEY (claim_id, line_number)) WITHOUT ROWID;
            """)
    }

    /// Decides the lines of one member from one read of their history.
    mutating func decide(_ lines: [ImagingLine]) throws {
        let days = lines.map(\.serviceDay)
        let history = try reader.memberHistory(lines[0].memberID, windows: evaluator.windows(serviceDays: days.min()!, days.max()!))
        let markDecided = try db.cached("INSERT OR IGNORE INTO decided_line(claim_id, line_number) VALUES (?, ?)")
        for line in lines {
            try record(evaluator.decide(line, history: history))
            markDecided.bind(line.claimID, at: 1)
            markDecided.bind(line.lineNumber, at: 2)
            try markDecided.run()
        }
    }

    private mutating func record(_ decision: Decision) throws {
        let line = decision.line
        let fingerprint = decision.fingerprint
        summary.linesDecided += 1
        counts[decision.outcome.rawValue + "\u{1F}" + decision.reason, default: 0] += 1
        guard let current = try store.currentSummary(claimID: line.claimID, lineNumber: line.lineNumber) else {
            _ = try store.insert(decision, fingerprint: fingerprint, runID: runID, decidedAt: decidedAt)
            summary.newDecisions += 1
            return
        }
        if current.fingerprint == fingerprint {
            summary.unchangedDecisions += 1
            return
        }
        guard let kind = current.substance.changeKind(to: decision.substance) else {
            try store.refresh(current.id, with: decision, fingerprint: fingerprint)
            summary.refreshedDecisions += 1
            return
        }
        try store.retire(current.id)
        let id = try store.insert(decision, fingerprint: fingerprint, runID: runID, decidedAt: decidedAt)
        try store.logChange(from: current.id, to: id, kind: kind, runID: runID, claimID: line.claimID, lineNumber: line.lineNumber)
        summary.changedDecisions += 1
        summary.changes.append(.init(claimID: line.claimID, lineNumber: line.lineNumber, kind: kind,
                                     previousOutcome: current.substance.outcome, previousReason: current.substance.reason,
                                     outcome: decision.outcome.rawValue, reason: decision.reason))
    }

    /// The current decisions in scope that this run did not decide: a line that still exists (its
    /// service date moved out of the scope's dates) is decided now; a line that is gone, or no
    /// longer imaging, has its decision withdrawn.
    mutating func settleUndecided(scope: DecisionFilter, changedSince: LineScope.Change?) throws {
        var undecided: [(id: Int64, claimID: String, line: Int, outcome: String, reason: String)] = []
        // The members a load touched are in temp.changed_member (a view the line read defined) when the
        // run is incremental; the statement names it only then.
        let changed = changedSince == nil ? "" : """
            AND EXISTS (SELECT 1 FROM temp.changed_member ch WHERE ch.member_id = d.member_id
                        AND ch.from_day <= d.service_day + ?5)
            """
        try db.forEach("""
            SELECT d.decision_id, d.claim_id, d.line_number, d.outcome, d.reason FROM decision d
            WHERE d.is_current = 1
              AND (?1 IS NULL OR d.member_id = ?1) AND (?2 IS NULL OR d.claim_id = ?2)
              AND (?3 IS NULL OR d.service_day >= ?3) AND (?4 IS NULL OR d.service_day <= ?4) \(changed)
              AND NOT EXISTS (SELECT 1 FROM decided_line n WHERE n.claim_id = d.claim_id AND n.line_number = d.line_number)
            ORDER BY d.claim_id, d.line_number
            """, [.optional(scope.memberID), .optional(scope.claimID), .optional(scope.serviceFrom?.number),
                  .optional(scope.serviceTo?.number)] + (changedSince.map { [.integer(Int64($0.reachDays))] } ?? [])) {
            undecided.append(($0.int64(0), $0.text(1), $0.int(2), $0.text(3), $0.text(4)))
        }
        let categories = evaluator.policy.settings.imagingValueSets
        for item in undecided {
            if let line = try reader.imagingLine(claimID: item.claimID, lineNumber: item.line, categories: categories) {
                try decide([line])
                continue
            }
            try store.retire(item.id)
            try store.logChange(from: item.id, to: nil, kind: "withdrawn", runID: runID, claimID: item.claimID, lineNumber: item.line)
            summary.changes.append(.init(claimID: item.claimID, lineNumber: item.line, kind: "withdrawn",
                                         previousOutcome: item.outcome, previousReason: item.reason, outcome: nil, reason: nil))
            summary.withdrawnDecisions += 1
        }
    }

    /// Totals, sorted changes, and the run's row.
    mutating func finish() throws {
        summary.changes.sort { a, b in
            a.claimID.sameBytes(b.claimID) ? a.lineNumber < b.lineNumber : a.claimID.utf8.lexicographicallyPrecedes(b.claimID.utf8)
        }
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
        try reader.forgetChangedMembers()
    }
}

extension DecisionFilter {
    /// The member, claim and service-date fields, as the history reads lines.
    public var lineScope: LineScope {
        LineScope(memberID: memberID, claimID: claimID, serviceFrom: serviceFrom, serviceTo: serviceTo)
    }
}
