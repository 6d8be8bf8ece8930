import History
import Policy
import Reports

/// Where a stored row came from: the extract file and its SHA-256.
struct SourceJSON: Encodable, Sendable, Equatable {
    let file: String
    let sha256: String

    init?(_ source: Lineage.Source?) {
        guard let source else { return nil }
        file = source.file
        sha256 = source.sha256
    }
}

/// One piece of evidence as answered: the rule, what it found, its window, the diagnosis that
/// made it true, and the extract file that diagnosis came from (`source`, null for a claim that
/// is only being checked).
struct EvidenceJSON: Encodable, Sendable {
    let rule: String
    let finding: String
    let windowStart: String?
    let windowEnd: String?
    let claimID: String?
    let position: Int?
    let code: String?
    let date: String?
    let valueSet: String?
    let detail: String?
    let source: SourceJSON?

    init(_ item: Evidence, lineage: Lineage) {
        rule = item.rule
        finding = item.finding
        windowStart = item.windowStart?.iso
        windowEnd = item.windowEnd?.iso
        claimID = item.claimID
        position = item.position
        code = item.code
        date = item.day?.iso
        valueSet = item.valueSet
        detail = item.detail
        source = SourceJSON(lineage.source(item.loadID))
    }

    enum CodingKeys: String, CodingKey {
        case rule, finding, position, code, date, detail, source
        case windowStart = "window_start", windowEnd = "window_end", claimID = "claim_id", valueSet = "value_set"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(rule, forKey: .rule)
        try c.encode(finding, forKey: .finding)
        try c.encode(windowStart, forKey: .windowStart)
        try c.encode(windowEnd, forKey: .windowEnd)
        try c.encode(claimID, forKey: .claimID)
        try c.encode(position, forKey: .position)
        try c.encode(code, forKey: .code)
        try c.encode(date, forKey: .date)
        try c.encode(valueSet, forKey: .valueSet)
        try c.encode(detail, forKey: .detail)
        try c.encode(source, forKey: .source)
    }
}

/// A stored decision as answered: the decision's fields at top level, its evidence with lineage,
/// and the rationale sentence.
struct DecisionJSON: Encodable, Sendable {
    let claimID: String
    let lineNumber: Int
    let memberID: String
    let serviceDate: String
    let hcpcsCode: String
    let claimType: String
    let outcome: String
    let reason: String
    let indexDate: String?
    let windowEnd: String?
    let redFlags: [String]
    let groupCode: String?
    let carc: String?
    let rarc: String?
    let policyID: String
    let policyVersion: String
    let decidedAt: String?
    let decisionID: Int64?
    let lineSource: SourceJSON?
    let evidence: [EvidenceJSON]
    let rationale: String

    init(_ decision: Decision, lineage: Lineage) {
        claimID = decision.line.claimID
        lineNumber = decision.line.lineNumber
        memberID = decision.line.memberID
        serviceDate = decision.line.serviceDay.iso
        hcpcsCode = decision.line.hcpcsCode
        claimType = decision.line.claimType
        outcome = decision.outcome.rawValue
        reason = decision.reason
        indexDate = decision.indexDay?.iso
        windowEnd = decision.windowEndDay?.iso
        redFlags = decision.redFlags
        groupCode = decision.denial?.groupCode
        carc = decision.denial?.carc
        rarc = decision.denial?.rarc
        policyID = decision.policyID
        policyVersion = decision.policyVersion
        decidedAt = decision.decidedAt
        decisionID = decision.decisionID
        lineSource = SourceJSON(lineage.source(decision.line.loadID))
        evidence = decision.evidence.map { EvidenceJSON($0, lineage: lineage) }
        rationale = Rationale.sentence(for: decision)
    }

    enum CodingKeys: String, CodingKey {
        case outcome, reason, carc, rarc, evidence, rationale
        case claimID = "claim_id", lineNumber = "claim_line_number", memberID = "member_id", serviceDate = "service_date",
             hcpcsCode = "hcpcs_code", claimType = "claim_type", indexDate = "index_date", windowEnd = "window_end",
             redFlags = "red_flags", groupCode = "group_code", policyID = "policy_id", policyVersion = "policy_version",
             decidedAt = "decided_at", decisionID = "decision_id", lineSource = "line_source"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(claimID, forKey: .claimID)
        try c.encode(lineNumber, forKey: .lineNumber)
        try c.encode(memberID, forKey: .memberID)
        try c.encode(serviceDate, forKey: .serviceDate)
        try c.encode(hcpcsCode, forKey: .hcpcsCode)
        try c.encode(claimType, forKey: .claimType)
        try c.encode(outcome, forKey: .outcome)
        try c.encode(reason, forKey: .reason)
        try c.encode(indexDate, forKey: .indexDate)
        try c.encode(windowEnd, forKey: .windowEnd)
        try c.encode(redFlags, forKey: .redFlags)
        try c.encode(groupCode, forKey: .groupCode)
        try c.encode(carc, forKey: .carc)
        try c.encode(rarc, forKey: .rarc)
        try c.encode(policyID, forKey: .policyID)
        try c.encode(policyVersion, forKey: .policyVersion)
        try c.encode(decidedAt, forKey: .decidedAt)
        try c.encode(decisionID, forKey: .decisionID)
        try c.encode(lineSource, forKey: .lineSource)
        try c.encode(evidence, forKey: .evidence)
        try c.encode(rationale, forKey: .rationale)
    }
}
