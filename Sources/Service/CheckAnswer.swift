import History
import Policy
import Reports

/// The answer to a check: what the policy says about each line of the claim, applied to the
/// member's stored history as of the last load.
public struct CheckAnswer: Encodable, Sendable {
    /// One line of the checked claim.
    public struct Line: Encodable, Sendable {
        public let lineNumber: Int
        public let imaging: Bool
        public let decision: Decision?
        let evidence: [EvidenceJSON]
        let rationale: String?

        init(lineNumber: Int, imaging: Bool, decision: Decision?, lineage: Lineage) {
            self.lineNumber = lineNumber
            self.imaging = imaging
            self.decision = decision
            evidence = decision?.evidence.map { EvidenceJSON($0, lineage: lineage) } ?? []
            rationale = decision.map(Rationale.sentence(for:))
        }

        enum CodingKeys: String, CodingKey {
            case imaging, outcome, reason, carc, rarc, evidence, rationale
            case lineNumber = "claim_line_number", indexDate = "index_date", windowEnd = "window_end",
                 redFlags = "red_flags", groupCode = "group_code"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(lineNumber, forKey: .lineNumber)
            try c.encode(imaging, forKey: .imaging)
            try c.encode(decision?.outcome.rawValue, forKey: .outcome)
            try c.encode(decision?.reason, forKey: .reason)
            try c.encode(decision?.indexDay?.iso, forKey: .indexDate)
            try c.encode(decision?.windowEndDay?.iso, forKey: .windowEnd)
            try c.encode(decision?.redFlags ?? [], forKey: .redFlags)
            try c.encode(decision?.denial?.groupCode, forKey: .groupCode)
            try c.encode(decision?.denial?.carc, forKey: .carc)
            try c.encode(decision?.denial?.rarc, forKey: .rarc)
            try c.encode(evidence, forKey: .evidence)
            try c.encode(rationale, forKey: .rationale)
        }
    }

    /// The history the check was made on.
    public struct HistoryJSON: Encodable, Sendable {
        let lastLoadID: Int64?
        let loadedAt: String?

        enum CodingKeys: String, CodingKey { case lastLoadID = "last_load_id", loadedAt = "loaded_at" }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(lastLoadID, forKey: .lastLoadID)
            try c.encode(loadedAt, forKey: .loadedAt)
        }
    }

    public let claimID: String
    /// The claim is a void (frequency code 8): it would remove the stored claim; no line is decided.
    public let isVoid: Bool
    let policy: PolicyJSON
    let history: HistoryJSON
    public let lines: [Line]

    enum CodingKeys: String, CodingKey { case claimID = "claim_id", isVoid = "void", policy, history, lines }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(claimID, forKey: .claimID)
        try c.encode(isVoid, forKey: .isVoid)
        try c.encode(policy, forKey: .policy)
        try c.encode(history, forKey: .history)
        try c.encode(lines, forKey: .lines)
    }
}

/// One line of a batch answer that could not be checked: its index in the body (1-based) and why.
struct BatchProblem: Encodable, Sendable {
    let index: Int
    let status: Int
    let error: String
    let field: String?
    let line: Int?

    init(index: Int, _ problem: ServiceError) {
        self.index = index
        status = problem.status.code
        error = problem.message
        field = problem.field
        line = problem.line
    }

    enum CodingKeys: String, CodingKey { case index, status, error, field, line }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(index, forKey: .index)
        try c.encode(status, forKey: .status)
        try c.encode(error, forKey: .error)
        try c.encode(field, forKey: .field)
        try c.encode(line, forKey: .line)
    }
}
