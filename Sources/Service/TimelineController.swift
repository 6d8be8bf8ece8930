import History
import Hummingbird
import Policy
import Reports
import SQLiteDB

/// `GET /v1/members/{member_id}/timeline?from&to`: what the history holds about a member, for a
/// picture of the policy's windows: eligibility spans, the diagnosis events of the episode and
/// red-flag value sets, and the imaging lines with their decisions and each decision's windows.
struct TimelineController {
    let pool: ReadPool

    func register(on router: Router<AppRequestContext>) {
        router.get("/v1/members/:member_id/timeline", use: timeline)
    }

    @Sendable func timeline(_ request: Request, context: AppRequestContext) async throws -> Response {
        let memberID = try PathParameter.text("member_id", context)
        let range = try QueryParameters(request).dateRange()
        let answer = try await pool.read { db -> TimelineAnswer? in
            let timeline = MemberTimeline(db)
            guard try timeline.knows(member: memberID) else { return nil }
            let policy = try CurrentPolicy.resolve(db)
            let settings = policy.settings
            let from = range.from ?? Day(number: Int32.min), to = range.to ?? Day(number: Int32.max)
            let lineage = try Lineage(db: db)
            var roles: [String: (role: String, reason: String?)] = [settings.episodeValueSet: ("episode", nil)]
            for flag in settings.redFlags where roles[flag.valueSet] == nil { roles[flag.valueSet] = ("red_flag", flag.reason) }
            let events = try timeline.events(member: memberID, categories: Array(roles.keys).sorted(), from: from, to: to)
            let store = DecisionStore(db)
            var lines: [TimelineAnswer.ImagingLineJSON] = []
            let scope = LineScope(memberID: memberID, serviceFrom: range.from, serviceTo: range.to)
            try HistoryReader(db).forEachImagingLine(categories: settings.imagingValueSets, scope: scope) { line in
                let decision = try store.current(claimID: line.claimID, lineNumber: line.lineNumber)
                lines.append(.init(line: line, decision: decision, lineage: lineage))
            }
            return TimelineAnswer(
                memberID: memberID, from: range.from?.iso, to: range.to?.iso,
                spans: try timeline.spans(member: memberID, from: from, to: to).map { .init($0, lineage: lineage) },
                events: events.map { event in
                    let role = roles[event.category] ?? ("other", nil)
                    return .init(event, role: role.role, reason: role.reason, lineage: lineage)
                },
                imagingLines: lines)
        }
        guard let answer else { throw ServiceError.notFound("no eligibility or diagnoses for that member id in the history") }
        return JSONAnswer.response(answer)
    }
}

/// The timeline of one member.
struct TimelineAnswer: Encodable, Sendable {
    let memberID: String
    let from: String?
    let to: String?
    let spans: [SpanJSON]
    let events: [EventJSON]
    let imagingLines: [ImagingLineJSON]

    enum CodingKeys: String, CodingKey { case memberID = "member_id", from, to, spans, events, imagingLines = "imaging_lines" }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(memberID, forKey: .memberID)
        try c.encode(from, forKey: .from)
        try c.encode(to, forKey: .to)
        try c.encode(spans, forKey: .spans)
        try c.encode(events, forKey: .events)
        try c.encode(imagingLines, forKey: .imagingLines)
    }

    struct SpanJSON: Encodable, Sendable {
        let start: String
        let end: String?
        let payer: String
        let plan: String
        let source: SourceJSON?

        init(_ span: EligibilitySpan, lineage: Lineage) {
            start = span.start.iso
            end = span.end?.iso
            payer = span.payer
            plan = span.plan
            source = SourceJSON(lineage.source(span.loadID))
        }

        enum CodingKeys: String, CodingKey { case start, end, payer, plan, source }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(start, forKey: .start)
            try c.encode(end, forKey: .end)
            try c.encode(payer, forKey: .payer)
            try c.encode(plan, forKey: .plan)
            try c.encode(source, forKey: .source)
        }
    }

    struct EventJSON: Encodable, Sendable {
        let date: String
        let valueSet: String
        /// `episode` (the LBP value set) or `red_flag`.
        let role: String
        /// The red flag's reason code.
        let reason: String?
        let claimID: String
        let position: Int
        let code: String
        let source: SourceJSON?

        init(_ event: TimelineEvent, role: String, reason: String?, lineage: Lineage) {
            date = event.day.iso
            valueSet = event.category
            self.role = role
            self.reason = reason
            claimID = event.claimID
            position = event.position
            code = event.code
            source = SourceJSON(lineage.source(event.loadID))
        }

        enum CodingKeys: String, CodingKey {
            case date, role, reason, position, code, source
            case valueSet = "value_set", claimID = "claim_id"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(date, forKey: .date)
            try c.encode(valueSet, forKey: .valueSet)
            try c.encode(role, forKey: .role)
            try c.encode(reason, forKey: .reason)
            try c.encode(claimID, forKey: .claimID)
            try c.encode(position, forKey: .position)
            try c.encode(code, forKey: .code)
            try c.encode(source, forKey: .source)
        }
    }

    struct WindowJSON: Encodable, Sendable {
        /// `INDEX_DATE` (the search for I), `PRIOR_LBP` (the lookback), `IMAGING` (I … I+28) or a red flag's reason.
        let rule: String
        let start: String?
        let end: String?
        let finding: String

        enum CodingKeys: String, CodingKey { case rule, start, end, finding }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(rule, forKey: .rule)
            try c.encode(start, forKey: .start)
            try c.encode(end, forKey: .end)
            try c.encode(finding, forKey: .finding)
        }
    }

    struct ImagingLineJSON: Encodable, Sendable {
        let claimID: String
        let lineNumber: Int
        let serviceDate: String
        let hcpcsCode: String
        let claimType: String
        let decision: DecisionJSON?
        let windows: [WindowJSON]

        init(line: ImagingLine, decision: Decision?, lineage: Lineage) {
            claimID = line.claimID
            lineNumber = line.lineNumber
            serviceDate = line.serviceDay.iso
            hcpcsCode = line.hcpcsCode
            claimType = line.claimType
            self.decision = decision.map { DecisionJSON($0, lineage: lineage) }
            var windows: [WindowJSON] = []
            if let decision {
                let windowed = Set([EvidenceRule.indexDate, EvidenceRule.priorLBP]).union(decision.redFlagRulesChecked)
                for item in decision.evidence where windowed.contains(item.rule) {
                    windows.append(WindowJSON(rule: item.rule, start: item.windowStart?.iso, end: item.windowEnd?.iso, finding: item.finding))
                }
                if let index = decision.indexDay, let end = decision.windowEndDay {
                    windows.append(WindowJSON(rule: "IMAGING", start: index.iso, end: end.iso,
                                              finding: decision.outcome == .deny ? "denied" : "allowed"))
                }
            }
            self.windows = windows
        }

        enum CodingKeys: String, CodingKey {
            case decision, windows
            case claimID = "claim_id", lineNumber = "claim_line_number", serviceDate = "service_date",
                 hcpcsCode = "hcpcs_code", claimType = "claim_type"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(claimID, forKey: .claimID)
            try c.encode(lineNumber, forKey: .lineNumber)
            try c.encode(serviceDate, forKey: .serviceDate)
            try c.encode(hcpcsCode, forKey: .hcpcsCode)
            try c.encode(claimType, forKey: .claimType)
            try c.encode(decision, forKey: .decision)
            try c.encode(windows, forKey: .windows)
        }
    }
}

extension Decision {
    /// The rules of the evidence that are red-flag checks (every rule not one of the fixed ones).
    var redFlagRulesChecked: Set<String> {
        let fixed: Set<String> = [EvidenceRule.primaryDiagnosis, EvidenceRule.coverage, EvidenceRule.plan,
                                  EvidenceRule.indexDate, EvidenceRule.priorLBP, EvidenceRule.enrollment]
        return Set(evidence.map(\.rule).filter { !fixed.contains($0) })
    }
}
