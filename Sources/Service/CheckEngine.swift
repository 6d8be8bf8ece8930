import History
import Ingest
import Policy
import Reports
import SQLiteDB

/// The pre-payment check behind `POST /v1/check` and `/v1/check/batch`: extract rows become a
/// candidate claim by the loader's rules (`CandidateClaims`), and `ClaimChecker` applies it to
/// the member's stored history and decides its imaging lines, writing nothing.
public enum CheckEngine {
    /// The one claim of a request's rows.
    ///
    /// - Throws: `ServiceError` 422 with the field and line of the first row a load would reject,
    ///   or when the rows hold more than one claim.
    static func candidate(_ rows: [ExtractRow]) throws -> CandidateClaim {
        let claims: [CandidateClaim]
        do {
            claims = try CandidateClaims.parse(rows: rows)
        } catch let problem as CandidateProblem {
            throw ServiceError(problem)
        }
        guard claims.count == 1 else {
            throw ServiceError(.unprocessableContent, "the body holds \(claims.count) claims (by claim_id); /v1/check takes one, /v1/check/batch many",
                               field: "claim_id")
        }
        return claims[0]
    }

    /// Checks each claim on the history `db` holds now (run inside one read transaction), under
    /// `policy` (default: the current stored policy), each on its own. `lbp check --json` prints
    /// these answers too.
    public static func check(_ claims: [CandidateClaim], db: Connection, policy: ResolvedPolicy? = nil) throws -> [CheckAnswer] {
        let policy = try policy ?? CurrentPolicy.resolve(db)
        let checker = ClaimChecker(db: db, policy: policy)
        let lineage = try Lineage(db: db)
        let last = try LoadLedger(db).latest()
        let policyJSON = PolicyJSON(id: policy.settings.policyID, version: policy.version)
        let history = CheckAnswer.HistoryJSON(lastLoadID: last?.loadID, loadedAt: last?.loadedAt)
        return try claims.map { claim in
            let result = try checker.check(claim)
            return CheckAnswer(
                claimID: result.claimID, isVoid: result.isVoid, policy: policyJSON, history: history,
                lines: result.lines.map { CheckAnswer.Line(lineNumber: $0.lineNumber, imaging: $0.isImaging, decision: $0.decision, lineage: lineage) })
        }
    }
}
