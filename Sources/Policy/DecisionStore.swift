import History
import SQLiteDB

/// Stores decisions with their evidence, keeps each line's decision history, and reads them back.
public struct DecisionStore {
    private let db: Connection

    public init(_ db: Connection) { self.db = db }

    /// The current decision of a line: its id, fingerprint and substance.
    func currentSummary(claimID: String, lineNumber: Int) throws -> (id: Int64, fingerprint: String, substance: DecisionSubstance)? {
        let statement = try db.cached("""
            SELECT decision_id, fingerprint, outcome, reason, index_day, red_flags FROM decision
            WHERE claim_id = ? AND line_number = ? AND is_current = 1
            """)
        defer { statement.reset() }
        statement.bind(claimID, at: 1)
        statement.bind(lineNumber, at: 2)
        guard try statement.step() else { return nil }
        return (statement.int64(0), statement.text(1),
                DecisionSubstance(outcome: statement.text(2), reason: statement.text(3),
                                  indexDay: statement.optionalInt32(4).map(Day.init(number:)), redFlags: statement.text(5)))
    }

    /// Inserts a decision and its evidence as the line's current decision; returns its id.
    func insert(_ decision: Decision, fingerprint: String, runID: Int64, decidedAt: String) throws -> Int64 {
        let insert = try db.cached("""
            INSERT INTO decision(run_id, claim_id, line_number, member_id, service_day, hcpcs_code, claim_type, outcome,
                reason, index_day, window_end_day, red_flags, group_code, carc, rarc, policy_id, policy_version,
                decided_at, line_load_id, fingerprint, claim_start_day, primary_dx, hcpcs_modifiers, revenue_code,
                charge_amount, is_current)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22,
                ?23, ?24, ?25, 1)
            """)
        insert.bind(runID, at: 1)
        insert.bind(decidedAt, at: 18)
        try bindDecision(decision, fingerprint: fingerprint, to: insert)
        try insert.run()
        let id = db.lastInsertRowID
        try insertEvidence(decision.evidence, decisionID: id)
        return id
    }

    /// Brings a current decision up to date without changing its substance, id, run or decided-at:
    /// lineage that follows a newer file, a new policy version with the same answer.
    func refresh(_ decisionID: Int64, with decision: Decision, fingerprint: String) throws {
        let update = try db.cached("""
            UPDATE decision SET claim_id = ?2, line_number = ?3, member_id = ?4, service_day = ?5, hcpcs_code = ?6,
                claim_type = ?7, outcome = ?8, reason = ?9, index_day = ?10, window_end_day = ?11, red_flags = ?12,
                group_code = ?13, carc = ?14, rarc = ?15, policy_id = ?16, policy_version = ?17, line_load_id = ?19,
                fingerprint = ?20, claim_start_day = ?21, primary_dx = ?22, hcpcs_modifiers = ?23, revenue_code = ?24,
                charge_amount = ?25
            WHERE decision_id = ?1
            """)
        update.bind(decisionID, at: 1)
        try bindDecision(decision, fingerprint: fingerprint, to: update)
        try update.run()
        try db.run("DELETE FROM decision_evidence WHERE decision_id = ?", [.integer(decisionID)])
        try insertEvidence(decision.evidence, decisionID: decisionID)
    }

    /// Binds parameters 2–17 and 19–25 of the insert and refresh statements.
    private func bindDecision(_ decision: Decision, fingerprint: String, to statement: Statement) throws {
        let line = decision.line
        statement.bind(line.claimID, at: 2)
        statement.bind(line.lineNumber, at: 3)
        statement.bind(line.memberID, at: 4)
        statement.bind(Int64(line.serviceDay.number), at: 5)
        statement.bind(line.hcpcsCode, at: 6)
        statement.bind(line.claimType, at: 7)
        statement.bind(decision.outcome.rawValue, at: 8)
        statement.bind(decision.reason, at: 9)
        statement.bind(decision.indexDay?.number, at: 10)
        statement.bind(decision.windowEndDay?.number, at: 11)
        statement.bind(decision.redFlags.joined(separator: ";"), at: 12)
        statement.bind(decision.denial?.groupCode, at: 13)
        statement.bind(decision.denial?.carc, at: 14)
        statement.bind(decision.denial?.rarc, at: 15)
        statement.bind(decision.policyID, at: 16)
        statement.bind(decision.policyVersion, at: 17)
        if let loadID = line.loadID { statement.bind(loadID, at: 19) }
        statement.bind(fingerprint, at: 20)
        statement.bind(line.claimStartDay.number, at: 21)
        statement.bind(line.primaryDiagnosis, at: 22)
        statement.bind(line.modifiers.joined(separator: ";"), at: 23)
        statement.bind(line.revenueCode, at: 24)
        statement.bind(line.chargeAmount, at: 25)
    }

    private func insertEvidence(_ items: [Evidence], decisionID id: Int64) throws {
        let evidence = try db.cached("""
            INSERT INTO decision_evidence(decision_id, seq, rule, finding, window_start_day, window_end_day, claim_id,
                position, code, day, value_set, load_id, detail)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for (seq, item) in items.enumerated() {
            evidence.bind(id, at: 1)
            evidence.bind(seq + 1, at: 2)
            evidence.bind(item.rule, at: 3)
            evidence.bind(item.finding, at: 4)
            evidence.bind(item.windowStart?.number, at: 5)
            evidence.bind(item.windowEnd?.number, at: 6)
            evidence.bind(item.claimID, at: 7)
            evidence.bind(item.position.map { Int32($0) }, at: 8)
            evidence.bind(item.code, at: 9)
            evidence.bind(item.day?.number, at: 10)
            evidence.bind(item.valueSet, at: 11)
            if let loadID = item.loadID { evidence.bind(loadID, at: 12) }
            evidence.bind(item.detail, at: 13)
            try evidence.run()
        }
    }

    /// Marks a decision as no longer current (before its successor is inserted: one current per line).
    func retire(_ decisionID: Int64) throws {
        try db.run("UPDATE decision SET is_current = 0 WHERE decision_id = ?", [.integer(decisionID)])
    }

    /// Records in the change log that a line's decision was replaced (or, with no new one, withdrawn).
    func logChange(from previousID: Int64, to newID: Int64?, kind: String, runID: Int64, claimID: String, lineNumber: Int) throws {
        try db.run("""
            INSERT INTO decision_change(run_id, claim_id, line_number, kind, previous_decision_id, new_decision_id)
            VALUES (?, ?, ?, ?, ?, ?)
            """, [.integer(runID), .text(claimID), .integer(Int64(lineNumber)), .text(kind), .integer(previousID),
                  newID.map { .integer($0) } ?? .null])
    }

    // MARK: Reading

    static let decisionColumns = """
        d.decision_id, d.claim_id, d.line_number, d.member_id, d.service_day, d.hcpcs_code, d.claim_type, d.outcome,
        d.reason, d.index_day, d.window_end_day, d.red_flags, d.group_code, d.carc, d.rarc, d.policy_id,
        d.policy_version, d.decided_at, d.line_load_id, d.claim_start_day, d.primary_dx, d.hcpcs_modifiers,
        d.revenue_code, d.charge_amount
        """

    /// The current decision of a line, with its evidence.
    public func current(claimID: String, lineNumber: Int) throws -> Decision? {
        var found: Decision?
        try db.forEach("SELECT \(Self.decisionColumns) FROM decision d WHERE d.claim_id = ? AND d.line_number = ? AND d.is_current = 1",
                       [.text(claimID), .integer(Int64(lineNumber))]) { found = Self.decision($0) }
        if let id = found?.decisionID { found!.attach(try evidence(of: id)) }
        return found
    }

    /// A decision by id, with its evidence.
    public func decision(id: Int64) throws -> Decision? {
        var found: Decision?
        try db.forEach("SELECT \(Self.decisionColumns) FROM decision d WHERE d.decision_id = ?", [.integer(id)]) { found = Self.decision($0) }
        if found != nil { found!.attach(try evidence(of: id)) }
        return found
    }

    /// (claim id, line number) of every current decision, in that order.
    public func currentLineKeys() throws -> [(claimID: String, lineNumber: Int)] {
        var keys: [(String, Int)] = []
        try db.forEach("SELECT claim_id, line_number FROM decision WHERE is_current = 1 ORDER BY claim_id, line_number") {
            keys.append(($0.text(0), $0.int(1)))
        }
        return keys
    }

    /// Line numbers of a claim that have a current decision.
    public func decidedLines(claimID: String) throws -> [Int] {
        var lines: [Int] = []
        try db.forEach("SELECT line_number FROM decision WHERE claim_id = ? AND is_current = 1 ORDER BY line_number", [.text(claimID)]) {
            lines.append($0.int(0))
        }
        return lines
    }

    /// Calls `body` with each current decision that matches `filter`, by claim id then line number.
    /// (`changedSinceRun`: a decision is kept while re-deciding gives the same result, so the current
    /// decisions made after run N are exactly the lines new or changed since N.)
    public func forEachCurrent(_ filter: DecisionFilter, withEvidence: Bool = true, _ body: (Decision) throws -> Void) throws {
        let statement = try db.prepare("""
            SELECT \(Self.decisionColumns) FROM decision d
            WHERE d.is_current = 1
              AND (?1 IS NULL OR d.member_id = ?1) AND (?2 IS NULL OR d.claim_id = ?2)
              AND (?3 IS NULL OR d.service_day >= ?3) AND (?4 IS NULL OR d.service_day <= ?4)
              AND (?5 IS NULL OR d.outcome = ?5) AND (?6 IS NULL OR d.reason = ?6)
              AND (?7 IS NULL OR d.decided_at >= ?7) AND (?8 IS NULL OR d.decided_at <= ?8)
              AND (?9 IS NULL OR d.run_id > ?9)
            ORDER BY d.claim_id, d.line_number
            """)
        statement.bind(filter.memberID, at: 1)
        statement.bind(filter.claimID, at: 2)
        statement.bind(filter.serviceFrom?.number, at: 3)
        statement.bind(filter.serviceTo?.number, at: 4)
        statement.bind(filter.outcome?.rawValue, at: 5)
        statement.bind(filter.reason, at: 6)
        statement.bind(filter.decidedFrom, at: 7)
        // A bare date as the upper bound covers the whole day.
        statement.bind(filter.decidedTo.map { $0.count == 10 ? $0 + "T23:59:59Z" : $0 }, at: 8)
        if let run = filter.changedSinceRun { statement.bind(run, at: 9) }
        while try statement.step() {
            var decision = Self.decision(statement)
            if withEvidence { decision.attach(try evidence(of: decision.decisionID!)) }
            try body(decision)
        }
    }

    /// The evidence of a decision, in the order the rules looked.
    public func evidence(of decisionID: Int64) throws -> [Evidence] {
        var items: [Evidence] = []
        try db.forEach("""
            SELECT rule, finding, window_start_day, window_end_day, claim_id, position, code, day, value_set, load_id, detail
            FROM decision_evidence WHERE decision_id = ? ORDER BY seq
            """, [.integer(decisionID)]) { row in
            items.append(Evidence(
                rule: row.text(0), finding: row.text(1), windowStart: row.optionalInt32(2).map(Day.init(number:)),
                windowEnd: row.optionalInt32(3).map(Day.init(number:)), claimID: row.optionalText(4),
                position: row.isNull(5) ? nil : row.int(5), code: row.optionalText(6),
                day: row.optionalInt32(7).map(Day.init(number:)), valueSet: row.optionalText(8),
                loadID: row.isNull(9) ? nil : row.int64(9), detail: row.optionalText(10)))
        }
        return items
    }

    private static func decision(_ row: Statement) -> Decision {
        let modifiers = row.text(21)
        let line = ImagingLine(
            claimID: row.text(1), lineNumber: row.int(2), memberID: row.text(3), serviceDay: Day(number: row.int32(4)),
            hcpcsCode: row.text(5), claimType: row.text(6),
            claimStartDay: Day(number: row.optionalInt32(19) ?? row.int32(4)), primaryDiagnosis: row.optionalText(20),
            loadID: row.isNull(18) ? nil : row.int64(18),
            modifiers: modifiers.isEmpty ? [] : modifiers.split(separator: ";").map(String.init),
            revenueCode: row.text(22), chargeAmount: row.text(23))
        var denial: DenialCodes?
        if !row.isNull(12) {
            var codes = DenialCodes()
            codes.groupCode = row.text(12)
            codes.carc = row.text(13)
            codes.rarc = row.text(14)
            denial = codes
        }
        let flags = row.text(11)
        return Decision(
            line: line, outcome: Outcome(rawValue: row.text(7)) ?? .allow, reason: row.text(8),
            indexDay: row.optionalInt32(9).map(Day.init(number:)), windowEndDay: row.optionalInt32(10).map(Day.init(number:)),
            redFlags: flags.isEmpty ? [] : flags.split(separator: ";").map(String.init), denial: denial,
            policyID: row.text(15), policyVersion: row.text(16), evidence: [], decisionID: row.int64(0),
            decidedAt: row.text(17))
    }

    /// How a line's decision changed over time, oldest first.
    public func changes(claimID: String, lineNumber: Int) throws -> [DecisionChange] {
        var changes: [DecisionChange] = []
        try db.forEach("""
            SELECT c.run_id, c.kind, c.previous_decision_id, p.outcome, p.reason, c.new_decision_id, n.outcome, n.reason,
                r.started_at
            FROM decision_change c JOIN decision p ON p.decision_id = c.previous_decision_id
            LEFT JOIN decision n ON n.decision_id = c.new_decision_id JOIN decide_run r ON r.run_id = c.run_id
            WHERE c.claim_id = ? AND c.line_number = ? ORDER BY c.run_id
            """, [.text(claimID), .integer(Int64(lineNumber))]) { row in
            changes.append(DecisionChange(
                runID: row.int64(0), kind: row.text(1), previousDecisionID: row.int64(2), previousOutcome: row.text(3),
                previousReason: row.text(4), newDecisionID: row.isNull(5) ? nil : row.int64(5),
                outcome: row.optionalText(6), reason: row.optionalText(7), changedAt: row.text(8)))
        }
        return changes
    }
}

extension Decision {
    /// Sets the evidence of a stored decision, and the line facts only its evidence keeps
    /// (the claim's start date and primary diagnosis).
    mutating func attach(_ items: [Evidence]) {
        evidence = items
        // Decisions stored before the line snapshot existed keep these facts in their evidence only.
        if line.primaryDiagnosis == nil, let primary = items.first(where: { $0.rule == EvidenceRule.primaryDiagnosis }) {
            line.primaryDiagnosis = primary.code
            if let day = primary.day { line.claimStartDay = day }
        }
    }
}

/// One entry of a line's retro-review history.
public struct DecisionChange: Sendable, Codable, Equatable {
    public let runID: Int64
    /// `outcome`, `reason`, `index_date`, `red_flags`, `withdrawn` (and, before schema 3, `evidence`, `policy`).
    public let kind: String
    public let previousDecisionID: Int64
    public let previousOutcome: String
    public let previousReason: String
    public let newDecisionID: Int64?
    public let outcome: String?
    public let reason: String?
    /// When the run that made the change started.
    public let changedAt: String
}
