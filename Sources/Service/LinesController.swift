import Hummingbird
import Policy
import Reports
import SQLiteDB

/// `GET /v1/lines/{claim_id}/{line}` and `GET /v1/lines/{claim_id}`: the stored decision of an
/// imaging line (or of every decided line of a claim), with evidence and lineage, the story of
/// `lbp explain`, and how the decision changed over decide runs.
struct LinesController {
    let pool: ReadPool

    func register(on router: Router<AppRequestContext>) {
        router.get("/v1/lines/:claim_id/:line", use: line)
        router.get("/v1/lines/:claim_id", use: claim)
    }

    @Sendable func line(_ request: Request, context: AppRequestContext) async throws -> Response {
        let claimID = try PathParameter.text("claim_id", context)
        let number = try PathParameter.positiveInteger("line", context)
        let answer = try await pool.read { db -> LineAnswer? in
            guard let decision = try DecisionStore(db).current(claimID: claimID, lineNumber: number) else { return nil }
            return try LineAnswer(decision, db: db, lineage: Lineage(db: db))
        }
        guard let answer else { throw ServiceError.notFound("no decided imaging line with that claim id and line number") }
        return JSONAnswer.response(answer)
    }

    @Sendable func claim(_ request: Request, context: AppRequestContext) async throws -> Response {
        let claimID = try PathParameter.text("claim_id", context)
        let answers = try await pool.read { db -> [LineAnswer] in
            let store = DecisionStore(db)
            let lineage = try Lineage(db: db)
            return try store.decidedLines(claimID: claimID).compactMap { number in
                try store.current(claimID: claimID, lineNumber: number).map { try LineAnswer($0, db: db, lineage: lineage) }
            }
        }
        guard !answers.isEmpty else { throw ServiceError.notFound("no decided imaging line with that claim id") }
        return JSONAnswer.response(ClaimLinesAnswer(claimID: claimID, lines: answers))
    }
}

/// Every decided line of one claim.
struct ClaimLinesAnswer: Encodable, Sendable {
    let claimID: String
    let lines: [LineAnswer]

    enum CodingKeys: String, CodingKey { case claimID = "claim_id", lines }
}

/// One stored decision, its explanation and its change history.
struct LineAnswer: Encodable, Sendable {
    let decision: DecisionJSON
    let explanation: String
    let history: [ChangeJSON]

    init(_ decision: Decision, db: Connection, lineage: Lineage) throws {
        self.decision = DecisionJSON(decision, lineage: lineage)
        explanation = ExplanationText.render(decision, stored: true, lineage: lineage)
        history = try DecisionStore(db).changes(claimID: decision.line.claimID, lineNumber: decision.line.lineNumber)
            .map(ChangeJSON.init)
    }

    enum CodingKeys: String, CodingKey { case explanation, history }

    func encode(to encoder: any Encoder) throws {
        try decision.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(explanation, forKey: .explanation)
        try c.encode(history, forKey: .history)
    }
}

/// One change of a line's decision.
struct ChangeJSON: Encodable, Sendable {
    let runID: Int64
    let decidedAt: String
    let kind: String
    let previous: Side
    let new: Side?

    struct Side: Encodable, Sendable {
        let decisionID: Int64
        let outcome: String
        let reason: String

        enum CodingKeys: String, CodingKey { case decisionID = "decision_id", outcome, reason }
    }

    init(_ entry: DecisionChange) {
        runID = entry.runID
        decidedAt = entry.changedAt
        kind = entry.kind
        previous = Side(decisionID: entry.previousDecisionID, outcome: entry.previousOutcome, reason: entry.previousReason)
        if let id = entry.newDecisionID, let outcome = entry.outcome, let reason = entry.reason {
            new = Side(decisionID: id, outcome: outcome, reason: reason)
        } else {
            new = nil
        }
    }

    enum CodingKeys: String, CodingKey { case runID = "run_id", decidedAt = "decided_at", kind, previous, new }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(runID, forKey: .runID)
        try c.encode(decidedAt, forKey: .decidedAt)
        try c.encode(kind, forKey: .kind)
        try c.encode(previous, forKey: .previous)
        try c.encode(new, forKey: .new)
    }
}
