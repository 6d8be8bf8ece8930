import History
import Policy

/// The story of one decision in plain words, for an adjudicator: outcome and reason, how the
/// index date was found, the lookback, the enrollment check, and each red-flag window with what
/// was found in it.
public enum ExplanationText {
    /// - Parameter stored: whether the decision is the stored current one (else: what deciding now would give).
    /// - Parameter changedSince: a note when the claim line changed after the decision (`LineCurrency`).
    public static func render(_ decision: Decision, stored: Bool, lineage: Lineage, changedSince: String? = nil) -> String {
        let line = decision.line
        var out: [String] = []
        let denial = decision.denial.map { " (\($0.groupCode)-\($0.carc), \($0.rarc))" } ?? ""
        out.append("Claim \(line.claimID) line \(line.lineNumber): \(decision.outcome.rawValue) \(decision.reason)\(denial)")
        out.append("  \(line.claimType) line, \(line.hcpcsCode.isEmpty ? "no procedure code" : "procedure \(line.hcpcsCode)"), service date \(line.serviceDay.iso), member \(line.memberID)")
        if let source = lineage.source(line.loadID) { out.append("  claim version from \(source.file) (sha256 \(source.sha256.prefix(12)))") }
        if stored {
            out.append("  decided \(decision.decidedAt ?? "?") under policy \(decision.policyID) version \(decision.policyVersion) (decision \(decision.decisionID ?? 0))")
            if let changedSince { out.append("  NOTE: \(changedSince)") }
        } else {
            out.append("  not decided yet: this is what `lbp decide` would decide now, under policy \(decision.policyID) version \(decision.policyVersion)")
        }
        out.append("")
        var step = 0
        for item in decision.evidence {
            step += 1
            out.append("\(step). " + describe(item, decision: decision, lineage: lineage))
        }
        let reachedRedFlags = decision.reason == Reason.imagingWithin28Days || !decision.redFlags.isEmpty
        if !reachedRedFlags {
            out.append("   Later rules were not checked: the first rule that applies decides.")
        }
        out.append("")
        out.append(conclusion(decision))
        return out.joined(separator: "\n") + "\n"
    }

    private static func window(_ item: Evidence) -> String {
        switch (item.windowStart, item.windowEnd) {
        case let (start?, end?): "\(start.iso) through \(end.iso)"
        case let (nil, end?): "the whole history through \(end.iso)"
        default: "-"
        }
    }

    private static func found(_ item: Evidence, lineage: Lineage) -> String {
        var text = "claim \(item.claimID ?? "?"), diagnosis position \(item.position.map(String.init) ?? "?"), code \(item.code ?? "?") on \(item.day?.iso ?? "?")"
        if let source = lineage.source(item.loadID) { text += " (from \(source.file))" }
        return text
    }

    private static func describe(_ item: Evidence, decision: Decision, lineage: Lineage) -> String {
        switch item.rule {
        case EvidenceRule.primaryDiagnosis:
            return item.finding == "found"
                ? "Primary diagnosis: \(item.code ?? "?") is in \(item.valueSet ?? "?"), so the policy applies."
                : "Primary diagnosis: \(item.code ?? "none") is not in \(item.valueSet ?? "?"); this policy does not judge the line."
        case EvidenceRule.coverage:
            return item.finding == "covered"
                ? "Coverage on the service date: yes (\(item.detail ?? ""))."
                : "Coverage on the service date: none. No eligibility span covers \(item.windowStart?.iso ?? "?"); flagged for the data team."
        case EvidenceRule.plan:
            return item.finding == "exempt" ? "Plan: \(item.detail ?? "") by the policy settings." : "Plan: \(item.detail ?? "")."
        case EvidenceRule.indexDate:
            let how = item.detail ?? "the earliest primary \(item.valueSet ?? "") diagnosis in the window"
            return "Index date I = \(item.day?.iso ?? "?"): searched \(window(item)) for primary \(item.valueSet ?? "") diagnoses; "
                + "\(how == item.detail ? how : "the earliest is " + found(item, lineage: lineage)). Window end I+28 = \(decision.windowEndDay?.iso ?? "?")."
        case EvidenceRule.priorLBP:
            return item.finding == "found"
                ? "Earlier episode: \(item.valueSet ?? "") diagnosis in \(window(item)): \(found(item, lineage: lineage)). Not a new episode."
                : "Earlier episode: no \(item.valueSet ?? "") diagnosis in \(window(item)). A new episode."
        case EvidenceRule.enrollment:
            return "Continuous enrollment: \(item.finding == "continuous" ? "yes" : "no"); \(item.detail ?? "")."
        default:
            return item.finding == "found"
                ? "Red flag \(item.rule): \(item.valueSet ?? "") diagnosis in \(window(item)): \(found(item, lineage: lineage))."
                : "Red flag \(item.rule): no \(item.valueSet ?? "") diagnosis in \(window(item))."
        }
    }

    /// The decision in one sentence an adjudicator can read.
    public static func conclusion(_ decision: Decision) -> String {
        switch decision.reason {
        case Reason.imagingWithin28Days:
            "Conclusion: imaging within 28 days of the first diagnosis of a new low-back-pain episode, with no red flag: not reimbursed."
        case Reason.primaryDxNotLBP: "Conclusion: allowed; the line was billed for another primary diagnosis."
        case Reason.noCoverage: "Conclusion: allowed (not judged); the member has no coverage on the service date."
        case Reason.planExempt: "Conclusion: allowed; the member's plan is exempt from this policy."
        case Reason.priorLBPDiagnosis: "Conclusion: allowed; low back pain was diagnosed earlier, so this is not a new episode."
        case Reason.insufficientEnrollment: "Conclusion: allowed; enrollment is not continuous enough to know whether the episode is new."
        default: "Conclusion: allowed; red flag\(decision.redFlags.count == 1 ? "" : "s") present: \(decision.redFlags.joined(separator: ", "))."
        }
    }
}
