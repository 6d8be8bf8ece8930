import History
import Policy

/// One sentence an adjudicator can read for a decided line: the outcome, the reason in plain
/// words, and the dates and codes that made it so (index date, window end, the finding of the
/// deciding rule). Built from the decision's own fields and evidence; names no member or claim.
///
/// ```swift
/// Rationale.sentence(for: decision)
/// // "Not reimbursed (CO-50, N130): 72148 on 2024-06-03 is within 28 days of the first low back
/// //  pain diagnosis of a new episode (index date 2024-06-01, window through 2024-06-29), and no
/// //  red flag was found."
/// ```
public enum Rationale {
    /// The sentence for `decision`.
    public static func sentence(for decision: Decision) -> String {
        let line = decision.line
        let procedure = line.hcpcsCode.isEmpty ? "the imaging line" : line.hcpcsCode
        let service = "\(procedure) on \(line.serviceDay.iso)"
        func evidence(_ rule: String) -> Evidence? { decision.evidence.first { $0.rule == rule } }

        switch decision.reason {
        case Reason.imagingWithin28Days:
            let denial = decision.denial.map { " (\($0.groupCode)-\($0.carc), \($0.rarc))" } ?? ""
            let days = windowDays(decision).map { "within \($0) days" } ?? "within the imaging window"
            return "Not reimbursed\(denial): \(service) is \(days) of the first low back pain diagnosis of a new episode"
                + " (index date \(decision.indexDay?.iso ?? "unknown"), window through \(decision.windowEndDay?.iso ?? "unknown"))"
                + ", and no red flag was found."
        case Reason.primaryDxNotLBP:
            let code = evidence(EvidenceRule.primaryDiagnosis)?.code ?? line.primaryDiagnosis
            return "Allowed: the claim's primary diagnosis\(code.map { " \($0)" } ?? "") is not low back pain, so this policy does not apply to \(service)."
        case Reason.noCoverage:
            return "Allowed without review: the member has no eligibility on \(line.serviceDay.iso), so this policy does not judge \(service); flagged for the data team."
        case Reason.planExempt:
            let detail = evidence(EvidenceRule.plan)?.detail.map { " (\($0))" } ?? ""
            return "Allowed: the member's plan on \(line.serviceDay.iso) is exempt from this policy\(detail)."
        case Reason.priorLBPDiagnosis:
            let prior = evidence(EvidenceRule.priorLBP)
            let found = prior.flatMap { item in item.day.map { "\(item.code.map { "\($0) on " } ?? "")\($0.iso)" } } ?? "an earlier date"
            let lookback = (prior?.windowStart).flatMap { start in decision.indexDay.map { $0.days(since: start) } }
            return "Allowed: low back pain was already diagnosed (\(found))"
                + "\(lookback.map { ", within \($0) days before" } ?? " before") the index date \(decision.indexDay?.iso ?? "unknown")"
                + ", so \(service) is not in a new episode."
        case Reason.insufficientEnrollment:
            let item = evidence(EvidenceRule.enrollment)
            let range = item.flatMap { i in i.windowStart.flatMap { s in i.windowEnd.map { "from \(s.iso) through \($0.iso)" } } } ?? "over the lookback"
            return "Allowed: the member was not continuously enrolled \(range), so the plan cannot tell whether \(service) is in a new episode."
        default:
            return redFlagSentence(decision, service: service)
        }
    }

    private static func redFlagSentence(_ decision: Decision, service: String) -> String {
        let flags = decision.redFlags.isEmpty ? [decision.reason] : decision.redFlags
        let first = flags[0]
        var text = "Allowed: red flag \(label(first))"
        if let item = decision.evidence.first(where: { $0.rule == first && $0.finding == "found" }) {
            let code = item.code.map { "\($0) " } ?? ""
            let date = item.day.map { "on \($0.iso) " } ?? ""
            let window: String
            switch (item.windowStart, item.windowEnd) {
            case let (start?, end?): window = "from \(start.iso) through \(end.iso)"
            case let (nil, end?): window = "on or before \(end.iso)"
            default: window = "its window"
            }
            text += " (\(code)\(date)in the window \(window))"
        }
        let others = flags.dropFirst().map(label)
        if !others.isEmpty { text += "; also \(others.joined(separator: ", "))" }
        return text + ", so early imaging is justified for \(service)."
    }

    /// Plain words for a red-flag reason code (`RED_FLAG_IV_DRUG_ABUSE` → "IV drug abuse").
    static func label(_ reason: String) -> String {
        switch reason {
        case "RED_FLAG_CANCER": "cancer"
        case "RED_FLAG_TRAUMA": "recent trauma"
        case "RED_FLAG_IV_DRUG_ABUSE": "IV drug abuse"
        case "RED_FLAG_NEUROLOGIC": "neurologic impairment"
        case "RED_FLAG_SPINAL_INFECTION": "spinal infection"
        default:
            // Words of the code; short ones (HIV) stay as written.
            (reason.hasPrefix("RED_FLAG_") ? reason.dropFirst(9) : Substring(reason))
                .split(separator: "_").map { $0.count > 3 ? $0.lowercased() : String($0) }.joined(separator: " ")
        }
    }

    /// The imaging window in days (window end − index date).
    private static func windowDays(_ decision: Decision) -> Int? {
        guard let index = decision.indexDay, let end = decision.windowEndDay else { return nil }
        return end.days(since: index)
    }
}
