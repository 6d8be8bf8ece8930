import History

/// Decides one imaging line from its member's history under the policy, in the rule order of
/// docs/policy.md; the first rule that applies gives the outcome. Every rule that reads history
/// adds its evidence.
///
/// A pure function: no database, no clock. Batch decide, explain, and the pre-payment check all
/// call it and differ only in where the `MemberHistory` comes from.
public struct Evaluator: Sendable {
    public let policy: ResolvedPolicy

    public init(policy: ResolvedPolicy) { self.policy = policy }

    /// The windows of each value set that deciding lines with service dates `earliest ... latest`
    /// can look at: what a `MemberHistory` must hold for them.
    public func windows(serviceDays earliest: Day, _ latest: Day) -> [String: EventWindow] {
        let settings = policy.settings
        let earliestIndex = earliest.adding(days: -settings.imagingWindowDays)
        var windows: [String: EventWindow] = [
            settings.episodeValueSet: EventWindow(from: earliestIndex.adding(days: -settings.priorEpisodeLookbackDays), to: latest),
        ]
        for flag in settings.redFlags {
            let window = EventWindow(from: flag.from.day(from: earliestIndex), to: flag.to.day(from: latest) ?? latest)
            windows[flag.valueSet] = windows[flag.valueSet].map { $0.union(window) } ?? window
        }
        return windows
    }

    /// The decision for `line`, from `history` (the line's member's, holding at least `windows`).
    public func decide(_ line: ImagingLine, history: MemberHistory) -> Decision {
        let settings = policy.settings
        let episode = settings.episodeValueSet
        let serviceDay = line.serviceDay
        var evidence: [Evidence] = []

        func decision(_ outcome: Outcome, _ reason: String, index: Day? = nil, redFlags: [String] = []) -> Decision {
            Decision(line: line, outcome: outcome, reason: reason, indexDay: index,
                     windowEndDay: index?.adding(days: settings.imagingWindowDays), redFlags: redFlags,
                     denial: outcome == .deny ? settings.denial : nil, policyID: settings.policyID,
                     policyVersion: policy.version, evidence: evidence)
        }

        // 1. The claim's primary diagnosis must be an episode (LBP) diagnosis.
        let primaryIsEpisode = line.primaryDiagnosis != nil && history.claimHasEvent(episode, claimID: line.claimID, position: 1)
        evidence.append(Evidence(rule: EvidenceRule.primaryDiagnosis, finding: primaryIsEpisode ? "found" : "none",
                                 claimID: line.claimID, position: 1, code: line.primaryDiagnosis, day: line.claimStartDay,
                                 valueSet: episode, loadID: line.loadID))
        guard primaryIsEpisode else { return decision(.allow, Reason.primaryDxNotLBP) }

        // 2. Coverage on D.
        let covering = history.spans.filter { $0.covers(serviceDay) }
        guard let firstCovering = covering.first else {
            evidence.append(Evidence(rule: EvidenceRule.coverage, finding: "not_covered", windowStart: serviceDay, windowEnd: serviceDay,
                                     detail: "no eligibility span covers the service date"))
            return decision(.allow, Reason.noCoverage)
        }
        evidence.append(Evidence(rule: EvidenceRule.coverage, finding: "covered", windowStart: serviceDay, windowEnd: serviceDay,
                                 loadID: firstCovering.loadID, detail: Self.describe(firstCovering)))

        // 3. An exempt plan on D.
        if let exempt = covering.first(where: { settings.exemptPlans.contains($0.plan) }) {
            evidence.append(Evidence(rule: EvidenceRule.plan, finding: "exempt", windowStart: serviceDay, windowEnd: serviceDay,
                                     loadID: exempt.loadID, detail: "plan \(exempt.plan) is exempt"))
            return decision(.allow, Reason.planExempt)
        }
        let plans = Array(Set(covering.map(\.plan))).sorted()
        evidence.append(Evidence(rule: EvidenceRule.plan, finding: "not_exempt", windowStart: serviceDay, windowEnd: serviceDay,
                                 loadID: firstCovering.loadID, detail: "plan \(plans.joined(separator: ", ")) is not exempt"))

        // 4. Index date: the earliest primary episode diagnosis in D−28 … D; the own claim counts at D.
        let indexFrom = serviceDay.adding(days: -settings.imagingWindowDays)
        let index: Day
        if let first = history.earliestEvent(episode, from: indexFrom, to: serviceDay, primaryOnly: true) {
            index = first.day
            evidence.append(.event(EvidenceRule.indexDate, first, valueSet: episode, from: indexFrom, to: serviceDay))
        } else {
            index = serviceDay
            evidence.append(Evidence(rule: EvidenceRule.indexDate, finding: "found", windowStart: indexFrom, windowEnd: serviceDay,
                                     claimID: line.claimID, position: 1, code: line.primaryDiagnosis, day: serviceDay,
                                     valueSet: episode, loadID: line.loadID, detail: "the imaging claim itself, counted at the service date"))
        }

        // 5. An episode diagnosis (any position) in I−180 … I−1: not a new episode.
        let priorFrom = index.adding(days: -settings.priorEpisodeLookbackDays), priorTo = index.adding(days: -1)
        let prior = settings.priorEpisodeLookbackDays > 0 ? history.latestEvent(episode, from: priorFrom, to: priorTo) : nil
        evidence.append(.event(EvidenceRule.priorLBP, prior, valueSet: episode, from: priorFrom, to: priorTo))
        if prior != nil { return decision(.allow, Reason.priorLBPDiagnosis, index: index) }

        // 6. Continuous enrollment from I − lookback through D.
        if settings.enrollment.enabled {
            let continuity = EnrollmentContinuity(spans: history.spans, range: index.adding(days: -settings.enrollment.lookbackDays)...serviceDay)
            let continuous = continuity.isContinuous(maxGaps: settings.enrollment.maxGaps, maxGapDays: settings.enrollment.maxGapDays)
            evidence.append(Evidence(
                rule: EvidenceRule.enrollment, finding: continuous ? "continuous" : "not_continuous",
                windowStart: continuity.range.lowerBound, windowEnd: continuity.range.upperBound,
                detail: continuity.summary + "; allowed \(settings.enrollment.maxGaps) gap(s) of at most \(settings.enrollment.maxGapDays) days"))
            if !continuous { return decision(.allow, Reason.insufficientEnrollment, index: index) }
        }

        // 7. Red flags: every one is checked and recorded; the first present gives the reason.
        var present: [String] = []
        for flag in settings.redFlags {
            let from = flag.from.day(from: index)
            let to = flag.to.day(from: index) ?? index
            let found = history.latestEvent(flag.valueSet, from: from, to: to)
            evidence.append(.event(flag.reason, found, valueSet: flag.valueSet, from: from, to: to))
            if found != nil { present.append(flag.reason) }
        }
        if let first = present.first { return decision(.allow, first, index: index, redFlags: present) }

        // 8. Imaging within the window of a new episode, no red flag.
        return decision(.deny, Reason.imagingWithin28Days, index: index)
    }

    static func describe(_ span: EligibilitySpan) -> String {
        "span \(span.start.iso) to \(span.end?.iso ?? "open"), payer \(span.payer.isEmpty ? "-" : span.payer), plan \(span.plan.isEmpty ? "-" : span.plan)"
    }
}
