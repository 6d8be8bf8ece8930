import Foundation
import History
import Policy

/// One decision as exported: the decision's fields, its evidence and their lineage.
///
/// The same record feeds the CSV (evidence as a JSON array in one cell) and JSON Lines (nested).
struct DecisionRecord: Codable, Equatable {
    struct EvidenceItem: Codable, Equatable {
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
        let source: Lineage.Source?

        enum CodingKeys: String, CodingKey {
            case rule, finding, code, date, detail, source, position
            case windowStart = "window_start", windowEnd = "window_end", claimID = "claim_id", valueSet = "value_set"
        }
    }

    let claimID: String
    let claimLineNumber: Int
    let memberID: String
    let serviceDate: String
    let hcpcsCode: String
    let outcome: String
    let reason: String
    let indexDate: String?
    let windowEnd: String?
    let claimType: String
    let redFlags: [String]
    let groupCode: String?
    let carc: String?
    let rarc: String?
    let policyID: String
    let policyVersion: String
    let decidedAt: String
    let decisionID: Int64
    let lineSource: Lineage.Source?
    let evidence: [EvidenceItem]

    enum CodingKeys: String, CodingKey {
        case outcome, reason, carc, rarc, evidence
        case claimID = "claim_id", claimLineNumber = "claim_line_number", memberID = "member_id",
             serviceDate = "service_date", hcpcsCode = "hcpcs_code", indexDate = "index_date", windowEnd = "window_end",
             claimType = "claim_type", redFlags = "red_flags", groupCode = "group_code", policyID = "policy_id",
             policyVersion = "policy_version", decidedAt = "decided_at", decisionID = "decision_id",
             lineSource = "line_source"
    }

    init(_ decision: Decision, lineage: Lineage) {
        claimID = decision.line.claimID
        claimLineNumber = decision.line.lineNumber
        memberID = decision.line.memberID
        serviceDate = decision.line.serviceDay.iso
        hcpcsCode = decision.line.hcpcsCode
        outcome = decision.outcome.rawValue
        reason = decision.reason
        indexDate = decision.indexDay?.iso
        windowEnd = decision.windowEndDay?.iso
        claimType = decision.line.claimType
        redFlags = decision.redFlags
        groupCode = decision.denial?.groupCode
        carc = decision.denial?.carc
        rarc = decision.denial?.rarc
        policyID = decision.policyID
        policyVersion = decision.policyVersion
        decidedAt = decision.decidedAt ?? ""
        decisionID = decision.decisionID ?? 0
        lineSource = lineage.source(decision.line.loadID)
        evidence = decision.evidence.map { item in
            EvidenceItem(rule: item.rule, finding: item.finding, windowStart: item.windowStart?.iso, windowEnd: item.windowEnd?.iso,
                         claimID: item.claimID, position: item.position, code: item.code, date: item.day?.iso,
                         valueSet: item.valueSet, detail: item.detail, source: lineage.source(item.loadID))
        }
    }

    /// The CSV columns, in order; the first eight are the contract of `lbp decide --out`.
    static let csvHeader = [
        "claim_id", "claim_line_number", "member_id", "service_date", "hcpcs_code", "outcome", "reason", "index_date",
        "window_end", "claim_type", "red_flags", "group_code", "carc", "rarc", "policy_id", "policy_version", "decided_at",
        "decision_id", "line_source_file", "line_source_sha256", "evidence",
    ]

    func csvFields(encoder: JSONEncoder) throws -> [String] {
        [claimID, String(claimLineNumber), memberID, serviceDate, hcpcsCode, outcome, reason, indexDate ?? "",
         windowEnd ?? "", claimType, redFlags.joined(separator: ";"), groupCode ?? "", carc ?? "", rarc ?? "", policyID,
         policyVersion, decidedAt, String(decisionID), lineSource?.file ?? "", lineSource?.sha256 ?? "",
         String(decoding: try encoder.encode(evidence), as: UTF8.self)]
    }

    /// A deterministic compact JSON encoder (sorted keys, no escaped slashes).
    static func jsonEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
